#!/usr/bin/env bash
# A chaos soak: a Courier server, several client processes doing verified points and downloads, and a fault every
# few seconds. Prints the fraction of operations that succeeded within their deadline, the wrong answers and corrupt
# files (both must be zero), and how long the clients took to recover after each fault.
#
# Usage: bench/chaos.sh [SECONDS] [--json]     (default 120 s; ends by itself, stops everything it started)
#
# Faults, in turn: every connection to the server reset with `ss -K`; the server killed with SIGKILL and started
# again on the same port; the server stopped with SIGTERM (graceful) and started again. Runs on 127.0.0.1 only.
set -euo pipefail

duration=120
json=0
for arg in "$@"; do
    case "$arg" in
        --json) json=1 ;;
        -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *[!0-9]*) echo "chaos.sh: unknown argument '$arg'" >&2; exit 2 ;;
        *) duration=$arg ;;
    esac
done
clients=${CHAOS_CLIENTS:-3}
port=${CHAOS_PORT:-17521}
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need jq || ! need ss; then
    echo "chaos.sh: installing jq and iproute2 from Debian" >&2
    apt-get update -qq >/dev/null && apt-get install -y -qq jq iproute2 >/dev/null
fi

tmp="$(mktemp -d)"
pids=()
server_pid=""
cleanup() {
    for p in "${pids[@]}" $server_pid; do kill -9 "$p" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT
# A watchdog: whatever happens, the run ends.
( sleep $((duration + 120)); echo "chaos.sh: watchdog fired" >&2; kill -TERM $$ ) 2>/dev/null &
disown
pids+=($!)

"$home/courier" --version >/dev/null   # builds on first use
mkdir -p "$tmp/files"
cp "$home"/data/bimdc/*.csv "$tmp/files/"
head -c $((48 << 20)) /dev/urandom > "$tmp/files/random-48m.bin"
: > "$tmp/faults.log"

start_server() {
    "$home/courier" serve --port "$port" --files "$tmp/files" --shutdown-grace-ms 2000 \
        >>"$tmp/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 200); do
        ss -ltn "sport = :$port" | grep -q LISTEN && return 0
        sleep 0.05
    done
    echo "chaos.sh: the server did not start" >&2; cat "$tmp/server.log" >&2; exit 1
}
now_ms() { date +%s%3N; }

start_server
for i in $(seq "$clients"); do
    "$home/courier" soak --server "127.0.0.1:$port" --duration "$duration" --files "$tmp/files" \
        --faults "$tmp/faults.log" --deadline-ms 10000 --seed "$i" >"$tmp/client-$i.json" 2>"$tmp/client-$i.err" &
    pids+=($!)
done
client_pids=("${pids[@]:1}")

end=$(( $(date +%s) + duration - 5 ))
kinds=(reset kill term)
n=0
sleep 5
while [ "$(date +%s)" -lt "$end" ]; do
    kind=${kinds[$((n % 3))]}
    echo "$(now_ms) $kind" >> "$tmp/faults.log"
    case "$kind" in
        reset) ss -K "sport = :$port" >/dev/null 2>&1 || true ;;
        kill)  kill -9 "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; start_server ;;
        term)  kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; start_server ;;
    esac
    echo "chaos.sh: fault $((n + 1)): $kind" >&2
    n=$((n + 1))
    sleep $((4 + RANDOM % 4))
done

for p in "${client_pids[@]}"; do wait "$p" || true; done
kill -TERM "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
server_pid=""

result=$(jq -s --argjson duration "$duration" --argjson clients "$clients" '
  def sum(f): map(f) | add // 0;
  def median: sort | if length == 0 then null else .[(length / 2 | floor)] end;
  (sum(.points_ok) + sum(.downloads_ok)) as $ok
  | (sum(.points_failed) + sum(.downloads_failed)) as $failed
  | {duration_s: $duration, clients: $clients,
     operations: ($ok + $failed + sum(.points_wrong) + sum(.downloads_corrupt)),
     succeeded_within_deadline: (if ($ok + $failed) == 0 then null else ($ok / ($ok + $failed + sum(.points_wrong) + sum(.downloads_corrupt))) end),
     points_ok: sum(.points_ok), points_failed: sum(.points_failed), wrong_answers: sum(.points_wrong),
     downloads_ok: sum(.downloads_ok), downloads_failed: sum(.downloads_failed), corrupt_files: sum(.downloads_corrupt),
     faults: ([.[].faults[]] | group_by(.at_ms) | map({at_ms: .[0].at_ms, kind: .[0].kind,
               recovered_ms: (map(.recovered_ms) | if any(. == null) then null else max end)})),
    }
  | .recovery_ms_median_by_kind = (.faults | group_by(.kind) | map({key: .[0].kind, value: (map(.recovered_ms) | map(select(. != null)) | median)}) | from_entries)
  | .recovery_ms_max = (.faults | map(.recovered_ms) | map(select(. != null)) | max)
' "$tmp"/client-*.json)

if [ "$json" = 1 ]; then
    echo "$result"
else
    echo "$result" | jq -r '
      "chaos: \(.duration_s) s, \(.clients) client processes, \(.faults | length) faults",
      "operations: \(.operations), succeeded within their deadline: \((.succeeded_within_deadline * 10000 | round) / 100)%",
      "points: \(.points_ok) ok, \(.points_failed) failed after their deadline, \(.wrong_answers) wrong answers",
      "downloads: \(.downloads_ok) ok and verified, \(.downloads_failed) failed, \(.corrupt_files) corrupt files",
      "recovery after a fault (ms): median by kind \(.recovery_ms_median_by_kind), worst \(.recovery_ms_max)",
      (.faults[] | "  \(.kind): recovered in \(.recovered_ms) ms")'
fi
wrong=$(echo "$result" | jq '.wrong_answers + .corrupt_files')
[ "$wrong" = 0 ]
