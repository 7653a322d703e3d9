#!/usr/bin/env bash
# One million concurrent connections on one machine, measured: bench/c1m.sh [TARGET]   (default 1000000)
#
# Creates a network namespace with its own sysctls (deep accept queues, wide ephemeral port range), starts as many
# small server JVMs as the 20,000-open-files limit per process needs, all on one port with --reuse-port, and as many
# `courier bench connections` JVMs, spread over source addresses 127.0.K.1-2. They connect together, every
# connection checked with a POINT round trip, hold for HOLD seconds (30) while samples are re-checked, then check
# every connection once more. Prints connections established and verified, time to establish, the setup rate (in
# all, per client process, per core), server heap per connection (live objects after a full GC, on a few servers),
# server RSS, kernel memory per connection (MemFree and Slab deltas), errors. The final check has a time budget
# derived from the measured setup rate (a check is one round trip on a connection already set up: it gets twice
# the setup time, at least 30 s); connections it has not asked by then are counted as unchecked, and the verified
# ones are an even sample of all. Aborts if MemFree falls under 6 GiB; the setup must end within C1M_DEADLINE_S
# (590 s), and the run's end is then moved to the hold plus the check's budget; on an abort the clients are told
# to stop checking and what they held and verified so far is summed. Kills only the processes it started and
# removes its namespace. Needs root (ip netns). Last line:
#   held=N verified=N unchecked=U errors=E establish_s=S setup_per_s=R heap_per_conn_bytes=B server_rss_mb=M
#   kernel_per_conn_bytes=K
set -euo pipefail

target=${1:-1000000}
case "$target" in ''|*[!0-9]*) echo "c1m.sh: TARGET must be a number of connections, not '$target'" >&2; exit 2 ;; esac
[ "$target" -ge 1 ] || { echo "c1m.sh: TARGET must be at least 1" >&2; exit 2; }
hold_s=${C1M_HOLD_S:-30}
per_server=${C1M_PER_SERVER:-19000}   # on average; the kernel spreads within ~2%, and a refused one is retried
per_client=${C1M_PER_CLIENT:-19500}   # at most; a JVM keeps about 40 other files open
max_per_server=19700
warmup=${C1M_WARMUP:-500}             # connections each client opens, verifies and closes before the clock starts
min_free_kib=$((6 * 1024 * 1024))
drop_below_kib=$((6 * 1024 * 1024 + 512 * 1024))   # under this much MemFree, cached dentries and inodes are dropped
deadline_s=${C1M_DEADLINE_S:-590}
heap_samples=${C1M_HEAP_SAMPLES:-3}
port=7420
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
started=$(date +%s)

servers=$(( (target + per_server - 1) / per_server ))
clients=$(( (target + per_client - 1) / per_client ))
[ "$clients" -le 250 ] || { echo "c1m.sh: at most $((250 * per_client)) connections" >&2; exit 2; }

log() { echo "c1m: $*" >&2; }
need() { command -v "$1" >/dev/null 2>&1; }
if ! need jq || ! need ip; then
    log "installing jq and iproute2 from Debian"
    apt-get update -qq >/dev/null && apt-get install -y -qq jq iproute2 >/dev/null
fi
[ "$(id -u)" -eq 0 ] || { echo "c1m.sh: needs root for ip netns" >&2; exit 2; }

java="$("$home/courier" --java)" || exit 1   # the launcher says why
jcmd="$(dirname "$java")/jcmd"
"$home/courier" --version >/dev/null   # builds on first use
jar="$home/courier-cli/target/courier.jar"

