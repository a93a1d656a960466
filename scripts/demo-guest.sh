#!/bin/bash
# The demo: boot the demo guest under QEMU with trace-agent inside and a
# hypertrace device; record a few seconds of its sched events and markers
# into build/demo/demo.dat from the host, collect the hypertrace events its
# workload emits into build/demo/hypertrace.dat, and report both, then the
# two on one timeline.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${VTRACE_BUILD:-$ROOT/build}	# the build directory to use
OUT=$B/demo
CH=$OUT/ch
rm -rf "$OUT"; mkdir -p "$OUT"
HT=/dev/shm/vtrace-demo-ht-$$
guest=""
ht=""
trap '[ -n "$guest" ] && kill "$guest" 2>/dev/null; [ -n "$ht" ] && kill "$ht" 2>/dev/null;
	rm -f "$HT"; true' EXIT

echo "== vtrace hypertrace --system --guest-clock --format dat -o $OUT/hypertrace.dat"
"$B/vtrace" hypertrace --system --guest-clock --format dat -o "$OUT/hypertrace.dat" \
	--path "$HT" --clients 4 2>"$OUT/hypertrace.log" &
ht=$!
for ((i = 0; i < 100; i++)); do [ -e "$HT" ] && break; sleep 0.05; done
"$B/vtrace" run-guest --dir "$CH" --guest "$B/guest" --seconds 10 --hypertrace "$HT" &
guest=$!
echo "== waiting for the guest's trace-agent"
for ((i = 0; i < 600; i++)); do
	grep -q 'waiting for orders' "$CH/console.log" 2>/dev/null && break
	kill -0 $guest 2>/dev/null || { echo "demo: the guest stopped; see $CH/console.log" >&2; exit 1; }
	sleep 0.2
done
grep 'trace-agent' "$CH/console.log" | sed 's/^/  guest: /'
echo "== vtrace record -e sched -D 4 -o $OUT/demo.dat"
"$B/vtrace" record --dir "$CH" -e sched -D 4 -o "$OUT/demo.dat"
wait $guest
guest=""
kill -INT $ht
wait $ht || { echo "demo: the hypertrace collector failed:" >&2; cat "$OUT/hypertrace.log" >&2; exit 1; }
ht=""
grep -E 'vtrace-guest: wrote|lost' "$CH/console.log" | sed 's/^/  guest: /'
grep -E '^(wrote|client|guest TSC)' "$OUT/hypertrace.log" | sed 's/^/  /' || true
echo
echo "== vtrace report --stats $OUT/demo.dat"
"$B/vtrace" report --stats "$OUT/demo.dat" | sed -n '1,10p'
echo
echo "== the first lines"
"$B/vtrace" report "$OUT/demo.dat" | sed -n '1,6p'
echo
echo "== one timeline: trace-cmd report -i demo.dat -i hypertrace.dat (both on the guest's TSC)"
trace-cmd report -i "$OUT/demo.dat" -i "$OUT/hypertrace.dat" 2>/dev/null |
	grep -E 'print:|guest_hypertrace:' | sed -n '1,6p' | cut -c1-150
echo
echo "Open them with: trace-cmd report -i $OUT/demo.dat -i $OUT/hypertrace.dat"
echo "            or: kernelshark $OUT/demo.dat $OUT/hypertrace.dat"
