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

def dashboard(uid, title, description, panels, tags):
    return {
        "uid": uid, "title": title, "description": description, "tags": tags,
        "editable": True, "graphTooltip": 1, "schemaVersion": 39, "version": 1,
        "time": {"from": "now-15m", "to": "now"}, "refresh": "10s", "timezone": "",
        "templating": variables(), "annotations": {"list": []}, "links": [
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

for name, d in (("grainpool-cluster-overview.json", overview), ("grainpool-silo-detail.json", detail)):
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "grafana", "dashboards", name), "w") as f:
        json.dump(d, f, indent=2)
        f.write("\n")
print("ok")
