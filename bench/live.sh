#!/usr/bin/env bash
# Issue 14's live targets, one server, three cases in one run:
#   1. 1,000 live records appended at 250 Hz each, one subscriber per record
#   2. one record at 250 Hz, 1,000 subscribers
#   3. case 2 with one more subscriber that never reads
# Each prints one line: the case, appended and delivered samples/s, and the time from an APPEND's acknowledgement to
# the delivery of its rows at the subscribers (p50/p99/max, ms), then what the producers offered (samples/s handed
# to append) and the APPEND round trip's p99 (sent to acknowledged: the group commit, fsync included), then
# courier bench live's JSON line on stderr. Case 1's producers use PRODUCER_CONNECTIONS connections (default 125, 8
# records each: a server takes at most 32 APPENDs in flight per connection, and 8 connections for 1,000 records
# capped the rate at 256 APPENDs per fsync) and PRODUCER_THREADS threads (default 4) to send them. The client must be one with --producer-connections (2026-12-02, s6-live
# on): bench/live-ab.sh keeps this tree's client and swaps the servers.
#
# Usage: bench/live.sh [DURATION_SECONDS]    (default 10)
# Port: COURIER_PORT (default 21100). The server keeps its live records under a temporary folder, removed at the end,
# with --live-subscriber-queue-bytes 65536, so that the stalled subscriber of case 3 is dropped within the run.
# COURIER_SERVER: the launcher the server runs from (default: this tree's ./courier). COURIER_CLIENT: the launcher of
# `courier bench live` (default: this tree's too); bench/live-ab.sh keeps one client and swaps the servers.
# CASES: which cases to run (default "1 2 3"). Every process started is stopped on exit.
set -euo pipefail

home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_NAME=live; . "$home/bench/lib.sh"
port="${COURIER_PORT:-21100}"
duration="${1:-10}"
tmp="$(mktemp -d)"
pids=()
trap 'stop_pids; rm -rf "$tmp"' EXIT

live_server_start "${COURIER_SERVER:-$home/courier}" "$port" "$tmp"
pids+=($!)
wait_serving "$tmp/serve.log" || exit 1

# One case: its name, then courier bench live's options; prints the summary line (stdout) and the JSON (stderr).
bench() {
    local name="$1" line
    shift
    line="$(timeout $((duration + 120)) "${COURIER_CLIENT:-$home/courier}" bench live --server "127.0.0.1:$port" --duration "$duration" \
        --json "$@")" || echo "courier bench live exited with $? ($name)" >&2
    echo "$line" >&2
    echo "$line" | sed -n 's/.*"offered_samples_per_second": *\([0-9.]*\).*"append_p99_us": *\([0-9.]*\).*"appended_samples_per_second": *\([0-9.]*\).*"delivered_samples_per_second": *\([0-9.]*\).*"p50_us": *\([0-9.]*\), *"p99_us": *\([0-9.]*\), *"max_us": *\([0-9.]*\), *"errors": *\([0-9]*\).*/\3 \4 \5 \6 \7 \8 \1 \2/p' \
        | awk -v name="$name" '{ printf "%-28s appended %8.0f samples/s  delivered %9.0f samples/s  p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms  errors %s  offered %8.0f samples/s  APPEND p99 %7.2f ms\n", name, $1, $2, $3 / 1000, $4 / 1000, $5 / 1000, $6, $7, $8 / 1000 }'
}
for c in ${CASES:-1 2 3}; do
    case "$c" in
        1) bench "1000 records x 1 sub" --records 1000 --rate 250 --subscribers-per-record 1 \
               --producer-connections "${PRODUCER_CONNECTIONS:-125}" --producer-threads "${PRODUCER_THREADS:-4}" \
               --prefix r1000- ;;
        2) bench "1 record x 1000 subs" --subscribers 1000 --rate 250 --prefix s1000- ;;
        3) bench "1 x 1000 subs + 1 stalled" --subscribers 1000 --rate 250 --stalled 1 --prefix stalled- ;;
    esac
done
