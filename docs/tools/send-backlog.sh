#!/usr/bin/env bash
# /send at 64 connections against a fresh ./ferry, Ferry alone: the shared benchmark's send64 figure (each run's
# sends drained before the next), with the collections the whole load met. FERRY_* variables pass through, e.g.
#   FERRY_DISPATCHER_MAX_IN_FLIGHT=2000 RUNS=3 WARMUP=30 docs/tools/send-backlog.sh
# Needs the shared benchmark's setup.sh run once (Node 22, wrk).
set -u
. "$(dirname "${BASH_SOURCE[0]}")/fresh-ferry.sh"
SERVER_PIDS="$jvm $svc" BASE=http://127.0.0.1:28080 STATS=http://127.0.0.1:29081 OUTDIR=$out/runs \
  RUNS=${RUNS:-3} WARMUP=${WARMUP:-30} DURATION=${DURATION:-20} "$bench/load/run_perf.sh" send64 | grep -v '^=='
grep -h 'end_to_end_exec_per_s' "$out"/runs/send64-*.meta | tr '\n' ' '; echo
"$JAVA_HOME/bin/jstat" -gc "$jvm" | awk 'NR==1{for(i=1;i<=NF;i++)c[$i]=i}
  NR==2{printf "young collections %d (%.1f s), full collections %d (%.1f s)\n", $c["YGC"], $c["YGCT"], $c["FGC"], $c["FGCT"]}'
echo "peak resident $(awk '/VmHWM/{print $2}' /proc/$jvm/status) kB"
