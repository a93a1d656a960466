#!/bin/bash
# hypertrace in a system-mode guest (TCG): ns per event from guest user
# space (libhypertrace on the ivshmem device, 4 arguments, the host
# collector draining) against a trace_marker write in the same guest run,
# and the ratio. Not a test: it asserts nothing. Best of RUNS boots.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${VTRACE_BUILD:-$ROOT/build}	# the build directory to use
RUNS=${RUNS:-2}
W=$(mktemp -d /tmp/vtrace-bench.XXXXXX)
P=/dev/shm/vtrace-bench-ht-$$
trap 'kill $(jobs -p) 2>/dev/null || true; wait; rm -rf "$W" "$P"' EXIT
[ -f "$B/guest/initramfs.cpio.gz" ] || { echo "bench: make guest first" >&2; exit 1; }

run() {	# prints "ht_ns marker_ns drops"
	local col
	rm -f "$P"
	"$B/vtrace" hypertrace --system --path "$P" --clients 2 --entries 65536 >/dev/null \
		2>"$W/col.log" &
	col=$!
	until [ -e "$P" ]; do sleep 0.05; done
	"$B/vtrace" run-guest --dir "$W/ch" --guest "$B/guest" --workload ht-bench \
		--hypertrace "$P" >"$W/run.log" 2>&1
	kill -INT $col
	wait $col
	sed -n 's/.*vtrace-bench: hypertrace [0-9]* events \([0-9]*\) ns\/event (drops \([0-9]*\)); trace_marker [0-9]* writes \([0-9]*\) ns.*/\1 \3 \2/p' \
		"$W/ch/console.log"
}

echo "hypertrace from guest user space (system mode, TCG, ivshmem): best of $RUNS"
for ((r = 0; r < RUNS; r++)); do run; done | sort -n | head -1 | awk '{
	printf "%-34s %10s\n", "guest user space", "ns/event"
	printf "%-34s %10d\n", "hypertrace_emit (4 args)", $1
	printf "%-34s %10d\n", "write(trace_marker)", $2
	printf "ratio hypertrace / trace_marker: %.3f (drops: %d)\n", $1 / $2, $3
}'
