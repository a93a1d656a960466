#!/bin/bash
# hypertrace from the guest kernel, in the demo guest (TCG): ns per event
# emitted by hypertrace.ko (a loop in the module, timed by the guest kernel:
# debugfs hypertrace/bench), against a trace_marker write from user space
# (vt-mark) in the same guest run; N events each, best of 3. Prints the
# ratio. Not a test: it asserts nothing.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/tests/integration/lib.sh"
source "$ROOT/tests/e2e/ht-guest.sh"
N=${N:-50000}
WORK=$(mktemp -d /tmp/vtrace-bench.XXXXXX)
[ -f "$B/kmod/hypertrace.ko" ] || { echo "bench: make kmod guest first" >&2; exit 1; }
start_collector			# 65536 entries per client: N events never fill a ring
run_ht_guest ht-kbench --append "vtrace.events=$N"
sleep 0.1
stop_collector
grep -a 'vtrace-bench:' "$CONSOLE" | tr -d '\r' >"$WORK/runs"
kernel=$(sed -n 's/.*kernel events=.* ns_per_event=\([0-9.]*\)/\1/p' "$WORK/runs" |
	sort -n | head -1)
marker=$(sed -n 's/.*marker \([0-9]*\) markers in \([0-9.]*\) s/\1 \2/p' "$WORK/runs" |
	awk '{ print $2 * 1e9 / $1 }' | sort -n | head -1)
[ -n "$kernel" ] && [ -n "$marker" ] ||
	{ echo "bench: the guest said: $(cat "$WORK/runs")" >&2; exit 1; }
emitted=$(sed -n 's/.*kernel events=\([0-9]*\) emitted=\([0-9]*\).*/\2/p' "$WORK/runs" |
	sort -n | head -1)
got=$(grep -c "arg1=$((0x6b65726e00000100)) " "$WORK/events" || true)
echo "hypertrace from the guest kernel (demo guest, TCG): $N events per run, best of 3"
awk -v k="$kernel" -v m="$marker" 'BEGIN {
	printf "%-40s %10s %8s\n", "", "ns/event", "ratio"
	printf "%-40s %10.1f %8.3f\n", "hypertrace_emit() in hypertrace.ko", k, k / m
	printf "%-40s %10.1f %8.3f\n", "trace_marker write (user space)", m, 1
}'
echo "(emitted $emitted of $N in the worst run; the host collector took $got of $((3 * N)))"