ns="${C1M_NS:-courier-c1m-$$}"   # a name of your own with C1M_NS
tmp="$(mktemp -d)"
pids=()
watchdog=""
cleanup() {
    local p
    # Nothing may interrupt the cleanup: the watchdog goes first, and a second signal is ignored. (Closing a million
    # sockets takes the kernel several seconds; an earlier version was cut short there and left its namespace.)
    trap '' INT TERM
    [ -z "$watchdog" ] || { kill -TERM "$watchdog" 2>/dev/null; wait "$watchdog" 2>/dev/null || true; }
    exec 3>&2 2>/dev/null   # bash would report "Killed" for every process
    for p in "${pids[@]}"; do kill -9 "$p" || true; done
    ip netns del "$ns" || true
    for p in "${pids[@]}"; do wait "$p" || true; done
    exec 2>&3 3>&-
    [ -z "${ehash_was:-}" ] || sysctl -q -w net.ipv4.tcp_child_ehash_entries="$ehash_was" 2>/dev/null || true
    if [ -n "${C1M_KEEP:-}" ]; then log "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'log "stopped"; exit 1' INT TERM
# The watchdog: whatever happens, the run ends. Killed with TERM, it takes its sleep along.
# Started again, with the deadline derived from the setup rate, once the connections are set up.
start_watchdog() {
    local secs=$1
    ( trap 'kill "$s" 2>/dev/null; exit 0' TERM; sleep "$secs" & s=$!; wait "$s" || exit 0
      echo "c1m: watchdog: $secs s are up; stopping" >&2; kill -TERM $$ ) &
    watchdog=$!
}
start_watchdog "$deadline_s"

mem() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }   # KiB
# Proportional set size: shared pages (the JDK, the class data archives, the jar) split among the processes that map
# them, where RSS counts them in every one of a hundred JVMs.
pss_kib() { local s=0 p r; for p in "$@"; do r=$(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0); s=$((s + ${r:-0})); done; echo "$s"; }
rss_kib() { local s=0 p r; for p in "$@"; do r=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0); s=$((s + ${r:-0})); done; echo "$s"; }
fds() { local n; n=$(ls "/proc/$1/fd" 2>/dev/null | wc -l); echo "$n"; }
live_heap() { "$jcmd" "$1" GC.class_histogram 2>/dev/null | awk '/^Total/ { print $3 }'; }   # full GC first
# Connections established in the namespace right now (each counted at both ends by ss).
established_now() { ip netns exec "$ns" ss -s 2>/dev/null | awk '/^TCP:/ { gsub(/,/, "", $4); print int($4 / 2) }'; }
# The stop file ends the clients' hold; the number in it is their final check's budget in ms. Written whole
# (renamed into place), since the clients read it as soon as it exists.
stop_clients() { echo "$1" > "$tmp/stop.tmp"; mv -f "$tmp/stop.tmp" "$tmp/stop"; }
# Sums the clients' reports (JSON lines) into held, verified, unchecked, errors, reported, first and establish_s.
sum_reports() {
    local k h v u e s f
    held=0; verified=0; unchecked=0; errors=0; reported=0; first=""; establish_s=0
    for k in $(seq "$clients"); do
        grep "^{" "$tmp/client-$k.json" 2>/dev/null | tail -n 1 > "$tmp/client-$k.report" || true
        jq -e . "$tmp/client-$k.report" >/dev/null 2>&1 || continue
        read -r h v u e s f < <(jq -r '[.held, .verified, (.unchecked // 0), .errors, .establish_s, (.first_error // "")] | @tsv' "$tmp/client-$k.report")
        held=$((held + h)); verified=$((verified + v)); unchecked=$((unchecked + u)); errors=$((errors + e))
        reported=$((reported + 1))
        # Time to establish: the slowest client's, each timed from the go file to its last connection set up.
        establish_s=$(awk -v a="$establish_s" -v b="$s" 'BEGIN { printf "%.1f", (b > a ? b : a) }')
        [ -n "$first" ] || first="$f"
    done
}
abort() {
    local n elapsed rss slab p waited
    n=$(established_now); n=${n:-0}
    log "aborting: $1; the kernel counted $n established connections at that moment"
    if [ -n "${t0:-}" ] && [ "${#client_pids[@]}" -gt 0 ]; then
        # What the clients really hold and have verified: they stop checking at once and report, within 40 s
        # (an answer in flight waits at most its 30 s timeout).
        stop_clients 0
        waited=$(( $(date +%s) + 40 ))
        for p in "${client_pids[@]}"; do
            while kill -0 "$p" 2>/dev/null && [ "$(date +%s)" -lt "$waited" ]; do sleep 0.1; done
        done
        sum_reports
        elapsed=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
        rss=$(( $(rss_kib "${server_pids[@]}") / 1024 )); slab=$(mem Slab)
        log "$reported of $clients clients reported; the others' connections are not counted"
        echo "aborted=1 held=$held verified=$verified unchecked=$unchecked errors=$errors reported=$reported/$clients" \
            "since_go_s=$elapsed kernel_established=$n server_rss_mb=$rss" \
            "kernel_per_conn_bytes=$(( n > 0 ? (slab - slab0) * 1024 / n : 0 ))"
    fi
    exit 1
}
# Something outside this script (on the machine this was written on, the sandbox's process monitor, every 3 s)
# lists /proc/PID/fd of every process, which leaves a /proc inode and dentry (about 900 bytes) cached per open
# file: 1.8 GB at a million connections, reclaimable, but MemFree does not count it free. Only near the floor is it
# dropped, as the kernel would under pressure ("echo 2 > drop_caches": dentries and inodes, nothing dirty, no page
# cache), and at most every 10 s: each drop makes the monitor's next pass build them all again, which costs CPU.
last_drop=0
drop_reclaimable() {
    local now; now=$(date +%s)
    if [ "$now" -ge $((last_drop + 10)) ]; then echo 2 > /proc/sys/vm/drop_caches; last_drop=$now; fi
}
guard() {
    local free; free=$(mem MemFree)
    if [ "$free" -lt "$drop_below_kib" ]; then drop_reclaimable; free=$(mem MemFree); fi
    if [ "$free" -lt "$min_free_kib" ]; then
        abort "MemFree is $((free / 1024)) MiB, under the 6 GiB floor"
    fi
    # Early enough that an abort's 40 s wait for the clients' reports ends before the watchdog.
    if [ $(( $(date +%s) - started )) -ge $((deadline_s - 50)) ]; then
        abort "out of time"
    fi
}

