#!/usr/bin/env bash
# The server's system calls per appended block in issue 14's case (a), 1 record x 1,000 subscribers: a server from
# LAUNCHER, this tree's `courier bench live`, and `strace -c` attached to every server thread for 6 s once the
# subscribers are in. A count, not a time, so it shows what a fan-out change does even on a loaded machine: writev per
# fdatasync is the socket writes per appended block (one group per APPEND at this rate), write the event-loop wake-ups.
#
# Usage: bench/live-writes.sh [LAUNCHER]   (default: this tree's ./courier; e.g. /tmp/live-before/courier)
# Port: COURIER_PORT (default 21100). Needs strace. Every process started is stopped on exit.
set -euo pipefail

home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_NAME=live-writes; . "$home/bench/lib.sh"
launcher="${1:-$home/courier}"
port="${COURIER_PORT:-21100}"
tmp="$(mktemp -d)"
pids=()
trap 'stop_pids; rm -rf "$tmp"' EXIT

live_server_start "$launcher" "$port" "$tmp"
server_pid=$!
pids+=("$server_pid")
wait_serving "$tmp/serve.log" || exit 1
timeout 180 "$home/courier" bench live --server "127.0.0.1:$port" --json --subscribers 1000 --rate 250 --prefix s- \
    --duration 12 --warmup 3 >"$tmp/bench.out" 2>&1 &
bench_pid=$!
pids+=("$bench_pid")
sleep 12 # the client's start and its 1,000 subscriptions
threads=()
for t in /proc/"$server_pid"/task/*; do threads+=(-p "${t##*/}"); done
timeout -s INT 6 strace -f -c -e trace=write,writev,sendto,fdatasync "${threads[@]}" -o "$tmp/strace.txt" || true
wait "$bench_pid" || true
pids=("$server_pid")
cat "$tmp/bench.out"
cat "$tmp/strace.txt"
awk '$NF == "writev" { w = $(NF - 1) } $NF == "fdatasync" { f = $(NF - 1) }
     END { if (f > 0) printf "writev per fdatasync (socket writes per appended block): %.1f\n", w / f }' "$tmp/strace.txt"
