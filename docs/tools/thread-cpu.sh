#!/usr/bin/env bash
# Where a JVM's CPU goes while a command runs: CPU time (user + system, ms) per thread name, numbered threads of a
# pool summed, largest first. Linux only (reads /proc). Example, 2,000 sequential calls against a running ./ferry:
#   docs/tools/thread-cpu.sh "$(pgrep -f server/target/ferry.jar)" \
#       java -cp ~/.ferry-bench/classes LoadClient --url http://127.0.0.1:8080/Greeter/noop --body '{}' --requests 2000
set -euo pipefail
pid=$1; shift
snapshot() {
  for task in /proc/"$pid"/task/*; do
    # comm may hold spaces; utime and stime are fields 14 and 15 of stat, counted after the ")" that ends comm
    name=$(cat "$task/comm" 2>/dev/null) || continue
    ticks=$(sed 's/.*) //' "$task/stat" 2>/dev/null | awk '{print $12 + $13, $12, $13}') || continue
    printf '%s|%s|%s\n' "${task##*/}" "$ticks" "$name"
  done | sort -t'|' -k1,1
}
before=$(mktemp); after=$(mktemp); trap 'rm -f "$before" "$after"' EXIT
snapshot > "$before"
"$@" >&2
snapshot > "$after"
hz=$(getconf CLK_TCK)
join -t'|' "$before" "$after" | awk -F'|' -v hz="$hz" '
  { split($2, a, " "); split($4, b, " "); name = $5; sub(/-[0-9]+$/, "", name)
    user[name] += (b[2] - a[2]) * 1000 / hz; sys[name] += (b[3] - a[3]) * 1000 / hz }
  END { for (n in user) if (user[n] + sys[n] > 0) printf "%8d ms  (user %d, system %d)  %s\n", user[n] + sys[n], user[n], sys[n], n }' \
  | sort -rn | head -20
