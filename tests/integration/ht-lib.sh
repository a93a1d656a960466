# Shared by the hypertrace tests: a real collector (vtrace hypertrace) on a
# region in /dev/shm, the emitting programs, and checks of what it printed.
# Sourced after lib.sh; the region is removed at exit whatever happens.
EMIT=$B/tests/vt-htthreads
HTCHECK=$B/tests/vt-htcheck
SEED=$B/tests/seed-hypertrace-example
# What runs under qemu-user comes from the normal build, like the guest's
# programs: ASan cannot map its shadow memory there (make check-asan).
QEMU_USER_EMIT=$ROOT/build/tests/vt-htthreads
QEMU_USER_SEED=$ROOT/build/tests/seed-hypertrace-example
WORK=$(mktemp -d /tmp/vtrace-test.XXXXXX)
HT_P=/dev/shm/vtrace-test-ht-$$
HT_COL=""
# keep the test's exit status through cleanup (lib.sh's cleanup exits with $?)
trap 'ht_rc=$?; set +e; rm -f "$HT_P"; (exit $ht_rc); cleanup' EXIT

# Start the collector on $HT_P with OPTIONS; wait until the region is ready.
ht_start() {	# options...
	local i
	rm -f "$WORK/events" "$WORK/col.err"	# not to read the last run's
	"$VTRACE" hypertrace --path "$HT_P" "$@" >"$WORK/events" 2>"$WORK/col.err" &
	HT_COL=$!
	READER_PIDS+=($HT_COL)
	for ((i = 0; i < 200; i++)); do
		grep -q '^hypertrace region' "$WORK/col.err" && return 0
		kill -0 $HT_COL 2>/dev/null || fail "the collector died: $(cat "$WORK/col.err")"
		sleep 0.05
	done
	fail "the collector never made its region: $(cat "$WORK/col.err")"
}

# Give the collector time to drain (it polls at least every 2 ms), end it with
# SIGINT: it must exit 0 and remove the region.
ht_stop() {	# [kept: the collector was started with --keep]
	local rc=0
	sleep 0.2
	kill -INT $HT_COL
	wait $HT_COL || rc=$?
	HT_COL=""
	[ $rc -eq 0 ] || fail "collector exit $rc on SIGINT: $(tail -5 "$WORK/col.err")"
	[ -n "${1:-}" ] || [ ! -e "$HT_P" ] || fail "the collector left its region behind"
	return 0
}

# The clock client 0's records carry in a kept region of 4 arguments (the
# collector does not print it): 1 (HT_CLOCK_TSC) or 0 (HT_CLOCK_MONO), per
# record. Record r is at client_offset 4096 + ring offset 192 + 48 r.
ht_record_clocks() {	# records
	local r
	for ((r = 0; r < $1; r++)); do
		od -An -tu4 -j $((4096 + 192 + 48 * r + 4)) -N4 "$HT_P" | tr -d ' '
	done | tr '\n' ' '
}

# What an x86 producer stamps with here: the TSC when the host's is
# invariant (the collector then sets HT_FLAG_TSC_OK), else CLOCK_MONOTONIC.
ht_x86_clock() {
	local flags
	flags=$(grep -m1 '^flags' /proc/cpuinfo)
	[[ "$flags" == *" constant_tsc"* && "$flags" == *" nonstop_tsc"* ]] && echo 1 || echo 0
}

ht_now() { "$EMIT" --now; }

