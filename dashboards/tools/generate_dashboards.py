#!/usr/bin/env python3
"""Writes the Grafana dashboards in ../grafana/dashboards from the panel list below (python3, standard library only).

The JSON files are what Grafana provisions and what the tests lint; edit this file and re-run it rather than editing
the JSON by hand, so that ids, layout and the datasource variable stay consistent.
"""
import json
import os

DS = {"type": "prometheus", "uid": "${datasource}"}
SEL = 'cluster=~"$cluster", silo=~"$silo"'

def variables(silo_multi=True):
    return {"list": [
        {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus",
         "current": {}, "hide": 0, "refresh": 1, "options": []},
        {"name": "cluster", "label": "Cluster", "type": "query", "datasource": DS,
         "query": {"query": "label_values(grainpool_cores_advertised, cluster)", "refId": "cluster"},
         "definition": "label_values(grainpool_cores_advertised, cluster)",
         "refresh": 2, "includeAll": True, "multi": True, "allValue": ".*", "current": {}, "options": [], "sort": 1, "hide": 0},
        {"name": "silo", "label": "Silo", "type": "query", "datasource": DS,
         "query": {"query": 'label_values(grainpool_cores_advertised{cluster=~"$cluster"}, silo)', "refId": "silo"},
         "definition": 'label_values(grainpool_cores_advertised{cluster=~"$cluster"}, silo)',
         "refresh": 2, "includeAll": True, "multi": silo_multi, "allValue": ".*", "current": {}, "options": [], "sort": 1, "hide": 0},
    ]}

class Panels:
    def __init__(self):
        self.items = []
        self.next_id = 1
        self.x = 0
        self.y = 0

    def add(self, title, kind, targets, unit, description, w=12, h=8, overrides=None, options=None, stack=False, decimals=None, minv=None):
        if self.x + w > 24:
            self.x = 0
            self.y += h
        defaults = {"unit": unit}
        if decimals is not None:
            defaults["decimals"] = decimals
        if minv is not None:
            defaults["min"] = minv
        if kind == "timeseries":
            defaults["custom"] = {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 25 if stack else 10,
                                  "stacking": {"mode": "normal" if stack else "none", "group": "A"},
                                  "axisLabel": "", "showPoints": "never", "spanNulls": True}
        panel = {
            "id": self.next_id, "type": kind, "title": title, "description": description, "datasource": DS,
            "gridPos": {"x": self.x, "y": self.y, "w": w, "h": h},
            "fieldConfig": {"defaults": defaults, "overrides": overrides or []},
            "options": options or ({"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
                                    "tooltip": {"mode": "multi", "sort": "none"}} if kind == "timeseries" else
                                   {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                                    "colorMode": "value", "graphMode": "area", "textMode": "auto", "justifyMode": "auto", "orientation": "auto"}),
            "targets": [{"refId": chr(ord("A") + i), "datasource": DS, "expr": expr, "legendFormat": legend, "range": True}
                        for i, (expr, legend) in enumerate(targets)],
        }
        self.items.append(panel)
        self.next_id += 1
        self.x += w

def dashboard(uid, title, description, panels, tags, templating=None):
    return {
        "uid": uid, "title": title, "description": description, "tags": tags,
        "editable": True, "graphTooltip": 1, "schemaVersion": 39, "version": 1,
        "time": {"from": "now-15m", "to": "now"}, "refresh": "10s", "timezone": "",
        "templating": templating or variables(), "annotations": {"list": []}, "links": [
            {"title": "GrainPool dashboards", "type": "dashboards", "tags": ["grainpool"], "asDropdown": False}],
        "panels": panels.items,
    }

busy = f'rate(grainpool_worker_busy_seconds_total{{{SEL}}}[$__rate_interval])'
items = f'rate(grainpool_items_completed_total{{{SEL}}}[$__rate_interval])'
cores = f'grainpool_cores_advertised{{{SEL}}}'
chunk_seconds = f'rate(grainpool_chunk_duration_seconds_sum{{{SEL}}}[$__rate_interval])'

# 1. Cluster overview
p = Panels()
p.add("Silos up", "stat", [(f'sum(up{{job="grainpool-silos", {SEL}}})', "silos up")], "none",
      "Silo processes Prometheus scraped successfully (up == 1).", w=4, h=5, decimals=0)
p.add("Cores advertised", "stat", [(f'sum({cores})', "cores")], "none",
      "Worker slots of the selected silos: one compute worker activation per advertised core.", w=4, h=5, decimals=0)
p.add("Cores busy", "stat", [(f'sum({busy})', "busy cores")], "none",
      "Cores spending their time inside kernels right now: the rate of worker busy seconds.", w=4, h=5, decimals=2)
