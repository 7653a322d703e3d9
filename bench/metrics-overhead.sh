#!/usr/bin/env bash
# What `serve --metrics` costs on the points hot path: this build served without the operations port (`off`) and
# with it (`on`), and with --before a build from elsewhere (main's, `before`), all started at once on the bundled
# data set and driven in turn by this build's load engine (`courier bench points -c CONNECTIONS -P PIPELINE`),
# ROUNDS rounds, each round before, off, on (the order rotates by one each round, so none is always first). After
# the rounds the `on` server's courier_requests_total{type="point",outcome="ok"} is scraped: it must be at least
# the requests the rounds measured.
#
# Usage: bench/metrics-overhead.sh [--before DIR]
#   --before DIR   also run the build in DIR (a courier.jar with its lib/ beside it, e.g. main's)
# Environment: COURIER_PORT (off's port; on's is +1, its operations port +2, before's +3; default 17530), ROUNDS (5),
#   DURATION (5 s per round), WARMUP (2 s), CONNECTIONS (50), PIPELINE (16).
# Prints one JSON object on stdout (every round, the medians, the ratios to off); progress on stderr. Every process
# it starts is stopped on exit.
set -euo pipefail

home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_NAME=metrics-overhead; . "$home/bench/lib.sh"
parse_before_option 2,14 "$@"
COURIER_PORT=${COURIER_PORT:-17530}
ROUNDS=${ROUNDS:-5}; DURATION=${DURATION:-5}; WARMUP=${WARMUP:-2}; CONNECTIONS=${CONNECTIONS:-50}
PIPELINE=${PIPELINE:-16}
off_port=$COURIER_PORT; on_port=$((COURIER_PORT + 1)); ops_port=$((COURIER_PORT + 2)); before_port=$((COURIER_PORT + 3))

bench_start metrics-overhead 30
opts=(--enable-native-access=ALL-UNNAMED -XX:+UseCompactObjectHeaders --sun-misc-unsafe-memory-access=allow)
serve() { # name jar port [args...]; started directly so that $! is the JVM
    local name=$1 j=$2 port=$3
    shift 3
    port_free "$port" || { log "port $port is taken; set COURIER_PORT"; exit 1; }
    "$java" "${opts[@]}" -jar "$j" serve --bind 127.0.0.1 --port "$port" --data "$home/data/bimdc" "$@" \
        > "$tmp/$name.log" 2>&1 &
    pids+=($!)
}
serve off "$jar" "$off_port"
serve on "$jar" "$on_port" --metrics "127.0.0.1:$ops_port"
targets=(off:$off_port on:$on_port)
if [ -n "$before" ]; then
    serve before "$before/courier.jar" "$before_port"
    targets=(before:$before_port "${targets[@]}")
fi
for t in "${targets[@]}"; do wait_port "${t#*:}"; done

: > "$tmp/rounds"
n=${#targets[@]}
for round in $(seq 1 "$ROUNDS"); do
    for i in $(seq 0 $((n - 1))); do
        t=${targets[$(((i + round - 1) % n))]}
        name=${t%%:*}; port=${t#*:}
        rps=$("$java" "${opts[@]}" -jar "$jar" bench points --server "127.0.0.1:$port" -c "$CONNECTIONS" \
            -P "$PIPELINE" --duration "$DURATION" --warmup "$WARMUP" --json | jq '.requests_per_second')
        requests=$(awk -v r="$rps" -v d="$DURATION" 'BEGIN {printf "%d", r * d}')
        log "round $round $name: $rps requests/s (load average $(cut -d' ' -f1 /proc/loadavg))"
        echo "$name $rps $requests" >> "$tmp/rounds"
    done
done
counted=$(curl -s "http://127.0.0.1:$ops_port/metrics" \
    | awk '/^courier_requests_total\{outcome="ok",type="point"\}/ {printf "%d", $2}')
measured=$(awk '$1 == "on" {s += $3} END {printf "%d", s}' "$tmp/rounds")
log "the on server counted $counted point requests; the rounds measured about $measured"

jq -n --rawfile rounds "$tmp/rounds" --argjson counted "${counted:-0}" --argjson measured "$measured" \
    --argjson c "$CONNECTIONS" --argjson p "$PIPELINE" --argjson d "$DURATION" '
  ($rounds | split("\n") | map(select(length > 0) | split(" ") | {name: .[0], rps: (.[1] | tonumber)})) as $r
  | def median: sort | if length == 0 then 0 elif length % 2 == 1 then .[length / 2 | floor]
      else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  ($r | group_by(.name) | map({key: .[0].name, value: (map(.rps) | median)}) | from_entries) as $m
  | {connections: $c, pipeline: $p, seconds_per_round: $d,
     rounds: ($r | group_by(.name) | map({key: .[0].name, value: map(.rps)}) | from_entries),
     median: $m, ratio_to_off: ($m | with_entries(.value = (.value / $m.off * 1000 | round / 1000))),
     on_server_counted_points: $counted, on_rounds_measured_points: $measured}'
