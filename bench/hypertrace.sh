#!/bin/bash
# hypertrace's cost to guest code, against its peers, in one run: ns per
# event from libhypertrace (hypertrace_emit() and the seed's
# qemu_hypertrace(); one thread pinned to CPU 0, 4 arguments, TSC time) with
# the real collector `vtrace hypertrace` draining on CPU 1; the floor (four
# plain stores, an rdtsc and a release store into a shared mapping); an
# LTTng-UST tracepoint with 4 uint64 arguments and an active session; a
# write() to a tracefs instance's trace_marker; aggregate events/s with one
# client per CPU; and a rate-limited emitter at 5 million events/s for a few
# seconds, counting what the collector received. Prints the figures, the
# ratios and the targets (PASS/MISS). Not a test: it judges, it does not fail
# on a MISS. Needs root for the trace_marker peer and the system LTTng daemon.
#
#   bench/hypertrace.sh     (make bench-hypertrace builds and runs it)
#   RATE=N SECS=N: the sustained run (default 5000000 events/s for 5 s);
#   ENTRIES=N: ring entries per client (default 65536, the collector's);
#   VTRACE=PATH: another build of the collector.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${VTRACE_BUILD:-$ROOT/build}	# the build directory to use
VTRACE=${VTRACE:-$B/vtrace}	# the collector (another build of it may be measured)
RATE=${RATE:-5000000}
ENTRIES=${ENTRIES:-65536}	# ring entries per client, the collector's default
SECS=${SECS:-5}
NCPU=$(nproc)
EMIT_CPU=0
COL_CPU=$((NCPU > 1 ? 1 : 0))
W=$(mktemp -d /tmp/vtrace-bench-ht.XXXXXX)
REGION=/dev/shm/vt-bench-ht-$$
COL="" SESSION="" SESSIOND="" MOUNTED=""
T=/sys/kernel/tracing

cleanup() {
	[ -n "$COL" ] && kill -INT "$COL" 2>/dev/null && wait "$COL" 2>/dev/null
	[ -n "$SESSION" ] && lttng destroy "$SESSION" >/dev/null 2>&1
	[ -n "$SESSIOND" ] && kill "$SESSIOND" 2>/dev/null && wait "$SESSIOND" 2>/dev/null
	rm -rf "$W" "$REGION"
	[ -n "$MOUNTED" ] && umount "$T" 2>/dev/null
	return 0
}
trap cleanup EXIT

# tracefs for the trace_marker peer: mounted if absent (root), unmounted after.
if [ ! -d "$T/instances" ] && [ "$(id -u)" = 0 ] && mount -t tracefs nodev "$T" 2>/dev/null; then
	MOUNTED=1
fi

for f in "$VTRACE" "$B/bench/hypertrace"; do
	[ -x "$f" ] || { echo "bench/hypertrace: $f is missing: run make bench" >&2; exit 1; }
done
num() { sed -n "s/^$1 //p" "$2"; }

# The collector's output format: trace.dat when it has one (faster to write).
if "$VTRACE" hypertrace --help | grep -q -- '--format'; then
	FMT=(--format dat) OUT=$W/ht.dat
else
	FMT=() OUT=$W/ht.log
fi

# collector_start CLIENTS: the real collector on COL_CPU, the region at REGION.
collector_start() {
	taskset -c $COL_CPU "$VTRACE" hypertrace --path "$REGION" --clients "$1" --args 4 \
		--entries "$ENTRIES" "${FMT[@]}" -o "$OUT" 2>"$W/col.err" &
	COL=$!
	for _ in $(seq 200); do
		[ -e "$REGION" ] && return 0
		kill -0 $COL 2>/dev/null || break
		sleep 0.05
	done
	echo "bench/hypertrace: the collector did not start:" >&2
	cat "$W/col.err" >&2
	exit 1
}

# collector_stop: SIGINT, wait; sets GOT, the events it says it wrote.
collector_stop() {
	kill -INT "$COL"
	wait "$COL" || { cat "$W/col.err" >&2; exit 1; }
	COL=""
	# "N events" (log) or "wrote FILE (...): N events of C clients" (dat)
	GOT=$(awk 'match($0, /[0-9]+ events( of|$)/) { n = substr($0, RSTART) + 0 } END { print n }' \
		"$W/col.err")
	[ -n "$GOT" ] || { echo "bench/hypertrace: no event count from the collector:" >&2
			   cat "$W/col.err" >&2; exit 1; }
	rm -f "$OUT"
}

echo "hypertrace benchmark: $NCPU CPUs, emitter on CPU $EMIT_CPU, collector on CPU $COL_CPU" \
	"(output: ${FMT[*]:-log format}; $ENTRIES ring entries per client)"
[ "$NCPU" -gt 1 ] || echo "  (one CPU: the collector shares it with the emitter)"

# 1. ns per event: floor, hypertrace_emit(), qemu_hypertrace(), interleaved rounds.
collector_start 2
taskset -c $EMIT_CPU "$B/bench/hypertrace" emit "$REGION" >"$W/emit"
collector_stop
FLOOR=$(num floor "$W/emit") EMIT=$(num emit "$W/emit") SEED=$(num seed "$W/emit")
echo "  emit rounds: $(num events "$W/emit") events, collector received $GOT," \
	"dropped $(num drops "$W/emit")"

# 2. trace_marker of a tracefs instance (made and removed by the program).
MARKER=""
if [ -w "$T/instances" ]; then
	taskset -c $EMIT_CPU "$B/bench/hypertrace" marker >"$W/marker"
	MARKER=$(num marker "$W/marker")