p.add("Efficiency", "stat", [(f'sum({busy}) / sum({cores})', "efficiency")], "percentunit",
      "Busy cores over advertised cores: 100% means every advertised core computes.", w=4, h=5, decimals=1)
p.add("Worker activations", "stat", [(f'sum(grainpool_worker_activations{{{SEL}}})', "activations")], "none",
      "Live compute worker activations: equals the advertised cores once every slot has taken a chunk.", w=4, h=5, decimals=0)
p.add("Items per second", "stat", [(f'sum({items})', "items/s")], "ops",
      "Items (maps) or numbers (range jobs) finished per second, all kernels.", w=4, h=5)
p.add("Cores busy vs advertised (stacked by silo)", "timeseries",
      [(f'sum by (silo) ({busy})', "{{silo}} busy"), (f'sum({cores})', "capacity (cores advertised)")], "none",
      "Busy cores stacked per silo; the dashed line is the capacity, the sum of cores the silos advertise.",
      w=12, h=9, stack=True, minv=0, overrides=[{"matcher": {"id": "byName", "options": "capacity (cores advertised)"},
        "properties": [{"id": "custom.stacking", "value": {"mode": "none", "group": "B"}},
                       {"id": "custom.lineStyle", "value": {"fill": "dash", "dash": [10, 10]}},
                       {"id": "custom.fillOpacity", "value": 0}, {"id": "custom.lineWidth", "value": 2},
                       {"id": "color", "value": {"mode": "fixed", "fixedColor": "red"}}]}])
p.add("Speedup", "timeseries",
      [(f'sum({busy})', "busy cores (kernel time)"),
       ('sum(grainpool:speedup:rate1m{cluster=~"$cluster"})', "throughput / one-core rate (1m, all silos)")], "none",
      "Speedup over one core, two ways: cores busy inside kernels (CPU seconds per second); and, per kernel, the cluster's items per second over one core's items per kernel-second, summed (the recording rule grainpool:speedup:rate1m, over 1 minute and the whole cluster).",
      w=12, h=9, minv=0)
p.add("Items per second by kernel", "timeseries", [(f'sum by (kernel) ({items})', "{{kernel}}")], "ops",
      "Throughput per kernel.", w=12, h=8, minv=0)
p.add("Efficiency over time", "timeseries",
      [(f'sum({busy}) / sum({cores})', "busy / advertised")], "percentunit",
      "Fraction of the advertised cores doing useful work.", w=12, h=8, minv=0)
p.add("Chunk latency", "timeseries",
      [(f'histogram_quantile({q}, sum by (le) (rate(grainpool_chunk_duration_seconds_bucket{{{SEL}}}[$__rate_interval])))', f"p{int(q*100)}")
       for q in (0.5, 0.95, 0.99)], "s",
      "Time from a chunk's start on its worker to its end (the client paces range chunks to about 0.5 s).", w=12, h=8, minv=0)
fail = (f'label_replace(sum by (kernel, error) (rate(grainpool_chunks_failed_total{{{SEL}}}[$__rate_interval])), "what", "chunks failed", "", "")'
        f' or label_replace(sum by (kernel) (rate(grainpool_chunks_cancelled_total{{{SEL}}}[$__rate_interval])), "what", "chunks cancelled", "", "")')
p.add("Failures and cancellations", "timeseries", [(fail, "{{what}}: {{kernel}} {{error}}")], "ops",
      "Chunks that ended with an error (by kernel and exception type) and chunks stopped by cancellation, per second. Empty while nothing has failed or been cancelled. (Map items a user kernel rejects are counted in grainpool_items_failed_total.)",
      w=12, h=8, minv=0)
overview = dashboard("grainpool-cluster-overview", "GrainPool / Cluster overview",
                     "How much of the cluster computes: cores busy against cores advertised, speedup, throughput, chunk latency, failures.",
                     p, ["grainpool"])

# 2. Silo detail
q = Panels()
q.add("CPU used", "timeseries", [(f'sum by (silo) (rate(dotnet_process_cpu_time_seconds_total{{{SEL}}}[$__rate_interval]))', "{{silo}} process"),
                                  (f'sum by (silo) ({busy})', "{{silo}} in kernels")], "none",
      "CPU seconds per second of each silo process (all threads), beside the part spent in kernels.", minv=0)
q.add("GC pause time", "timeseries", [(f'sum by (silo) (rate(dotnet_gc_pause_time_seconds_total{{{SEL}}}[$__rate_interval]))', "{{silo}}")], "percentunit",
      "Fraction of wall time the runtime was paused for garbage collection.", minv=0)
q.add("GC collections", "timeseries", [(f'sum by (silo, gc_heap_generation) (rate(dotnet_gc_collections_total{{{SEL}}}[$__rate_interval]))', "{{silo}} {{gc_heap_generation}}")], "ops",
      "Garbage collections per second by generation.", minv=0)
