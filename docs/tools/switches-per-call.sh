#!/usr/bin/env bash
# Context switches a call, by thread: how often each of a fresh ./ferry's threads was woken (voluntary) or
# preempted (involuntary) while it served calls, from /proc/<pid>/task/*/status. On a small virtual machine a
# wake-up costs more than most of the work it starts, so this counts what a design change saves, steadier than time.
# WARM seconds at 32 connections (wrk), then either DUR seconds more at 32 connections (the default) or, with
# MODE=seq, 2,000 sequential calls (the shared benchmark's load client):
#   WARM=60 DUR=20 docs/tools/switches-per-call.sh
#   MODE=seq docs/tools/switches-per-call.sh
# Needs the shared benchmark's setup.sh run once (Node 22, wrk; the load client is compiled here).
set -u
. "$(dirname "${BASH_SOURCE[0]}")/fresh-ferry.sh"
echo "ready after $ready_ms ms"
[ -f "$cache/classes/LoadClient.class" ] || { mkdir -p "$cache/classes"; javac -d "$cache/classes" "$bench/load/LoadClient.java"; }
load() { wrk -t2 -c32 -d"$1s" -s "$bench/load/post_json.lua" http://127.0.0.1:28080/Greeter/noop; }
# Per thread name (numbered threads of a pool summed): voluntary and involuntary switches so far.
switches() {
  for task in /proc/"$jvm"/task/*; do
    name=$(sed 's/[-#]*[0-9]*$//; s/ /_/g' "$task/comm" 2>/dev/null) || continue
    awk -v n="$name" '/^voluntary_ctxt_switches/{v=$2} /^nonvoluntary_ctxt_switches/{i=$2} END{print n, v, i}' \
      "$task/status" 2>/dev/null
  done | awk '{v[$1]+=$2; i[$1]+=$3} END{for (n in v) print n, v[n], i[n]}' | sort
}
load "${WARM:-60}" | grep Requests/sec
switches > "$out/before"
if [ "${MODE:-c32}" = seq ]; then
  calls=2000
  java -cp "$cache/classes" LoadClient --url http://127.0.0.1:28080/Greeter/noop --body '{"hello":"world"}' \
    --concurrency 1 --requests "$calls" --warmup 0 | head -1
else
  load "${DUR:-20}" > "$out/load.txt"; grep Requests/sec "$out/load.txt"
  calls=$(awk '/requests in/{print $1}' "$out/load.txt")
fi
switches > "$out/after"
echo "switches a call: voluntary, involuntary, thread (a thread that ended meanwhile is left out)"
join "$out/before" "$out/after" | awk -v n="$calls" '{v = ($4 - $2) / n; i = ($5 - $3) / n; tv += v; ti += i
    if (v + i >= 0.05) printf "%6.2f %6.2f  %s\n", v, i, $1}
  END {printf "%6.2f %6.2f  all threads\n", tv, ti}' | sort -rn
