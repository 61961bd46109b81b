#!/usr/bin/env bash
# The benchmark behind docs/performance.md and docs/scaling.md, as measured there:
# Kafka's own ceiling, Vigil end to end and at 25/50/75% load (3 repeats), plus a JFR profile.
#   bench/run.sh                 the full run (about 20 minutes on 2 shared cores)
#   bench/run.sh --soak 10m      the soak instead (about 12 minutes)
# Extra arguments go to `vigil bench` (see ./vigil bench --help).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ " $* " == *" --soak "* ]]; then
  exec "$root/vigil" bench --records 3000 "$@"
fi
exec "$root/vigil" bench --repeats 3 --records 4000 --perf-records 200000 --phase 30s --warm-up 20s --profile "$@"
