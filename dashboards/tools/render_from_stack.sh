#!/usr/bin/env bash
# Re-makes dashboards/images/*.png from real data: starts `grainpool stack` (2 silos, Prometheus scraping every 2 s),
# runs a workload (a trial-division count on one worker, then on two; a map; a job cancelled mid-way; a sqrt-sum; a
# sieve count), then renders every panel of both dashboards from that Prometheus over the workload's window.
# Needs: a Release build of the CLI (dotnet build -c Release client/GrainPool.Cli), prometheus, python3-matplotlib.
# Takes about 3 minutes on 2 cores. Run from the repository root: bash dashboards/tools/render_from_stack.sh
set -u
cd "$(dirname "$0")/../.."
PORT=${PROMETHEUS_PORT:-19095}
CLI="dotnet client/GrainPool.Cli/bin/Release/net10.0/GrainPool.Cli.dll"
OUT=$(mktemp)
$CLI stack --scrape-interval 2 --prometheus-port "$PORT" > "$OUT" 2>/dev/null &
STACK=$!
trap 'kill -TERM $STACK 2>/dev/null; wait $STACK; rm -f "$OUT"' EXIT
for _ in $(seq 1 120); do grep -q "grainpool stack ready" "$OUT" && break; sleep 1; done
cat "$OUT"
G=$(grep -o -- "--cluster [^ ]* --cluster-id [^ ]*" "$OUT")
sleep 20
T0=$(date +%s)
$CLI $G --threads 1 primes count --method trial --from 1e11 --to 100_000_500_000
sleep 5
$CLI $G primes count --method trial --from 1e11 --to 100_000_500_000
sleep 5
$CLI $G primes map --upto 3_000_000
( $CLI $G primes count --method trial --from 1e12 --to 2e12 & P=$!; sleep 8; kill -TERM $P; wait $P )
sleep 4
$CLI $G sqrt-sum --n 3e10
$CLI $G primes count --to 1e11
sleep 2
# End the window right after the last job, so the stat panels (last value) show the cluster at work.
T1=$(( $(date +%s) - 1 ))
/usr/bin/python3 dashboards/tools/render_panels.py --prometheus "http://127.0.0.1:$PORT" --cluster grainpool-stack \
  --end "$T1" --minutes $(( (T1 - T0 + 59) / 60 + 1 )) --rate-interval 8s
