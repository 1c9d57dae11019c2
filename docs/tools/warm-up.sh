#!/usr/bin/env bash
# Issue 13's warm-up figure: a fresh ./ferry, then sequential calls in back-to-back windows of 10 s (the shared
# benchmark's LoadClient, one connection), each window's p50 and p99, and the p50 of the window after 10 s of load
# against the steady state (the median p50 of the last three windows). Goal: at most 1.5.
#   WINDOWS=12 docs/tools/warm-up.sh
# Needs the shared benchmark's setup.sh run once (Node 22, wrk); the load client is compiled here.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/fresh-ferry.sh"
echo "ready after $ready_ms ms"
[ -f "$cache/classes/LoadClient.class" ] || { mkdir -p "$cache/classes"; javac -d "$cache/classes" "$bench/load/LoadClient.java"; }
windows=${WINDOWS:-12}
for w in $(seq 1 "$windows"); do
  java -cp "$cache/classes" LoadClient --url http://127.0.0.1:28080/Greeter/noop --body '{"hello":"world"}' \
    --concurrency 1 --duration 10 --warmup 1 > "$out/window-$w.txt" 2>&1
  echo "window $w ($(( (w - 1) * 10 ))-$(( w * 10 )) s): $(head -1 "$out/window-$w.txt" \
    | grep -oE '(requests|p50_ms|p99_ms)=[0-9.]+' | tr '\n' ' ')"
done
p50() { head -1 "$out/window-$1.txt" | grep -oE 'p50_ms=[0-9.]+' | cut -d= -f2; }
steady=$(for w in $(seq $((windows - 2)) "$windows"); do p50 "$w"; done | sort -n | sed -n 2p)
echo "after 10 s of load: p50 $(p50 2) ms; steady state $steady ms; ratio $(echo "scale=2; $(p50 2) / $steady" | bc -l)"
