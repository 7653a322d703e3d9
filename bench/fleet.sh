#!/usr/bin/env bash
# A Courier fleet on this machine, under load, restarted node by node: bench/fleet.sh [NODES] [SECONDS]
#   (defaults: 3 nodes; load for at least 60 s, and until the restarts and the kill are done)
#
# Each node runs in a network namespace of its own (cf-<pid>-N) with its own address 10.77.N.2 on a veth pair
# (the host's end is 10.77.N.1): a host, simulated. All nodes serve one data directory and one file root (shared
# storage), with an operations port (/health, /ready) and --drain-delay. Two HAProxy 2.6 processes in the root
# namespace front the same nodes, one per configuration of deploy/haproxy/: the HTTP check (GET /ready,
# 127.0.0.1:24001) and the tcp-check (HELLO + PING, expects the PONG; 127.0.0.1:24002). While load runs through
# both, every node is restarted in turn (SIGTERM: /ready turns 503, the node serves for the drain delay, then
# drains; started again and back UP in both balancers before the next), then one node is SIGKILLed.
#
# Load: `courier bench points` in rounds of 3 s (a new process and new connections each round, alternating the two
# fronts; every answer checked against the CSV data), and downloads of a 32 MiB file with `courier get` (which
# retries and resumes by itself), each compared byte for byte with the original. Prints one line:
#   nodes=N requests=R wrong=W failed=F downloads=D corrupt=C restarts=N kills=1 max_gap_ms=G rounds=K ...
# requests/wrong/failed are summed over the rounds; max_gap_ms is the longest any one request took (bench points'
# max latency), retries through HAProxy included. Stops everything it started (trap on EXIT, INT and TERM) and
# deletes its namespaces and veths. Needs root (ip netns) and haproxy (apt-get install haproxy). Ports 24001-24003
# in the root namespace, 24420 and 24421 in the nodes'.
set -euo pipefail

nodes=${1:-3}
seconds=${2:-60}
case "$nodes" in ''|*[!0-9]*) echo "fleet.sh: NODES must be a number" >&2; exit 2 ;; esac
case "$seconds" in ''|*[!0-9]*) echo "fleet.sh: SECONDS must be a number" >&2; exit 2 ;; esac
[ "$nodes" -ge 2 ] && [ "$nodes" -le 50 ] || { echo "fleet.sh: 2 to 50 nodes" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "fleet.sh: needs root for ip netns" >&2; exit 2; }
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_NAME=fleet
. "$home/bench/lib.sh"
command -v haproxy >/dev/null || { log "installing haproxy"; apt-get install -y -qq haproxy >/dev/null; }

drain_delay_ms=${FLEET_DRAIN_DELAY_MS:-4000}
node_port=24420
ops_port=24421
front_http=24001
front_tcp=24002
tag=$$
java="$("$home/courier" --java)" || exit 1
"$home/courier" --version >/dev/null   # builds on first use
jar="$home/courier-cli/target/courier.jar"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/courier-fleet.XXXXXX")"
declare -A node_pid=()
pids=()       # haproxy, load loops: stopped at exit
started=$(date +%s)

