#!/usr/bin/env bash
# Starts Vigil's local stack as separate processes on 127.0.0.1, each with a pid file in
# deploy/local/run/:
#   1. a single-node KRaft Kafka broker (broker + controller) from Maven Central jars,
#   2. the Apicurio schema registry (deploy/apicurio/start.sh),
#   3. Vigil itself (./vigil run against 1 and 2).
# Stop everything with deploy/local/stop.sh. Data stays in run/ between runs (--clean wipes it).
#
# Options: --without-registry  --without-vigil  (start only part of the stack)
#          --clean             (delete the broker's data first)
# Environment: VIGIL_LOCAL_KAFKA_PORT (9092), VIGIL_LOCAL_CONTROLLER_PORT (9093),
#              VIGIL_LOCAL_REGISTRY_PORT (8081), VIGIL_LOCAL_RUN_DIR (deploy/local/run),
#              VIGIL_LOCAL_LIB_DIR (deploy/local/run/lib), VIGIL_LOCAL_KAFKA_HEAP (-Xmx512m);
#              extra `vigil run` flags after `--`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
run="${VIGIL_LOCAL_RUN_DIR:-$here/run}"
kafka_port="${VIGIL_LOCAL_KAFKA_PORT:-9092}"
controller_port="${VIGIL_LOCAL_CONTROLLER_PORT:-9093}"
registry_port="${VIGIL_LOCAL_REGISTRY_PORT:-8081}"
with_registry=1
with_vigil=1
clean=0
vigil_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --without-registry) with_registry=0 ;;
    --without-vigil) with_vigil=0 ;;
    --clean) clean=1 ;;
    --) shift; vigil_args=("$@"); break ;;
    *) echo "start.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

log() { echo "local: $*" >&2; }
alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
fail() { log "$*"; "$here/stop.sh" || true; exit 1; }

mkdir -p "$run"

# --- 1. Kafka broker -----------------------------------------------------------------------
lib="${VIGIL_LOCAL_LIB_DIR:-$here/run/lib}"
VIGIL_LOCAL_LIB_DIR="$lib" "$here/fetch-jars.sh"

data="$run/kafka-data"
[[ $clean -eq 1 ]] && rm -rf "$data"
if alive "$run/kafka.pid"; then
  log "Kafka already running (pid $(cat "$run/kafka.pid"))"
else
  port_open "$kafka_port" && fail "port $kafka_port is already in use (an embedded vigil run?)"
  cat > "$run/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$kafka_port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$kafka_port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$data
# One node: every internal topic with replication factor 1, so exactly_once_v2 works.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
default.replication.factor=1
min.insync.replicas=1
num.partitions=3
auto.create.topics.enable=false
group.initial.rebalance.delay.ms=0
PROPS
  java_cmd=(java -cp "$lib/*" "-Dlog4j2.configurationFile=$here/log4j2.xml" "-Dvigil.local.log=$run/kafka.log")
  if [[ ! -f "$data/meta.properties" ]]; then
    cluster_id="$("${java_cmd[@]}" kafka.tools.StorageTool random-uuid)"
    # Transactions v1, as Vigil's embedded broker (see EmbeddedKafka): on one node, v2 showed
    # transient out-of-order-sequence retries at a fresh Streams app's first commit.
    "${java_cmd[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$run/server.properties" \
      --feature transaction.version=1 >&2
  fi
  # shellcheck disable=SC2086
  nohup "${java_cmd[@]}" ${VIGIL_LOCAL_KAFKA_HEAP:--Xmx512m} kafka.Kafka "$run/server.properties" \
    > "$run/kafka.out" 2>&1 &
  echo $! > "$run/kafka.pid"
  for _ in $(seq 1 120); do
    alive "$run/kafka.pid" || fail "Kafka exited during startup; see $run/kafka.out and $run/kafka.log"
    port_open "$kafka_port" && break
    sleep 0.5
  done
  port_open "$kafka_port" || fail "Kafka did not open port $kafka_port within 60s"
  log "Kafka ready on 127.0.0.1:$kafka_port (pid $(cat "$run/kafka.pid"), log $run/kafka.log)"
fi
echo "127.0.0.1:$kafka_port" > "$run/bootstrap.servers"

# --- 2. Schema registry --------------------------------------------------------------------
if [[ $with_registry -eq 1 ]]; then
  apicurio="$root/deploy/apicurio"
  [[ -x "$apicurio/start.sh" ]] || fail "$apicurio/start.sh is missing"
  if ! ls "$apicurio"/target/*-runner.jar > /dev/null 2>&1; then
    log "building the Apicurio registry (first run only) ..."
    "$apicurio/build.sh" >&2 || fail "building Apicurio failed"
  fi
  registry_url="$(APICURIO_RUN_DIR="$run/apicurio" "$apicurio/start.sh" "$registry_port" | tail -n 1)" \
    || fail "the schema registry did not start"
  echo "$registry_url" > "$run/schema.registry.url"
  log "schema registry ready at $registry_url"
fi

# --- 3. Vigil --------------------------------------------------------------------------------
if [[ $with_vigil -eq 1 ]]; then
  [[ -f "$run/schema.registry.url" ]] || fail "Vigil needs the schema registry (drop --without-registry)"
  if alive "$run/vigil.pid"; then
    log "Vigil already running (pid $(cat "$run/vigil.pid"))"
  else
    # Build first, in the foreground, so the pid below is Vigil's JVM (the launcher execs java).
    "$root/vigil" --version > /dev/null
    # Against a cluster Vigil needs a pseudonym key: unless one is given (VIGIL_PSEUDONYM_KEY or
    # VIGIL_PSEUDONYM_KEY_FILE), this stack keeps its own, made once, owner-only, in run/.
    key_args=()
    if [[ -z "${VIGIL_PSEUDONYM_KEY:-}" && -z "${VIGIL_PSEUDONYM_KEY_FILE:-}" ]]; then
      if [[ ! -s "$run/pseudonym.key" ]]; then
        (umask 077 && head -c 32 /dev/urandom | base64 > "$run/pseudonym.key")
        log "made a pseudonym key in $run/pseudonym.key (keep it to resolve pseudonyms in alerts)"
      fi
      key_args=(--pseudonym-key-file "$run/pseudonym.key")
    fi
    nohup "$root/vigil" run --bootstrap-servers "127.0.0.1:$kafka_port" \
      --schema-registry-url "$(cat "$run/schema.registry.url")" --data-dir "$run/vigil" \
      ${key_args[@]+"${key_args[@]}"} ${vigil_args[@]+"${vigil_args[@]}"} > "$run/vigil.out" 2>&1 &
    echo $! > "$run/vigil.pid"
    for _ in $(seq 1 240); do
      alive "$run/vigil.pid" || fail "Vigil exited during startup: $(tail -n 5 "$run/vigil.out")"
      grep -q "Vigil is running" "$run/vigil.out" && break
      sleep 0.5
    done
    grep -q "Vigil is running" "$run/vigil.out" || fail "Vigil did not start within 120s; see $run/vigil.out"
    log "Vigil running (pid $(cat "$run/vigil.pid"), output $run/vigil.out)"
  fi
fi

cat >&2 <<INFO
local: stack is up. Use it with
  ./vigil produce --bootstrap-servers 127.0.0.1:$kafka_port --schema-registry-url $(cat "$run/schema.registry.url" 2>/dev/null || echo URL) --input events.jsonl
  ./vigil tail alerts --bootstrap-servers 127.0.0.1:$kafka_port --schema-registry-url $(cat "$run/schema.registry.url" 2>/dev/null || echo URL)
local: stop it with deploy/local/stop.sh
INFO
