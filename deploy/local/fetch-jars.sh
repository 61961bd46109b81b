#!/usr/bin/env bash
# Copies the local stack broker's jars (kafka_2.13, kafka-tools, a log4j binding; see pom.xml
# here) from Maven into deploy/local/run/lib (or VIGIL_LOCAL_LIB_DIR). Does nothing when they
# are already there.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
lib="${VIGIL_LOCAL_LIB_DIR:-$here/run/lib}"
if [[ -f "$lib/.complete" ]]; then
  exit 0
fi
echo "local: fetching the broker's jars (kafka_2.13, kafka-tools, log4j) into $lib ..." >&2
rm -rf "$lib"
mkdir -p "$(dirname "$lib")"
(cd "$root" && mvn -B -q -Dstyle.color=never -f "$here/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$lib") >&2
touch "$lib/.complete"
