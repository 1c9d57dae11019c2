#!/usr/bin/env bash
# Sequential calls against a fresh ./ferry, with the collections each run met: the tail of a call's latency.
# Starts ./ferry (a data directory of its own, ports 28080/29070/29092) and the shared benchmark's no-op Node service,
# puts WARM seconds of load on it at 32 connections (wrk), then RUNS times 2,000 sequential calls (the benchmark's
# LoadClient), then C32RUNS times DUR seconds at 32 connections
# (and IDEMRUNS times with a unique idempotency key each call), each with the JVM's CPU time a call (user and system,
# the embedded broker included; a steadier figure than time on a shared machine). FERRY_* variables pass through, so a collector or
# heap is tried with FERRY_JAVA_OPTS, e.g. FERRY_AOT_CACHE=off FERRY_JAVA_OPTS=-XX:+UseSerialGC.
#   BENCH=../shared/bench WARM=60 RUNS=3 C32RUNS=1 docs/tools/sequential-gc.sh
# Needs the shared benchmark's setup.sh run once (Node 22, wrk; the load client is compiled here).
set -u
. "$(dirname "${BASH_SOURCE[0]}")/fresh-ferry.sh"
echo "ready after $ready_ms ms"
[ -f "$cache/classes/LoadClient.class" ] || { mkdir -p "$cache/classes"; javac -d "$cache/classes" "$bench/load/LoadClient.java"; }
if [ "${WARM:-60}" -gt 0 ]; then
  wrk -t2 -c32 -d"${WARM:-60}s" -s "$bench/load/post_json.lua" http://127.0.0.1:28080/Greeter/noop | grep Requests/sec
fi
# CPU time (user + system) of the JVM, in ms: the embedded broker included, the service not.
cpu_ms() { sed 's/.*) //' /proc/"$jvm"/stat | awk -v hz="$(getconf CLK_TCK)" '{print ($12 + $13) * 1000 / hz}'; }
# Collections so far: young count and seconds, full count and seconds, and the old generation's use (KB).
gc() { "$JAVA_HOME/bin/jstat" -gc "$jvm" | awk 'NR==1{for(i=1;i<=NF;i++)c[$i]=i}
  NR==2{print $c["YGC"], $c["YGCT"], $c["FGC"], $c["FGCT"], $c["OU"]}'; }
# The collections between two gc() readings ($1-$5 and $6-$10), $11 seconds apart, and what the young collections
# moved to the old generation in KB a second: its growth, unless a full collection emptied it meanwhile. Objects that
# outlive one or two young collections end there, and a full collection (about a quarter of a second on this heap)
# comes when it is full. The parallel collector's figure: G1's mixed collections empty old regions as they go, so
# with G1 it can be negative.
collections() {
  local promoted="full collections $(( $8 - $3 ))"
  [ "$3" -eq "$8" ] && promoted="$(( (${10%.*} - ${5%.*}) / ${11} )) KB/s promoted"
  echo "young collections $(( $6 - $1 )), $(echo "($7 - $2) * 1000" | bc -l | cut -d. -f1) ms, $promoted," \
    "full $(echo "($9 - $4) * 1000" | bc -l | cut -d. -f1) ms,"
}
# The processor's commits (once a second; the stream thread takes no command while one runs), over Kafka's metric
# window (the last minute or so).
commits() { curl -s http://127.0.0.1:29070/metrics | awk '/^kafka_stream_thread_commit_(latency_avg|latency_max|total)\{/{
  sub(/\{.*\}/, ""); sub(/kafka_stream_thread_commit_/, ""); printf "%s=%.1f ", $1, $2} END{print ""}'; }
for r in $(seq 1 "${RUNS:-3}"); do
  read -r n0 t0 f0 ft0 o0 < <(gc); c0=$(cpu_ms); s0=$(date +%s)
  java -cp "$cache/classes" LoadClient --url http://127.0.0.1:28080/Greeter/noop --body '{"hello":"world"}' \
    --concurrency 1 --requests 2000 --warmup 200 --max-seconds 120 > "$out/seq-$r.txt" 2>&1
  read -r n1 t1 f1 ft1 o1 < <(gc); c1=$(cpu_ms); s1=$(date +%s)
  echo "seq $r: $(head -1 "$out/seq-$r.txt" | grep -oE '(rps|p50_ms|p90_ms|p99_ms|max_ms|errors)=[0-9.]+' | tr '\n' ' ')" \
    "$(collections "$n0" "$t0" "$f0" "$ft0" "$o0" "$n1" "$t1" "$f1" "$ft1" "$o1" $(( s1 > s0 ? s1 - s0 : 1 )))" \
    "CPU $(echo "($c1 - $c0) / 2200" | bc -l | cut -c1-4) ms a call"
done
echo "commits after the sequential runs: $(commits)"
# concurrent NAME SCRIPT RUNS: RUNS times DUR seconds at 32 connections with the benchmark's wrk script SCRIPT.
concurrent() {
  local name=$1 script=$2 runs=$3 r
  for r in $(seq 1 "$runs"); do
    read -r n0 t0 f0 ft0 o0 < <(gc); c0=$(cpu_ms); s0=$(date +%s)
    wrk -t2 -c32 -d"${DUR:-15}s" --latency -s "$bench/load/$script" http://127.0.0.1:28080/Greeter/noop \
      > "$out/$name-$r.txt"
    read -r n1 t1 f1 ft1 o1 < <(gc); c1=$(cpu_ms); s1=$(date +%s); calls=$(awk '/requests in/{print $1}' "$out/$name-$r.txt")
    echo "$name $r: $(grep -E 'Requests/sec|99%' "$out/$name-$r.txt" | tr -s ' ' | tr '\n' ' ')" \
      "$(collections "$n0" "$t0" "$f0" "$ft0" "$o0" "$n1" "$t1" "$f1" "$ft1" "$o1" $(( s1 > s0 ? s1 - s0 : 1 )))" \
      "CPU $(echo "($c1 - $c0) / $calls" | bc -l | cut -c1-4) ms a call"
  done
}
concurrent c32 post_json.lua "${C32RUNS:-0}"
# IDEMRUNS: the same with a unique idempotency key each call (the benchmark's idem32 figure).
concurrent idem32 post_json_idem.lua "${IDEMRUNS:-0}"
[ $(( ${C32RUNS:-0} + ${IDEMRUNS:-0} )) -gt 0 ] && echo "commits after the runs at 32 connections: $(commits)"
echo "resident $(awk '/VmRSS/{print $2}' /proc/$jvm/status) kB, peak $(awk '/VmHWM/{print $2}' /proc/$jvm/status) kB"
