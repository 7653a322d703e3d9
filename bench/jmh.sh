#!/usr/bin/env bash
# Runs Courier's JMH micro-benchmarks (codec and frame decoder) with the GC profiler: ns/op and B/op.
# Not part of `mvn verify`. Extra arguments go to JMH, for example:
#   bench/jmh.sh                      # everything, about 2 minutes
#   bench/jmh.sh CodecBenchmark.decode -f 1 -wi 2 -i 3
#   bench/jmh.sh -rf json -rff /tmp/jmh.json
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$home/courier-bench/target/benchmarks.jar"

java="$("$home/courier" --java)" || exit 1   # the launcher says why

if [ ! -f "$jar" ] || [ -n "$(find "$home/courier-bench/src" "$home/courier-protocol/src/main" \
        "$home/courier-transport/src/main" -newer "$jar" -print -quit)" ]; then
    echo "jmh.sh: building the benchmarks jar..." >&2
    (cd "$home" && mvn -B -q -DskipTests -pl courier-bench -am package)
fi

exec "$java" --enable-native-access=ALL-UNNAMED -jar "$jar" -prof gc "$@"
