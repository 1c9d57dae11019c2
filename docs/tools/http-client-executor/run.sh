#!/usr/bin/env bash
# The JDK HTTP client's CPU a call with each executor (docs/performance.md, sixth session). The service on core 1,
# the client on core 0, a fresh client JVM per figure, modes interleaved. ROUNDS (default 2).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../../.."; . .mvn/select-jdk.sh; export JAVA_HOME
classes=$(mktemp -d); trap 'kill $server 2>/dev/null; rm -rf "$classes"' EXIT
"$JAVA_HOME/bin/javac" -d "$classes" "$here/EchoServer.java" "$here/ExecutorBench.java"
port=29555
taskset -c 1 "$JAVA_HOME/bin/java" -cp "$classes" EchoServer $port & server=$!
for _ in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
for _ in $(seq 1 "${ROUNDS:-2}"); do
  for mode in vthread default inline; do
    taskset -c 0 "$JAVA_HOME/bin/java" -cp "$classes" ExecutorBench $mode $port 32 20000 20000
    taskset -c 0 "$JAVA_HOME/bin/java" -cp "$classes" ExecutorBench $mode $port 1 4000 4000
  done
done
