#!/usr/bin/env bash
# Courier side by side with what a user would otherwise pick, on this machine, in one run:
#   points  courier bench points against Courier and against redis-server (the same load engine), c = 1, 50, 1000
#           and P = 1, 16; redis-benchmark's own figures beside them for reference
#   files   issue 12's targets table on a file in the page cache, peer nginx (sendfile) + curl: get -o FILE vs curl -o
#           FILE; get --discard [--no-digest] vs curl -o /dev/null; get -o FILE -c 4 vs 4 range curls to 4 files;
#           medians of 3 (--quick) or 5 interleaved runs, copies compared with the original; iperf3 beside as the limit
#   legacy  the old system's workload: courier points --records 1-15 --count 15000 --connections 100
#   tls     TLS 1.3, 1 connection, to /dev/null: courier get --ca (with and without SHA-256) vs curl --cacert from
#           nginx (ssl_protocols TLSv1.3), the same openssl-made certificate (bench/tls-vs-nginx.sh, on
#           COURIER_PORT + 4.. and NGINX_PORT + 2); medians of 3
#   range   courier bench range against PostgreSQL 15 in a data directory of its own (bench/range-vs-postgres.sh --json
#           on COURIER_PORT + 5, + 6 and PG_PORT): 10-second ranges of one channel at c = 1 and 50, and the full
#           export of a gen-data set (20 records x 600 s; 5 with --quick) against COPY ... TO STDOUT (FORMAT binary)
#
# Usage: bench/compare.sh [--json] [--quick] [--only points|files|legacy|tls|range]
#        bench/compare.sh --render RESULT.json
#   --json    print one JSON object on stdout instead of the table (progress still goes to stderr)
#   --quick   shorter cells and a smaller file: about 2 minutes instead of up to 10
#   --only    measure one section; the others are left out of the table (and zero in the JSON)
#   --render  print the table of a JSON result saved earlier, and measure nothing
#
# Client: the files and tls cells run `courier get` from the distribution (courier-dist's bin/courier, its AOT cache),
# built when older than the jar; COURIER_CLIENT=jar runs it through the development launcher (./courier) instead.
# Ports: COURIER_PORT, REDIS_PORT, NGINX_PORT, IPERF_PORT and PG_PORT in the environment override 17420, 16379, 18080,
# 15201 and 15432.
# Installs what it needs from Debian when missing (redis-server, redis-tools, nginx, curl, iperf3, jq). Everything
# runs on 127.0.0.1 with its own config files and ports under a temporary folder; every process it starts is
# stopped on exit, and a watchdog ends the run after 10 minutes whatever happens.
set -euo pipefail

