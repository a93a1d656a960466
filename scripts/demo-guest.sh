#!/bin/bash
# The demo: boot the demo guest under QEMU with trace-agent inside, record
# a few seconds of its sched events and markers into build/demo/demo.dat
# from the host, and report it.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/build
OUT=$B/demo
CH=$OUT/ch
rm -rf "$OUT"; mkdir -p "$OUT"
guest=""
trap '[ -n "$guest" ] && kill "$guest" 2>/dev/null; true' EXIT

"$B/vtrace" run-guest --dir "$CH" --guest "$B/guest" --seconds 10 &
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
grep -E 'vtrace-guest: wrote|lost' "$CH/console.log" | sed 's/^/  guest: /'
echo
echo "== vtrace report --stats $OUT/demo.dat"
"$B/vtrace" report --stats "$OUT/demo.dat" | sed -n '1,10p'
echo
echo "== the first lines"
"$B/vtrace" report "$OUT/demo.dat" | sed -n '1,6p'
echo
echo "Open it with: trace-cmd report -i $OUT/demo.dat   or   kernelshark $OUT/demo.dat"
