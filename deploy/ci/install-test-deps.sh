#!/usr/bin/env bash
# Installs what the test command needs beyond Maven's own downloads. Idempotent: each step
# checks first and does nothing when its result is already there.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# runtime: the local stack's Kafka broker process runs from Maven Central jars
# (kafka_2.13, kafka-tools, log4j binding), copied into deploy/local/run/lib for LocalStackIT.
"$root/deploy/local/fetch-jars.sh"
