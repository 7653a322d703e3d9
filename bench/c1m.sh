#!/usr/bin/env bash
# One million concurrent connections on one machine, measured: bench/c1m.sh [TARGET]   (default 1000000)
#
# Creates a network namespace with its own sysctls (deep accept queues, wide ephemeral port range), starts as many
# small server JVMs as the 20,000-open-files limit per process needs, all on one port with --reuse-port, and as many
# `courier bench connections` JVMs, spread over source addresses 127.0.K.1-2. They connect together, every
# connection checked with a POINT round trip, hold for HOLD seconds (30) while samples are re-checked, then check
# every connection once more. Prints connections established and verified, time to establish, server heap per
# connection (live objects after a full GC, on a few servers), server RSS, kernel memory per connection (MemFree
# and Slab deltas), errors. Aborts if MemFree falls under 6 GiB; ends by itself within 10 minutes; kills only the
# processes it started and removes its namespace. Needs root (ip netns). Last line:
#   held=N verified=N errors=E establish_s=S heap_per_conn_bytes=B server_rss_mb=M kernel_per_conn_bytes=K
set -euo pipefail

target=${1:-1000000}
case "$target" in ''|*[!0-9]*) echo "c1m.sh: TARGET must be a number of connections, not '$target'" >&2; exit 2 ;; esac
[ "$target" -ge 1 ] || { echo "c1m.sh: TARGET must be at least 1" >&2; exit 2; }
hold_s=${C1M_HOLD_S:-30}
per_server=${C1M_PER_SERVER:-18000}   # the kernel spreads within ~2%: stays well under 20,000 files
per_client=${C1M_PER_CLIENT:-19000}
max_per_server=19500
min_free_kib=$((6 * 1024 * 1024))
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

