#!/usr/bin/env bash
# Starts the Apicurio registry built by build.sh on 127.0.0.1:PORT (default 8081), waits until it
# is healthy, sets the global compatibility rule to BACKWARD (Apicurio's default is NONE, which
# would let a breaking schema change through), writes a pid file and prints the
# Confluent-compatible URL to give Vigil: http://127.0.0.1:PORT/apis/ccompat/v7
# State is in memory: a restart forgets every schema.
# Environment: APICURIO_RUN_DIR (pid file and log; default deploy/apicurio/run),
#              APICURIO_JAVA_OPTS (default -Xmx384m).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
port="${1:-8081}"
run_dir="${APICURIO_RUN_DIR:-$here/run}"
pid_file="$run_dir/apicurio.pid"
log_file="$run_dir/apicurio.log"
runner="$here/target/vigil-apicurio-registry-2.4.2-runner.jar"
base="http://127.0.0.1:$port"
url="$base/apis/ccompat/v7"

[[ -f "$runner" ]] || { echo "apicurio: $runner is missing; run deploy/apicurio/build.sh first" >&2; exit 1; }
mkdir -p "$run_dir"
if [[ -f "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
  if [[ "$(cat "$run_dir/apicurio.port" 2>/dev/null)" == "$port" ]]; then
    echo "apicurio: already running (pid $(cat "$pid_file"))" >&2
    echo "$url"
    exit 0
  fi
  echo "apicurio: already running on port $(cat "$run_dir/apicurio.port" 2>/dev/null) (pid $(cat "$pid_file")); stop it first with deploy/apicurio/stop.sh" >&2
  exit 1
fi
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "apicurio: port $port on 127.0.0.1 is already in use" >&2
  exit 1
fi

# shellcheck disable=SC2086
nohup java ${APICURIO_JAVA_OPTS:--Xmx384m} -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$port" \
  -jar "$runner" > "$log_file" 2>&1 &
pid=$!
echo "$pid" > "$pid_file"
echo "$port" > "$run_dir/apicurio.port"

for _ in $(seq 1 120); do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "apicurio: exited during startup; last log lines:" >&2
    tail -n 20 "$log_file" >&2
    rm -f "$pid_file"
    exit 1
  fi
  if curl -sf "$base/health/ready" > /dev/null 2>&1; then
    curl -sf -X PUT -H 'Content-Type: application/vnd.schemaregistry.v1+json' \
      -d '{"compatibility":"BACKWARD"}' "$url/config" > /dev/null
    echo "apicurio: ready on $base (pid $pid, log $log_file, compatibility BACKWARD)" >&2
    echo "$url"
    exit 0
  fi
  sleep 0.5
done
echo "apicurio: not healthy after 60s; stopping it. Last log lines:" >&2
tail -n 20 "$log_file" >&2
kill "$pid" 2>/dev/null || true
rm -f "$pid_file"
exit 1
