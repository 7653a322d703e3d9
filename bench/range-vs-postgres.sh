#!/usr/bin/env bash
# Range reads, Courier against PostgreSQL 15 (issue 14's peer), with the same load engine and checks:
# `courier bench range` over 10-second ranges of one channel (2500 samples) of random records and start times, at
# c = 1 and c = 50, rounds interleaved (courier, postgres, courier, postgres, ...), medians of the rounds.
# PostgreSQL runs from a data directory made here, in this run's temporary folder, on its own port, as the
# `postgres` user when run as root, and is stopped by its PID at the end; its table is loaded by `--load` (COPY).
#
# Then the full export: `gen-data --records EXPORT_RECORDS --seconds EXPORT_SECONDS` (both channels) loaded into the
# same table and served by a second Courier (COURIER_PORT + 1), read whole by `courier bench range --export` (every
# record streamed in binary and decoded) against `COPY samples TO STDOUT (FORMAT binary)` (CopyManager, in the same
# JVM tool, bytes dropped) and `psql -c "COPY ..." > /dev/null`, rounds interleaved, samples/s medians.
#
# Usage: bench/range-vs-postgres.sh [--json] [ROUNDS] [SECONDS]     (default 3 rounds of 5 s per cell)
#   --json   one JSON object on stdout (cells, medians, ratios, export) instead of the table; bench/compare.sh uses it
# Ports: COURIER_PORT and PG_PORT in the environment override 17421 and 15432.
# WARMUP_PASS_SECONDS (default 3): one unmeasured pass per target before the rounds; WARMUP_SECONDS (default 2):
#   each cell's own warm-up, the same for every target.
# EXPORT_RECORDS (default 100; 0 leaves the export out) and EXPORT_SECONDS (default 600): the export's data set.
# EXPORT_CONNECTIONS (default 2): the connections (lanes) Courier's export spreads its records over. Each round has
#   two export cells per target, each a fresh client JVM: "cold", one pass and nothing before it (`--warmup 0`: what
#   a user's single `courier range --records ...` gets), then "warm", whole unmeasured passes for
#   EXPORT_WARMUP_SECONDS (default 2) before the timed one; Courier's and CopyManager's clients alike. A before build
#   older than `-c` and `--warmup` ignores both. The JSON's export figures are the cold cells'; `export.warm` the warm.
# BEFORE_HOME: another worktree of Courier, built (an A/B: `git worktree add /tmp/x-before main`, then its ./courier
#   --version): its server (COURIER_PORT + 2, + 3 for the export) and client run as a third target, "before", in the
#   same rounds, after each courier cell; its figures are in the table and the JSON beside courier's.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_NAME=range-vs-postgres; . "$home/bench/lib.sh"
json=0
if [ "${1:-}" = --json ]; then json=1; shift; fi
ROUNDS=${1:-3}
SECONDS_PER_CELL=${2:-5}
WARMUP_PASS_SECONDS="${WARMUP_PASS_SECONDS:-3}"
WARMUP_SECONDS="${WARMUP_SECONDS:-2}"
EXPORT_RECORDS=${EXPORT_RECORDS:-100}
EXPORT_SECONDS=${EXPORT_SECONDS:-600}
EXPORT_CONNECTIONS=${EXPORT_CONNECTIONS:-2}
EXPORT_WARMUP_SECONDS=${EXPORT_WARMUP_SECONDS:-2}
COURIER_PORT=${COURIER_PORT:-17421}
PG_PORT=${PG_PORT:-15432}
BEFORE_HOME=${BEFORE_HOME:-}
targets=(courier postgres)
if [ -n "$BEFORE_HOME" ]; then
    [ -x "$BEFORE_HOME/courier" ] || { log "BEFORE_HOME=$BEFORE_HOME has no ./courier"; exit 1; }
    "$BEFORE_HOME/courier" --version >/dev/null
    targets=(courier before postgres)
