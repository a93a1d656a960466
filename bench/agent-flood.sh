#!/bin/bash
# Flood benchmark of trace-agent against the peers, in the same run, same load:
# markers from pinned writers on every CPU, recorded by
#   agent     build/trace-agent streaming into files (splice)
#   trace-cmd trace-cmd record (Debian), into a trace.dat
#   cat       plain `cat per_cpu/cpuN/trace_pipe_raw`, restarted on EOF
# for ring buffers of 1408 KB and 4 MB per CPU. Prints, per recorder:
# events written, recovered, lost %, recorder CPU seconds per GiB of trace
# data recovered, and ratios to trace-cmd. Needs root. Not a test: it asserts
# nothing.
#
# "GiB of trace data" is events recovered x the mean size of an event in the
# ring buffer (measured on the agent's stream in the same run): file sizes do
# not compare, as trace-cmd compresses and cat's reads pad partial pages.
#
#   bench/agent-flood.sh [MARKERS_PER_CPU]   (default 2000000)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${VTRACE_BUILD:-$ROOT/build}	# the build directory to use
M=${1:-2000000}
NCPU=$(nproc)
T=/sys/kernel/tracing
[ "$(id -u)" -eq 0 ] || { echo "bench: needs root" >&2; exit 1; }
[ -d "$T/instances" ] || mount -t tracefs nodev "$T"
command -v trace-cmd >/dev/null || { echo "bench: needs trace-cmd (scripts/deps.sh)" >&2; exit 1; }
W=$(mktemp -d /tmp/vtrace-bench.XXXXXX)
INST=vtbench-$$
cleanup() {
	pkill -f "$W" 2>/dev/null || true
	pkill -x trace-cmd 2>/dev/null || true
	sleep 0.2
	[ -d "$T/instances/$INST" ] && rmdir "$T/instances/$INST" 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT

flood() {	# trace_marker file
	local c pids=()
	for ((c = 0; c < NCPU; c++)); do
		"$B/tests/vt-mark" -c $c -n "$M" "$1" 2>>"$W/flood.log" &
		pids+=($!)
	done
	wait "${pids[@]}"
}

cpu_seconds() { awk '{ s += $2 } END { printf "%.3f", s }' "$1"; }

# Each recorder leaves: $W/R.count (markers recovered) and R.usage (CPU time)
run_agent() {	# buffer_kb
	mkdir "$T/instances/$INST" "$W/agent"
	mkfifo "$W/agent/ctl"
	for ((c = 0; c < NCPU; c++)); do : >"$W/agent/trace-path-cpu$c"; done
	"$B/tests/vt-rusage" "$W/agent.usage" "$B/trace-agent" -i "$INST" -b "$1" \
		-p "$W/agent" -c "$W/agent/ctl" 2>"$W/agent.log" &
	local pid=$!
	until grep -q 'waiting for orders' "$W/agent.log"; do sleep 0.05; done
	echo 1 >"$W/agent/ctl"
	sleep 0.2
	flood "$T/instances/$INST/trace_marker"
	echo 0 >"$W/agent/ctl"
	until [ "$(grep -c ': sent ' "$W/agent.log")" -ge "$NCPU" ]; do sleep 0.05; done
	kill -TERM $pid; wait $pid || true
	local count=0 data=0 events=0
	for ((c = 0; c < NCPU; c++)); do
		n=$("$B/tests/vt-decode" -f "$T/instances/$INST/events" -c $c \
			"$W/agent/trace-path-cpu$c" 2>"$W/sum" | grep -c 'vtmark' || true)
		count=$((count + n))
		data=$((data + $(grep -o 'data=[0-9]*' "$W/sum" | cut -d= -f2)))
		events=$((events + $(grep -o ' events=[0-9]*' "$W/sum" | cut -d= -f2)))
	done
	echo $count >"$W/agent.count"
	awk -v d=$data -v e=$events 'BEGIN { print d / e }' >"$W/event.size"
	rm -rf "$W/agent"; rmdir "$T/instances/$INST"
}

run_tracecmd() {	# buffer_kb
	rm -f "$W/trace-cmd.skip"
	"$B/tests/vt-rusage" "$W/trace-cmd.usage" trace-cmd record -B "$INST" -b "$1" \
		--no-filter -d -e sched:sched_process_exit -o "$W/tc.dat" >"$W/tc.log" 2>&1 &
	local pid=$!
	# its stdout is buffered: wait for its per-CPU recorders' files instead
	until [ "$(ls "$W"/tc.dat.*.cpu* 2>/dev/null | wc -l)" -ge "$NCPU" ]; do
		if ! kill -0 $pid 2>/dev/null; then	# a kernel that refuses its set-up
			echo "trace-cmd record failed: $(tail -n 1 "$W/tc.log")" >"$W/trace-cmd.skip"
			echo 0 >"$W/trace-cmd.count"
			return 0
		fi
		sleep 0.05
	done
	sleep 0.3
	flood "$T/instances/$INST/trace_marker"
	kill -INT $pid; wait $pid || true	# trace-cmd exits 1 at teardown here
	trace-cmd report -i "$W/tc.dat" 2>/dev/null | grep -c 'vtmark' >"$W/trace-cmd.count" || true
	rm -f "$W/tc.dat"
	[ -d "$T/instances/$INST" ] && rmdir "$T/instances/$INST"	# it may leave it
	true
}

run_cat() {	# buffer_kb
	mkdir "$T/instances/$INST"
	if ! echo "$1" 2>"$W/cat.skip" >"$T/instances/$INST/buffer_size_kb"; then
		echo "the kernel refuses buffer_size_kb $1: $(cat "$W/cat.skip")" >"$W/cat.skip"
		echo 0 >"$W/cat.count"; : >"$W/cat.usage"; rmdir "$T/instances/$INST"
		return 0
	fi
	rm -f "$W/cat.skip"
	# cat may quit on an empty read: restart it until told to stop
	"$B/tests/vt-rusage" "$W/cat.usage" bash -c '
		for ((c = 0; c < '"$NCPU"'; c++)); do
			( while [ ! -e '"$W"'/cat.stop ]; do
				cat '"$T/instances/$INST"'/per_cpu/cpu$c/trace_pipe_raw
			  done >'"$W"'/cat$c.raw ) &
		done
		wait' 2>/dev/null &
	local pid=$!
	sleep 0.3
	flood "$T/instances/$INST/trace_marker"
	sleep 1	# let it drain
	# a cat blocked on an empty buffer never sees the stop file: end it
	touch "$W/cat.stop"; pkill -f "^cat $T/instances/$INST/" || true
	wait $pid || true; rm -f "$W/cat.stop"
	local count=0
	for ((c = 0; c < NCPU; c++)); do
		n=$("$B/tests/vt-decode" -f "$T/instances/$INST/events" -c $c "$W/cat$c.raw" \
			2>/dev/null | grep -c 'vtmark' || true)
		count=$((count + n))
		rm -f "$W/cat$c.raw"
	done
	echo $count >"$W/cat.count"
	rmdir "$T/instances/$INST"
}

written=$((M * NCPU))
echo "vtrace bench: $NCPU CPUs, $M markers per CPU ($written in all), kernel $(uname -r)"
for kb in 1408 4096; do
	echo
	echo "ring buffer $kb KB per CPU"
	printf '%-10s %10s %10s %8s %10s %8s %12s %10s %10s\n' recorder written recovered \
		'lost %' 'data MiB' 'cpu s' 'cpu s/GiB' 'lost/tc' 'cpu/tc'
	for r in agent trace-cmd cat; do
		: >"$W/flood.log"
		case $r in
		agent) run_agent $kb; cp "$W/flood.log" "$W/agent.flood" ;;
		trace-cmd) run_tracecmd $kb ;;
		cat) run_cat $kb ;;
		esac
	done
	size=$(cat "$W/event.size")
	if [ -f "$W/trace-cmd.skip" ]; then	# no peer to compare with: figures only
		echo "trace-cmd: skipped, $(cat "$W/trace-cmd.skip")"
	fi
	[ -f "$W/cat.skip" ] && echo "cat: skipped, $(cat "$W/cat.skip")"
	tc_lost=$(awk -v w=$written -v r="$(cat "$W/trace-cmd.count")" 'BEGIN { print (w - r) / w * 100 }')
	tc_cpu=$(awk -v s="$(cpu_seconds "$W/trace-cmd.usage")" -v r="$(cat "$W/trace-cmd.count")" \
		-v z="$size" 'BEGIN { print (r > 0 ? s / (r * z / 2^30) : 0) }')
	for r in agent trace-cmd cat; do
		awk -v name=$r -v w=$written -v r="$(cat "$W/$r.count")" -v z="$size" \
		    -v s="$(cpu_seconds "$W/$r.usage")" -v tl="$tc_lost" -v tc="$tc_cpu" 'BEGIN {
			lost = (w - r) / w * 100; gib = r * z / 2^30; cpu = gib > 0 ? s / gib : 0
			if (tc == 0) rel = "-"	# no trace-cmd figures to compare with
			else if (tl > 0) rel = sprintf("%.2f", lost / tl)
			else rel = (lost > 0) ? "inf" : "-"
			crel = (tc > 0 && cpu > 0) ? sprintf("%.2f", cpu / tc) : "-"
			printf "%-10s %10d %10d %8.2f %10.1f %8.3f %12.2f %10s %10s\n", name, w, r,
				lost, gib * 1024, s, cpu, rel, crel }'
	done
	echo "(mean event size $size bytes; writers' rate during the agent's run:" \
	     "$(awk '{ n += $1; if ($4 > t) t = $4 } END { printf "%.2f M markers/s", n / t / 1e6 }' \
		"$W/agent.flood")"")"
done
