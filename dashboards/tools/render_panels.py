#!/usr/bin/env python3
"""Renders every panel of the GrainPool Grafana dashboards from a live Prometheus into one PNG per dashboard.

Grafana is not installable everywhere (and not here), so this draws what the dashboards show with matplotlib: each
panel's PromQL queries are run through Prometheus' query_range API over the given window, with the dashboard's
variables filled in ($cluster, $silo = all, $__rate_interval), and laid out on the dashboard's own 24-column grid.

    python3 dashboards/tools/render_panels.py --prometheus http://127.0.0.1:9090 --cluster grainpool-stack \
        --minutes 6 --out dashboards/images

Needs matplotlib (Debian: apt-get install -y python3-matplotlib; run it with /usr/bin/python3).
"""
import argparse
import datetime as dt
import glob
import json
import math
import os
import urllib.parse
import urllib.request

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DASHBOARDS = os.path.join(HERE, "..", "grafana", "dashboards")

UNIT_LABELS = {"none": "", "short": "", "percentunit": "%", "ops": "per second", "s": "seconds", "ms": "milliseconds", "bytes": "bytes"}


def query_range(base, expr, start, end, step):
    params = urllib.parse.urlencode({"query": expr, "start": start, "end": end, "step": step})
    with urllib.request.urlopen(f"{base.rstrip('/')}/api/v1/query_range?{params}", timeout=30) as response:
        body = json.load(response)
    if body.get("status") != "success":
        raise RuntimeError(f"Prometheus refused {expr}: {body}")
    return body["data"]["result"]


def legend(fmt, labels):
    text = fmt or "{{__name__}}"
    for key, value in labels.items():
        text = text.replace("{{" + key + "}}", value)
    while "{{" in text:
        a = text.index("{{")
        b = text.index("}}", a)
        text = text[:a] + text[b + 2:]
    return " ".join(text.split())


def scale(unit, values):
    return [v * 100 for v in values] if unit == "percentunit" else values


def render(path, args, start, end):
    with open(path) as f:
        dashboard = json.load(f)
    panels = dashboard["panels"]
    rows = max(p["gridPos"]["y"] + p["gridPos"]["h"] for p in panels)
    fig = plt.figure(figsize=(20, rows * 0.5 + 1.2), dpi=80)
    fig.suptitle(f"{dashboard['title']}   (cluster {args.cluster}, {dt.datetime.utcfromtimestamp(start):%Y-%m-%d %H:%M}"
                 f"-{dt.datetime.utcfromtimestamp(end):%H:%M} UTC, rendered from Prometheus by dashboards/tools/render_panels.py)",
                 fontsize=13, x=0.01, ha="left")
    drawn = 0
    grid = fig.add_gridspec(rows, 24, hspace=0.4, wspace=1.2, left=0.03, right=0.99, top=1 - 0.9 / (rows * 0.5 + 1.2), bottom=0.02)
    for panel in panels:
        pos = panel["gridPos"]
        # One grid row left free above each panel for its title.
        ax = fig.add_subplot(grid[pos["y"] + 1:pos["y"] + pos["h"], pos["x"]:pos["x"] + pos["w"]])
        unit = panel["fieldConfig"]["defaults"].get("unit", "none")
        ax.set_title(panel["title"], fontsize=11, loc="left")
        series = []
        for target in panel["targets"]:
            expr = (target["expr"].replace("$__rate_interval", args.rate_interval)
                    .replace("$cluster", args.cluster).replace("$silo", ".*")
                    .replace("$run", ".*").replace("$scenario", ".*"))
            for result in query_range(args.prometheus, expr, start, end, args.step):
                points = [(float(t), float(v)) for t, v in result["values"]]
                points = [(t, v) for t, v in points if not math.isnan(v)]
                if points:
                    drawn += 1
                    series.append((legend(target.get("legendFormat"), result["metric"]), points, target["refId"]))
        if panel["type"] == "stat":
            ax.axis("off")
            last = series[0][1][-1][1] if series else float("nan")
            shown = f"{last * 100:.1f}%" if unit == "percentunit" else (f"{last:,.0f}" if unit == "ops" or abs(last) >= 100 else f"{last:.2f}".rstrip("0").rstrip("."))
            ax.text(0.5, 0.35, shown, fontsize=30, ha="center", va="center", color="#1f77b4")
            continue
        stacked = panel["fieldConfig"]["defaults"].get("custom", {}).get("stacking", {}).get("mode") == "normal"
        if stacked:
            # Grafana's normal stacking: the non-capacity series summed on one time grid.
            layers = [(n, dict(p)) for n, p, _ in series if "capacity" not in n]
            grid_times = sorted({t for _, p in layers for t in p})
            if layers:
                ax.stackplot([dt.datetime.utcfromtimestamp(t) for t in grid_times],
                             [scale(unit, [p.get(t, 0.0) for t in grid_times]) for _, p in layers],
                             labels=[n for n, _ in layers], alpha=0.6)
        for name, points, ref in series:
            capacity = "capacity" in name
            if stacked and not capacity:
                continue
            times = [dt.datetime.utcfromtimestamp(t) for t, _ in points]
            values = scale(unit, [v for _, v in points])
            ax.plot(times, values, label=name, linewidth=2 if capacity else 1.4,
                    linestyle="--" if capacity else "-", color="red" if capacity else None)
        ax.set_ylabel(UNIT_LABELS.get(unit, unit), fontsize=9)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M:%S"))
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
        ax.set_ylim(bottom=0)
        if series:
            ax.legend(fontsize=7, loc="upper left", ncol=2)
        else:
            ax.text(0.5, 0.5, "no data in this window", ha="center", va="center", transform=ax.transAxes, color="gray")
    out = os.path.join(args.out, os.path.splitext(os.path.basename(path))[0] + ".png")
    if drawn == 0:
        # E.g. the load test dashboard over a window with no load run: no picture rather than an empty one.
        plt.close(fig)
        print(f"{out}: skipped, no panel has data in the window")
        return
    fig.savefig(out)
    plt.close(fig)
    print(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prometheus", default="http://127.0.0.1:9090")
    parser.add_argument("--cluster", default="grainpool-stack")
    parser.add_argument("--minutes", type=float, default=10, help="window ending now (default 10)")
    parser.add_argument("--end", type=float, help="window end as a Unix time (default now)")
    parser.add_argument("--step", default="2s")
    parser.add_argument("--rate-interval", default="10s", help="what $__rate_interval becomes (Grafana: 4 x scrape interval)")
    parser.add_argument("--out", default=os.path.join(HERE, "..", "images"))
    args = parser.parse_args()
    end = args.end or dt.datetime.now(dt.timezone.utc).timestamp()
    start = end - args.minutes * 60
    os.makedirs(args.out, exist_ok=True)
    for path in sorted(glob.glob(os.path.join(DASHBOARDS, "*.json"))):
        render(path, args, start, end)


if __name__ == "__main__":
    main()
