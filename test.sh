#!/usr/bin/env bash
# Vigil's test command: installs what the tests need on this machine (Debian packages, the
# Apicurio registry build), then runs every unit test (Surefire) and integration test
# (Failsafe: real in-JVM Kafka broker, real Apicurio, real Prometheus and Alertmanager).
set -euo pipefail
cd "$(dirname "$0")"
bash deploy/ci/install-test-deps.sh
exec mvn -B verify "$@"