q.add("Thread pool queue", "timeseries", [(f'sum by (silo) (dotnet_thread_pool_queue_length_total{{{SEL}}})', "{{silo}}")], "none",
      "Work items waiting in the .NET thread pool queue (a growing queue means the silo is starved of threads).", minv=0)
q.add("Activations", "timeseries", [(f'sum by (silo) (orleans_catalog_activations{{{SEL}}})', "{{silo}} all grains"),
                                     (f'sum by (silo) (grainpool_worker_activations{{{SEL}}})', "{{silo}} compute workers"),
                                     (f'sum by (silo) ({cores})', "{{silo}} cores advertised")], "none",
      "Orleans grain activations on each silo, the compute workers among them, and the cores the silo advertises.", minv=0)
q.add("Orleans request latency", "timeseries",
      [(f'histogram_quantile({x}, sum by (le, silo) (rate(orleans_app_requests_latency_milliseconds_bucket{{{SEL}}}[$__rate_interval])))', f"{{{{silo}}}} p{int(x*100)}")
       for x in (0.5, 0.99)], "ms",
      "Latency of application grain requests as Orleans measures them (a compute call lasts as long as its chunk).", minv=0)
q.add("Chunks running and queued", "timeseries",
      [(f'sum by (silo) (grainpool_chunks_running{{{SEL}}})', "{{silo}} running"),
       (f'sum by (silo) (orleans_messaging_processing_activation_data{{{SEL}}}) - sum by (silo) (grainpool_chunks_running{{{SEL}}})', "{{silo}} other requests (queued)")], "none",
      "Chunks executing on the silo's workers, and requests held by activations beyond them (queued behind a running chunk; the client pipelines two per worker).", minv=0)
q.add("Working set", "timeseries", [(f'sum by (silo) (dotnet_process_memory_working_set_bytes{{{SEL}}})', "{{silo}}")], "bytes",
      "Physical memory of each silo process.", minv=0)
detail = dashboard("grainpool-silo-detail", "GrainPool / Silo detail",
                   "Per silo: CPU, garbage collection, thread pool, activations, Orleans request latency, chunks running and queued.",
                   q, ["grainpool"])

# 3. Load test: what a load runner serves on --metrics-port (load/GrainPool.Load/Metrics/LoadMetrics.cs), one run at a
# time or several side by side, with the driven cluster's busy cores beside it. Its series carry run, scenario (and
# step, outcome, percentile); cluster comes from the scrape target's labels (job grainpool-load in prometheus.yml).
LOAD_SEL = 'cluster=~"$cluster", run=~"$run", scenario=~"$scenario"'

def load_variables():
    def query_variable(name, label, query, multi=True):
        return {"name": name, "label": label, "type": "query", "datasource": DS,
                "query": {"query": query, "refId": name}, "definition": query,
                "refresh": 2, "includeAll": True, "multi": multi, "allValue": ".*", "current": {}, "options": [], "sort": 1, "hide": 0}
    return {"list": [
        {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus",
         "current": {}, "hide": 0, "refresh": 1, "options": []},
        query_variable("cluster", "Cluster", "label_values(grainpool_load_iterations_total, cluster)"),
        query_variable("run", "Run", 'label_values(grainpool_load_iterations_total{cluster=~"$cluster"}, run)'),
        query_variable("scenario", "Scenario", 'label_values(grainpool_load_iterations_total{cluster=~"$cluster", run=~"$run"}, scenario)'),
        # Only the cluster panel reads it: the silos of the driven cluster.
        query_variable("silo", "Silo", 'label_values(grainpool_cores_advertised{cluster=~"$cluster"}, silo)'),
    ]}

iterations = f'grainpool_load_iterations_total{{{LOAD_SEL}}}'
iteration_rate = f'rate({iterations}[$__rate_interval])'
l = Panels()
l.add("Iterations per second", "stat", [(f'sum(rate(grainpool_load_iterations_total{{{LOAD_SEL}, outcome="ok"}}[$__rate_interval]))', "ok/s")], "ops",
      "Ok iterations per second over the selected runs and scenarios.", w=4, h=5)
l.add("Failed", "stat", [(f'sum(grainpool_load_iterations_total{{{LOAD_SEL}, outcome="fail"}}) / sum({iterations})', "failed")], "percentunit",
      "Failed iterations as a share of all iterations of the run so far.", w=4, h=5, decimals=2)
l.add("Iterations", "stat", [(f'sum by (outcome) ({iterations})', "{{outcome}}")], "none",
      "Iterations that ended so far in the selected runs, ok and failed.", w=4, h=5, decimals=0)
