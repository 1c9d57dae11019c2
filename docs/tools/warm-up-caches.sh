#!/usr/bin/env bash
# Warm-up (docs/tools/warm-up.sh) from two ahead-of-time caches of the same jar and options: one recorded by a run
# that started and stopped without a call ("idle"), one recorded by a run under load (LOAD seconds at 32
# connections, then 3,000 sequential calls). Fresh instances, alternating, PAIRS times. Leaves the load cache in
# place.
#   PAIRS=3 docs/tools/warm-up-caches.sh
# Needs the shared benchmark's setup.sh run once (Node 22, wrk) and a JDK 25 (the cache's).
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
saved=$(mktemp -d -t ferry-caches.XXXXXX)
record() {  # record NAME LOAD_SECONDS: a fresh ./ferry without a cache records one when it stops
  rm -f "$here"/../../server/target/ferry-*.aot
  ( . "$here/fresh-ferry.sh"
    if [ "$2" -gt 0 ]; then
      wrk -t2 -c32 -d"$2"s -s "$bench/load/post_json.lua" http://127.0.0.1:28080/Greeter/noop | grep Requests/sec
      [ -f "$cache/classes/LoadClient.class" ] || { mkdir -p "$cache/classes"; javac -d "$cache/classes" "$bench/load/LoadClient.java"; }
      java -cp "$cache/classes" LoadClient --url http://127.0.0.1:28080/Greeter/noop --body '{"hello":"world"}' \
        --concurrency 1 --requests 3000 --warmup 0 --max-seconds 60 | head -1
    fi )
  aot=$(ls "$here"/../../server/target/ferry-*.aot) || { echo "no cache recorded (JDK 25 or newer?)" >&2; exit 1; }
  cp "$aot" "$saved/$1.aot"
}
record idle 0
record load "${LOAD:-60}"
for i in $(seq 1 "${PAIRS:-3}"); do
  for kind in idle load; do
    cp "$saved/$kind.aot" "$aot"; touch "$aot"  # newer than the jar, so ./ferry starts from it
    echo "== cache recorded $kind, instance $i"
    WINDOWS=${WINDOWS:-12} "$here/warm-up.sh" 2>&1 | grep -E "ready|window 1 |window 2 |after 10"
  done
done
rm -rf "$saved"
