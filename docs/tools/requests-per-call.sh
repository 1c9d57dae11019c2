#!/usr/bin/env bash
# Kafka requests per call: how many requests each of Ferry's Kafka clients sent while a command made N calls, from
# the clients' own counters on /metrics (kafka_*_request_total, fetch_total, commit_total). A robust figure on a
# shared machine, unlike time. Example, 1,000 sequential calls against a running ./ferry:
#   docs/tools/requests-per-call.sh http://127.0.0.1:9070/metrics 1000 \
#       java -cp ~/.ferry-bench/classes LoadClient --url http://127.0.0.1:8080/Greeter/noop --body '{}' --requests 1000
# The ingress appends through the command log's producer (producer-N here, with the dispatcher's appends). The reply
# listener is not on /metrics: add up to one fetch a call for it (a fetch confirms several replies at once while the
# in-memory hand-over delivers them).
set -euo pipefail
metrics=$1; calls=$2; shift 2
snapshot() {
  curl -sf "$metrics" \
    | grep -E '^kafka_(consumer|producer)_request_total|^kafka_consumer_fetch_manager_fetch_total|^kafka_consumer_coordinator_commit_total' \
    | sed -E 's/-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}//; s/,?kafka_version="[^"]*"//' | sort
}
before=$(mktemp); after=$(mktemp); trap 'rm -f "$before" "$after"' EXIT
snapshot > "$before"
"$@" >&2
snapshot > "$after"
join "$before" "$after" | awk -v n="$calls" '{ d = $3 - $2; if (d > 0) printf "%6.2f  %s\n", d / n, $1 }'
