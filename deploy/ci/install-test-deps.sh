#!/usr/bin/env bash
# Installs what the test command needs beyond Maven's own downloads. Idempotent: each step
# checks first and does nothing when its result is already there.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if (( ${#missing[@]} )); then
    echo "install-test-deps: apt-get install ${missing[*]}" >&2
    local sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
  fi
}

# registry: Confluent's own Python client (legacy confluent_kafka.avro serializer) cross-checks
# the bytes Vigil writes (streams-app ConfluentPythonClientIT), and a real Apicurio registry
# built from Maven Central serves the Confluent API to the registry ITs.
# python3-requests: confluent_kafka.avro imports it, but Debian's package does not depend on it.
apt_install python3-confluent-kafka python3-avro python3-requests
"$root/deploy/apicurio/build.sh"

# ops: the real Prometheus tools. prometheus -> prometheus, promtool (rule unit tests, the
# full-stack IT); prometheus-alertmanager -> prometheus-alertmanager (Debian's name for the
# server), amtool (routing tests). PrometheusRulesIT and FullStackObservabilityIT fail without them.
apt_install prometheus prometheus-alertmanager

# runtime: the local stack's Kafka broker process runs from Maven Central jars
# (kafka_2.13, kafka-tools, log4j binding), copied into deploy/local/run/lib for LocalStackIT.
"$root/deploy/local/fetch-jars.sh"