fi
home_of() { if [ "$1" = before ]; then echo "$BEFORE_HOME"; else echo "$home"; fi; }
pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -x "$pg_bin/postgres" ] || { log "PostgreSQL not found under /usr/lib/postgresql (apt-get install postgresql)"; exit 1; }
for port in "$COURIER_PORT" "$((COURIER_PORT + 1))" "$((COURIER_PORT + 2))" "$((COURIER_PORT + 3))" "$PG_PORT"; do
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
if [ -n "$BEFORE_HOME" ]; then
    "$BEFORE_HOME/courier" serve --bind 127.0.0.1 --port "$((COURIER_PORT + 2))" > "$tmp/before.log" 2>&1 &
    pids+=($!)
    wait_port "$((COURIER_PORT + 2))"
fi
wait_port "$PG_PORT"; wait_port "$COURIER_PORT"
url="jdbc:postgresql://127.0.0.1:$PG_PORT/postgres?user=courier"
log "loading the bundled data set into PostgreSQL"
"$home/courier" bench range --postgres "$url" --load -c 1 --duration 0.5 --warmup 0 --json > /dev/null

# The options of `courier bench range` that pick target $1, in the array args.
target_args() {
    case "$1" in
        courier) args=(--server "127.0.0.1:$COURIER_PORT") ;;
        before) args=(--server "127.0.0.1:$((COURIER_PORT + 2))") ;;
        postgres) args=(--postgres "$url") ;;
    esac
}

# A server in service has run its code for long: one unmeasured pass at c = 50 against each target first, so that
# the first cells do not time a JIT compiling the server's range path (PostgreSQL gets the same pass, warming its
# buffers and plans). Each cell's client, a fresh JVM, then warms up for WARMUP_SECONDS before its clock starts.
log "warming up every target (${WARMUP_PASS_SECONDS}s each at c = 50, unmeasured)"
for target in "${targets[@]}"; do
    target_args "$target"
    timeout 120 "$(home_of "$target")/courier" bench range "${args[@]}" -c 50 --duration "$WARMUP_PASS_SECONDS" \
        --warmup 0 --span-seconds 10 --json > /dev/null
done

: > "$tmp/cells.jsonl"
for round in $(seq 1 "$ROUNDS"); do
    for c in 1 50; do
        for target in "${targets[@]}"; do
            target_args "$target"
            line="$(timeout 120 "$(home_of "$target")/courier" bench range "${args[@]}" -c "$c" --duration "$SECONDS_PER_CELL" \
                --warmup "$WARMUP_SECONDS" --span-seconds 10 --json)"
            echo "$line" | jq -c --arg t "$target" --argjson c "$c" --argjson r "$round" \
                '{round: $r, target: $t, c: $c, ranges_per_second, samples_per_second, p50_us, p99_us, errors}' \
                | tee -a "$tmp/cells.jsonl" >&2
        done
    done
done