l.add("p99 latency (last interval)", "stat", [(f'max(grainpool_load_latency_seconds{{{LOAD_SEL}, percentile="99"}})', "p99")], "s",
      "The 99th percentile of ok iterations' latency (from each iteration's intended start) in the last reporting interval; the highest of the selected scenarios.", w=4, h=5)
l.add("Late iterations", "stat", [(f'sum(grainpool_load_late_iterations_total{{{LOAD_SEL}}})', "late")], "none",
      "Iterations that started later than the scenario's late tolerance after their planned start (all connections busy): the load generator did not keep the planned rate.", w=4, h=5, decimals=0)
l.add("Response bytes", "stat", [(f'sum(grainpool_load_response_size_bytes_total{{{LOAD_SEL}}})', "bytes")], "bytes",
      "Sizes the responses gave, summed over the run so far.", w=4, h=5)
l.add("Iterations per second, ok and failed", "timeseries",
      [(f'sum by (run, scenario, outcome) ({iteration_rate})', "{{scenario}} {{outcome}} ({{run}})"),
       (f'sum by (run, scenario, outcome) (grainpool_load_iteration_rate_per_second{{{LOAD_SEL}}})', "{{scenario}} {{outcome}}, runner's interval ({{run}})")], "ops",
      "Iterations per second by outcome: from the counters over Grafana's rate interval, and as the runner measured its last reporting interval.", w=12, h=9, minv=0)
l.add("Latency percentiles (ok iterations)", "timeseries",
      [(f'max by (run, scenario, percentile) (grainpool_load_latency_seconds{{{LOAD_SEL}}})', "{{scenario}} p{{percentile}} ({{run}})")], "s",
      "Latency of ok iterations in each reporting interval at p50, p75, p95, p99, p99.9 and the maximum (p100), from each iteration's intended start (coordinated omission corrected). Gaps: intervals without an ok iteration.", w=12, h=9, minv=0)
l.add("Failures per second", "timeseries",
      [(f'sum by (run, scenario) (rate(grainpool_load_iterations_total{{{LOAD_SEL}, outcome="fail"}}[$__rate_interval]))', "{{scenario}} iterations ({{run}})"),
       (f'sum by (run, scenario, step) (rate(grainpool_load_step_calls_total{{{LOAD_SEL}, outcome="fail"}}[$__rate_interval]))', "{{scenario}} step {{step}} ({{run}})")], "ops",
      "Failed iterations per second, and the failed calls of each step (a failed step ends its iteration).", w=12, h=8, minv=0)
l.add("Failed iterations (share)", "timeseries",
      [(f'sum by (run, scenario) (rate(grainpool_load_iterations_total{{{LOAD_SEL}, outcome="fail"}}[$__rate_interval])) / sum by (run, scenario) ({iteration_rate})', "{{scenario}} ({{run}})")], "percentunit",
      "Failed iterations over all iterations that ended in the rate interval.", w=12, h=8, minv=0)
l.add("Step latency p99 (ok calls)", "timeseries",
      [(f'max by (run, scenario, step) (grainpool_load_step_latency_seconds{{{LOAD_SEL}, percentile="99"}})', "{{scenario}} {{step}} ({{run}})")], "s",
      "The 99th percentile of each step's ok calls in each reporting interval (a step after the first from the end of the step before it).", w=12, h=8, minv=0)
l.add("Late iterations per second", "timeseries",
      [(f'sum by (run, scenario) (rate(grainpool_load_late_iterations_total{{{LOAD_SEL}}}[$__rate_interval]))', "{{scenario}} ({{run}})")], "ops",
      "Iterations per second that started later than the late tolerance: above zero, the open model ran out of connections and the latencies include the wait.", w=12, h=8, minv=0)
l.add("Response bytes per second", "timeseries",
      [(f'sum by (run, scenario, outcome) (rate(grainpool_load_response_size_bytes_total{{{LOAD_SEL}}}[$__rate_interval]))', "{{scenario}} {{outcome}} ({{run}})")], "Bps",
      "Response sizes the iterations gave, per second, by outcome.", w=12, h=8, minv=0)
l.add("Cluster cores busy", "timeseries", [(f'sum by (silo) ({busy})', "{{silo}}")], "none",
      "The driven cluster's cores busy inside kernels, stacked by silo (as on the cluster overview), to read beside the load.", w=12, h=8, stack=True, minv=0)
load = dashboard("grainpool-load-test", "GrainPool load test",
                 "A load test while it runs: iterations per second ok and failed, latency percentiles per reporting interval, failures, late iterations, response bytes, and the cluster's busy cores.",
                 l, ["grainpool", "load"], templating=load_variables())

for name, d in (("grainpool-cluster-overview.json", overview), ("grainpool-silo-detail.json", detail), ("grainpool-load-test.json", load)):
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "grafana", "dashboards", name), "w") as f:
        json.dump(d, f, indent=2)
        f.write("\n")
print("ok")