render() { # the table, from the JSON object on stdin
    jq -r '
      def f0: if . == null then "-" else (. | round | tostring) end;
      def f1: if . == null then "-" else ((. * 10 | round) / 10 | tostring) end;
      def f2: if . == null then "-" else ((. * 100 | round) / 100 | tostring) end;
      def pad(n): tostring | if length >= n then . else (" " * (n - length)) + . end;
      "Courier side by side, \(.date), \(.machine)\(if .quick then " (--quick)" else "" end)",
      "",
      "Points: courier bench points, the same engine against both, \(.points.seconds_per_cell) s per cell after \(.points.warmup_seconds) s warm-up",
      "(req/s; latency p50/p99 in us; ratio = Courier / Redis; cpu = server CPU us per request, Courier/Redis, approximate;",
      " err = wrong or failed answers, Courier/Redis)",
      ("    c    P" + ("courier req/s" | pad(15)) + ("redis req/s" | pad(13)) + ("ratio" | pad(7)) + ("courier p50/p99" | pad(18))
         + ("redis p50/p99" | pad(16)) + ("p99 ratio" | pad(11)) + ("cpu C/R" | pad(12)) + ("err C/R" | pad(9))),
      (.points.cells[] |
         ((.connections | pad(5)) + (.pipeline | pad(5)) + (.courier.requests_per_second | f0 | pad(15))
          + (.redis.requests_per_second | f0 | pad(13)) + (.rps_ratio | f2 | pad(7))
          + (((.courier.p50_us | f0) + "/" + (.courier.p99_us | f0)) | pad(18))
          + (((.redis.p50_us | f0) + "/" + (.redis.p99_us | f0)) | pad(16)) + (.p99_ratio | f2 | pad(11))
          + (((.courier.server_cpu_us_per_request | f2) + "/" + (.redis.server_cpu_us_per_request | f2)) | pad(12))
          + (((.courier.errors | f0) + "/" + (.redis.errors | f0)) | pad(9)))),
      "",
      "redis-benchmark -t get -d 8 -c 50 (its own single-threaded client; for reference only):",
      (.points.redis_benchmark[] | "  -P \(.pipeline): \(.requests_per_second | f0) req/s, p50 \(.p50_us | f0) us, p99 \(.p99_us | f0) us"),
      "",
      "Files: \(.files.size_mib) MiB random file in the page cache, 1 GiB in the issue'"'"'s table; MB/s (10^6 B/s), median of \(.files.runs) runs, each tool'"'"'s own clock; courier client: \(.files.client // "jar")",
      " ratio = Courier / peer; of iperf3 = Courier / iperf3 1 stream; sync = courier'"'"'s final sync before the rename (ms, median)",
      ("  " + ("courier" | . + " " * 22) + ("peer" | . + " " * 28) + ("courier" | pad(8)) + ("peer" | pad(8)) + ("ratio" | pad(7))
         + ("target" | pad(8)) + ("of iperf3" | pad(10)) + ("sync" | pad(7)) + "   runs courier | peer"),
      (.files.cases[] | "  " + (.case + " " * 29 | .[0:29]) + (.peer + " " * 32 | .[0:32]) + (.courier_mb_s | f0 | pad(8))
         + (.peer_mb_s | f0 | pad(8)) + (.ratio | f2 | pad(7)) + ((">=" + (.target_ratio | tostring)) | pad(8))
         + (.courier_over_iperf3 | f2 | pad(10)) + (.final_sync_ms_median | f1 | pad(7)) + "   "
         + (.courier_runs | map(f0) | join(" ")) + " | " + (.peer_runs | map(f0) | join(" "))),
      "  every copy written to a file matches the original: \(.files.copies_match_original)",
      "  iperf3 loopback limit: 1 stream \(.files.iperf3_gbit_s.streams_1) Gbit/s (\(.files.iperf3_mb_s.streams_1) MB/s), 4 streams \(.files.iperf3_gbit_s.streams_4) Gbit/s (\(.files.iperf3_mb_s.streams_4) MB/s)",
      "",
      "The old system'"'"'s workload: \(.legacy.workload) (225,000 requests)",
      "  \(.legacy.seconds_median) s median (runs: \(.legacy.seconds_runs | map(tostring) | join(", ")) s; whole command incl. JVM start \(.legacy.command_wall_seconds_median) s); histograms match the CSV files: \(.legacy.histograms_match_csv)",
      "",
      (if .legacy_latency then "Legacy port, one 4 KiB FILE request in flight (bench/legacy-latency.sh): p50 \(.legacy_latency.courier.p50_us | f1) us, p99 \(.legacy_latency.courier.p99_us | f1) us (medians of 3 runs)" else empty end),
      (if .tls then "\(.tls.engine), 1 connection, \(.tls.size_mib) MiB to /dev/null: courier get --ca --discard --no-digest \(.tls.courier_tls_no_digest_mb_s | f0) MB/s, with SHA-256 \(.tls.courier_tls_sha256_mb_s | f0) MB/s, curl --cacert from nginx (ssl_protocols TLSv1.3) \(.tls.nginx_curl_mb_s | f0) MB/s, ratios \(.tls.ratio_no_digest | f2) / \(.tls.ratio_sha256 | f2) (target >= 1.0; medians of 3)" else empty end),
      (if .upload then "Upload, 1 connection, \(.upload.size_mib) MiB, same disk: courier put \(.upload.courier_mb_s | f0) MB/s, curl -T to nginx WebDAV \(.upload.nginx_curl_mb_s | f0) MB/s, ratio \(.upload.ratio | f2) (medians of 3; copies match: \(.upload.copies_match))" else empty end),
      (if .range then
         "",
         "Range reads: courier bench range, 10-second ranges (2500 samples) of one channel, against PostgreSQL 15 (SELECT on the primary key), medians of \(.range.rounds) interleaved rounds of \(.range.seconds_per_cell) s",
         "(ratios: ranges/s Courier / PostgreSQL, p99 PostgreSQL / Courier; the targets are >= 5 for both)",
         (.range.cells[] | "  c=\(.connections | pad(3))  courier \(.courier.ranges_per_second | f0) ranges/s, p50/p99 \(.courier.p50_us | f0)/\(.courier.p99_us | f0) us;  postgres \(.postgres.ranges_per_second | f0) ranges/s, p50/p99 \(.postgres.p50_us | f0)/\(.postgres.p99_us | f0) us;  ratios \(.rps_ratio | f2) / \(.p99_ratio | f2)"),
         (if .range.export then .range.export | "  export of gen-data \(.records) records x \(.seconds) s, both channels: courier \(.courier_samples_per_second | f0) samples/s, COPY binary (CopyManager) \(.postgres_copy_samples_per_second | f0), psql COPY binary > /dev/null \(.psql_copy_samples_per_second | f0); ratios \(.ratio_copy | f2) / \(.ratio_psql | f2) (target >= 5)" else empty end)
       else empty end),
      "",
      "compare.sh took \(.elapsed_seconds) s"
    '
}

