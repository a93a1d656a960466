#!/bin/bash
# Guest overhead of tracing, in the same run: the demo guest runs a fixed
# workload (1000 fork+exec, timed inside the guest) with tracing off, with
# sched events streamed by trace-agent, and with the naive path (`cat
# trace_pipe_raw > port`, restarted on EOF), the host reading every port.
# Prints the workload's time and the slowdown against tracing off.
# Not a test: it asserts nothing. Under TCG the numbers are noisy: RUNS.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${VTRACE_BUILD:-$ROOT/build}	# the build directory to use
RUNS=${RUNS:-2}
W=$(mktemp -d /tmp/vtrace-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$W"' EXIT
[ -f "$B/guest/initramfs.cpio.gz" ] || { echo "bench: make guest first" >&2; exit 1; }

run() {	# mode: prints the workload's seconds
	local D=$W/$1 guest
	rm -rf "$D"
	"$B/vtrace" run-guest --dir "$D" --guest "$B/guest" --workload bench \
		--append "vtrace.mode=$1" >/dev/null 2>&1 &
	guest=$!
	until [ -p "$D/trace-path-cpu1.out" ]; do sleep 0.1; done
	for c in 0 1; do cat "$D/trace-path-cpu$c.out" >/dev/null & done
	if [ "$1" = agent ]; then
		until grep -q 'waiting for orders' "$D/console.log" 2>/dev/null; do sleep 0.1; done
		echo 1 >"$D/agent-ctl-path.in"
	fi
	wait $guest
	sed -n 's/.*vtrace-bench: mode=[a-z]* seconds=\([0-9.]*\).*/\1/p' "$D/console.log"
}

echo "guest overhead: 1000 fork+exec in the demo guest (TCG), best of $RUNS"
best() { sort -n | head -1; }
off=$(for ((r = 0; r < RUNS; r++)); do run off; done | best)
agent=$(for ((r = 0; r < RUNS; r++)); do run agent; done | best)
naive=$(for ((r = 0; r < RUNS; r++)); do run cat; done | best)
awk -v o="$off" -v a="$agent" -v c="$naive" 'BEGIN {
	printf "%-22s %8s %10s\n", "tracing", "seconds", "slowdown"
	printf "%-22s %8.2f %10.2f\n", "off", o, 1
	printf "%-22s %8.2f %10.2f\n", "sched via trace-agent", a, a / o
	printf "%-22s %8.2f %10.2f\n", "sched via cat (naive)", c, c / o
}'
