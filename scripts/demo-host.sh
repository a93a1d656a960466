#!/bin/bash
# The demo, until the guest image exists: this machine plays the guest.
# trace-agent streams a tracefs instance of its own (removed afterwards)
# into the FIFOs that `vtrace setup` makes, as QEMU would connect them;
# `vtrace record` records sched events and markers for a few seconds into
# build/demo/demo.dat, and `vtrace report` shows it.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${VTRACE_BUILD:-$ROOT/build}	# the build directory to use
T=/sys/kernel/tracing
NCPU=$(nproc)
[ "$(id -u)" -eq 0 ] || { echo "demo: needs root for tracefs; run: sudo make demo" >&2; exit 1; }
[ -d "$T/instances" ] || mount -t tracefs nodev "$T"
INST=vtrace-demo-$$
OUT=$B/demo
rm -rf "$OUT"; mkdir -p "$OUT/guest-ports"
mkdir "$T/instances/$INST"
agent=""
cleanup() {
	[ -n "$agent" ] && kill "$agent" 2>/dev/null && wait "$agent" 2>/dev/null || true
	rmdir "$T/instances/$INST" 2>/dev/null || true
}
trap cleanup EXIT

echo "== vtrace setup --dir $OUT/ch --cpus $NCPU   (the QEMU options it prints are in $OUT/qemu-options)"
"$B/vtrace" setup --dir "$OUT/ch" --cpus "$NCPU" >"$OUT/qemu-options"
# What QEMU does for a guest: connect the guest's ports to the FIFOs.
for ((c = 0; c < NCPU; c++)); do ln -s "../ch/trace-path-cpu$c.out" "$OUT/guest-ports/trace-path-cpu$c"; done

echo "== trace-agent (the guest side), on tracefs instance $INST"
"$B/trace-agent" -i "$INST" -p "$OUT/guest-ports" -c "$OUT/ch/agent-ctl-path.in" \
	-r "$OUT/ch/agent-ctl-path.out" 2>"$OUT/agent.log" &
agent=$!
until grep -q 'waiting for orders' "$OUT/agent.log"; do sleep 0.05; done

echo "== vtrace record -e sched -D 3 -o $OUT/demo.dat   (a workload and 1000 markers per CPU meanwhile)"
(
	sleep 0.5
	for ((c = 0; c < NCPU; c++)); do
		"$B/tests/vt-mark" -c $c -n 1000 -p demo-marker "$T/instances/$INST/trace_marker" 2>/dev/null
	done
	for i in 1 2 3; do ls -R /usr >/dev/null; sleep 0.3; done
) &
workload=$!
"$B/vtrace" record --dir "$OUT/ch" -e sched -D 3 -o "$OUT/demo.dat"
wait $workload

echo
echo "== vtrace report --stats $OUT/demo.dat"
"$B/vtrace" report --stats "$OUT/demo.dat" | sed -n '1,12p'
echo
echo "== the first sched events"
"$B/vtrace" report --events sched_switch,sched_wakeup "$OUT/demo.dat" | sed -n '1,5p'
echo
echo "Open it with: trace-cmd report -i $OUT/demo.dat   or   kernelshark $OUT/demo.dat"