home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
json=0
quick=0
only=""
while [ $# -gt 0 ]; do
    arg=$1; shift
    case "$arg" in
        --json) json=1 ;;
        --quick) quick=1 ;;
        --only) [ $# -gt 0 ] || { echo "compare.sh: --only needs points, files, legacy, tls or range" >&2; exit 2; }
                case "$1" in points|files|legacy|tls|range) only=$1; shift ;;
                    *) echo "compare.sh: --only takes points, files, legacy, tls or range, not '$1'" >&2; exit 2 ;; esac ;;
        --render) [ $# -gt 0 ] || { echo "compare.sh: --render needs a file" >&2; exit 2; }
                  render < "$1"; exit 0 ;;
        -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "compare.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
    esac
done

# Ports, all on 127.0.0.1.
COURIER_PORT=${COURIER_PORT:-17420}
REDIS_PORT=${REDIS_PORT:-16379}
NGINX_PORT=${NGINX_PORT:-18080}
IPERF_PORT=${IPERF_PORT:-15201}
PG_PORT=${PG_PORT:-15432}

if [ "$quick" = 1 ]; then
    POINT_SECONDS=2; WARMUP_SECONDS=0.5; FILE_MIB=256; FILE_RUNS=3; IPERF_SECONDS=2; LEGACY_RUNS=3
    RB_REQUESTS_P1=200000; RB_REQUESTS_P16=1000000
else
    POINT_SECONDS=5; WARMUP_SECONDS=1; FILE_MIB=1024; FILE_RUNS=5; IPERF_SECONDS=5; LEGACY_RUNS=5
    RB_REQUESTS_P1=500000; RB_REQUESTS_P16=3000000
fi
want() { [ -z "$only" ] || [ "$only" = "$1" ]; } # is section $1 measured in this run?
CONNECTIONS=(1 50 1000)
PIPELINES=(1 16)

BENCH_NAME=compare; . "$home/bench/lib.sh"
started_at=$SECONDS

# --- tools ---------------------------------------------------------------------------------------------------
missing=()
for tool in redis-server:redis-server redis-benchmark:redis-tools redis-cli:redis-tools nginx:nginx curl:curl \
            iperf3:iperf3 jq:jq; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool#*:}")
done
if [ "${#missing[@]}" -gt 0 ]; then
    pkgs="$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')"
    log "installing from Debian: $pkgs"
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    # shellcheck disable=SC2086
    $sudo apt-get update -q >&2
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q $pkgs >&2
fi

java="$("$home/courier" --java)" || exit 1   # the launcher says why

log "building courier if needed"
"$home/courier" --version >/dev/null
jar="$home/courier-cli/target/courier.jar"
courier() { "$java" --enable-native-access=ALL-UNNAMED -Dcourier.home="$home" -jar "$jar" "$@"; }

# --- processes, clean-up, watchdog ----------------------------------------------------------------------------
tmp="$(mktemp -d "${TMPDIR:-/tmp}/courier-compare.XXXXXX")"
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do
        kill "$p" 2>/dev/null || true
    done
    for p in "${pids[@]}"; do
        wait "$p" 2>/dev/null || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM
main_pid=$$
( trap 'kill "$s" 2>/dev/null; exit 0' TERM
  sleep 595 & s=$!
  wait "$s"
  echo "compare: 10 minutes are up; stopping" >&2
  kill -TERM "$main_pid" ) &
pids+=($!)

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

for port in $COURIER_PORT $REDIS_PORT $NGINX_PORT $IPERF_PORT; do
    port_free "$port" || { log "port $port on 127.0.0.1 is taken; stop what uses it"; exit 1; }
done
ticks_per_second="$(getconf CLK_TCK)"

mkdir -p "$tmp/files" "$tmp/out" "$tmp/nginx/logs" "$tmp/nginx/tmp" "$tmp/redis"

want files || FILE_MIB=0
log "writing a ${FILE_MIB} MiB random file and reading it into the page cache"
head -c "$((FILE_MIB << 20))" /dev/urandom > "$tmp/files/big.bin"
cat "$tmp/files/big.bin" > /dev/null
size_bytes=$((FILE_MIB << 20))

# Started through the launcher, with the JVM options a user gets; it execs java, so $! is the JVM itself.
"$home/courier" serve --bind 127.0.0.1 --port "$COURIER_PORT" --files "$tmp/files" > "$tmp/courier.log" 2>&1 &
courier_pid=$!
pids+=("$courier_pid")

cat > "$tmp/redis/redis.conf" <<EOF
bind 127.0.0.1
port $REDIS_PORT
protected-mode no
daemonize no
save ""
appendonly no
dir $tmp/redis
logfile $tmp/redis/redis.log
maxclients 10000
EOF
redis-server "$tmp/redis/redis.conf" &
redis_pid=$!
pids+=("$redis_pid")

nginx_files_conf "$tmp/nginx" "$tmp/files" "127.0.0.1:$NGINX_PORT"
nginx_start "$tmp/nginx"
pids+=($!)

iperf3 -s -B 127.0.0.1 -p "$IPERF_PORT" > "$tmp/iperf3.log" 2>&1 &
pids+=($!)

wait_port "$COURIER_PORT"; wait_port "$REDIS_PORT"; wait_port "$NGINX_PORT"; wait_port "$IPERF_PORT"
log "servers up: courier :$COURIER_PORT, redis :$REDIS_PORT, nginx :$NGINX_PORT, iperf3 :$IPERF_PORT"

# --- points ---------------------------------------------------------------------------------------------------
if want points; then
: > "$tmp/points.jsonl"
bench_cell() { # target c P [seconds] -> one JSON line, with the CPU both processes used per request added
    local target=$1 c=$2 p=$3 pid args t0 t1 out bench_pid bench_ticks
    if [ "$target" = courier ]; then pid=$courier_pid; args=(--server "127.0.0.1:$COURIER_PORT")
    else pid=$redis_pid; args=(--redis "127.0.0.1:$REDIS_PORT"); fi
    t0=$(cpu_ticks "$pid")
    "$home/courier" bench points "${args[@]}" \
        --connections "$c" --pipeline "$p" --duration "${4:-$POINT_SECONDS}" --warmup "$WARMUP_SECONDS" --json \
        > "$tmp/bench.out" 2> "$tmp/bench.err" &
    bench_pid=$!
    bench_ticks=0
    while kill -0 "$bench_pid" 2>/dev/null; do
        bench_ticks=$(cpu_ticks "$bench_pid" 2>/dev/null || echo "$bench_ticks")
        sleep 0.2
    done
    wait "$bench_pid" || true
    t1=$(cpu_ticks "$pid")
    out="$(cat "$tmp/bench.out")"
    if [ -z "$out" ]; then
        out="{\"requests\": 0, \"errors\": 1, \"requests_per_second\": 0, \"p50_us\": 0, \"p99_us\": 0, \"p999_us\": 0, \"first_error\": $(jq -Rs . < "$tmp/bench.err")}"
    fi
    # CPU per request, approximately: everything the process used during the command, over the requests of the
    # warm-up and the window (taken at the measured rate). The client's figure includes its JVM start.
    jq -c --argjson st "$((t1 - t0))" --argjson bt "$bench_ticks" --argjson hz "$ticks_per_second" \
        --argjson span "$(awk -v d="${4:-$POINT_SECONDS}" -v w="$WARMUP_SECONDS" 'BEGIN {print d + w}')" \
        '. + (if .requests_per_second > 0 then
               {server_cpu_us_per_request: ($st / $hz * 1e6 / (.requests_per_second * $span) * 100 | round / 100),
                client_cpu_us_per_request: ($bt / $hz * 1e6 / (.requests_per_second * $span) * 100 | round / 100)}
             else {} end)' <<< "$out"
}
# A server in use is warm: both get the same unmeasured run first, so the first cell does not time Courier's JIT.
log "points: warming both servers up (c=50 P=16, $POINT_SECONDS s each, not measured)"
bench_cell courier 50 16 "$POINT_SECONDS" > /dev/null
bench_cell redis 50 16 "$POINT_SECONDS" > /dev/null
for c in "${CONNECTIONS[@]}"; do
    for p in "${PIPELINES[@]}"; do
        log "points c=$c P=$p: courier"
        cj="$(bench_cell courier "$c" "$p")"
        log "points c=$c P=$p: redis"
        rj="$(bench_cell redis "$c" "$p")"
        jq -nc --argjson c "$c" --argjson p "$p" --argjson a "$cj" --argjson b "$rj" '{connections: $c, pipeline: $p,
            courier: $a, redis: $b,
            rps_ratio: (if $b.requests_per_second > 0 then ($a.requests_per_second / $b.requests_per_second * 100 | round / 100) else null end),
            p99_ratio: (if $b.p99_us > 0 then ($a.p99_us / $b.p99_us * 100 | round / 100) else null end)}' \
            >> "$tmp/points.jsonl"
    done
