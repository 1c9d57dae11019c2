# Sourced by ./ferry, ./mvnw and .ci/run: Ferry needs Java 21 or newer. Keeps JAVA_HOME when it is one,
# otherwise takes the newest JDK 21+ under /usr/lib/jvm (these machines have Temurin 25 beside Java 17).
ferry_java_major() { "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1; }
if [ -z "${JAVA_HOME:-}" ] || [ "$(ferry_java_major "$JAVA_HOME" 2>/dev/null || echo 0)" -lt 21 ] 2>/dev/null; then
  ferry_jdk=""
  # No glob: ./mvnw runs with `set -f`.
  for ferry_candidate in $(find /usr/lib/jvm -mindepth 1 -maxdepth 1 2>/dev/null | sort); do
    if [ -x "$ferry_candidate/bin/java" ] && [ "$(ferry_java_major "$ferry_candidate" || echo 0)" -ge 21 ] 2>/dev/null; then
      ferry_jdk="$ferry_candidate"
    fi
  done
  if [ -n "$ferry_jdk" ]; then
    JAVA_HOME="$ferry_jdk"
    export JAVA_HOME
  fi
fi
