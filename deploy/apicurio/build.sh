#!/usr/bin/env bash
# Builds Apicurio Registry 2.4.2.Final (in-memory storage) from Maven Central into
# deploy/apicurio/target/. Idempotent: does nothing when the runner jar exists and neither the
# pom nor application.properties changed since it was built.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
runner="$here/target/vigil-apicurio-registry-2.4.2-runner.jar"
stamp="$here/target/.build-inputs.sha256"
inputs="$(cat "$here/pom.xml" "$here/src/main/resources/application.properties" | sha256sum | cut -d' ' -f1)"

if [[ -f "$runner" && -f "$stamp" && "$(cat "$stamp")" == "$inputs" ]]; then
  echo "apicurio: $runner is up to date" >&2
  exit 0
fi

echo "apicurio: building the registry (first build downloads ~130 MB from Maven Central)" >&2
start=$(date +%s)
mvn -B -q -f "$here/pom.xml" package -DskipTests ${MAVEN_ARGS:-}
[[ -f "$runner" ]] || { echo "apicurio: build finished but $runner is missing" >&2; exit 1; }
echo "$inputs" > "$stamp"
echo "apicurio: built $runner in $(( $(date +%s) - start ))s" >&2