done

: > "$tmp/redis-benchmark.jsonl"
for p in 1 16; do
    n=$RB_REQUESTS_P1; [ "$p" = 16 ] && n=$RB_REQUESTS_P16
    log "redis-benchmark -t get -d 8 -c 50 -P $p -n $n"
    line="$(timeout 60 redis-benchmark -h 127.0.0.1 -p "$REDIS_PORT" -t get -d 8 -c 50 -P "$p" -n "$n" --csv \
        2>/dev/null | grep '^"GET"' | tail -n 1 || true)"
    # "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
    echo "$line" | tr -d '"' | awk -F, -v p="$p" '{printf "{\"connections\": 50, \"pipeline\": %d, \"requests_per_second\": %s, \"p50_us\": %.1f, \"p99_us\": %.1f}\n", p, ($2 == "" ? 0 : $2), $5 * 1000, $7 * 1000}' \
        >> "$tmp/redis-benchmark.jsonl"
done

fi

# --- files ----------------------------------------------------------------------------------------------------
# The targets table of issue 12, case by case: Courier and its peer in the same run, interleaved, medians of
# FILE_RUNS; each tool's own clock (courier get's summary, curl's speed_download; the 4 curls' wall time from the
# first start to the last exit). Every copy written to a file is compared with the original.
iperf1=0; iperf4=0; files_verified=null
if want files; then
client_start "$home" # the client as installed: the distribution (COURIER_CLIENT=jar: the development launcher)
log "files: the courier client is $client_kind (${client[0]})"
url="http://127.0.0.1:$NGINX_PORT/big.bin"
original="$tmp/files/big.bin"
files_verified=true
same_as_original() { # file... -> compares their concatenation with the original; records a mismatch
    cmp -s <(cat "$@") "$original" || { log "MISMATCH: $* differs from the original"; files_verified=false; }
}
curl_run() { # case -> MB/s
    local case=$1 start end i from to part cpids=()
    case "$case" in
        file1) curl -sS -o "$tmp/out/big.curl" -w '%{speed_download}' "$url" | awk '{printf "%.1f\n", $1 / 1e6}'
               same_as_original "$tmp/out/big.curl" ;;
        null1) curl -sS -o /dev/null -w '%{speed_download}' "$url" | awk '{printf "%.1f\n", $1 / 1e6}' ;;
        file4) start=$(now_ns)
               part=$(( (size_bytes + 3) / 4 ))
               for ((i = 0; i < 4; i++)); do
                   from=$((i * part)); to=$(( (i + 1) * part - 1 )); [ "$to" -ge "$size_bytes" ] && to=$((size_bytes - 1))
                   curl -sS -r "$from-$to" -o "$tmp/out/big.curl.$i" "$url" &
                   cpids+=($!)
               done
               for i in "${cpids[@]}"; do wait "$i"; done
               end=$(now_ns)
               awk -v b="$size_bytes" -v ns="$((end - start))" 'BEGIN {printf "%.1f\n", b / 1e6 / (ns / 1e9)}'
               same_as_original "$tmp/out"/big.curl.{0,1,2,3} ;;
    esac
    rm -f "$tmp/out"/big.curl*
}
courier_run() { # case -> "MB/s final-sync-ms" (the sync figure "-" when the build does not report it)
    local case=$1 out args
    case "$case" in
        file1) args=(-o "$tmp/out/big.courier" --connections 1) ;;
        nosha1) args=(--discard --no-digest --connections 1) ;;
        sha1) args=(--discard --connections 1) ;;
        file4) args=(-o "$tmp/out/big.courier" --connections 4) ;;
    esac
    out="$("${client[@]}" get --server "127.0.0.1:$COURIER_PORT" big.bin --no-resume "${args[@]}")"
    [ -f "$tmp/out/big.courier" ] && same_as_original "$tmp/out/big.courier"
    rm -f "$tmp/out"/big.courier*
    printf '%s %s\n' "$(sed -n 's/.*(\([0-9.]*\) MB\/s.*/\1/p' <<< "$out")" \
        "$(sed -n 's/.*final sync \([0-9.]*\) ms.*/\1/p' <<< "$out" | grep . || echo -)"
}
iperf_gbit() { # streams -> Gbit/s received
    timeout 30 iperf3 -c 127.0.0.1 -p "$IPERF_PORT" -t "$IPERF_SECONDS" -P "$1" -J 2>/dev/null \
        | jq '.end.sum_received.bits_per_second / 1e9 * 10 | round / 10'
}
log "iperf3, 1 stream"
iperf1="$(iperf_gbit 1 || echo 0)"
log "iperf3, 4 streams"
iperf4="$(iperf_gbit 4 || echo 0)"
: > "$tmp/files.jsonl"
# case | courier's command | peer case | peer's command | connections | target ratio
while IFS='|' read -r case ccmd peer pcmd n target; do
    : > "$tmp/c.txt"; : > "$tmp/n.txt"; : > "$tmp/s.txt"
    for ((run = 1; run <= FILE_RUNS; run++)); do
        log "files: $ccmd vs $pcmd, run $run of $FILE_RUNS"
        read -r mbps sync <<< "$(courier_run "$case")"
        echo "$mbps" >> "$tmp/c.txt"
        [ "$sync" != - ] && echo "$sync" >> "$tmp/s.txt"
        curl_run "$peer" >> "$tmp/n.txt"
    done
    sync_median=null; [ -s "$tmp/s.txt" ] && sync_median="$(median < "$tmp/s.txt")"
    jq -nc --arg case "$ccmd" --arg peer "$pcmd" --argjson n "$n" --argjson target "$target" \
        --argjson c "$(median < "$tmp/c.txt")" --argjson g "$(median < "$tmp/n.txt")" \
        --argjson cr "$(jq -sc . < "$tmp/c.txt")" --argjson gr "$(jq -sc . < "$tmp/n.txt")" \
        --argjson sync "$sync_median" --argjson iperf "$iperf1" \
        '{case: $case, peer: $peer, connections: $n, target_ratio: $target,
          courier_mb_s: $c, peer_mb_s: $g, ratio: (if $g > 0 then ($c / $g * 100 | round / 100) else null end),
          courier_over_iperf3: (if $iperf > 0 then ($c / ($iperf * 125) * 100 | round / 100) else null end),
          final_sync_ms_median: $sync, courier_runs: $cr, peer_runs: $gr}' >> "$tmp/files.jsonl"
