#!/usr/bin/env bash
# Range reads, Courier against PostgreSQL 15 (issue 14's peer), with the same load engine and checks:
# `courier bench range` over 10-second ranges of one channel (2500 samples) of random records and start times, at
# c = 1 and c = 50, rounds interleaved (courier, postgres, courier, postgres, ...), medians of the rounds.
# PostgreSQL runs from a data directory made here, in this run's temporary folder, on its own port, as the
# `postgres` user when run as root, and is stopped by its PID at the end; its table is loaded by `--load` (COPY).
#
# Usage: bench/range-vs-postgres.sh [ROUNDS] [SECONDS]     (default 3 rounds of 5 s per cell)
# Ports: COURIER_PORT and PG_PORT in the environment override 17421 and 15432.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_NAME=range-vs-postgres; . "$home/bench/lib.sh"
ROUNDS=${1:-3}
SECONDS_PER_CELL=${2:-5}
COURIER_PORT=${COURIER_PORT:-17421}
PG_PORT=${PG_PORT:-15432}
pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -x "$pg_bin/postgres" ] || { log "PostgreSQL not found under /usr/lib/postgresql (apt-get install postgresql)"; exit 1; }
for port in "$COURIER_PORT" "$PG_PORT"; do
    port_free "$port" || { log "port $port on 127.0.0.1 is taken; stop what uses it"; exit 1; }
done

"$home/courier" --version >/dev/null   # builds if needed
tmp="$(mktemp -d "${TMPDIR:-/tmp}/courier-range.XXXXXX")"
pids=()
cleanup() {
    local p
    # The postmaster by its own PID: with runuser in between, $! is runuser's.
    [ -f "$tmp/pg/postmaster.pid" ] && pids+=("$(head -n 1 "$tmp/pg/postmaster.pid")")
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do
        while kill -0 "$p" 2>/dev/null; do sleep 0.1; done
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

as_pg=()
if [ "$(id -u)" = 0 ]; then
    chown postgres "$tmp"
    as_pg=(runuser -u postgres --)
fi
"${as_pg[@]}" "$pg_bin/initdb" -D "$tmp/pg" -A trust -U courier > "$tmp/initdb.log" 2>&1
"${as_pg[@]}" "$pg_bin/postgres" -D "$tmp/pg" -p "$PG_PORT" -k "$tmp" -c listen_addresses=127.0.0.1 \
    -c max_connections=200 > "$tmp/pg.log" 2>&1 &
pids+=($!)
"$home/courier" serve --bind 127.0.0.1 --port "$COURIER_PORT" > "$tmp/courier.log" 2>&1 &
pids+=($!)
wait_port "$PG_PORT"; wait_port "$COURIER_PORT"
url="jdbc:postgresql://127.0.0.1:$PG_PORT/postgres?user=courier"
log "loading the bundled data set into PostgreSQL"
"$home/courier" bench range --postgres "$url" --load -c 1 --duration 0.5 --warmup 0 --json > /dev/null

: > "$tmp/cells.jsonl"
for round in $(seq 1 "$ROUNDS"); do
    for c in 1 50; do
        for target in courier postgres; do
            if [ "$target" = courier ]; then args=(--server "127.0.0.1:$COURIER_PORT"); else args=(--postgres "$url"); fi
            line="$(timeout 120 "$home/courier" bench range "${args[@]}" -c "$c" --duration "$SECONDS_PER_CELL" \
                --span-seconds 10 --json)"
            echo "$line" | jq -c --arg t "$target" --argjson c "$c" --argjson r "$round" \
                '{round: $r, target: $t, c: $c, ranges_per_second, samples_per_second, p50_us, p99_us, errors}' \
                | tee -a "$tmp/cells.jsonl" >&2
        done
    done
done

printf '%-9s %3s %12s %14s %10s %10s\n' target c ranges/s samples/s p50_us p99_us
for c in 1 50; do
    for target in courier postgres; do
        sel() { jq -r --arg t "$target" --argjson c "$c" "select(.target == \$t and .c == \$c) | .$1" "$tmp/cells.jsonl" | median; }
        printf '%-9s %3s %12s %14s %10s %10s\n' "$target" "$c" "$(sel ranges_per_second)" \
            "$(sel samples_per_second)" "$(sel p50_us)" "$(sel p99_us)"
    done
done