cleanup() {
    local p i
    trap '' INT TERM
    for p in "${node_pid[@]}" "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    sleep 0.5
    for p in "${node_pid[@]}" "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    for p in "${node_pid[@]}" "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    for i in $(seq "$nodes"); do
        ip link del "cf-h$i-$tag" 2>/dev/null || true
        ip netns del "cf-$tag-$i" 2>/dev/null || true
    done
    if [ -n "${FLEET_KEEP:-}" ]; then log "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM
# Whatever happens, the run ends: load + a restart per node (at most 60 s each) + 2 minutes.
( trap 'kill "$s" 2>/dev/null; exit 0' TERM; sleep $((seconds + 60 * nodes + 120)) & s=$!; wait "$s" || exit 0
  echo "fleet: out of time; stopping" >&2; kill -TERM $$ ) &
pids+=($!)

log "building $nodes hosts: namespaces cf-$tag-N, 10.77.N.2 behind veth cf-hN-$tag"
for i in $(seq "$nodes"); do
    ns="cf-$tag-$i"
    ip netns add "$ns"
    ip link add "cf-h$i-$tag" type veth peer name "cf-p$i-$tag"
    ip link set "cf-p$i-$tag" netns "$ns"
    ip addr add "10.77.$i.1/24" dev "cf-h$i-$tag"
    ip link set "cf-h$i-$tag" up
    ip netns exec "$ns" ip link set lo up
    ip netns exec "$ns" ip link set "cf-p$i-$tag" name eth0
    ip netns exec "$ns" ip addr add "10.77.$i.2/24" dev eth0
    ip netns exec "$ns" ip link set eth0 up
    ip netns exec "$ns" ip route add default via "10.77.$i.1"
done

mkdir -p "$tmp/files" "$tmp/dl"
head -c $((32 << 20)) /dev/urandom > "$tmp/files/blob.bin"
want=$(sha256sum "$tmp/files/blob.bin" | cut -d' ' -f1)

start_node() {
    local i=$1
    ip netns exec "cf-$tag-$i" "$java" -XX:+UseCompactObjectHeaders -Xmx256m -jar "$jar" serve \
        --bind "10.77.$i.2" --port "$node_port" --insecure --metrics "10.77.$i.2:$ops_port" \
        --drain-delay "${drain_delay_ms}ms" --shutdown-grace-ms 10000 --io-threads 1 \
        --data "$home/data/bimdc" --files "$tmp/files" >>"$tmp/node-$i.log" 2>&1 &
    node_pid[$i]=$!
}
ready() { curl -s -m 1 -o /dev/null -w '%{http_code}' "http://10.77.$1.2:$ops_port/ready" 2>/dev/null | grep -q 200; }
for i in $(seq "$nodes"); do start_node "$i"; done
for i in $(seq "$nodes"); do
    for _ in $(seq 600); do ready "$i" && break; sleep 0.1; done
    ready "$i" || { log "node $i did not come up:"; tail -n 5 "$tmp/node-$i.log" >&2; exit 1; }
done

# The two balancers: each shipped configuration with this fleet's servers in place of the example ones.
haproxy_cfg() { # config check -> writes $tmp/CHECK.cfg
    local src=$1 check=$2 i
    grep -v '^    server node' "$home/deploy/haproxy/$src" > "$tmp/$check.cfg"
    for i in $(seq "$nodes"); do
        echo "    server node$i 10.77.$i.2:$node_port check$([ "$check" = http ] && echo " port $ops_port")"
    done >> "$tmp/$check.cfg"
}
haproxy_cfg courier-http-check.cfg http
haproxy_cfg courier-tcp-check.cfg tcp
for check in http tcp; do
    front=$([ "$check" = http ] && echo $front_http || echo $front_tcp)
    COURIER_FRONT="127.0.0.1:$front" COURIER_METRICS_PORT=$ops_port HAPROXY_STATS="$tmp/$check.sock" \
        haproxy -db -f "$tmp/$check.cfg" > "$tmp/haproxy-$check.log" 2>&1 &
    pids+=($!)
done
# UP in a balancer's eyes: its log says so, counted (a node comes UP again after each restart).
ups() { grep -c "courier_nodes/node$2 \(is UP\|succeeded.* UP\)" "$tmp/haproxy-$1.log" 2>/dev/null || true; }
await_up() { # node count-before-http count-before-tcp
    local n
    for n in $(seq 600); do
        [ "$(ups http "$1")" -gt "$2" ] && [ "$(ups tcp "$1")" -gt "$3" ] && return 0
        sleep 0.1
    done
    log "node $1 never came back UP in both balancers"; return 1
}
for i in $(seq "$nodes"); do await_up "$i" 0 0; done
log "$nodes nodes UP behind both balancers after $(( $(date +%s) - started )) s; load for $seconds s"

load_from=$(date +%s)
# The load loops run until the stop file appears. The points rounds: one JSON line per round in points.jsonl.
# A round (3 s) is shorter than the drain delay (4 s): connections a node had when it was told to stop end
# before it drains.
( r=0
  while [ ! -e "$tmp/stop" ]; do
      front=$([ $((r % 2)) -eq 0 ] && echo $front_http || echo $front_tcp)
      "$java" -jar "$jar" bench points --server "127.0.0.1:$front" -c 8 -P 4 --duration 3 --warmup 0 \
          --timeout-ms 10000 --json >> "$tmp/points.jsonl" 2>>"$tmp/points.err" || true
      r=$((r + 1))
  done ) &
pids+=($!)
# The downloads: each to a file of its own, compared with the original, then deleted.
( d=0
  while [ ! -e "$tmp/stop" ]; do
      front=$([ $((d % 2)) -eq 0 ] && echo $front_tcp || echo $front_http)
      out="$tmp/dl/$d"; mkdir -p "$out"
      if "$java" -jar "$jar" get --server "127.0.0.1:$front" blob.bin -o "$out" >/dev/null 2>>"$tmp/get.err"; then
          if [ "$(sha256sum "$out/blob.bin" | cut -d' ' -f1)" = "$want" ]; then echo ok; else echo corrupt; fi
      else
          echo failed
      fi >> "$tmp/downloads.txt"
      rm -rf "$out"; d=$((d + 1))
  done ) &
pids+=($!)
loads=("${pids[-2]}" "${pids[-1]}")

# Some load before the first restart: the first rounds' JVMs take a while to start on a busy machine.
until [ "$(wc -l < "$tmp/points.jsonl" 2>/dev/null || echo 0)" -ge 1 ]; do sleep 0.5; done
restarts=0
for i in $(seq "$nodes"); do
    h=$(ups http "$i"); t=$(ups tcp "$i")
    log "restarting node $i (SIGTERM, ${drain_delay_ms} ms drain delay)"
    kill -TERM "${node_pid[$i]}"; wait "${node_pid[$i]}" 2>/dev/null || true
    start_node "$i"
    await_up "$i" "$h" "$t"
    restarts=$((restarts + 1))
    sleep 2
done
log "killing node 1 (SIGKILL)"
kill -9 "${node_pid[1]}"; wait "${node_pid[1]}" 2>/dev/null || true; unset 'node_pid[1]'
kills=1
# Load after the kill too (two more rounds), and for SECONDS in all.
after=$(wc -l < "$tmp/points.jsonl")
until [ "$(wc -l < "$tmp/points.jsonl")" -ge $((after + 2)) ] && [ $(( $(date +%s) - load_from )) -ge "$seconds" ]; do
    sleep 0.5
done
touch "$tmp/stop"
for p in "${loads[@]}"; do wait "$p" 2>/dev/null || true; done

sum() { jq -s "map(.$1) | add // 0" "$tmp/points.jsonl"; }
requests=$(sum requests); wrong=$(sum wrong); failed=$(sum failed)
max_gap_ms=$(jq -s 'map(.max_us) | max // 0 | . / 1000 | floor' "$tmp/points.jsonl")
rounds=$(wc -l < "$tmp/points.jsonl")
downloads=$(grep -c . "$tmp/downloads.txt" || true)
corrupt=$(grep -c corrupt "$tmp/downloads.txt" || true)
dl_failed=$(grep -c failed "$tmp/downloads.txt" || true)
first=$(jq -r 'select(.first_error != null) | .first_error' "$tmp/points.jsonl" | head -n 1)
[ -z "$first" ] || log "first failed request: $first"
[ "$dl_failed" -eq 0 ] || { log "failed downloads:"; tail -n 5 "$tmp/get.err" >&2; }
echo "nodes=$nodes requests=$requests wrong=$wrong failed=$failed downloads=$downloads corrupt=$corrupt" \
    "downloads_failed=$dl_failed restarts=$restarts kills=$kills max_gap_ms=$max_gap_ms rounds=$rounds" \
    "checks=http,tcp seconds=$(( $(date +%s) - started ))"
[ "$wrong" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$corrupt" -eq 0 ] && [ "$dl_failed" -eq 0 ]