done <<'CASES'
file1|get -o FILE|file1|curl -o FILE|1|1.0
nosha1|get --discard --no-digest|null1|curl -o /dev/null|1|1.0
sha1|get --discard|null1|curl -o /dev/null|1|0.7
file4|get -o FILE -c 4|file4|curl, 4 ranges to 4 files|4|1.0
CASES

fi

# --- the old system's workload --------------------------------------------------------------------------------
legacy_latency_json=null
if want legacy; then
# Expected histograms straight from the CSV files (integer thousandths, so bin edges are exact).
expected_hist="$(for r in $(seq 1 15); do
    head -n 15000 "$home/data/bimdc/$r.csv" | awk -F, -v r="$r" '
        {v = $2 * 1000; m = (v < 0) ? int(v - 0.5) : int(v + 0.5); b = int((m + 2000) / 400);
         if (m + 2000 < 0) b = 0; if (b > 9) b = 9; if (b < 0) b = 0; h[b]++}
        END {printf "\"%s\": [", r; for (i = 0; i < 10; i++) printf "%s%d", (i ? ", " : ""), h[i]; print "]"}'
done | paste -sd, | sed 's/^/{/; s/$/}/')"
: > "$tmp/legacy.txt"; : > "$tmp/legacy-wall.txt"
legacy_correct=true
for ((run = 1; run <= LEGACY_RUNS; run++)); do
    log "courier points --records 1-15 --count 15000 --connections 100, run $run of $LEGACY_RUNS"
    w0=$(now_ns)
    out="$(courier points --server "127.0.0.1:$COURIER_PORT" --records 1-15 --count 15000 --connections 100 --json)"
    w1=$(now_ns)
    jq '.seconds' <<< "$out" >> "$tmp/legacy.txt"
    awk -v ns="$((w1 - w0))" 'BEGIN {printf "%.3f\n", ns / 1e9}' >> "$tmp/legacy-wall.txt"
    ok="$(jq --argjson e "$expected_hist" '.requests == 225000 and
        ([.records | to_entries[] | .value.histogram == $e[.key] and .value.count == 15000] | all)' <<< "$out")"
    [ "$ok" = true ] || legacy_correct=false
