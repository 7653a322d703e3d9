#!/usr/bin/env bash
# Issue 14's live targets, one server, three cases in one run:
#   1. 1,000 live records appended at 250 Hz each, one subscriber per record
#   2. one record at 250 Hz, 1,000 subscribers
#   3. case 2 with one more subscriber that never reads
# Each prints courier bench live's JSON line: appended and delivered samples/s, and the time from an APPEND's
# acknowledgement to the delivery of its rows at the subscribers (p50/p99, us).
#
# Usage: bench/live.sh [DURATION_SECONDS]    (default 10)
# Port: COURIER_PORT (default 21100). The server keeps its live records under a temporary folder, removed at the end,
# with --live-subscriber-queue-bytes 65536, so that the stalled subscriber of case 3 is dropped within the run.
# Every process started is stopped on exit.
set -euo pipefail

home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
port="${COURIER_PORT:-21100}"
duration="${1:-10}"
tmp="$(mktemp -d)"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT

"$home/courier" serve --port "$port" --live --live-dir "$tmp/live" --live-subscriber-queue-bytes 65536 \
    >"$tmp/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
    grep -q "courier: serving" "$tmp/serve.log" && break
    sleep 0.1
done
grep -q "courier: serving" "$tmp/serve.log" || { cat "$tmp/serve.log" >&2; exit 1; }

bench() {
    timeout $((duration + 120)) "$home/courier" bench live --server "127.0.0.1:$port" --duration "$duration" --json "$@" \
        || echo "courier bench live exited with $?" >&2
}
echo "case 1: 1000 records x 1 subscriber" >&2
bench --records 1000 --rate 250 --subscribers-per-record 1 --prefix r1000-
echo "case 2: 1 record x 1000 subscribers" >&2
bench --subscribers 1000 --rate 250 --prefix s1000-
echo "case 3: 1 record x 1000 subscribers + 1 stalled" >&2
bench --subscribers 1000 --rate 250 --stalled 1 --prefix stalled-
