# Shared by the scripts under bench/: logging, ports, medians, clocks and nginx's config. Sourced, not run:
#   BENCH_NAME=compare; . "$home/bench/lib.sh"
# Everything here is a plain function of its arguments; no function starts or stops a process by itself, except
# nginx_start and live_server_start, which start nginx or a live server in the background so that the caller's $! is
# its PID, and stop_pids, which stops the caller's pids.

log() { echo "${BENCH_NAME:-bench}: $*" >&2; }
need() { command -v "$1" >/dev/null 2>&1; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() { # port -> returns once something listens on 127.0.0.1:port, or fails after 10 s
    local i
    for i in $(seq 1 200); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.05
    done
    log "nothing listens on port $1${tmp:+; see the logs in $tmp}"; return 1
}

# The median of the numbers on stdin, one per line (0 when there are none).
median() { sort -g | awk '{a[NR] = $1} END {if (NR == 0) print 0; else if (NR % 2) print a[(NR + 1) / 2];
    else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
now_ns() { date +%s%N; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # user + system clock ticks of a process

# nginx_conf DIR MAIN HTTP: writes DIR/nginx.conf for an nginx that runs in the foreground from DIR (pid file, logs
# and every temp path under it, no access log), with MAIN added at the top level and HTTP inside the http block
# (its server blocks and any other directives). Makes DIR/logs and DIR/tmp.
nginx_conf() {
    local dir=$1 main=$2 http=$3
    mkdir -p "$dir/logs" "$dir/tmp"
    cat > "$dir/nginx.conf" <<CONF
daemon off;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
$main
http {
    access_log off;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
$http
}
CONF
}
# nginx_files_conf DIR ROOT LISTEN [SERVER]: nginx_conf for the file peer of the get cells: ROOT served on LISTEN
# (for example "127.0.0.1:8080", or "127.0.0.1:8443 ssl") with sendfile, as one would set nginx up for downloads;
# SERVER: more directives of the server block (the certificate and key of a TLS cell).
nginx_files_conf() {
    local dir=$1 root=$2 listen=$3 server=${4:-}
    nginx_conf "$dir" "worker_processes auto;
user root;
events { worker_connections 1024; }" "    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    types { application/octet-stream bin; }
    server {
        listen $listen;
$server
        root $root;
    }"
}
nginx_start() { nginx -p "$1" -c "$1/nginx.conf" -e "$1/logs/error.log" & } # DIR; the caller's $! is nginx

# live_server_start LAUNCHER PORT DIR: `serve --live` from LAUNCHER on PORT, its records in DIR/live and its output
# in DIR/serve.log, with 64 KiB subscriber queues (so that a subscriber that never reads is dropped within a run),
# in the background so that the caller's $! is the server; then wait_serving DIR/serve.log.
live_server_start() {
    "$1" serve --port "$2" --live --live-dir "$3/live" --live-subscriber-queue-bytes 65536 >"$3/serve.log" 2>&1 &
}
# wait_serving LOG: returns once the server writing LOG says it serves; after 30 s prints LOG and fails.
wait_serving() {
    local i
    for i in $(seq 1 300); do
        grep -q "courier: serving" "$1" && return 0
        sleep 0.1
    done
    cat "$1" >&2; return 1
}

# Stops every process in the caller's pids array (TERM, then waits for each), as the scripts' exit traps do.
stop_pids() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}

# bench_start NAME [MINUTES]: what every A/B script does first. Sets java (the launcher's JDK), jar (this checkout's
# CLI, built on first use), tmp (a fresh folder, removed at exit) and pids (stopped at exit by stop_pids), and, with
# MINUTES, starts a watchdog that ends the script after that long whatever it is doing.
bench_start() {
    local name=$1 minutes=${2:-}
    java="$("$home/courier" --java)" || exit 1   # the launcher says why
    "$home/courier" --version >/dev/null         # builds on first use
    jar="$home/courier-cli/target/courier.jar"
    tmp="$(mktemp -d "${TMPDIR:-/tmp}/courier-$name.XXXXXX")"
    pids=()
    trap 'stop_pids; rm -rf "$tmp"' EXIT
    trap 'log "interrupted"; exit 130' INT TERM
    if [ -n "$minutes" ]; then
        ( trap 'kill "$s" 2>/dev/null; exit 0' TERM
          sleep "$((minutes * 60))" & s=$!
          wait "$s"
          echo "$name: $minutes minutes are up; stopping" >&2
          kill -TERM $$ ) &
        pids+=($!)
    fi
}

# parse_before_option HELP_LINES "$@": the arguments of the A/B scripts. --before DIR sets before to DIR's absolute
# path (empty without it); -h/--help prints lines HELP_LINES (sed's "2,13" form) of the script's header comment.
# Anything else exits 2.
parse_before_option() {
    local help=$1 arg
    shift
    before=""
    while [ $# -gt 0 ]; do
        arg=$1; shift
        case "$arg" in
            --before) [ $# -gt 0 ] || { log "--before needs a directory"; exit 2; }
                      before="$(cd "$1" && pwd)"; shift ;;
            -h|--help) sed -n "${help}p" "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
            *) log "unknown argument '$arg' (try --help)"; exit 2 ;;
        esac
    done
}

# test_ca DIR: with openssl, a CA (DIR/ca.pem) and a server certificate it signs for 127.0.0.1 and localhost
# (DIR/server.pem, key DIR/server.key, PKCS#8), EC P-256, as docs/security.md makes them. Quiet; fails loudly.
test_ca() {
    local dir=$1
    mkdir -p "$dir"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/CN=Courier bench CA" \
        -addext basicConstraints=critical,CA:true -addext keyUsage=critical,keyCertSign,cRLSign \
        -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
        -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
    printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "extendedKeyUsage=serverAuth" \
        "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" > "$dir/server.ext"
    openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 30 \
        -extfile "$dir/server.ext" -out "$dir/server.pem" 2>/dev/null
}

# client_start HOME: sets the array client to the command that runs a measured courier client (get), and
# client_kind to what it is. COURIER_CLIENT=dist (the default) is the distribution as installed: courier-dist's
# bin/courier with its ahead-of-time cache and launcher options, built here (the AOT training takes a few minutes)
# when it is missing or older than the CLI's jar; COURIER_CLIENT=jar is `java -jar courier-cli/target/courier.jar`
# with the development launcher's options (./courier). Process start is outside every figure either way: the
# scripts take each tool's own clock. Why the distribution: the client is a fresh JVM per download, and its JIT
# warm-up runs inside a one- or two-second transfer (docs/benchmarks.md, "Downloads and the client's warm-up").
client_start() {
    local home=$1 dist
    client_kind=${COURIER_CLIENT:-dist}
    case "$client_kind" in
        dist)
            dist="$(ls -d "$home"/courier-dist/target/courier-*/ 2>/dev/null | grep -v '\.tar' | head -n 1)"
            if [ -z "$dist" ] || [ ! -f "$dist/lib/courier.aot" ] \
                || [ "$home/courier-cli/target/courier.jar" -nt "$dist/lib/courier.aot" ]; then
                log "building the distribution for the client (COURIER_CLIENT=jar measures the jar instead)"
                (cd "$home" && mvn -o -q -B -DskipTests package -pl courier-dist -am) >&2
                dist="$(ls -d "$home"/courier-dist/target/courier-*/ | grep -v '\.tar' | head -n 1)"
            fi
            client=("${dist%/}/bin/courier") ;;
        jar)
            client=("$home/courier") ;;
        *) log "COURIER_CLIENT is dist or jar, not '$client_kind'"; exit 2 ;;
    esac
}
