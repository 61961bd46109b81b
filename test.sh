#!/usr/bin/env bash
# Vigil's test command: installs what the tests need on this machine (Debian packages, the
# Apicurio registry build), then runs every unit test (Surefire) and integration test
# (Failsafe: real in-JVM Kafka broker, real Apicurio, real Prometheus and Alertmanager).
set -euo pipefail
cd "$(dirname "$0")"
bash deploy/ci/install-test-deps.sh
# The same lock as ./vigil's build: a ./vigil started meanwhile waits instead of running a second
# Maven in this tree.
mkdir -p streams-app/target
if command -v flock >/dev/null 2>&1; then
  exec flock streams-app/target/.build.lock mvn -B verify "$@"
fi
exec mvn -B verify "$@"
