#!/usr/bin/env bash
# Stops every process deploy/local/start.sh started (Vigil, the registry, the Kafka broker),
# newest first, by their pid files: SIGTERM, then SIGKILL after a grace period. Data stays;
# --clean also deletes it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
run="${VIGIL_LOCAL_RUN_DIR:-$here/run}"

log() { echo "local: $*" >&2; }

stop_pid_file() {
  local name="$1" pid_file="$2" grace="${3:-30}"
  [[ -f "$pid_file" ]] || return 0
  local pid
  pid="$(cat "$pid_file")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 $((grace * 4))); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name (pid $pid) did not stop within ${grace}s; killing it"
      kill -9 "$pid" 2>/dev/null || true
    fi
    log "$name stopped (pid $pid)"
  fi
  rm -f "$pid_file"
}

stop_pid_file "Vigil" "$run/vigil.pid" 40
if [[ -f "$run/apicurio/apicurio.pid" ]]; then
  APICURIO_RUN_DIR="$run/apicurio" "$root/deploy/apicurio/stop.sh" || true
fi
stop_pid_file "Kafka" "$run/kafka.pid" 40
rm -f "$run/schema.registry.url" "$run/bootstrap.servers"
if [[ "${1:-}" == "--clean" ]]; then
  rm -rf "$run/kafka-data" "$run/vigil" "$run/apicurio"
  log "data deleted"
fi
