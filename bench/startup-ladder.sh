#!/usr/bin/env bash
# Where the start-up of `courier point` goes (issue 15; docs/benchmarks.md, "Start-up, fifth pass"): rungs of a
# ladder, each a main (bench/startup-ladder/StartupLadder.java) that does a little more of what `point` does, run
# with the launcher's JVM options for a quick command and an AOT cache recorded from that rung alone, interleaved
# round by round with a bare `java -version`. The difference between two rungs is what the part added costs.
#   nothing      the JVM, the cache and the distribution's class path; nothing of Courier runs
#   jar-scan     nothing + one class path look-up of a resource no jar has (every jar of lib/ opened and read)
#   logback      nothing + SLF4J and logback started, as the first logger (Netty's) starts them
#   full-model   nothing + picocli's model of the whole `courier` tree (what help and a mistyped name build)
#   point-model  instead: the model of `point` alone, as CourierCli.commandLine builds it for `courier point ...`
#   parse        + parsing point's arguments
#   connect      + the client: Netty bootstrap, connect and HELLO, no request
#   request      + the request: CourierCli.run, what bin/courier point runs
#
# Usage: bench/startup-ladder.sh DIST   (an unpacked distribution: the folder with bin/ and lib/, of this tree or
#   later: the rungs name its SLF4J provider, dev.courier.cli.common.LauncherLogProvider)
# Environment: COURIER_PORT (the server it starts, default 17591), ROUNDS (9), RUNGS (all, in the order above),
#   LADDER_JAVA_OPTS (added to every rung's JVM, for example to try a flag).
# Prints per rung: median wall s, median CPU s, classes loaded (-Xlog:class+load, one extra run), wall / java -version.
set -euo pipefail

home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_NAME=startup-ladder; . "$home/bench/lib.sh"
[ $# -eq 1 ] || { log "usage: bench/startup-ladder.sh DIST"; exit 2; }
dist="$(cd "$1" && pwd)"
COURIER_PORT=${COURIER_PORT:-17591}
ROUNDS=${ROUNDS:-9}
RUNGS=${RUNGS:-"nothing jar-scan logback full-model point-model parse connect request"}
need /usr/bin/time || { log "needs /usr/bin/time (apt-get install time)"; exit 1; }
java="$("$home/courier" --java)"
jdk="${java%/bin/java}"
port_free "$COURIER_PORT" || { log "port $COURIER_PORT is busy"; exit 1; }

tmp="$(mktemp -d)"
pids=()
trap 'stop_pids; rm -rf "$tmp"' EXIT
classpath="$(<"$dist/lib/classpath")"
classpath="${classpath//@HOME@/$dist}"
mkdir "$tmp/classes"
"$jdk/bin/javac" -d "$tmp/classes" -cp "$classpath" "$home/bench/startup-ladder/StartupLadder.java"
# An AOT cache takes classes from jars only.
"$jdk/bin/jar" --create --file "$tmp/ladder.jar" -C "$tmp/classes" .
cp="$tmp/ladder.jar:$classpath"

"$dist/bin/courier" serve -p "$COURIER_PORT" >"$tmp/serve.log" 2>&1 &
pids+=($!)
wait_port "$COURIER_PORT"
args=(point -s "127.0.0.1:$COURIER_PORT" 3 0.008 1)

# The options bin/courier gives a quick command (its cache aside).
# shellcheck disable=SC2206 # LADDER_JAVA_OPTS is a list of words
opts=(--enable-native-access=ALL-UNNAMED -XX:+UseCompactObjectHeaders --sun-misc-unsafe-memory-access=allow
    -Dio.netty.jfr.enabled=false -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0
    -Dslf4j.provider=dev.courier.cli.common.LauncherLogProvider -Dslf4j.internal.verbosity=WARN
    -Djava.library.path="$dist/lib/native" -XX:TieredStopAtLevel=1 -Dio.netty.recycler.maxCapacityPerThread=0
    ${LADDER_JAVA_OPTS:-} -Dcourier.home="$dist")
for r in $RUNGS; do
    "$java" "${opts[@]}" -XX:AOTCacheOutput="$tmp/$r.aot" -Xlog:aot=off -Xlog:cds=off -cp "$cp" \
        dev.courier.cli.StartupLadder "$r" "${args[@]}" >/dev/null 2>"$tmp/err" || {
            log "recording $r failed:"; cat "$tmp/err" >&2; exit 1; }
    "$java" "${opts[@]}" -XX:AOTCache="$tmp/$r.aot" -Xlog:aot=off -Xlog:cds=off -Xlog:class+load:file="$tmp/$r.classes" \
        -cp "$cp" dev.courier.cli.StartupLadder "$r" "${args[@]}" >/dev/null
done

one() {
    local name=$1; shift
    /usr/bin/time -o "$tmp/time" -f "%e %U %S" "$@" >/dev/null 2>"$tmp/err" || {
        log "$name failed:"; cat "$tmp/err" >&2; exit 1; }
    awk '{print $1, $2 + $3}' "$tmp/time" >>"$tmp/$name.t"
}
for i in $(seq 1 "$ROUNDS"); do
    one java "$java" -version
    for r in $RUNGS; do
        one "$r" "$java" "${opts[@]}" -XX:AOTCache="$tmp/$r.aot" -Xlog:aot=off -Xlog:cds=off -cp "$cp" \
            dev.courier.cli.StartupLadder "$r" "${args[@]}"
    done
    log "round $i of $ROUNDS"
done
base="$(awk '{print $1}' "$tmp/java.t" | median)"
for n in java $RUNGS; do
    wall="$(awk '{print $1}' "$tmp/$n.t" | median)"
    cpu="$(awk '{print $2}' "$tmp/$n.t" | median)"
    classes=-
    [ -f "$tmp/$n.classes" ] && classes="$(wc -l <"$tmp/$n.classes")"
    awk -v n="$n" -v w="$wall" -v c="$cpu" -v b="$base" -v r="$ROUNDS" -v k="$classes" \
        'BEGIN {printf "%-12s wall %.3f s  cpu %.3f s  classes %6s  %.2fx java -version  (median of %d)\n", n, w, c, k, w / b, r}'
done
