#!/usr/bin/env bash
# Where a fresh ./ferry's CPU goes at 32 connections: WARM seconds of load (wrk), then PROFILE seconds more with
# async-profiler attached (CPU samples, per thread, collapsed stacks), then the share of each thread. With MODE=seq
# the profiled load is 2,000 sequential calls (the shared benchmark's load client) instead, and the CPU a call is
# printed too (the JVM's CPU time over the calls).
#   WARM=60 PROFILE=20 docs/tools/cpu-profile.sh            # FERRY_* variables pass through (FERRY_AOT_CACHE=off ...)
#   MODE=seq docs/tools/cpu-profile.sh
# Fetches async-profiler from Maven Central once (tools.profiler:async-profiler, linux-x64). Needs the shared
# benchmark's setup.sh run once (Node 22, wrk). The collapsed stacks stay in the results directory it prints.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/fresh-ferry.sh"
echo "ready after $ready_ms ms"
version=4.1
lib="$cache/async-profiler-$version/linux-x64/libasyncProfiler.so"
if [ ! -f "$lib" ]; then
  ./mvnw -q -B dependency:get -Dartifact="tools.profiler:async-profiler:$version:jar:linux-x64" >&2
  mkdir -p "$cache/async-profiler-$version"
  unzip -o -q "$HOME/.m2/repository/tools/profiler/async-profiler/$version/async-profiler-$version-linux-x64.jar" \
    -d "$cache/async-profiler-$version"
fi
load() { wrk -t2 -c32 -d"$1s" -s "$bench/load/${LUA:-post_json.lua}" http://127.0.0.1:28080/Greeter/noop; }
load "${WARM:-60}" | grep Requests/sec
# jcmd reads name=value words as its own arguments: the profiler's options go in quotes of their own.
"$JAVA_HOME/bin/jcmd" "$jvm" JVMTI.agent_load "$lib" '"start,event=cpu,interval=997us,threads"' > /dev/null
if [ "${MODE:-c32}" = seq ]; then
  [ -f "$cache/classes/LoadClient.class" ] || { mkdir -p "$cache/classes"; javac -d "$cache/classes" "$bench/load/LoadClient.java"; }
  calls=2000
  ticks=$(getconf CLK_TCK)
  cpu() { awk '{print $14 + $15}' "/proc/$jvm/stat"; }
  before=$(cpu)
  java -cp "$cache/classes" LoadClient --url http://127.0.0.1:28080/Greeter/noop --body '{"hello":"world"}' \
    --concurrency 1 --requests "$calls" --warmup 0 | head -1
  after=$(cpu)
  awk -v b="$before" -v a="$after" -v t="$ticks" -v n="$calls" \
    'BEGIN {printf "server CPU a call: %.2f ms (profiler included)\n", (a - b) * 1000 / t / n}'
else
  load "${PROFILE:-20}" | grep Requests/sec
fi
"$JAVA_HOME/bin/jcmd" "$jvm" JVMTI.agent_load "$lib" "\"stop,file=$out/cpu.collapsed,collapsed\"" > /dev/null
echo "collapsed stacks: $out/cpu.collapsed"
# The first frame of each stack is its thread ("[name tid=N]"): numbered threads of a pool summed.
awk '{ n = $NF; t = $0; sub(/;.*/, "", t); sub(/ tid=[0-9]+\]$/, "", t); sub(/^\[/, "", t); sub(/-[0-9]+$/, "", t)
       share[t] += n; total += n }
     END { for (t in share) printf "%5.1f %%  %s\n", 100 * share[t] / total, t }' "$out/cpu.collapsed" | sort -rn | head -20