# --- the full export ---------------------------------------------------------------------------------------------
: > "$tmp/export.jsonl"
if [ "$EXPORT_RECORDS" -gt 0 ]; then
    log "export: gen-data --records $EXPORT_RECORDS --seconds $EXPORT_SECONDS, loaded into PostgreSQL (COPY)"
    "$home/courier" gen-data --records "$EXPORT_RECORDS" --seconds "$EXPORT_SECONDS" --out "$tmp/gen" > /dev/null
    "$home/courier" serve --bind 127.0.0.1 --port "$((COURIER_PORT + 1))" --data "$tmp/gen" > "$tmp/courier-gen.log" 2>&1 &
    pids+=($!)
    "$home/courier" bench range --postgres "$url" --data "$tmp/gen" --load --export --warmup 0 --json > /dev/null
    wait_port "$((COURIER_PORT + 1))"
    if [ -n "$BEFORE_HOME" ]; then
        # The column files the first server made are in the data folder's cache by now (the load took minutes).
        "$BEFORE_HOME/courier" serve --bind 127.0.0.1 --port "$((COURIER_PORT + 3))" --data "$tmp/gen" \
            > "$tmp/before-gen.log" 2>&1 &
        pids+=($!)
        wait_port "$((COURIER_PORT + 3))"
    fi
    # One export cell: target $1 ("courier", "before" or "postgres"), cell $2 ("cold" or "warm"), round $3.
    export_cell() {
        local warmup=0 how
        [ "$2" = warm ] && warmup="$EXPORT_WARMUP_SECONDS"
        case "$1" in
            courier) how=(--server "127.0.0.1:$((COURIER_PORT + 1))" -c "$EXPORT_CONNECTIONS") ;;
            before) how=(--server "127.0.0.1:$((COURIER_PORT + 3))" -c "$EXPORT_CONNECTIONS") ;;
            postgres) how=(--postgres "$url") ;;
        esac
        timeout 300 "$(home_of "$1")/courier" bench range --export "${how[@]}" --warmup "$warmup" --json \
            | jq -c --argjson r "$3" --arg t "$1" --arg cell "$2" \
                '{round: $r, target: $t, cell: $cell, samples, seconds, samples_per_second}' \
            | tee -a "$tmp/export.jsonl" >&2
    }
    export_targets=(courier)
    if [ -n "$BEFORE_HOME" ]; then export_targets+=(before); fi
    export_targets+=(postgres)
    for round in $(seq 1 "$ROUNDS"); do
        for cell in cold warm; do
            for target in "${export_targets[@]}"; do
                export_cell "$target" "$cell" "$round"
            done
        done
        # psql as a user would run it: the whole command, connection included, output to /dev/null.
        t0=$(now_ns)
        "${as_pg[@]}" psql -h 127.0.0.1 -p "$PG_PORT" -U courier -d postgres -qAt \
            -c "COPY samples TO STDOUT (FORMAT binary)" > /dev/null
        t1=$(now_ns)
        jq -nc --argjson r "$round" --argjson ns "$((t1 - t0))" \
            --argjson n "$((EXPORT_RECORDS * EXPORT_SECONDS * 250))" \
            '{round: $r, target: "psql", cell: "cold", samples: $n, seconds: ($ns / 1e9),
              samples_per_second: ($n / ($ns / 1e9) | round)}' | tee -a "$tmp/export.jsonl" >&2
    done
fi

med() { jq -r --arg t "$1" --argjson c "$2" "select(.target == \$t and .c == \$c) | .$3" "$tmp/cells.jsonl" | median; }
# The median samples/s of target $1's export cells $2 (cold, the default, or warm).
emed() {
    jq -r --arg t "$1" --arg cell "${2:-cold}" 'select(.target == $t and .cell == $cell) | .samples_per_second' \
        "$tmp/export.jsonl" | median
}
cells="$(for c in 1 50; do
    before=null
    if [ -n "$BEFORE_HOME" ]; then
        before="$(jq -nc --argjson r "$(med before "$c" ranges_per_second)" --argjson s "$(med before "$c" samples_per_second)" \
            --argjson p50 "$(med before "$c" p50_us)" --argjson p99 "$(med before "$c" p99_us)" \
            '{ranges_per_second: $r, samples_per_second: $s, p50_us: $p50, p99_us: $p99}')"
    fi
    jq -nc --argjson c "$c" --argjson cr "$(med courier "$c" ranges_per_second)" \
        --argjson pr "$(med postgres "$c" ranges_per_second)" --argjson cs "$(med courier "$c" samples_per_second)" \
        --argjson ps "$(med postgres "$c" samples_per_second)" --argjson c50 "$(med courier "$c" p50_us)" \
        --argjson p50 "$(med postgres "$c" p50_us)" --argjson c99 "$(med courier "$c" p99_us)" \
        --argjson p99 "$(med postgres "$c" p99_us)" --argjson before "$before" \
        '{connections: $c, courier: {ranges_per_second: $cr, samples_per_second: $cs, p50_us: $c50, p99_us: $c99},
          postgres: {ranges_per_second: $pr, samples_per_second: $ps, p50_us: $p50, p99_us: $p99},
          rps_ratio: (if $pr > 0 then ($cr / $pr * 100 | round / 100) else null end),
          p99_ratio: (if $c99 > 0 then ($p99 / $c99 * 100 | round / 100) else null end)}
         + (if $before then {before: $before,
              before_rps_ratio: (if $pr > 0 then ($before.ranges_per_second / $pr * 100 | round / 100) else null end),
              before_p99_ratio: (if $before.p99_us > 0 then ($p99 / $before.p99_us * 100 | round / 100) else null end)}
            else {} end)'
