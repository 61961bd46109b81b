#!/usr/bin/env bash
# CPU of each thread of a running JVM over an interval, busiest first, with the Java thread names
# (from jcmd): where a `vigil run` spends its cores, including native work (the sentence encoder,
# RocksDB) and the JIT compiler, which JFR's execution samples do not show.
#   bench/thread-cpu.sh <pid> [seconds, default 10]
# Prints: share of one core, thread id, name.
set -euo pipefail
pid=$1
seconds=${2:-10}
hz=$(getconf CLK_TCK)
declare -A before
for t in /proc/"$pid"/task/*; do
  read -r -a f <<<"$(cut -d')' -f2 "$t/stat")"
  before[${t##*/}]=$((f[11] + f[12]))
done
names=$(jcmd "$pid" Thread.print 2>/dev/null | sed -nE 's/^"([^"]*)".* nid=(0x[0-9a-f]+).*/\2 \1/p')
sleep "$seconds"
for t in /proc/"$pid"/task/*; do
  tid=${t##*/}
  stat=$(cut -d')' -f2 "$t/stat" 2>/dev/null) || continue
  read -r -a f <<<"$stat"
  ticks=$((f[11] + f[12] - ${before[$tid]:-0}))
  name=$(awk -v id="$(printf '0x%x' "$tid")" '$1 == id { $1 = ""; sub(/^ /, ""); print; exit }' <<<"$names")
  [[ -z "$name" ]] && name="(native) $(cat "$t/comm" 2>/dev/null)"
  awk -v k="$ticks" -v hz="$hz" -v s="$seconds" -v id="$tid" -v n="$name" 'BEGIN { printf "%5.1f%%  %s  %s\n", 100 * k / hz / s, id, n }'
done | sort -rn | head -15
