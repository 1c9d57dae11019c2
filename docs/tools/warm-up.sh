#!/usr/bin/env bash
# Issue 13's warm-up figure: a fresh ./ferry, then sequential calls in back-to-back windows of 10 s (the shared
# benchmark's LoadClient, one connection), each window's p50 and p99, and the p50 of the window after 10 s of load
# against the steady state (the median p50 of the last three windows). Goal: at most 1.5.
#   WINDOWS=12 docs/tools/warm-up.sh
# COMPILES=1 also records the JIT's compilations from ready on (JFR, attached with jcmd) and prints, a line a window,
# what the optimizing compiler (C2) compiled and the time it took, and when Ferry's own methods reached it.
# Needs the shared benchmark's setup.sh run once (Node 22, wrk); the load client is compiled here.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/fresh-ferry.sh"
echo "ready after $ready_ms ms"
if [ -n "${COMPILES:-}" ]; then
  cat > "$out/compiles.jfc" <<'JFC'
<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0" label="compilations">
  <event name="jdk.Compilation"><setting name="enabled">true</setting><setting name="threshold">0 ms</setting></event>
</configuration>
JFC
  "$JAVA_HOME/bin/jcmd" "$jvm" JFR.start name=compiles settings="$out/compiles.jfc" > /dev/null
fi
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
if [ -n "${COMPILES:-}" ]; then
  "$JAVA_HOME/bin/jcmd" "$jvm" JFR.dump name=compiles filename="$out/compiles.jfr" > /dev/null
  # jfr prints each event as a block of "name = value" lines; times of day to seconds since the first event.
  "$JAVA_HOME/bin/jfr" print --events jdk.Compilation "$out/compiles.jfr" | awk -v windows="$windows" '
    function seconds(clock,  p) { split(clock, p, ":"); return p[1] * 3600 + p[2] * 60 + p[3] }
    $1 == "startTime" { start = seconds($3) }
    $1 == "duration" { took = $3 / ($4 == "s" ? 1 : $4 == "ms" ? 1000 : $4 == "us" ? 1e6 : 1e9) }
    $1 == "compiler" { compiler = $3 }
    $1 == "method" { method = $3 }
    $1 == "}" && first == "" { first = start }
    $1 == "}" && compiler == "\"c2\"" {
      w = int((start - first) / 10) + 1; if (w > windows) w = windows
      count[w]++; time[w] += took
      if (method ~ /^dev\.ferry\./) { ferry[w]++ }
      compiler = ""
    }
    END { for (w = 1; w <= windows; w++) printf "C2 in window %d: %d compilations, %.1f s of compile time, %d of Ferry'"'"'s methods\n", w, count[w], time[w], ferry[w] }'
fi
