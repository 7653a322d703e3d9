#!/usr/bin/env bash
# Start-up of a one-question client command (issue 15's target: at most 3x a bare `java -version`): the
# distribution's `bin/courier point` of NEW (and of OLD, when given), against `java -version` of the same JDK, the
# three interleaved round by round, whole process (JVM start to exit), wall and user + system CPU from
# /usr/bin/time. A server of NEW's distribution serves the bundled data on COURIER_PORT for both clients.
#
# Usage: bench/startup.sh NEW_DIST [OLD_DIST]
#   NEW_DIST, OLD_DIST: unpacked distributions (the folder with bin/ and lib/), for example
#     tar -xzf courier-dist/target/courier-0.1.0-SNAPSHOT.tar.gz -C /tmp/new
#     bench/startup.sh /tmp/new/courier-0.1.0-SNAPSHOT /tmp/old/courier-0.1.0-SNAPSHOT
# Environment: COURIER_PORT (the server, default 17590), ROUNDS (7), COMMAND (the client command's arguments after
#   `courier`, default "point -s 127.0.0.1:PORT 3 0.008 1").
# Prints one line per command: median wall s, median CPU s, wall / java -version; progress on stderr. The server it
# starts is stopped on exit.
set -euo pipefail

home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_NAME=startup; . "$home/bench/lib.sh"
[ $# -ge 1 ] || { log "usage: bench/startup.sh NEW_DIST [OLD_DIST]"; exit 2; }
new=$1 old=${2:-}
COURIER_PORT=${COURIER_PORT:-17590}
ROUNDS=${ROUNDS:-7}
COMMAND=${COMMAND:-"point -s 127.0.0.1:$COURIER_PORT 3 0.008 1"}
need /usr/bin/time || { log "needs /usr/bin/time (apt-get install time)"; exit 1; }
java="$("$home/courier" --java)"
port_free "$COURIER_PORT" || { log "port $COURIER_PORT is busy"; exit 1; }

tmp="$(mktemp -d)"
pids=()
trap 'stop_pids; rm -rf "$tmp"' EXIT
"$new/bin/courier" serve -p "$COURIER_PORT" >"$tmp/serve.log" 2>&1 &
pids+=($!)
wait_port "$COURIER_PORT"

# one NAME CMD...: runs CMD once, appends "wall cpu" to $tmp/NAME; its output is checked to be the point's line.
one() {
    local name=$1; shift
    /usr/bin/time -o "$tmp/time" -f "%e %U %S" "$@" >"$tmp/out" 2>"$tmp/err" || {
        log "$name failed:"; cat "$tmp/err" >&2; exit 1; }
    awk '{print $1, $2 + $3}' "$tmp/time" >>"$tmp/$name"
}
names=(java new)
[ -n "$old" ] && names+=(old)
# shellcheck disable=SC2086 # COMMAND is a list of words
for i in $(seq 1 "$ROUNDS"); do
    one java "$java" -version
    one new "$new/bin/courier" $COMMAND
    [ -n "$old" ] && one old "$old/bin/courier" $COMMAND
    log "round $i of $ROUNDS"
done
base="$(awk '{print $1}' "$tmp/java" | median)"
for n in "${names[@]}"; do
    wall="$(awk '{print $1}' "$tmp/$n" | median)"
    cpu="$(awk '{print $2}' "$tmp/$n" | median)"
    awk -v n="$n" -v w="$wall" -v c="$cpu" -v b="$base" -v r="$ROUNDS" \
        'BEGIN {printf "%-5s wall %.3f s  cpu %.3f s  %.2fx java -version  (median of %d)\n", n, w, c, w / b, r}'
done