done | jq -sc .)"
export_json=null
if [ -s "$tmp/export.jsonl" ]; then
    export_json="$(jq -nc --argjson n "$EXPORT_RECORDS" --argjson s "$EXPORT_SECONDS" \
        --argjson c "$(emed courier)" --argjson p "$(emed postgres)" --argjson q "$(emed psql)" \
        --argjson b "$(emed before)" --slurpfile runs "$tmp/export.jsonl" \
        --argjson wc "$(emed courier warm)" --argjson wp "$(emed postgres warm)" --argjson wb "$(emed before warm)" \
        --argjson ww "$EXPORT_WARMUP_SECONDS" \
        '{records: $n, seconds: $s, courier_samples_per_second: $c, postgres_copy_samples_per_second: $p,
          psql_copy_samples_per_second: $q,
          warm: ({warmup_seconds: $ww, courier_samples_per_second: $wc, postgres_copy_samples_per_second: $wp,
                  ratio_copy: (if $wp > 0 then ($wc / $wp * 100 | round / 100) else null end)}
                 + (if $wb > 0 then {before_samples_per_second: $wb, after_over_before: ($wc / $wb * 100 | round / 100)}
                    else {} end)),
          ratio_copy: (if $p > 0 then ($c / $p * 100 | round / 100) else null end),
          ratio_psql: (if $q > 0 then ($c / $q * 100 | round / 100) else null end), runs: $runs}
         + (if $b > 0 then {before_samples_per_second: $b, before_ratio_copy: (if $p > 0 then ($b / $p * 100 | round / 100)
              else null end), after_over_before: ($c / $b * 100 | round / 100)} else {} end)')"
fi
result="$(jq -nc --argjson rounds "$ROUNDS" --argjson secs "$SECONDS_PER_CELL" --argjson cells "$cells" \
    --argjson export "$export_json" \
    '{rounds: $rounds, seconds_per_cell: $secs, span_seconds: 10, cells: $cells, export: $export}')"
if [ "$json" = 1 ]; then
    echo "$result"
    exit 0
fi
printf '%-9s %3s %12s %14s %10s %10s\n' target c ranges/s samples/s p50_us p99_us
for c in 1 50; do
    for target in "${targets[@]}"; do
        printf '%-9s %3s %12s %14s %10s %10s\n' "$target" "$c" "$(med "$target" "$c" ranges_per_second)" \
            "$(med "$target" "$c" samples_per_second)" "$(med "$target" "$c" p50_us)" "$(med "$target" "$c" p99_us)"
    done
done
jq -r '.cells[] | "c=\(.connections): ranges/s ratio \(.rps_ratio) (target >= 5), PostgreSQL p99 / Courier p99 \(.p99_ratio) (target >= 5)"' <<< "$result"
jq -r '.cells[] | select(.before) | "c=\(.connections), the before build: ranges/s ratio \(.before_rps_ratio), p99 ratio \(.before_p99_ratio)"' <<< "$result"
jq -r 'if .export and .export.before_samples_per_second then .export | "export, the before build: \(.before_samples_per_second) samples/s, \(.before_ratio_copy)x COPY binary; after / before \(.after_over_before)" else empty end' <<< "$result"
jq -r 'if .export then .export | "export of \(.records) records x \(.seconds) s, cold (one pass, fresh JVM): courier \(.courier_samples_per_second) samples/s, COPY binary (CopyManager) \(.postgres_copy_samples_per_second), psql COPY binary \(.psql_copy_samples_per_second); ratios \(.ratio_copy) / \(.ratio_psql) (target >= 5)" else empty end' <<< "$result"
jq -r 'if .export then .export.warm | "export, warm (\(.warmup_seconds) s of passes first): courier \(.courier_samples_per_second) samples/s, COPY binary \(.postgres_copy_samples_per_second); ratio \(.ratio_copy)\(if .before_samples_per_second then ", before \(.before_samples_per_second), after / before \(.after_over_before)" else "" end)" else empty end' <<< "$result"
