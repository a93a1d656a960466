#!/bin/bash
# vtrace hypertrace, the collector's throughput: one emitter thread paced at
# RATE events/s (default 5 million) for SECONDS (default 2) into a 1M-entry
# ring, the collector draining it in each format. Prints, per format, the
# events received, the drops, and the collector's CPU time per event (user +
# system, the trace.dat's final copy included) with the rate that CPU time
# would sustain on a core of its own; then the collection alone (the
# collector's own figure, before it writes the trace.dat out).
#
#   bench/hypertrace-collector.sh [RATE] [SECONDS]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${VTRACE_BUILD:-$ROOT/build}	# the build directory to use
RATE=${1:-5000000}
SECS=${2:-2}
N=$(awk -v r="$RATE" -v s="$SECS" 'BEGIN { printf "%d", r * s }')
P=/dev/shm/vtrace-bench-ht-$$
OUT=$(mktemp -d /tmp/vtrace-bench.XXXXXX)	# on disk, as a user's trace would be
trap 'rm -rf "$OUT" "$P"' EXIT

run() {	# name format output
	local name=$1 fmt=$2 out=$3 col i emitted dropped user sys
	"$B/tests/vt-rusage" "$OUT/ru" "$B/vtrace" hypertrace --path "$P" --format "$fmt" -o "$out" \
		--clients 1 --entries 1048576 2>"$OUT/err" &
	col=$!
	for ((i = 0; i < 100; i++)); do [ -e "$P" ] && break; sleep 0.05; done
	read -r _ emitted _ dropped _ _ < <("$B/tests/vt-htemit" -p "$P" -n "$N" -r "$RATE")
	sleep 0.3
	kill -INT $col
	wait $col
	user=$(awk '/user/ { print $2 }' "$OUT/ru")
	sys=$(awk '/sys/ { print $2 }' "$OUT/ru")
	coll=$(grep -o 'using [0-9.]* s of CPU ([0-9]* ns an event)' "$OUT/err" | tr -dc '0-9. ' |
		awk '{ print $2 }')
	awk -v n="$name" -v e="$emitted" -v d="$dropped" -v u="$user" -v s="$sys" -v c="$coll" 'BEGIN {
		got = e - d; cpu = u + s
		printf "%-16s %9d of %9d events, %8d dropped; CPU %4.0f ns/event " \
		       "(user %.2f s, sys %.2f s): %5.1f M/s per core; collecting alone: " \
		       "%4.0f ns/event, %5.1f M/s\n", n, got, e, d, cpu * 1e9 / got, u, s,
		       got / cpu / 1e6, c, 1000 / c }'
	[ "$out" = /dev/null ] || rm -f "$out"
}

echo "hypertrace collector: 1 client paced at $RATE events/s for $SECS s, 4 args, 1M-entry ring"
run "dat (trace.dat)" dat "$OUT/trace.dat"
run "log to a file" log "$OUT/events.log"
# (on some containers /dev/null is a regular file: then this one is not measured)
[ -c /dev/null ] && run "log to /dev/null" log /dev/null
true