else
	echo "  trace_marker: skipped (needs root and tracefs at $T)"
fi

# 3. LTTng-UST, with a session of our own (and a session daemon, if none runs).
lttng_run() {
	if ! command -v lttng >/dev/null || ! command -v lttng-sessiond >/dev/null ||
	   [ ! -x "$B/bench/hypertrace-lttng" ]; then
		echo "  LTTng-UST: skipped (lttng-tools or liblttng-ust-dev missing:" \
			"scripts/deps.sh --bench installs them)"
		return 0
	fi
	if ! lttng list >/dev/null 2>&1; then
		# ours, in the foreground: a child of this script, stopped and reaped after
		lttng-sessiond >"$W/sessiond.log" 2>&1 &
		SESSIOND=$!
		for _ in $(seq 100); do
			lttng list >/dev/null 2>&1 && break
			sleep 0.1
		done
		if ! lttng list >/dev/null 2>&1; then
			echo "  LTTng-UST: skipped (lttng-sessiond does not start:" \
				"$(tail -1 "$W/sessiond.log"))"
			return 0
		fi
	fi
	SESSION=vt-bench-ht-$$
	lttng create "$SESSION" --output="$W/lttng" >/dev/null
	lttng enable-channel -u -s "$SESSION" --subbuf-size=1M --num-subbuf=8 vtch >/dev/null
	lttng enable-event -u -s "$SESSION" -c vtch vtrace_bench:event >/dev/null
	lttng start "$SESSION" >/dev/null
	if taskset -c $EMIT_CPU "$B/bench/hypertrace-lttng" >"$W/lttng.out"; then
		LTTNG=$(num lttng "$W/lttng.out")
	else
		echo "  LTTng-UST: skipped (the tracepoint was not enabled)"
	fi
	lttng destroy "$SESSION" >/dev/null
	SESSION=""
	if [ -n "$SESSIOND" ]; then
		kill "$SESSIOND" 2>/dev/null || true
		wait "$SESSIOND" 2>/dev/null || true
		SESSIOND=""
	fi
}
LTTNG=""
lttng_run

# 4. aggregate: one client per CPU, a thread pinned to each.
collector_start "$NCPU"
"$B/bench/hypertrace" aggregate "$REGION" "$NCPU" >"$W/agg"
collector_stop
AGG=$(num aggregate "$W/agg")
echo "  aggregate rounds: $(num events "$W/agg") events, collector received $GOT," \
	"dropped $(num drops "$W/agg")"

# 5. sustained RATE events/s for SECS s; what the collector got is the judge.
collector_start 1
taskset -c $EMIT_CPU "$B/bench/hypertrace" sustain "$REGION" "$RATE" "$SECS" >"$W/sus"
sleep 0.5
collector_stop
SENT=$(num emitted "$W/sus") SDROP=$(num drops "$W/sus") SRATE=$(num rate "$W/sus")

printf '\n%-44s %10s %8s\n' "per event, 4 arguments, timestamped" "ns" "ratio"
row() { [ -n "$2" ] && awk -v n="$1" -v v="$2" -v e="$EMIT" \
	'BEGIN { printf "%-44s %10.1f %8.2f\n", n, v, v / e }'; return 0; }
row "floor (4 stores, rdtsc, release store)" "$FLOOR"
row "hypertrace_emit() (libhypertrace)" "$EMIT"
row "qemu_hypertrace() (the seed's API)" "$SEED"
row "LTTng-UST tracepoint, active session" "$LTTNG"
row "write() to a tracefs trace_marker" "$MARKER"
echo "(ratio: to hypertrace_emit())"
awk -v a="$AGG" -v n="$NCPU" -v per="$(grep '^cpu' "$W/agg" | paste -sd' ')" 'BEGIN {
	printf "aggregate, %d clients on %d CPUs at once: %.1f M events/s (ns per event: %s)\n",
	       n, n, a / 1e6, per }'
awk -v s="$SENT" -v g="$GOT" -v d="$SDROP" -v r="$SRATE" -v t="$SECS" 'BEGIN {
	printf "sustained %.2f M events/s for %s s: emitted %d, collector received %d, dropped %d\n",
	       r / 1e6, t, s, g, d }'

echo
judge() { if awk "BEGIN { exit !($2) }"; then echo "PASS  $1"; else echo "MISS  $1"; fi; }
judge "$(printf '%.1f ns per event (target <= 15)' "$EMIT")" "$EMIT <= 15"
judge "$(awk -v e="$EMIT" -v f="$FLOOR" 'BEGIN { printf "%.2fx the floor (target <= 1.5x)", e / f }')" \
	"$EMIT <= 1.5 * $FLOOR"
if [ -n "$LTTNG" ]; then
	judge "$(awk -v e="$EMIT" -v l="$LTTNG" \
		'BEGIN { printf "%.1fx faster than LTTng-UST (target >= 5x)", l / e }')" \
		"$LTTNG >= 5 * $EMIT"
else
	echo "SKIP  faster than LTTng-UST (not measured)"
fi
judge "$((SENT - GOT)) events lost of $SENT at $(awk -v r="$SRATE" 'BEGIN { printf "%.2f", r / 1e6 }') M/s (target 0, at >= $(awk -v r="$RATE" 'BEGIN { printf "%.2f", r / 1e6 }') M/s)" \
	"$GOT == $SENT && $SDROP == 0 && $SRATE >= 0.99 * $RATE"
