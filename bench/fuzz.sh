#!/usr/bin/env bash
# Fuzzes Courier's decoders and loaders with Jazzer: each target (a JUnit @FuzzTest, whose committed seed corpus
# `mvn verify` replays) runs in fuzzing mode for SECONDS, one after the other, on the offline build.
#   bench/fuzz.sh SECONDS [TARGET...]     # TARGET: a class name (FrameDecoderFuzzTest); default: all of them
# New interesting inputs go to a temporary folder (printed, deleted at the end), not into the committed corpus; a
# crash, timeout or out-of-memory input is copied into the target's committed corpus
# (src/test/resources/<package>/<Class>Inputs/<method>/), where `mvn verify` replays it until it is fixed.
# Replay one input: mvn -o -q verify -pl MODULE -am -Dtest=CLASS -Dsurefire.failIfNoSpecifiedTests=false
# (every corpus file), or copy it into that folder first. The last line is exactly
#   fuzz: targets=N execs=M crashes=C
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_NAME=fuzz; . "$home/bench/lib.sh"

if [ $# -lt 1 ] || ! [[ "$1" =~ ^[0-9]+$ ]] || [ "$1" -lt 1 ]; then
    echo "usage: bench/fuzz.sh SECONDS [TARGET...]" >&2; exit 2
fi
seconds=$1; shift
EXECUTION_TIMEOUT_SECONDS=10   # as FuzzInput.EXECUTION_TIMEOUT_SECONDS

# module, test class, @FuzzTest method
all_targets=(
    "courier-transport dev.courier.transport.FrameDecoderFuzzTest frames"
    "courier-server dev.courier.server.legacy.LegacyDecoderFuzzTest requests"
    "courier-journal dev.courier.journal.TransferJournalFuzzTest journal"
    "courier-server dev.courier.server.points.CsvRecordingLoaderFuzzTest csv"
    "courier-server dev.courier.server.points.ColumnFileFuzzTest columns"
    "courier-server dev.courier.server.live.LiveLogFuzzTest log"
    "courier-server dev.courier.server.live.LiveFileFuzzTest records"
)
targets=()
for t in "${all_targets[@]}"; do
    class=${t#* }; class=${class%% *}
    if [ $# -eq 0 ]; then targets+=("$t"); continue; fi
    for want in "$@"; do
        [ "${class##*.}" = "$want" ] && targets+=("$t")
    done
done
[ ${#targets[@]} -gt 0 ] || { log "no target named $*"; exit 2; }

# In memory where there is /dev/shm: the file targets write (and the journal syncs) a file per execution.
base=/dev/shm; [ -d "$base" ] && [ -w "$base" ] || base=${TMPDIR:-/tmp}
tmp="$(mktemp -d "$base/courier-fuzz.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
log "new inputs and logs under $tmp (deleted at the end)"

total_execs=0
total_crashes=0
for t in "${targets[@]}"; do
    read -r module class method <<<"$t"
    simple=${class##*.}
    work="$tmp/$simple"
    mkdir -p "$work"
    corpus="$home/$module/src/test/resources/$(dirname "${class//.//}")/${simple}Inputs/$method"
    log "$simple: fuzzing for ${seconds}s"
    # JUnit must not time the whole fuzzing run out as it times each corpus file in `mvn verify` (the targets'
    # @Timeout); Jazzer reads the default below and gives libFuzzer a -timeout per input instead.
    # jazzer.internal.basedir puts the generated corpus and the crash files under $work instead of the module;
    # the hooks (coverage, comparisons, sanitizers) are what make it fuzzing rather than a replay.
    # JDK_JAVA_OPTIONS reaches the forked test JVM, so its @TempDir folders are under $work too.
    mkdir -p "$work/tmp"
    status=0
    (cd "$home" && JAZZER_FUZZ=1 JDK_JAVA_OPTIONS="-Djava.io.tmpdir=$work/tmp" timeout --kill-after=30 $((seconds + 600)) mvn -o -B \
        -pl "$module" -am verify -Dtest="$simple" -Dsurefire.failIfNoSpecifiedTests=false \
        -Djazzer.hooks=true -Djazzer.max_duration="${seconds}s" -Djazzer.internal.basedir="$work" \
        -Djunit.jupiter.execution.timeout.mode=disabled \
        -Djunit.jupiter.execution.timeout.testtemplate.method.default="${EXECUTION_TIMEOUT_SECONDS}s") \
        >"$work/mvn.log" 2>&1 || status=$?
    execs=$(grep -aoE '^#[0-9]+' "$work/mvn.log" | tail -n 1 | tr -d '#' || true)
    execs=${execs:-0}
    crashes=0
    for f in $(find "$work" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \
            -o -name 'slow-unit-*' \) | sort); do
        mkdir -p "$corpus"
        cp "$f" "$corpus/"
        log "$simple: $(basename "$f") copied into $corpus"
        crashes=$((crashes + 1))
    done
    if [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ]; then
        # A committed input that still fails, or a build failure: count it, and keep the log to read.
        cp "$work/mvn.log" "${TMPDIR:-/tmp}/courier-fuzz-$simple.log"
        log "$simple: mvn failed (exit $status) without a new crash; log: ${TMPDIR:-/tmp}/courier-fuzz-$simple.log"
        crashes=1
    fi
    log "$simple: execs=$execs crashes=$crashes"
    total_execs=$((total_execs + execs))
    total_crashes=$((total_crashes + crashes))
done
echo "fuzz: targets=${#targets[@]} execs=$total_execs crashes=$total_crashes"