log "target $target connections: $servers servers x <= $max_per_server, $clients clients x <= $per_client, in namespace $ns"
export MALLOC_ARENA_MAX=1   # glibc: one malloc arena per JVM instead of eight per core
sync; echo 3 > /proc/sys/vm/drop_caches   # start from a clean slate: page cache, dentries and inodes
# The namespace gets a TCP hash table of its own sized for its sockets: the machine's (262,144 buckets here) would
# hold 2 million sockets in chains of 8, and looking sockets up was the first item in a profile of a full run. The
# parent's setting applies to namespaces created while it is set, so it is set for this one and put back at once.
ehash_was=$(sysctl -n net.ipv4.tcp_child_ehash_entries 2>/dev/null || echo "")
if [ -n "$ehash_was" ]; then
    buckets=262144; while [ "$buckets" -lt $((2 * target)) ] && [ "$buckets" -lt 16777216 ]; do buckets=$((buckets * 2)); done
    sysctl -q -w net.ipv4.tcp_child_ehash_entries="$buckets"
fi
ip netns add "$ns"
[ -z "$ehash_was" ] || sysctl -q -w net.ipv4.tcp_child_ehash_entries="$ehash_was"
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" sysctl -q -w net.core.somaxconn=65535 net.ipv4.tcp_max_syn_backlog=65535 \
    net.ipv4.ip_local_port_range="1024 65535" net.ipv4.tcp_tw_reuse=1 net.ipv4.tcp_fin_timeout=10 >/dev/null

# A hundred JVMs: each one's fixed cost counts a hundred times. Measured per JVM (private dirty memory after a
# warm-up): 53 MB with the flags of the first runs, about 40 with these. ArchiveRelocationMode=0 maps the class
# data archives where they were written instead of at a random address, so their pages are not rewritten
# (relocated) in every process: 12 MB each. A 6 MB young generation: the eden is touched whole, so it is kept
# small, but each young collection has a fixed cost and every new connection's objects are copied once. Pooled buffers in
# 128 KiB chunks, one arena: idle connections hold none, and the default chunks are megabytes per process. (Not
# unpooled: without sun.misc.Unsafe, which Netty does not use on JDK 25, every unpooled direct buffer is a
# ByteBuffer with a Cleaner, and a profile of a full run showed the collector's reference processing at 14%.) One malloc arena,
# trimmed every few seconds. IPv4 sockets: the kernel's TCP object is 128 bytes smaller than TCPv6's (Java opens
# dual-stack IPv6 sockets otherwise).
jvm_common=(-XX:+UseSerialGC -XX:+UseCompactObjectHeaders -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1
    -XX:ReservedCodeCacheSize=24m -XX:MaxMetaspaceSize=96m -Xss512k -XX:-UsePerfData
    -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0 -Djava.net.preferIPv4Stack=true
    -XX:TrimNativeHeapInterval=5000 -Dio.netty.allocator.type=pooled -Dio.netty.allocator.numDirectArenas=1
    -Dio.netty.allocator.numHeapArenas=1 -Dio.netty.allocator.maxOrder=4 -XX:MaxDirectMemorySize=64m
    -Dio.netty.machineId=02:00:00:00:00:00:00:01)
