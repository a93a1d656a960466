#!/bin/bash
# Record throughput of vtrace against plain cat, same FIFOs, same load, in
# the same run: a producer per CPU writes SIZE MiB of real sub-buffers (the
# 6.1 guest fixture pages, repeated) into DIR/trace-path-cpuN.out as fast as
# it can; the consumer is either `cat FIFO > file` per CPU, or vtrace record
# (validating every sub-buffer, counting events, writing a trace.dat), with
# a fake guest on the control channel. Prints MiB/s and the ratio to cat.
# Not a test: it asserts nothing.
#
#   bench/record-throughput.sh [MIB_PER_CPU]   (default 256)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${VTRACE_BUILD:-$ROOT/build}	# the build directory to use
FIX=$ROOT/tests/fixtures/guest-6.1-x86_64
SIZE=${1:-256}
RUNS=${RUNS:-3}
W=$(mktemp -d /tmp/vtrace-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$W"' EXIT
CH=$W/ch
"$B/vtrace" setup --dir "$CH" --cpus 2 >/dev/null

# SIZE MiB of whole, valid sub-buffers
cp "$FIX/cpu0.raw" "$W/data"
while [ "$(stat -c %s "$W/data")" -lt $((SIZE << 20)) ]; do
	cat "$W/data" "$W/data" >"$W/d2"; mv "$W/d2" "$W/data"
done
truncate -s $((SIZE << 20)) "$W/data"
BYTES=$(stat -c %s "$W/data")

now() { date +%s.%N; }
produce() { for c in 0 1; do cat "$W/data" >"$CH/trace-path-cpu$c.out" & done; }

run_cat() {
	local t0 t1
	t0=$(now)
	for c in 0 1; do cat "$CH/trace-path-cpu$c.out" >"$W/cat$c" & done
	produce
	wait
	t1=$(now)
	rm -f "$W"/cat?
	echo "$t0 $t1" | awk '{ print $2 - $1 }'
}

fake_guest() {
	exec 3<>"$CH/agent-ctl-path.in" 4<>"$CH/agent-ctl-path.out"
	while read -r order <&3; do
		export VT_TAG=0	# the order's tag, for its reply
		if [[ $order =~ ^#([0-9]+)[[:space:]]+(.*)$ ]]; then
			VT_TAG=${BASH_REMATCH[1]} order=${BASH_REMATCH[2]}
		fi
		case "${order%% *}" in	# its first word: "meta kallsyms", "stop pause"
		meta) "$B/tests/vt-fakereply" meta "$FIX" >&4 ;;
		start) "$B/tests/vt-fakereply" ok streaming >&4; produce ;;
		stop) "$B/tests/vt-fakereply" stopped \
			"$(printf 'cpu=0 bytes=%s lost=0\ncpu=1 bytes=%s lost=0' $BYTES $BYTES)" >&4 ;;
		end) "$B/tests/vt-fakereply" end "$FIX" >&4 ;;
		*) "$B/tests/vt-fakereply" ok ok >&4 ;;
		esac
	done
}

run_vtrace() {
	local t0 t1
	fake_guest &
	local fake=$!
	sleep 0.2
	t0=$(now)
	"$B/vtrace" record -q --dir "$CH" -o "$W/out.dat" -D 0.01 2>"$W/vtrace.log"
	t1=$(now)
	kill $fake; wait $fake 2>/dev/null || true
	wait
	grep -q "wrote $W/out.dat" "$W/vtrace.log" || { cat "$W/vtrace.log" >&2; exit 1; }
	rm -f "$W/out.dat"
	echo "$t0 $t1" | awk '{ print $2 - $1 }'
}

echo "vtrace record throughput: 2 CPUs x $SIZE MiB of sub-buffers through FIFOs, best of $RUNS"
best_cat=999999 best_vt=999999
for ((i = 0; i < RUNS; i++)); do
	t=$(run_cat); best_cat=$(awk -v a=$best_cat -v b=$t 'BEGIN { print (b < a) ? b : a }')
	t=$(run_vtrace); best_vt=$(awk -v a=$best_vt -v b=$t 'BEGIN { print (b < a) ? b : a }')
done
awk -v c=$best_cat -v v=$best_vt -v mib=$((2 * SIZE)) 'BEGIN {
	printf "%-8s %10s %10s\n", "reader", "MiB/s", "ratio"
	printf "%-8s %10.0f %10.2f\n", "cat", mib / c, 1
	printf "%-8s %10.0f %10.2f   (target: at least 0.95)\n", "vtrace", mib / v, c / v
}'