done

# --- legacy FILE latency, one 4 KiB request in flight (bench/legacy-latency.sh) ----------------------------------
legacy_latency() { # -> JSON: p50/p99 in us, medians of 3 runs, on a server of its own
    local count=50000 seconds=10
    [ "$quick" = 1 ] && { count=20000; seconds=4; }
    COURIER_PORT=$((COURIER_PORT + 1)) LEGACY_PORT=$((COURIER_PORT + 2)) RUNS=3 COUNT=$count DURATION=$seconds \
        "$home/bench/legacy-latency.sh" 2> "$tmp/legacy-latency.err" \
        || echo '{"courier": {"p50_us": null, "p99_us": null}}'
}
log "legacy FILE latency, 4 KiB, one in flight"
legacy_latency_json="$(legacy_latency)"
fi

upload_json=null
if want files; then
# --- uploads: courier put against curl -T to nginx WebDAV, 1 connection (bench/put-vs-curl.sh) -------------------
upload_vs_curl() { # -> JSON: MB/s medians of 3 runs and the ratio, on servers of their own
    COURIER_PORT=$((COURIER_PORT + 3)) NGINX_PORT=$((NGINX_PORT + 1)) SIZE_MIB=$FILE_MIB RUNS=3 \
        "$home/bench/put-vs-curl.sh" 2> "$tmp/put-vs-curl.err" \
        || echo '{"courier_mb_s": null, "nginx_curl_mb_s": null, "ratio": null, "copies_match": false}'
}
log "uploads: courier put against curl -T to nginx (WebDAV PUT)"
upload_json="$(upload_vs_curl)"
fi