server_jvm=("${jvm_common[@]}" -Xms8m -Xmn6m -Xmx${C1M_SERVER_XMX:-96m})
client_jvm=("${jvm_common[@]}" -Xms8m -Xmn6m -Xmx${C1M_CLIENT_XMX:-128m})
# Three recordings of the bundled set are served and checked: less to parse in each of a hundred JVMs.
mkdir -p "$tmp/data"
cp "$home/data/bimdc/1.csv" "$home/data/bimdc/2.csv" "$home/data/bimdc/3.csv" "$tmp/data/"
# Keepalive: a server pings each connection silent for the ping interval, so a million connections cost a million
# divided by the interval pings a second: 33,000 a second at the default 30 s, more work than this 2-core machine
# does setting up connections. Held for minutes, they are pinged every 4 minutes (jittered 10%), as a server
# built for a million mostly idle clients would be configured.
server_args=(serve --bind 127.0.0.1 --port "$port" --reuse-port --max-connections "$max_per_server" --io-threads 1
    --ping-interval-ms 240000 --idle-timeout-ms 720000 --data "$tmp/data")

# Class data sharing: one short run writes an archive of the loaded classes for each side; every JVM after maps it
# read-only and shared, which saves start-up time and resident memory per process.
log "writing class data archives"
ip netns exec "$ns" "$java" "${server_jvm[@]}" -XX:ArchiveClassesAtExit="$tmp/server.jsa" -jar "$jar" \
    serve --bind 127.0.0.1 --port 7399 --reuse-port --io-threads 1 --data "$tmp/data" >"$tmp/cds-server.log" 2>&1 &
cds=$!; pids+=($cds)
for _ in $(seq 300); do grep -q serving "$tmp/cds-server.log" && break; sleep 0.1; done
ip netns exec "$ns" "$java" "${client_jvm[@]}" -XX:ArchiveClassesAtExit="$tmp/client.jsa" -jar "$jar" \
    bench connections --server 127.0.0.1:7399 --target 200 --hold 1 --recheck-every 0.5 --sample 20 \
    --source-addresses 127.0.0.1 --data "$tmp/data" --json >"$tmp/cds-client.log" 2>&1 || { log "the warm-up client failed:"; cat "$tmp/cds-client.log" >&2; exit 1; }
kill -TERM "$cds"; wait "$cds" 2>/dev/null || true
for f in server client; do
    if [ -s "$tmp/$f.jsa" ]; then eval "${f}_jvm+=(-XX:SharedArchiveFile=$tmp/$f.jsa)"; else log "no $f archive; going on without"; fi
done

log "starting $servers servers"
server_pids=()
for i in $(seq "$servers"); do
    ip netns exec "$ns" "$java" "${server_jvm[@]}" -jar "$jar" "${server_args[@]}" >"$tmp/server-$i.log" 2>&1 &
    server_pids+=($!); pids+=($!)
done
# One grep over all logs per round, not one per process: a hundred processes forked every 50 ms would take a core.
count_logs() { grep -l "$1" "$tmp"/$2-*.log 2>/dev/null | wc -l; }
all_alive() { local p; for p in "$@"; do kill -0 "$p" 2>/dev/null || return 1; done; }
until [ "$(count_logs serving server)" -ge "$servers" ]; do
    all_alive "${server_pids[@]}" || { log "a server died:"; tail -n 5 "$tmp"/server-*.log >&2; exit 1; }
    guard; sleep 0.5
done
sampled=("${server_pids[@]:0:$heap_samples}")
declare -A heap0 fds0
for p in "${sampled[@]}"; do heap0[$p]=$(live_heap "$p"); fds0[$p]=$(fds "$p"); done

