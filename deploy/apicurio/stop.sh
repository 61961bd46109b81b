#!/usr/bin/env bash
# Stops the Apicurio registry that start.sh started (by its pid file), waiting for it to exit.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
run_dir="${APICURIO_RUN_DIR:-$here/run}"
pid_file="$run_dir/apicurio.pid"

if [[ ! -f "$pid_file" ]]; then
  echo "apicurio: not running (no $pid_file)" >&2
  exit 0
fi
pid="$(cat "$pid_file")"
if kill -0 "$pid" 2>/dev/null; then
  kill "$pid"
  for _ in $(seq 1 40); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "apicurio: pid $pid did not stop in 10s; killing it" >&2
    kill -9 "$pid" 2>/dev/null || true
  fi
  echo "apicurio: stopped (pid $pid)" >&2
else
  echo "apicurio: pid $pid was not running" >&2
fi
rm -f "$pid_file" "$run_dir/apicurio.port"
