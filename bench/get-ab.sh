#!/usr/bin/env bash
# A/B of one `courier get` case against an older build's client, with curl from nginx (sendfile) in the same rounds:
# each round runs this tree's client and the other's, in alternating order, then curl, all against one server (this
# tree's) and one nginx serving the same file from the page cache. MB/s is each tool's own clock (courier's summary
# line, curl's speed_download); CPU is the whole client process's user + system seconds (/usr/bin/time), start-up
# included. Prints every run, then the medians and the ratios after / before, after / curl and before / curl.
#
# Usage: bench/get-ab.sh BEFORE_TREE [ROUNDS [GET_ARGS...]]   (defaults 3 and --discard --no-digest -c 1)
#   BEFORE_TREE: a worktree of the older build, built (its courier-cli/target/courier.jar exists), e.g.
#   git worktree add /tmp/files-before main && (cd /tmp/files-before && mvn -o -q -DskipTests package -pl courier-cli -am)
#   GET_ARGS with -o: give it as `-o FILE` exactly; each copy is deleted after its run, and curl writes to a file too.
# Ports: COURIER_PORT (default 26360), NGINX_PORT (default 26370). FILE_MIB: the file's size (default 1024).
set -euo pipefail

home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_NAME=get-ab; . "$home/bench/lib.sh"
before="${1:?usage: bench/get-ab.sh BEFORE_TREE [ROUNDS [GET_ARGS...]]}"
rounds="${2:-3}"
shift $(($# >= 2 ? 2 : 1))
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(--discard --no-digest -c 1)
COURIER_PORT=${COURIER_PORT:-26360}; NGINX_PORT=${NGINX_PORT:-26370}; FILE_MIB=${FILE_MIB:-1024}
[ -f "$before/courier-cli/target/courier.jar" ] || { log "$before has no built courier-cli/target/courier.jar"; exit 2; }

tmp="$(mktemp -d)"; pids=()
trap 'stop_pids "${pids[@]}"; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/files" "$tmp/out"
head -c "$((FILE_MIB << 20))" /dev/urandom > "$tmp/files/big.bin"
cat "$tmp/files/big.bin" > /dev/null
"$home/courier" serve --bind 127.0.0.1 --port "$COURIER_PORT" --files "$tmp/files" > "$tmp/courier.log" 2>&1 &
pids+=($!)
nginx_files_conf "$tmp/nginx" "$tmp/files" "127.0.0.1:$NGINX_PORT"
nginx_start "$tmp/nginx"
pids+=($!)
wait_port "$COURIER_PORT"; wait_port "$NGINX_PORT"

peer_out=/dev/null
for ((i = 0; i < ${#args[@]}; i++)); do
    if [ "${args[$i]}" = -o ]; then args[$((i + 1))]="$tmp/out/big.courier"; peer_out="$tmp/out/big.curl"; fi
done
courier_run() { # side -> "MB/s cpu-seconds"
    local launcher=$1 mbps
    /usr/bin/time -o "$tmp/cpu.txt" -f '%U %S' "$launcher" get --server "127.0.0.1:$COURIER_PORT" big.bin \
        --no-resume "${args[@]}" > "$tmp/get.txt" 2> "$tmp/get.err" || log "get failed: $(tail -n 1 "$tmp/get.err")"
    mbps="$(sed -n 's/.*(\([0-9.]*\) MB\/s.*/\1/p' "$tmp/get.txt")"
    rm -f "$tmp/out"/big.courier*
    echo "${mbps:-0} $(awk 'END {printf "%.2f", $1 + $2}' "$tmp/cpu.txt")"
}
# One unmeasured get first: the server computes and caches the file's CRC32Cs on its first stream of it, which
# would otherwise fall on whichever client goes first.
courier_run "$home/courier" > /dev/null
: > "$tmp/runs.txt"
log "case: get ${args[*]}; $rounds rounds; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 1; r <= rounds; r++)); do
    if [ $((r % 2)) -eq 1 ]; then order=(after before); else order=(before after); fi
    for side in "${order[@]}"; do
        if [ "$side" = after ]; then launcher="$home/courier"; else launcher="$before/courier"; fi
        read -r mbps cpu <<< "$(courier_run "$launcher")"
        echo "$side $r $mbps $cpu" | tee -a "$tmp/runs.txt"
    done
    mbps="$(curl -sS -o "$peer_out" -w '%{speed_download}' "http://127.0.0.1:$NGINX_PORT/big.bin" \
        | awk '{printf "%.1f", $1 / 1e6}')"
    rm -f "$tmp/out"/big.curl
    echo "curl $r $mbps -" | tee -a "$tmp/runs.txt"
done
med() { awk -v s="$1" -v f="$2" '$1 == s {print $f}' "$tmp/runs.txt" | median; }
a=$(med after 3); b=$(med before 3); c=$(med curl 3)
echo "medians over $rounds rounds (load average now: $(cut -d' ' -f1-3 /proc/loadavg)):"
echo "  after $a MB/s (client CPU $(med after 4) s), before $b MB/s (client CPU $(med before 4) s), curl $c MB/s"
awk -v a="$a" -v b="$b" -v c="$c" 'BEGIN {printf "  after/before %.2f  after/curl %.2f  before/curl %.2f\n",
    a / b, a / c, b / c}'