log "starting $clients clients"
client_pids=()
t0=""
for k in $(seq "$clients"); do
    n=$(( target * k / clients - target * (k - 1) / clients ))   # an even share
    net=$(( k / 250 )); sub=$(( k % 250 + 1 ))
    ip netns exec "$ns" "$java" "${client_jvm[@]}" -jar "$jar" bench connections --server "127.0.0.1:$port" \
        --target "$n" --source-addresses "127.$net.$sub.1-127.$net.$sub.2" --concurrency ${C1M_CONCURRENCY:-1000} --timeout-ms 30000 \
        --warmup "$warmup" --hold 400 --recheck-every 5 --sample 200 --data "$tmp/data" --go-file "$tmp/go" --stop-file "$tmp/stop" --json \
        >"$tmp/client-$k.json" 2>"$tmp/client-$k.log" &
    client_pids+=($!); pids+=($!)
done
until [ "$(count_logs ready client)" -ge "$clients" ]; do
    all_alive "${client_pids[@]}" || { log "a client died:"; grep -h -v "^courier: ready" "$tmp"/client-*.log | head -n 20 >&2; exit 1; }
    guard; sleep 0.5
done

echo 2 > /proc/sys/vm/drop_caches   # the warm-ups' leftovers
free0=$(mem MemFree); slab0=$(mem Slab); cp /proc/slabinfo "$tmp/slabinfo0"; rss0=$(rss_kib "${server_pids[@]}" "${client_pids[@]}")
srss0=$(rss_kib "${server_pids[@]}")
log "all $((servers + clients)) JVMs up and warmed up after $(( $(date +%s) - started )) s: servers $((srss0 / 1024)) MiB RSS," \
    "clients $(( (rss0 - srss0) / 1024 )) MiB, MemFree $((free0 / 1024)) MiB; connecting"
t0=$(date +%s%N)
touch "$tmp/go"
next_report=$(( $(date +%s) + 10 ))
until [ "$(count_logs established client)" -ge "$clients" ]; do
    guard
    all_alive "${client_pids[@]}" || [ "$(count_logs established client)" -ge "$clients" ] \
        || { log "a client ended early:"; grep -h -v "^courier: ready" "$tmp"/client-*.log | head -n 20 >&2; exit 1; }
    if [ "$(date +%s)" -ge "$next_report" ]; then
        log "$(established_now) connections so far, MemFree $(( $(mem MemFree) / 1024 )) MiB"
        next_report=$(( next_report + 10 ))
    fi
    sleep 0.2
done
t1=$(date +%s%N)
setup_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
cores=$(nproc)
setup_rate=$(awk -v n="$target" -v s="$setup_s" 'BEGIN { printf "%d", n / (s > 0.1 ? s : 0.1) }')
log "every client has set up its connections (seen here after $setup_s s): $setup_rate connections/s in all," \
    "$((setup_rate / clients)) per client process, $((setup_rate / cores)) per core ($cores cores, $clients clients" \
    "and $servers servers sharing them); holding $hold_s s"
# The final check asks each connection one POINT: a round trip on a connection already set up, cheaper than its
# setup (connect, handshake, the same POINT). Twice the setup time, at least 30 s, is its budget; the run's end
# moves to the hold, that budget, and 120 s for the answers still in flight (30 s at most), the reports, an abort's
# wait and the clean-up.
check_budget_s=$(awk -v s="$setup_s" 'BEGIN { b = 2 * s; printf "%d", (b < 30 ? 30 : b) + 0.5 }')
deadline_s=$(( $(date +%s) - started + hold_s + check_budget_s + 120 ))
kill -TERM "$watchdog" 2>/dev/null; wait "$watchdog" 2>/dev/null || true
start_watchdog $(( deadline_s - ($(date +%s) - started) ))
log "final check budget $check_budget_s s; the run ends by itself within $deadline_s s of its start"

