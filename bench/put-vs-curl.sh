#!/usr/bin/env bash
# Uploads, one connection, to a server on the same disk: `courier put FILE` to `courier serve --upload-dir` against
# `curl -T FILE` to nginx with WebDAV PUT (dav_methods PUT, client_max_body_size 0, its body temp path on the same
# disk), a random file in the page cache, RUNS runs of each, interleaved; every uploaded copy is compared with the
# original (cmp) and deleted. Each tool's own rate: curl's speed_upload, courier's from its SHA-256 of the file to
# the server's answer to the COMMIT (the server has checked the SHA-256, synced and renamed the file). Neither
# includes process start. nginx does not sync what it receives; Courier does before its rename.
#
# Usage: bench/put-vs-curl.sh [--before DIR]
#   --before DIR   also run the build in DIR (courier.jar with its lib/ beside it), its server beside this one,
#                  the runs interleaved
# Environment: COURIER_PORT (this build's server, default 17530), BEFORE_COURIER_PORT (default COURIER_PORT + 1),
#   NGINX_PORT (default 17580), SIZE_MIB (1024), RUNS (3), JFR (a file: record this build's server with JFR).
# Prints one JSON object on stdout (MB/s = 10^6 B/s, medians and runs); progress on stderr. Every process it
# starts is stopped on exit.
set -euo pipefail

home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_NAME=put-vs-curl; . "$home/bench/lib.sh"
parse_before_option 2,15 "$@"
COURIER_PORT=${COURIER_PORT:-17530}
BEFORE_COURIER_PORT=${BEFORE_COURIER_PORT:-$((COURIER_PORT + 1))}
NGINX_PORT=${NGINX_PORT:-17580}
SIZE_MIB=${SIZE_MIB:-1024}
RUNS=${RUNS:-3}
JFR=${JFR:-}

bench_start put 15


mkdir -p "$tmp/nginx/root/up" "$tmp/courier-up" "$tmp/before-up"
log "writing a ${SIZE_MIB} MiB random file and reading it into the page cache"
head -c "$((SIZE_MIB << 20))" /dev/urandom > "$tmp/big.bin"
cat "$tmp/big.bin" > /dev/null

nginx_conf "$tmp/nginx" "worker_processes auto;
user root;
events { worker_connections 1024; }" "    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $tmp/nginx/root;
        location /up/ {
            dav_methods PUT;
            create_full_put_path on;
            client_max_body_size 0;
        }
    }"
nginx_start "$tmp/nginx"
pids+=($!)

serve() { # jar port upload-dir log [jvm options...]; started directly so that $! is the JVM
    local j=$1 port=$2 dir=$3 out=$4
    shift 4
    "$java" --enable-native-access=ALL-UNNAMED -XX:+UseCompactObjectHeaders "$@" -Dcourier.home="$home" -jar "$j" \
        serve --bind 127.0.0.1 --port "$port" --files "$tmp/nginx/root" --upload-dir "$dir" > "$out" 2>&1 &
    pids+=($!)
}
jfr_opts=()
[ -n "$JFR" ] && jfr_opts=("-XX:StartFlightRecording=filename=$JFR,settings=profile,dumponexit=true")
serve "$jar" "$COURIER_PORT" "$tmp/courier-up" "$tmp/courier.log" "${jfr_opts[@]}"
targets=("courier:$COURIER_PORT:$jar:$tmp/courier-up")
if [ -n "$before" ]; then
    serve "$before/courier.jar" "$BEFORE_COURIER_PORT" "$tmp/before-up" "$tmp/before.log"
    targets+=("before:$BEFORE_COURIER_PORT:$before/courier.jar:$tmp/before-up")
fi
wait_port "$NGINX_PORT"
for t in "${targets[@]}"; do IFS=: read -r _ port _ _ <<< "$t"; wait_port "$port"; done

: > "$tmp/curl.txt"
same=true
check() { # uploaded-copy: compared with the original, then deleted
    if ! cmp -s "$tmp/big.bin" "$1"; then
        log "$1 differs from the original"; same=false
    fi
    rm -f "$1"
}
for ((run = 1; run <= RUNS; run++)); do
    log "curl -T to nginx (WebDAV PUT), run $run of $RUNS"
    curl -sS -T "$tmp/big.bin" -o /dev/null -w '%{speed_upload}\n' "http://127.0.0.1:$NGINX_PORT/up/big.$run" \
        | awk '{printf "%.1f\n", $1 / 1e6}' >> "$tmp/curl.txt"
    check "$tmp/nginx/root/up/big.$run"
    for t in "${targets[@]}"; do
        IFS=: read -r name port j dir <<< "$t"
        log "$name put, 1 connection, run $run of $RUNS"
        "$java" --enable-native-access=ALL-UNNAMED -XX:+UseCompactObjectHeaders -Dcourier.home="$home" -jar "$j" \
            put --server "127.0.0.1:$port" --connections 1 "$tmp/big.bin" "big.$run" 2>/dev/null \
            | sed -n 's/.*(\([0-9.]*\) MB\/s.*/\1/p' >> "$tmp/$name.txt"
        check "$dir/big.$run"
    done
done

runs() { jq -sc . < "$tmp/$1.txt"; }
result="$(jq -n --argjson mib "$SIZE_MIB" --argjson c "$(median < "$tmp/courier.txt")" --argjson cr "$(runs courier)" \
    --argjson g "$(median < "$tmp/curl.txt")" --argjson gr "$(runs curl)" --argjson same "$same" \
    '{size_mib: $mib, connections: 1, courier_mb_s: $c, courier_runs: $cr, nginx_curl_mb_s: $g, nginx_curl_runs: $gr,
      ratio: (if $g > 0 then ($c / $g * 100 | round / 100) else null end), copies_match: $same}')"
if [ -n "$before" ]; then
    result="$(jq --argjson b "$(median < "$tmp/before.txt")" --argjson br "$(runs before)" \
        '. + {before_mb_s: $b, before_runs: $br, before_ratio: (if .nginx_curl_mb_s > 0 then ($b / .nginx_curl_mb_s * 100 | round / 100) else null end)}' \
        <<< "$result")"
fi
echo "$result"
