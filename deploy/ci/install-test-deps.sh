#!/usr/bin/env bash
# Installs the programs Vigil's tests run for real, only when they are missing, so the script is
# safe to run on every CI job. Needs root (or sudo) on a Debian/Ubuntu machine.
#   prometheus               -> prometheus, promtool (rule unit tests, full-stack IT)
#   prometheus-alertmanager  -> prometheus-alertmanager, amtool (routing tests, full-stack IT)
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

missing=()
need() {
  # $1 = a program the tests call (or "a|b": either name will do), $2 = the Debian package
  local name
  for name in ${1//|/ }; do
    if command -v "$name" >/dev/null 2>&1; then
      return 0
    fi
  done
  missing+=("$2")
}

need promtool prometheus
need prometheus prometheus
need amtool prometheus-alertmanager
# Debian names the server prometheus-alertmanager; upstream tarballs name it alertmanager.
need "prometheus-alertmanager|alertmanager" prometheus-alertmanager

if [ "${#missing[@]}" -gt 0 ]; then
  # de-duplicate while keeping order
  packages=$(printf '%s\n' "${missing[@]}" | awk '!seen[$0]++' | tr '\n' ' ')
  echo "install-test-deps: installing ${packages}"
  $SUDO apt-get update
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends ${packages}
  # The Debian packages start services on install where an init system runs; tests start their
  # own processes on other ports, so a system service is harmless but not needed.
else
  echo "install-test-deps: prometheus and alertmanager tools already present"
fi

promtool --version 2>&1 | head -1
amtool --version 2>&1 | head -1
