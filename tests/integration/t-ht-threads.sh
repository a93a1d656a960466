#!/bin/bash
# hypertrace, many clients from many threads at once (vt-htthreads, through
# <hypertrace.h>) into the real collector:
# 1. as fast as they can, rings large enough for everything: every event
#    arrives once, in order per client, args whole, no drop;
# 2. paced (20k events/s per thread) through small rings that wrap
#    while the collector drains them: the same, no drop;
# 3. the collector stopped (SIGSTOP), more events than a ring holds: each
#    client drops exactly emitted - ring_entries, counted by the library and
#    reported by the collector, and the ring's events all arrive after SIGCONT.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ht-lib.sh"
[ -x "$EMIT" ] && [ -x "$HTCHECK" ] || fail "$EMIT or $HTCHECK missing: make tests"

run_phase() {	# what entries emitter-options...
	local what=$1 entries=$2 t0 t1 out
	shift 2
	ht_start --clients 32 --args 4 --entries "$entries"
	t0=$(ht_now)
	"$EMIT" -p "$HT_P" "$@" >"$WORK/report" || fail "$what: vt-htthreads failed"
	t1=$(ht_now)
	ht_stop
	awk '$6 != 0 { exit 1 }' <(tail -n +2 "$WORK/report") ||
		fail "$what: drops while the rings had room: $(grep -v 'dropped 0$' "$WORK/report")"
	grep -q 'dropped' "$WORK/col.err" && fail "$what: the collector reports drops"
	out=$("$HTCHECK" -r "$WORK/report" -s "$t0" -e "$t1" "$WORK/events") || fail "$what: $out"
	say "$what: $out"
}

run_phase "8 threads, 32 clients, full speed" 8192 -t 8 -c 32 -n 20000
run_phase "8 threads, 32 clients, 20k/s each, 4096-entry rings" 4096 -t 8 -c 32 -n 40000 -r 20000
ht_check_drops 8 32 4000 256 "$EMIT"
