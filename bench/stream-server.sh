#!/usr/bin/env bash
# stream-server.sh: what the server side of one streaming read costs, against nginx (sendfile on) and curl.
#
# One connection, one READ_STREAM of a FILE_MIB file in the page cache, read by the minimal discard client
# courier-load/src/test/java/dev/courier/load/StreamDiscard.java (raw socket, data dropped, CRC32C checked with
# CRC=1), against `curl -o /dev/null` of the same file from nginx; interleaved, RUNS times each. Prints MB/s
# (10^6 B/s, each tool's own clock) and the server process's CPU seconds per GiB, medians, and the ratios.
#
#   COURIER_PORT=21000 NGINX_PORT=21001 bench/stream-server.sh        # needs courier-cli/target/courier.jar
#
# Environment: COURIER_PORT, NGINX_PORT (required), RUNS (3), FILE_MIB (1024), CRC (0), CHUNK_BYTES (1 MiB),
# WINDOW_BYTES (64 MiB), COURIER_JAR (another build, for A/B). Every process it starts is stopped by PID on exit.
set -euo pipefail

: "${COURIER_PORT:?set COURIER_PORT (a port of your range)}"
: "${NGINX_PORT:?set NGINX_PORT (a port of your range)}"
RUNS="${RUNS:-3}"
FILE_MIB="${FILE_MIB:-1024}"
CRC="${CRC:-0}"
CHUNK_BYTES="${CHUNK_BYTES:-1048576}"
WINDOW_BYTES="${WINDOW_BYTES:-67108864}"

home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="${COURIER_JAR:-$home/courier-cli/target/courier.jar}"
java="$("$home/courier" --java)"
javac="$(dirname "$java")/javac"
[ -f "$jar" ] || { echo "build first: mvn -o -q package -DskipTests -pl courier-cli -am" >&2; exit 1; }

tmp="$(mktemp -d /tmp/stream-server.XXXXXX)"
pids=()
BENCH_NAME=stream-server; . "$home/bench/lib.sh"
cleanup() {
    stop_pids
    rm -rf "$tmp"
}
trap cleanup EXIT
ticks_per_second="$(getconf CLK_TCK)"

mkdir -p "$tmp/files" "$tmp/classes"
log "writing a ${FILE_MIB} MiB random file and reading it into the page cache"
head -c "$((FILE_MIB << 20))" /dev/urandom > "$tmp/files/big.bin"
cat "$tmp/files/big.bin" > /dev/null
"$javac" -d "$tmp/classes" "$home/courier-load/src/test/java/dev/courier/load/StreamDiscard.java"

"$java" --enable-native-access=ALL-UNNAMED -jar "$jar" serve --bind 127.0.0.1 --port "$COURIER_PORT" \
    --files "$tmp/files" > "$tmp/courier.log" 2>&1 &
courier_pid=$!
pids+=("$courier_pid")

nginx_conf "$tmp/nginx" "master_process off;
worker_processes 1;
events { worker_connections 64; }" "    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    types { application/octet-stream bin; }
    server { listen 127.0.0.1:$NGINX_PORT; root $tmp/files; }"
# master_process off: one process serves, so its CPU is the server's whole cost, as the JVM's is.
nginx_start "$tmp/nginx"
nginx_pid=$!
pids+=("$nginx_pid")
wait_port "$COURIER_PORT"; wait_port "$NGINX_PORT"

crc_flag=(); [ "$CRC" = 1 ] && crc_flag=(--crc)
gib="$(awk -v m="$FILE_MIB" 'BEGIN {print m / 1024}')"
courier_run() {
    local t0 t1 out
    t0=$(cpu_ticks "$courier_pid")
    out="$(timeout 130 "$java" -cp "$tmp/classes" dev.courier.load.StreamDiscard "127.0.0.1:$COURIER_PORT" \
        "$tmp/files/big.bin" --chunk "$CHUNK_BYTES" --window "$WINDOW_BYTES" "${crc_flag[@]}")"
    t1=$(cpu_ticks "$courier_pid")
    echo "$out" | awk '{print $5}' >> "$tmp/courier.mbs"
    awk -v d=$((t1 - t0)) -v hz="$ticks_per_second" -v g="$gib" 'BEGIN {printf "%.3f\n", d / hz / g}' >> "$tmp/courier.cpu"
}
nginx_run() {
    local t0 t1
    t0=$(cpu_ticks "$nginx_pid")
    timeout 130 curl -sS -o /dev/null -w '%{speed_download}' "http://127.0.0.1:$NGINX_PORT/big.bin" \
        | awk '{printf "%.1f\n", $1 / 1e6}' >> "$tmp/nginx.mbs"
    t1=$(cpu_ticks "$nginx_pid")
    awk -v d=$((t1 - t0)) -v hz="$ticks_per_second" -v g="$gib" 'BEGIN {printf "%.3f\n", d / hz / g}' >> "$tmp/nginx.cpu"
}
log "warming up the server JVM with one stream"
courier_run; : > "$tmp/courier.mbs"; : > "$tmp/courier.cpu"
for i in $(seq 1 "$RUNS"); do
    courier_run
    nginx_run
    log "run $i: courier $(tail -1 "$tmp/courier.mbs") MB/s $(tail -1 "$tmp/courier.cpu") cpu-s/GiB," \
        "nginx+curl $(tail -1 "$tmp/nginx.mbs") MB/s $(tail -1 "$tmp/nginx.cpu") cpu-s/GiB"
done
cm=$(median < "$tmp/courier.mbs"); nm=$(median < "$tmp/nginx.mbs")
cc=$(median < "$tmp/courier.cpu"); nc=$(median < "$tmp/nginx.cpu")
printf 'file %d MiB, chunk %d, window %d, crc %s, %d runs\n' "$FILE_MIB" "$CHUNK_BYTES" "$WINDOW_BYTES" "$CRC" "$RUNS"
printf 'courier stream  %8.1f MB/s  %6.3f server cpu-s/GiB   runs: %s\n' "$cm" "$cc" "$(paste -sd' ' "$tmp/courier.mbs")"
printf 'nginx + curl    %8.1f MB/s  %6.3f server cpu-s/GiB   runs: %s\n' "$nm" "$nc" "$(paste -sd' ' "$tmp/nginx.mbs")"
awk -v a="$cm" -v b="$nm" -v c="$cc" -v d="$nc" 'BEGIN {printf "ratio courier/nginx: throughput %.2f, server cpu per GiB %.2f\n", a / b, (d > 0 ? c / d : 0)}'