tls_json=null
if want tls; then
# --- TLS 1.3: courier get --ca against curl --cacert from nginx, 1 connection (bench/tls-vs-nginx.sh) --------------
tls_vs_nginx() { # -> JSON: MB/s medians of 3 runs and the ratios, on servers of their own
    local mib=$FILE_MIB
    [ "$mib" -gt 0 ] || mib=$([ "$quick" = 1 ] && echo 256 || echo 1024) # --only tls: no file written above
    COURIER_PORT=$((COURIER_PORT + 4)) NGINX_PORT=$((NGINX_PORT + 2)) SIZE_MIB=$mib RUNS=3 \
        "$home/bench/tls-vs-nginx.sh" 2> "$tmp/tls-vs-nginx.err" \
        || echo '{"nginx_curl_mb_s": null, "courier_tls_no_digest_mb_s": null, "ratio_no_digest": null}'
}
log "TLS 1.3: courier get --ca against curl --cacert from nginx"
tls_json="$(tls_vs_nginx)"
fi

range_json=null
if want range; then
# --- range reads and the full export against PostgreSQL (bench/range-vs-postgres.sh) -----------------------------
range_vs_postgres() { # -> JSON: the medians of 3 interleaved rounds, their ratios, and the export's
    local seconds=5 records=20
    [ "$quick" = 1 ] && { seconds=2; records=5; }
    COURIER_PORT=$((COURIER_PORT + 5)) PG_PORT=$PG_PORT EXPORT_RECORDS=$records EXPORT_SECONDS=600 \
        "$home/bench/range-vs-postgres.sh" --json 3 "$seconds" 2> "$tmp/range-vs-postgres.err" || echo null
}
log "range reads and the full export: courier bench range against PostgreSQL"
range_json="$(range_vs_postgres)"
fi

