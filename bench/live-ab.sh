#!/usr/bin/env bash
# A/B of the live cases (bench/live.sh) against an older build's server, rounds interleaved so that the noise of a
# shared machine falls on both: each round runs this tree's server and the other's, in alternating order, with this
# tree's bench client for both. Prints every case line tagged with its round and side, then the medians per side.
#
# Usage: bench/live-ab.sh BEFORE_TREE [ROUNDS] [DURATION_SECONDS]   (defaults 3 and 5)
#   BEFORE_TREE: a worktree of the older build, built (its courier-cli/target/courier.jar exists), e.g.
#   git worktree add /tmp/live-before main && (cd /tmp/live-before && mvn -o -q -DskipTests package -pl courier-cli -am)
# Port: COURIER_PORT (default 21100), as bench/live.sh.
set -euo pipefail

home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
before="${1:?usage: bench/live-ab.sh BEFORE_TREE [ROUNDS] [DURATION_SECONDS]}"
rounds="${2:-3}"
duration="${3:-5}"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT

run() {
    local side="$1" round="$2" launcher="$3"
    COURIER_SERVER="$launcher" "$home/bench/live.sh" "$duration" 2>/dev/null | sed "s/^/$side round $round: /" \
        | tee -a "$out"
}
for r in $(seq 1 "$rounds"); do
    if [ $((r % 2)) -eq 1 ]; then
        run after "$r" "$home/courier"; run before "$r" "$before/courier"
    else
        run before "$r" "$before/courier"; run after "$r" "$home/courier"
    fi
done
echo "medians over $rounds rounds (load average now: $(cut -d' ' -f1-3 /proc/loadavg)):"
python3 - "$out" <<'PY'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    m = re.match(r"(\w+) round \d+: (.*?)\s+appended\s+(\S+) samples/s\s+delivered\s+(\S+) samples/s\s+p50\s+(\S+) ms"
                 r"\s+p99\s+(\S+) ms", line)
    if m:
        rows.setdefault((m.group(2), m.group(1)), []).append([float(x) for x in m.group(3, 4, 5, 6)])
for case in dict.fromkeys(k[0] for k in rows):
    med = {}
    for side in ("before", "after"):
        v = rows.get((case, side))
        if v:
            med[side] = [statistics.median(x[i] for x in v) for i in range(4)]
            print(f"{case:28s} {side:6s} appended {med[side][0]:8.0f}/s delivered {med[side][1]:9.0f}/s "
                  f"p50 {med[side][2]:8.2f} ms p99 {med[side][3]:8.2f} ms")
    if len(med) == 2 and med["before"][0] > 0 and med["before"][3] > 0:
        print(f"{case:28s} after/before: appended x{med['after'][0] / med['before'][0]:.2f}, "
              f"p99 x{med['after'][3] / med['before'][3]:.2f}")
PY