java_major() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p'; }
find_java() {
    local c v
    for c in "${JAVA_HOME:-/nonexistent}/bin/java" /usr/lib/jvm/*/bin/java "$(command -v java || true)"; do
        [ -x "$c" ] || continue
        v="$(java_major "$c")"
        if [ -n "$v" ] && [ "$v" -ge 25 ]; then echo "$c"; return 0; fi
    done
    return 1
}
java="$(find_java)" || { echo "c1m.sh: no JDK 25 or newer found" >&2; exit 1; }
jcmd="$(dirname "$java")/jcmd"
"$home/courier" --version >/dev/null   # builds on first use
jar="$home/courier-cli/target/courier.jar"

ns="courier-c1m-$$"
tmp="$(mktemp -d)"
pids=()
watchdog=""
cleanup() {
    local p
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    [ -z "$watchdog" ] || { kill -TERM "$watchdog" 2>/dev/null; wait "$watchdog" 2>/dev/null || true; }
    ip netns del "$ns" 2>/dev/null || true
    if [ -n "${C1M_KEEP:-}" ]; then log "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'log "stopped"; exit 1' INT TERM
# The watchdog: whatever happens, the run ends. Killed with TERM, it takes its sleep along.
( trap 'kill "$s" 2>/dev/null; exit 0' TERM; sleep "$deadline_s" & s=$!; wait "$s" || exit 0
  echo "c1m: watchdog: $deadline_s s are up; stopping" >&2; kill -TERM $$ ) &
watchdog=$!

mem() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }   # KiB
rss_kib() { local s=0 p r; for p in "$@"; do r=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0); s=$((s + ${r:-0})); done; echo "$s"; }
fds() { local n; n=$(ls "/proc/$1/fd" 2>/dev/null | wc -l); echo "$n"; }
live_heap() { "$jcmd" "$1" GC.class_histogram 2>/dev/null | awk '/^Total/ { print $3 }'; }   # full GC first
# Connections established in the namespace right now (each counted at both ends by ss).
established_now() { ip netns exec "$ns" ss -s 2>/dev/null | awk '/^TCP:/ { gsub(/,/, "", $4); print int($4 / 2) }'; }
abort() {
    local n elapsed rss slab
    n=$(established_now); n=${n:-0}
    log "aborting: $1; $n connections were established at that moment"
    if [ -n "${t0:-}" ]; then
        elapsed=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
        rss=$(( $(rss_kib "${server_pids[@]}") / 1024 )); slab=$(mem Slab)
        echo "held=$n verified=0 errors=$((target - n)) establish_s=$elapsed heap_per_conn_bytes=0" \
            "server_rss_mb=$rss kernel_per_conn_bytes=$(( n > 0 ? (slab - slab0) * 1024 / n : 0 ))"
    fi
    exit 1
}
guard() {
    local free; free=$(mem MemFree)
    if [ "$free" -lt "$min_free_kib" ]; then
        abort "MemFree is $((free / 1024)) MiB, under the 6 GiB floor"
    fi
    if [ $(( $(date +%s) - started )) -ge $((deadline_s - 20)) ]; then
        abort "out of time"
    fi
}

log "target $target connections: $servers servers x <= $max_per_server, $clients clients x <= $per_client, in namespace $ns"
export MALLOC_ARENA_MAX=2   # glibc: two malloc arenas per JVM instead of eight per core
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" sysctl -q -w net.core.somaxconn=65535 net.ipv4.tcp_max_syn_backlog=65535 \
    net.ipv4.ip_local_port_range="1024 65535" net.ipv4.tcp_tw_reuse=1 net.ipv4.tcp_fin_timeout=10 >/dev/null

jvm_common=(-XX:+UseSerialGC -XX:+UseCompactObjectHeaders -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1
    -XX:ReservedCodeCacheSize=24m -XX:MaxMetaspaceSize=96m -Xss512k -XX:-UsePerfData
    -Dio.netty.allocator.numDirectArenas=1 -Dio.netty.allocator.numHeapArenas=1 -XX:MaxDirectMemorySize=64m -Dio.netty.machineId=02:00:00:00:00:00:00:01)
server_jvm=("${jvm_common[@]}" -Xms16m -Xmn8m -Xmx${C1M_SERVER_XMX:-96m})
client_jvm=("${jvm_common[@]}" -Xms16m -Xmn8m -Xmx${C1M_CLIENT_XMX:-128m})
# Three recordings of the bundled set are served and checked: less to parse in each of a hundred JVMs.
mkdir -p "$tmp/data"
cp "$home/data/bimdc/1.csv" "$home/data/bimdc/2.csv" "$home/data/bimdc/3.csv" "$tmp/data/"
server_args=(serve --bind 127.0.0.1 --port "$port" --reuse-port --max-connections "$max_per_server" --io-threads 1
    --data "$tmp/data")

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
for i in $(seq "$servers"); do
    until grep -q "serving" "$tmp/server-$i.log"; do
        kill -0 "${server_pids[$((i - 1))]}" 2>/dev/null || { log "server $i died:"; cat "$tmp/server-$i.log" >&2; exit 1; }
        guard; sleep 0.1
    done
done
sampled=("${server_pids[@]:0:$heap_samples}")
declare -A heap0 fds0
for p in "${sampled[@]}"; do heap0[$p]=$(live_heap "$p"); fds0[$p]=$(fds "$p"); done

log "starting $clients clients"
client_pids=()
left=$target
for k in $(seq "$clients"); do
    n=$(( left < per_client ? left : per_client )); left=$((left - n))
    net=$(( k / 250 )); sub=$(( k % 250 + 1 ))
    ip netns exec "$ns" "$java" "${client_jvm[@]}" -jar "$jar" bench connections --server "127.0.0.1:$port" \
        --target "$n" --source-addresses "127.$net.$sub.1-127.$net.$sub.2" --concurrency 500 --timeout-ms 20000 \
        --hold 400 --recheck-every 5 --sample 200 --data "$tmp/data" --go-file "$tmp/go" --stop-file "$tmp/stop" --json \
        >"$tmp/client-$k.json" 2>"$tmp/client-$k.log" &
    client_pids+=($!); pids+=($!)
done
for k in $(seq "$clients"); do
    until grep -q "ready" "$tmp/client-$k.log"; do
        kill -0 "${client_pids[$((k - 1))]}" 2>/dev/null || { log "client $k died:"; cat "$tmp/client-$k.log" >&2; exit 1; }
        guard; sleep 0.1
    done
done

free0=$(mem MemFree); slab0=$(mem Slab); rss0=$(rss_kib "${server_pids[@]}" "${client_pids[@]}")
srss0=$(rss_kib "${server_pids[@]}")
log "all $((servers + clients)) JVMs up after $(( $(date +%s) - started )) s: servers $((srss0 / 1024)) MiB RSS," \
    "clients $(( (rss0 - srss0) / 1024 )) MiB, MemFree $((free0 / 1024)) MiB; connecting"
t0=$(date +%s%N)
touch "$tmp/go"
done_clients=0
while [ "$done_clients" -lt "$clients" ]; do
    guard
    done_clients=0
    for k in $(seq "$clients"); do
        if grep -q "established" "$tmp/client-$k.log"; then
            done_clients=$((done_clients + 1))
        elif ! kill -0 "${client_pids[$((k - 1))]}" 2>/dev/null; then
            log "client $k ended early:"; cat "$tmp/client-$k.log" >&2; exit 1
        fi
    done
    sleep 0.05
done
t1=$(date +%s%N)
establish_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
log "every client has set up its connections after $establish_s s; holding $hold_s s"

hold_end=$(( $(date +%s) + hold_s ))
sleep 2   # let the last answers' buffers go back before measuring
free1=$(mem MemFree); slab1=$(mem Slab); rss1=$(rss_kib "${server_pids[@]}" "${client_pids[@]}")
srss1=$(rss_kib "${server_pids[@]}")
heap_sum=0; conn_sum=0
for p in "${sampled[@]}"; do
    h=$(live_heap "$p"); c=$(( $(fds "$p") - fds0[$p] ))
    log "server $p: $c connections, live heap $(( h / 1024 )) KiB after a full GC (was $(( heap0[$p] / 1024 )) KiB)"
    if [ "$c" -gt 0 ]; then heap_sum=$((heap_sum + h - heap0[$p])); conn_sum=$((conn_sum + c)); fi
done
heap_per_conn=$(( conn_sum > 0 ? heap_sum / conn_sum : 0 ))
while [ "$(date +%s)" -lt "$hold_end" ]; do guard; sleep 0.5; done
touch "$tmp/stop"
log "checking every connection once more"
for p in "${client_pids[@]}"; do
    while kill -0 "$p" 2>/dev/null; do guard; sleep 0.1; done
done

held=0; verified=0; errors=0; first=""
for k in $(seq "$clients"); do
    grep "^{" "$tmp/client-$k.json" | tail -n 1 > "$tmp/client-$k.report" || true
    if ! jq -e . "$tmp/client-$k.report" >/dev/null 2>&1; then
        log "client $k printed no report:"; cat "$tmp/client-$k.log" >&2; errors=$((errors + 1)); continue
    fi
    read -r h v e f < <(jq -r '[.held, .verified, .errors, (.first_error // "")] | @tsv' "$tmp/client-$k.report")
    held=$((held + h)); verified=$((verified + v)); errors=$((errors + e))
    [ -n "$first" ] || first="$f"
done
[ "$held" -ge "$verified" ] || true
conns=$(( held > 0 ? held : 1 ))
# Kernel memory: the Slab growth (sockets, inodes, files, epoll items of both ends). The MemFree drop less our
# processes' RSS growth says the same on a quiet machine, but other work on a shared one moves MemFree too.
slab_per_conn=$(( (slab1 - slab0) * 1024 / conns ))
kernel_per_conn=$slab_per_conn
memfree_per_conn=$(( ((free0 - free1) - (rss1 - rss0)) * 1024 / conns ))
server_rss_mb=$(( srss1 / 1024 ))
log "memory while holding: Slab +$(( (slab1 - slab0) / 1024 )) MiB ($slab_per_conn B per connection)," \
    "MemFree -$(( (free0 - free1) / 1024 )) MiB, our processes' RSS +$(( (rss1 - rss0) / 1024 )) MiB" \
    "(MemFree less RSS: $memfree_per_conn B per connection);" \
    "servers $server_rss_mb MiB RSS in all ($(( srss1 * 1024 / conns )) B per connection, $(( (srss1 - srss0) * 1024 / conns )) B of it added by the connections)"
[ -z "$first" ] || log "first error: $first"
echo "held=$held verified=$verified errors=$errors establish_s=$establish_s heap_per_conn_bytes=$heap_per_conn server_rss_mb=$server_rss_mb kernel_per_conn_bytes=$kernel_per_conn"
[ "$errors" -eq 0 ] && [ "$verified" -eq "$target" ]
