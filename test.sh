#!/usr/bin/env bash
# The README's test command: sets up what a fresh machine lacks, builds, runs the tests, and reports any that skipped
# (on CI, CI=true, a skipped test fails the run).
#   ./test.sh                              all tests but the soak (what CI runs, through .ci/run)
#   ./test.sh --filter Category=Unit       any further arguments go to `dotnet test`
#   ./test.sh --filter Category=Soak       the soak: 10 minutes of load with a silo killed every minute
set -euo pipefail
cd "$(dirname "$0")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# What the tests run for real, as command -> Debian package: the observability tests start Debian's prometheus (server
# and promtool) against real silo processes and open the Orleans Dashboard page in Debian's chromium; the Redis
# membership tests start Debian's redis-server on loopback.
declare -A packages=([prometheus]=prometheus [promtool]=prometheus [chromium]=chromium [redis-server]=redis-server)
missing() { for tool in "${!packages[@]}"; do command -v "$tool" >/dev/null || echo "${packages[$tool]}"; done | sort -u; }

if [ -n "$(missing)" ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "test.sh: installing $(missing | tr '\n' ' ')" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2046 # one word per package
    apt-get install -y -qq --no-install-recommends $(missing) fonts-liberation >/dev/null
  fi
fi
# A missing prerequisite stops the run here, by name, rather than letting a test fail or skip without it.
if [ -n "$(missing)" ]; then
  wanted=$(missing | tr '\n' ' ')
  echo "test.sh: the tests need these Debian packages, not installed here: ${wanted% }" >&2
  echo "test.sh: install them with: sudo apt-get install -y --no-install-recommends ${wanted% } (or run this script as root)" >&2
  exit 1
fi
prometheus --version 2>&1 | head -1
chromium --version
redis-server --version
dotnet --version

# Build everything first: `dotnet test` on a solution builds and tests the projects side by side, and keeping the
# compiler off the 2 cores while the tests run keeps the test cluster's silos responsive.
dotnet build GrainPool.slnx -c Release 2>&1 | tail -3

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
# The soak (ten minutes under faults) runs only when asked for: ./test.sh --filter Category=Soak.
if [ $# -eq 0 ]; then set -- --filter "Category!=Soak"; full=1; else full=0; fi
dotnet test GrainPool.slnx -c Release --no-build "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# The sqrt-sum kernel has an AVX2 path and a scalar one; on AVX2 machines the scalar path only sees short tails,
# so a full run runs the sqrt-sum tests once more with AVX2 switched off.
if [ "$status" -eq 0 ] && [ "$full" -eq 1 ]; then
  DOTNET_EnableAVX2=0 dotnet test tests/GrainPool.Kernels.Tests -c Release --no-build \
    --filter "FullyQualifiedName~SqrtSum|FullyQualifiedName~Sqrt_sum|FullyQualifiedName~Tutorial_compute" 2>&1 | tee -a "$log"
  status=${PIPESTATUS[0]}
fi
set -e

# One closing line for the whole run, summed over the test projects' own summaries.
read -r passed failed skipped < <(awk '/(Passed|Failed)!/ { for (i = 1; i <= NF; i++) { if ($i == "Passed:") p += $(i + 1); if ($i == "Failed:") f += $(i + 1); if ($i == "Skipped:") s += $(i + 1) } }
     END { printf "%d %d %d\n", p, f, s }' "$log")
echo "tests: $passed passed, $failed failed, $skipped skipped"
# Screenshots and the real load test's report folder, kept for a person to look at (tests/Shared/TestArtifacts.cs).
if [ -d artifacts/tests ]; then echo "test artifacts: $(pwd)/artifacts/tests"; fi
# A test skips only where it cannot run (not Linux, too few CPUs; it says why). CI is a 2-core Linux machine with
# everything above installed, so there a skip means a test did not run that should have: fail. Elsewhere, say so.
if [ "$skipped" -gt 0 ]; then
  echo "test.sh: $skipped tests were skipped (they cannot run on this machine):" >&2
  grep -E '\[SKIP\]' "$log" >&2 || true
  if [ "${CI:-}" = "true" ] && [ "$status" -eq 0 ]; then
    echo "test.sh: on CI every test must run" >&2
    status=1
  fi
fi
exit "$status"