# --- report ---------------------------------------------------------------------------------------------------
touch "$tmp"/{points,redis-benchmark,files}.jsonl "$tmp"/legacy{,-wall}.txt; legacy_correct=${legacy_correct:-null} # --only
result="$(jq -n \
    --arg date "$(date -u +%Y-%m-%d)" \
    --arg machine "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(uname -sr)" \
    --arg cpu "$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)" \
    --argjson quick "$([ "$quick" = 1 ] && echo true || echo false)" \
    --argjson point_seconds "$POINT_SECONDS" --argjson warmup "$WARMUP_SECONDS" \
    --argjson file_mib "$FILE_MIB" --argjson runs "$FILE_RUNS" \
    --slurpfile points "$tmp/points.jsonl" --slurpfile rb "$tmp/redis-benchmark.jsonl" \
    --slurpfile files "$tmp/files.jsonl" --argjson files_verified "$files_verified" --arg client "${client_kind:-}" \
    --argjson iperf1 "$iperf1" --argjson iperf4 "$iperf4" \
    --argjson legacy "$(median < "$tmp/legacy.txt")" --argjson legacy_wall "$(median < "$tmp/legacy-wall.txt")" \
    --argjson legacy_runs "$(jq -sc . < "$tmp/legacy.txt")" --argjson legacy_correct "$legacy_correct" \
    --argjson legacy_latency "$legacy_latency_json" --argjson upload "$upload_json" --argjson tls "$tls_json" \
    --argjson range "$range_json" \
    --argjson elapsed "$((SECONDS - started_at))" \
    '{date: $date, machine: $machine, cpu: $cpu, quick: $quick,
      points: {seconds_per_cell: $point_seconds, warmup_seconds: $warmup, cells: $points, redis_benchmark: $rb},
      files: {size_mib: $file_mib, runs: $runs, client: $client, cases: $files, copies_match_original: $files_verified,
              iperf3_gbit_s: {streams_1: $iperf1, streams_4: $iperf4},
              iperf3_mb_s: {streams_1: ($iperf1 * 125 | round), streams_4: ($iperf4 * 125 | round)}},
      legacy: {workload: "courier points --records 1-15 --count 15000 --connections 100", requests: 225000,
               seconds_median: $legacy, seconds_runs: $legacy_runs, command_wall_seconds_median: $legacy_wall,
               histograms_match_csv: $legacy_correct},
      legacy_latency: $legacy_latency,
      upload: $upload,
      tls: $tls,
      range: $range,
      elapsed_seconds: $elapsed}')"

if [ "$json" = 1 ]; then
    echo "$result"
else
    render <<< "$result"
fi

