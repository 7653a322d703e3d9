#!/usr/bin/env bash
# Downloads over TLS 1.3, one connection: `courier get --ca CA` from `courier serve --tls-cert --tls-key` against
# `curl --cacert CA` from nginx with `ssl_protocols TLSv1.3`, both presenting the same certificate (a CA and a
# server certificate for 127.0.0.1 made by openssl in the run's temporary folder, bench/lib.sh test_ca), a random
# file in the page cache, to /dev/null, RUNS runs of each, interleaved. Courier twice: --discard --no-digest (only
# the chunks' CRC32C checked) and --discard (SHA-256 too). And, for the plaintext path, `courier get --discard
# --no-digest` in the clear from this build (and from the build in DIR with --before), the same runs. Each tool's
# own rate (curl's speed_download, courier's own line); neither includes process start.
#
# Usage: bench/tls-vs-nginx.sh [--before DIR]
#   --before DIR   also the plaintext get from the build in DIR (courier.jar with its lib/ beside it), its own server
# Environment: COURIER_PORT (this build's TLS server, default 17540; its plaintext server COURIER_PORT + 1, the
#   before build's COURIER_PORT + 2), NGINX_PORT (default 17590), SIZE_MIB (1024), RUNS (3).
# Prints one JSON object on stdout (MB/s = 10^6 B/s, medians and runs); progress on stderr. Every process it
# starts is stopped on exit.
set -euo pipefail

home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_NAME=tls-vs-nginx; . "$home/bench/lib.sh"
parse_before_option 2,16 "$@"
COURIER_PORT=${COURIER_PORT:-17540}
NGINX_PORT=${NGINX_PORT:-17590}
SIZE_MIB=${SIZE_MIB:-1024}
RUNS=${RUNS:-3}

bench_start tls 15

test_ca "$tmp/tls"
mkdir -p "$tmp/files"
log "writing a ${SIZE_MIB} MiB random file and reading it into the page cache"
head -c "$((SIZE_MIB << 20))" /dev/urandom > "$tmp/files/big.bin"
cat "$tmp/files/big.bin" > /dev/null

nginx_files_conf "$tmp/nginx" "$tmp/files" "127.0.0.1:$NGINX_PORT ssl" "        ssl_protocols TLSv1.3;
        ssl_certificate $tmp/tls/server.pem;
        ssl_certificate_key $tmp/tls/server.key;"
nginx_start "$tmp/nginx"
pids+=($!)

serve() { # jar port log [serve options...]; started directly so that $! is the JVM
    local j=$1 port=$2 out=$3
    shift 3
    "$java" --enable-native-access=ALL-UNNAMED -Dcourier.home="$home" -jar "$j" \
        serve --bind 127.0.0.1 --port "$port" --files "$tmp/files" "$@" > "$out" 2>&1 &
    pids+=($!)
}
serve "$jar" "$COURIER_PORT" "$tmp/courier-tls.log" --tls-cert "$tmp/tls/server.pem" --tls-key "$tmp/tls/server.key"
serve "$jar" "$((COURIER_PORT + 1))" "$tmp/courier-plain.log"
[ -n "$before" ] && serve "$before/courier.jar" "$((COURIER_PORT + 2))" "$tmp/before-plain.log"
wait_port "$NGINX_PORT"; wait_port "$COURIER_PORT"; wait_port "$((COURIER_PORT + 1))"
[ -n "$before" ] && wait_port "$((COURIER_PORT + 2))"
log "$(head -n 1 "$tmp/courier-tls.log")"

client_start "$home" # this build's client as installed: the distribution (COURIER_CLIENT=jar: the launcher)
log "the courier client is $client_kind (${client[0]})"
get() { # jar port [get options...] -> MB/s from courier's own line; this build's client, or the jar of --before
    local j=$1 port=$2 cmd
    shift 2
    if [ "$j" = "$jar" ]; then
        cmd=("${client[@]}")
    else
        cmd=("$java" --enable-native-access=ALL-UNNAMED -Dcourier.home="$home" -jar "$j")
    fi
    "${cmd[@]}" get --server "127.0.0.1:$port" big.bin --no-resume --connections 1 "$@" \
        | sed -n 's/.*(\([0-9.]*\) MB\/s.*/\1/p'
}
: > "$tmp/curl.txt"; : > "$tmp/tls-nosha.txt"; : > "$tmp/tls-sha.txt"; : > "$tmp/plain.txt"; : > "$tmp/before.txt"
for ((run = 1; run <= RUNS; run++)); do
    log "curl --cacert from nginx (TLS 1.3), run $run of $RUNS"
    curl -sS --cacert "$tmp/tls/ca.pem" -o /dev/null -w '%{speed_download}\n' "https://127.0.0.1:$NGINX_PORT/big.bin" \
        | awk '{printf "%.1f\n", $1 / 1e6}' >> "$tmp/curl.txt"
    log "courier get --ca --discard --no-digest, run $run of $RUNS"
    get "$jar" "$COURIER_PORT" --ca "$tmp/tls/ca.pem" --discard --no-digest >> "$tmp/tls-nosha.txt"
    log "courier get --ca --discard (SHA-256), run $run of $RUNS"
    get "$jar" "$COURIER_PORT" --ca "$tmp/tls/ca.pem" --discard >> "$tmp/tls-sha.txt"
    log "courier get --discard --no-digest in the clear, run $run of $RUNS"
    get "$jar" "$((COURIER_PORT + 1))" --discard --no-digest >> "$tmp/plain.txt"
    if [ -n "$before" ]; then
        log "before: courier get --discard --no-digest in the clear, run $run of $RUNS"
        get "$before/courier.jar" "$((COURIER_PORT + 2))" --discard --no-digest >> "$tmp/before.txt"
    fi
done

runs() { jq -sc . < "$tmp/$1.txt"; }
med() { median < "$tmp/$1.txt"; }
jq -n --argjson mib "$SIZE_MIB" --argjson g "$(med curl)" --argjson gr "$(runs curl)" \
    --argjson n "$(med tls-nosha)" --argjson nr "$(runs tls-nosha)" \
    --argjson s "$(med tls-sha)" --argjson sr "$(runs tls-sha)" \
    --argjson p "$(med plain)" --argjson pr "$(runs plain)" \
    --argjson b "$(med before)" --argjson br "$(runs before)" \
    --arg engine "$(sed -n 's/.*(epoll, \(TLS[^)]*)\).*/\1/p; s/.*(nio, \(TLS[^)]*)\).*/\1/p' "$tmp/courier-tls.log" | head -n 1)" \
    'def ratio(a; b): if b > 0 then (a / b * 100 | round / 100) else null end;
     {size_mib: $mib, connections: 1, engine: $engine,
      nginx_curl_mb_s: $g, nginx_curl_runs: $gr,
      courier_tls_no_digest_mb_s: $n, courier_tls_no_digest_runs: $nr, ratio_no_digest: ratio($n; $g),
      courier_tls_sha256_mb_s: $s, courier_tls_sha256_runs: $sr, ratio_sha256: ratio($s; $g),
      plaintext_mb_s: $p, plaintext_runs: $pr,
      before_plaintext_mb_s: (if ($br | length) > 0 then $b else null end), before_plaintext_runs: $br,
      plaintext_over_before: (if ($br | length) > 0 then ratio($p; $b) else null end)}'