hold_end=$(( $(date +%s) + hold_s ))
sleep 2   # let the last answers' buffers go back before measuring
free1=$(mem MemFree); slab1=$(mem Slab); cp /proc/slabinfo "$tmp/slabinfo1"; rss1=$(rss_kib "${server_pids[@]}" "${client_pids[@]}")
srss1=$(rss_kib "${server_pids[@]}"); spss1=$(pss_kib "${server_pids[@]}")
heap_sum=0; conn_sum=0
for p in "${sampled[@]}"; do
    h=$(live_heap "$p"); c=$(( $(fds "$p") - fds0[$p] ))
    log "server $p: $c connections, live heap $(( h / 1024 )) KiB after a full GC (was $(( heap0[$p] / 1024 )) KiB)"
    if [ "$c" -gt 0 ]; then heap_sum=$((heap_sum + h - heap0[$p])); conn_sum=$((conn_sum + c)); fi
done
heap_per_conn=$(( conn_sum > 0 ? heap_sum / conn_sum : 0 ))
while [ "$(date +%s)" -lt "$hold_end" ]; do guard; sleep 0.5; done
stop_clients $((check_budget_s * 1000))
log "checking every connection once more, for at most $check_budget_s s"
for p in "${client_pids[@]}"; do
    while kill -0 "$p" 2>/dev/null; do guard; sleep 0.1; done
done

sum_reports
if [ "$reported" -lt "$clients" ]; then
    log "$((clients - reported)) clients printed no report:"; grep -h -v "^courier: " "$tmp"/client-*.log | head -n 20 >&2
    errors=$((errors + clients - reported))
fi
[ "$unchecked" -eq 0 ] || log "the final check ran out of its $check_budget_s s: $unchecked held connections not asked;" \
    "the $verified verified are an even sample of the $held held"
conns=$(( held > 0 ? held : 1 ))
# Kernel memory: the Slab growth (sockets, inodes, files, epoll items of both ends), less the /proc inodes that a
# process monitor outside this script leaves cached (see drop_reclaimable). The MemFree drop less our processes'
# RSS growth says about the same on a quiet machine, but other work on a shared one moves MemFree too.
slab_growth() { join <(awk 'NR > 2 { print $1, $3 * $4 }' "$tmp/slabinfo0" | sort) \
    <(awk 'NR > 2 { print $1, $3 * $4 }' "$tmp/slabinfo1" | sort) | awk '{ print $1, $3 - $2 }'; }   # bytes
proc_inodes=$(slab_growth | awk '$1 == "proc_inode_cache" { print $2 }')
slab_per_conn=$(( (slab1 - slab0) * 1024 / conns ))
kernel_per_conn=$(( ((slab1 - slab0) * 1024 - ${proc_inodes:-0}) / conns ))
memfree_per_conn=$(( ((free0 - free1) - (rss1 - rss0)) * 1024 / conns ))
server_rss_mb=$(( srss1 / 1024 ))
log "memory while holding: Slab +$(( (slab1 - slab0) / 1024 )) MiB ($slab_per_conn B per connection, $kernel_per_conn B without /proc inodes)," \
    "MemFree -$(( (free0 - free1) / 1024 )) MiB, our processes' RSS +$(( (rss1 - rss0) / 1024 )) MiB" \
    "(MemFree less RSS: $memfree_per_conn B per connection);" \
    "servers $server_rss_mb MiB RSS in all ($(( srss1 * 1024 / conns )) B per connection, $(( (srss1 - srss0) * 1024 / conns )) B of it added by the connections)," \
    "$(( spss1 / 1024 )) MiB PSS"
log "kernel memory per connection by slab cache (both ends): $(slab_growth \
    | awk -v n="$conns" '{ d = $2 / n; if (d >= 20) printf "%s %d\n", $1, d }' | sort -k2 -rn | head -n 8 \
    | awk '{ printf "%s%s %d B", (NR > 1 ? ", " : ""), $1, $2 }')"
[ -z "$first" ] || log "first error: $first"
log "the whole run took $(( $(date +%s) - started )) s"
echo "held=$held verified=$verified unchecked=$unchecked errors=$errors establish_s=$establish_s setup_per_s=$setup_rate heap_per_conn_bytes=$heap_per_conn server_rss_mb=$server_rss_mb kernel_per_conn_bytes=$kernel_per_conn"
[ "$errors" -eq 0 ] && [ "$held" -eq "$target" ] && [ $((verified + unchecked)) -eq "$held" ]
