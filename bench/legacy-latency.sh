#!/usr/bin/env bash
# The latency of one 4 KiB legacy FILE request, one request in flight, on Courier's legacy port: bench/LegacyLatency.java
# (a raw-socket client of the legacy protocol, HdrHistogram) against `courier serve --legacy-port`, RUNS runs, each
# a warm-up (at most WARMUP requests or DURATION seconds) and then at most COUNT requests or DURATION seconds; the
# median of the runs' p50 and p99 is printed.
#
# Usage: bench/legacy-latency.sh [--before DIR]
#   --before DIR   also run the build in DIR (a courier.jar with its lib/ beside it, e.g. main's), started beside
#                  this one, the runs interleaved; prints both and the ratio this / before
# Environment: COURIER_PORT and LEGACY_PORT (this build's main and legacy ports; default 17520, 17521),
#   BEFORE_COURIER_PORT and BEFORE_LEGACY_PORT (default those + 2), RUNS (3), COUNT (50000), DURATION (10),
#   WARMUP (20000 requests, not measured), CHUNK (4096 bytes).
# Prints one JSON object on stdout; progress on stderr. Every process it starts is stopped on exit.
set -euo pipefail

home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_NAME=legacy-latency; . "$home/bench/lib.sh"
parse_before_option 2,13 "$@"
COURIER_PORT=${COURIER_PORT:-17520}
LEGACY_PORT=${LEGACY_PORT:-17521}
BEFORE_COURIER_PORT=${BEFORE_COURIER_PORT:-$((COURIER_PORT + 2))}
BEFORE_LEGACY_PORT=${BEFORE_LEGACY_PORT:-$((LEGACY_PORT + 2))}
RUNS=${RUNS:-3}; COUNT=${COUNT:-50000}; SECONDS_PER_RUN=${DURATION:-10}; WARMUP=${WARMUP:-20000}; CHUNK=${CHUNK:-4096}

bench_start legacy-latency
hdr="$(ls "$home"/courier-cli/target/lib/HdrHistogram-*.jar | head -n 1)"


mkdir -p "$tmp/files"
head -c $((16 << 20)) /dev/urandom > "$tmp/files/chunks.bin"
serve() { # jar main-port legacy-port log; started directly so that $! is the JVM
    "$java" --enable-native-access=ALL-UNNAMED -XX:+UseCompactObjectHeaders -Dcourier.home="$home" -jar "$1" \
        serve --bind 127.0.0.1 --port "$2" --legacy-port "$3" --files "$tmp/files" > "$4" 2>&1 &
    pids+=($!)
}
serve "$jar" "$COURIER_PORT" "$LEGACY_PORT" "$tmp/courier.log"
targets=("courier:$LEGACY_PORT")
if [ -n "$before" ]; then
    serve "$before/courier.jar" "$BEFORE_COURIER_PORT" "$BEFORE_LEGACY_PORT" "$tmp/before.log"
    targets+=("before:$BEFORE_LEGACY_PORT")
fi
for t in "${targets[@]}"; do wait_port "${t#*:}"; done

for ((run = 1; run <= RUNS; run++)); do
    for t in "${targets[@]}"; do
        log "${t%%:*} (legacy port ${t#*:}), run $run of $RUNS"
        "$java" -cp "$hdr" "$home/bench/LegacyLatency.java" 127.0.0.1 "${t#*:}" chunks.bin "$tmp/files/chunks.bin" \
            "$CHUNK" "$COUNT" "$SECONDS_PER_RUN" "$WARMUP" | tee -a "$tmp/${t%%:*}.jsonl" >&2
    done
done

summary() { # name -> JSON object of the medians and the runs
    jq -sc '{p50_us: ([.[].p50_us] | sort | .[length / 2 | floor]), p99_us: ([.[].p99_us] | sort | .[length / 2 | floor]),
             runs: .}' "$tmp/$1.jsonl"
}
if [ -n "$before" ]; then
    jq -n --argjson a "$(summary courier)" --argjson b "$(summary before)" --argjson chunk "$CHUNK" \
        '{chunk_bytes: $chunk, courier: $a, before: $b,
          p50_ratio: ($a.p50_us / $b.p50_us * 100 | round / 100), p99_ratio: ($a.p99_us / $b.p99_us * 100 | round / 100)}'
else
    jq -n --argjson a "$(summary courier)" --argjson chunk "$CHUNK" '{chunk_bytes: $chunk, courier: $a}'
fi