# The seed example's two events, as the collector printed them in $WORK/events:
# arg1=1 then arg1=0, both with cafe/dead/beef, host CLOCK_MONOTONIC times in
# order within [T0, T1] (SEC.USEC).
ht_check_seed() {	# t0 t1 [what]
	local ev=$WORK/events what=${3:-the seed example} a b
	local args='arg2=0x000000000000cafe arg3=0x000000000000dead arg4=0x000000000000beef$'
	local head='^[0-9]*@[0-9]*\.[0-9]\{6\}:guest_hypertrace cpu=[0-9]* client=0'
	[ "$(wc -l <"$ev")" -eq 2 ] || fail "$what: want 2 events, got: $(cat "$ev")"
	local first second
	first=$(sed -n 1p "$ev")
	second=$(sed -n 2p "$ev")
	grep -q "$head arg1=1 $args" <<<"$first" || fail "$what: first event: $first"
	grep -q "$head arg1=0 $args" <<<"$second" || fail "$what: second event: $second"
	a=$(cut -d@ -f2 <<<"$first" | cut -d: -f1 | tr -d .)
	b=$(cut -d@ -f2 <<<"$second" | cut -d: -f1 | tr -d .)
	[ "$a" -le "$b" ] || fail "$what: times out of order: $(cat "$ev")"
	[ "${1//./}" -le "$a" ] && [ "$b" -le "${2//./}" ] ||
		fail "$what: times not in the run's host CLOCK_MONOTONIC [$1, $2]: $(cat "$ev")"
	say "$what: ${first%%:*} arg1=1, ${second%%:*} arg1=0, run [$1, $2]"
}

# Run the seed example (COMMAND... before it: an emulator, or nothing) into a
# fresh collector and check its two events, and that they were stamped with
# CLOCK (1: the TSC, 0: CLOCK_MONOTONIC).
ht_run_seed() {	# what clock command...
	local what=$1 clock=$2 t0 t1 clocks
	shift 2
	ht_start --clients 2 --args 4 --keep
	t0=$(ht_now)
	"$@" "$HT_P" >"$WORK/seed.out" 2>&1 || fail "$what failed: $(cat "$WORK/seed.out")"
	t1=$(ht_now)
	grep -q '^Some computation\.\.\.$' "$WORK/seed.out" || fail "$what: $(cat "$WORK/seed.out")"
	ht_stop kept
	clocks=$(ht_record_clocks 2)
	rm -f "$HT_P"
	grep -q '^2 events$' "$WORK/col.err" || fail "$what: the collector says: $(cat "$WORK/col.err")"
	ht_check_seed "$t0" "$t1" "$what"
	[ "$clocks" = "$clock $clock " ] || fail "$what: records stamped with clocks $clocks, want $clock"
	say "$what: clock $clock ($([ "$clock" = 1 ] && echo TSC || echo CLOCK_MONOTONIC))"
}

# The ring-full case: with the collector stopped, CLIENTS clients from THREADS
# threads of EMITTER each emit EVENTS*THREADS/CLIENTS; each ring takes ENTRIES
# of them, the rest must be counted as drops, exactly, on both sides, and the
# ring's events must all arrive once the collector runs again.
ht_check_drops() {	# threads clients events-per-thread entries emitter...
	local threads=$1 clients=$2 events=$3 entries=$4 c e d out
	shift 4
	ht_start --clients "$clients" --args 4 --entries "$entries"
	kill -STOP $HT_COL
	"$@" -p "$HT_P" -t "$threads" -c "$clients" -n "$events" >"$WORK/report" \
		2>"$WORK/emit.err" || { kill -CONT $HT_COL; fail "emitter: $(cat "$WORK/emit.err")"; }
	kill -CONT $HT_COL
	ht_stop
	while read -r _ c _ e _ d; do
		[ "$d" -eq $((e - entries)) ] ||
			fail "client $c: $d dropped of $e emitted into a ring of $entries"
		grep -q "client $c: $d events dropped" "$WORK/col.err" ||
			fail "client $c: the collector does not report its $d drops: $(cat "$WORK/col.err")"
	done < <(tail -n +2 "$WORK/report")
	grep -q "^$((clients * entries)) events\$" "$WORK/col.err" ||
		fail "want $((clients * entries)) events: $(tail -1 "$WORK/col.err")"
	out=$("$HTCHECK" -r "$WORK/report" "$WORK/events") || fail "$out"
	say "ring full: $(sed -n 2p "$WORK/report") (ring $entries) x $clients clients; $out"
}
