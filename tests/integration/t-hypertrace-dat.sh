#!/bin/bash
# vtrace hypertrace --format dat: trace-cmd report decodes every event of the
# trace.dat with the right arguments, per client in order, with host
# CLOCK_MONOTONIC timestamps (time extends across 150 ms gaps, 16 arguments,
# a hostile clock that goes backwards or jumps by 2^60 ns), and the timestamp
# error measured against clock_gettime read right before each emit. The event
# prints each field once: client, seq, the arguments; the CPU is trace-cmd's.
source "$(dirname "$0")/lib.sh"
command -v trace-cmd >/dev/null || skip "no trace-cmd"
WORK=$(mktemp -d /tmp/vtrace-test.XXXXXX)
P=/dev/shm/vtrace-test-htdat-$$
EMIT=$B/tests/vt-htemit
trap 'rc=$?; rm -f "$P"; (exit $rc); cleanup' EXIT

# collect OUT EMITTER-ARGS... -- COLLECTOR-ARGS...: one run of the collector around the emitter
collect() {
	local out=$1 i col emit=() opts=()
	shift
	while [ "$1" != -- ]; do emit+=("$1"); shift; done
	shift
	opts=("$@")
	"$VTRACE" hypertrace --path "$P" --format dat -o "$out" "${opts[@]}" 2>"$WORK/err" &
	col=$!
	for ((i = 0; i < 100; i++)); do [ -e "$P" ] && break; sleep 0.05; done
	"${emit[@]}" >"$WORK/emit" || fail "emitter: $(cat "$WORK/emit")"
	sleep 0.3
	kill -INT $col
	wait $col || fail "collector exit: $(cat "$WORK/err")"
	[ -e "$P" ] && fail "region left behind"
	ls "$out".* 2>/dev/null && fail "temporary file left beside $out"
	true
}

# 1. the seed's example: its two events, decoded by trace-cmd
collect "$WORK/seed.dat" "$B/tests/seed-hypertrace-example" "$P" -- --clients 2
trace-cmd report -i "$WORK/seed.dat" >"$WORK/seed.txt" 2>&1 || fail "trace-cmd: $(cat "$WORK/seed.txt")"
[ "$(grep -c 'guest_hypertrace:' "$WORK/seed.txt")" -eq 2 ] || fail "want 2 events: $(cat "$WORK/seed.txt")"
grep -q '\[000\] *[0-9.]*: guest_hypertrace: *client=0 seq=0 arg1=1 arg2=0x000000000000cafe arg3=0x000000000000dead arg4=0x000000000000beef$' \
	"$WORK/seed.txt" || fail "first event: $(cat "$WORK/seed.txt")"
grep -q '\[000\] *[0-9.]*: guest_hypertrace: *client=0 seq=1 arg1=0 arg2=0x000000000000cafe' "$WORK/seed.txt" ||
	fail "second event: $(cat "$WORK/seed.txt")"
trace-cmd report --events -i "$WORK/seed.dat" | grep '^print fmt:' >"$WORK/fmt" || fail "no print fmt"
for f in client seq arg1 arg2 arg3 arg4; do
	[ "$(grep -o "REC->$f\b" "$WORK/fmt" | wc -l)" -eq 1 ] || fail "print fmt: REC->$f not once: $(cat "$WORK/fmt")"
done
grep -q '"client=%u seq=%llu arg1=%llu arg2=0x%016llx arg3=0x%016llx arg4=0x%016llx", REC->client, REC->seq, REC->arg1' \
	"$WORK/fmt" || fail "print fmt: $(cat "$WORK/fmt")"
now=$(cut -d' ' -f1 /proc/uptime | cut -d. -f1)
t=$(grep -m1 -o '\] *[0-9]*\.' "$WORK/seed.txt" | tr -dc 0-9)
[ $((now - t)) -ge 0 ] && [ $((now - t)) -lt 60 ] || fail "timestamp $t is not CLOCK_MONOTONIC ($now)"
trace-cmd report --stat -i "$WORK/seed.dat" >/dev/null 2>&1 || true
grep -q "wrote $WORK/seed.dat (trace.dat v6, clock mono): 2 events of 1 client" "$WORK/err" ||
	fail "summary: $(cat "$WORK/err")"
say "seed: $(grep guest_hypertrace "$WORK/seed.txt" | head -1)"

# 2. three clients, 3000 events each, 6 arguments: every one, right args, in order per client
N=3000
collect "$WORK/many.dat" "$EMIT" -p "$P" -t 3 -n $N -- --clients 4 --args 6
grep -q "emitted $((3 * N)) dropped 0" "$WORK/emit" || fail "emitter: $(cat "$WORK/emit")"
trace-cmd report -t -i "$WORK/many.dat" >"$WORK/many.txt" 2>&1 || fail "trace-cmd report failed"
grep -q "^cpus=3$" "$WORK/many.txt" || fail "want cpus=3: $(head -1 "$WORK/many.txt")"
for c in 0 1 2; do
	for ((i = 1; i <= N; i++)); do
		printf 'client=%d seq=%d arg1=%d' $c $((i - 1)) $i
		for k in 2 3 4 5 6; do printf ' arg%d=0x%016x' $k $(((c << 32) | (i << 8) | k)); done
		echo
	done >"$WORK/want$c"
	grep -o "client=$c seq=.*" "$WORK/many.txt" >"$WORK/got$c"
	cmp -s "$WORK/want$c" "$WORK/got$c" || fail "client $c: $(diff "$WORK/want$c" "$WORK/got$c" | head -5)"
	grep "client=$c seq=" "$WORK/many.txt" | awk '{ print $3 }' | tr -d : | sort -c -n ||
		fail "client $c: timestamps out of order"
	# each client that emitted is a CPU, in client order: here client c is CPU c
	[ "$(grep -c "\[00$c\] .* client=$c seq=" "$WORK/many.txt")" -eq $N ] ||
		fail "client $c: not all on CPU $c: $(grep -m3 "client=$c seq=" "$WORK/many.txt")"
done
say "3 clients x $N events: all decoded, in order, right CPU, seq and arguments"

# 3. 16 arguments (events too long for the short header), and timestamps against
# clock_gettime read right before each emit, 150 ms apart (time extends)
collect "$WORK/ts.dat" "$EMIT" -p "$P" -n 20 -s 150000 -m -- --clients 1 --args 16
trace-cmd report -t -i "$WORK/ts.dat" >"$WORK/ts.txt" 2>&1 || fail "trace-cmd report failed"
[ "$(grep -c 'guest_hypertrace:' "$WORK/ts.txt")" -eq 20 ] || fail "want 20 events"
grep -q 'arg1=20 arg2=0x[0-9a-f]* arg3=0x0000000000001403 .* arg16=0x0000000000001410$' "$WORK/ts.txt" ||
	fail "16 arguments: $(tail -1 "$WORK/ts.txt")"
read -r _ n _ min _ med _ p99 _ max < <("$EMIT" -C <"$WORK/ts.txt")
[ "$n" -eq 20 ] && [ "${med#-}" -lt 5000 ] ||
	fail "timestamp error: n $n median $med ns (min $min max $max)"
say "150 ms apart, 16 args: ts - clock_gettime: median $med ns, min $min, max $max"
grep 'timestamps:' "$WORK/err" | sed 's/^/# /'

# 4. a hostile clock: backwards (clamped, counted) and a 2^60 ns jump
collect "$WORK/bad.dat" "$EMIT" -p "$P" -B -- --clients 1
trace-cmd report -t -i "$WORK/bad.dat" >"$WORK/bad.txt" 2>&1 || fail "trace-cmd report failed"
grep -o '[0-9.]*: guest_hypertrace: *client=0 seq=[0-9]* arg1=[0-9]' "$WORK/bad.txt" |
	awk '{ print $1, $NF }' >"$WORK/bad.got"
printf '%s\n' "5.000000000: arg1=1" "5.000000000: arg1=2" "1152921504.606846976: arg1=3" \
	"1152921504.606846977: arg1=4" | cmp -s - "$WORK/bad.got" || fail "hostile clock: $(cat "$WORK/bad.got")"
grep -q '^1 events were stamped before their client.s previous one, by up to 1000000000 ns (a broken or hostile clock)' "$WORK/err" ||
	fail "clamp not reported: $(cat "$WORK/err")"
say "backwards and 2^60 ns jump: $(tr '\n' ' ' <"$WORK/bad.got")"

# 5. the same clock as a host trace with trace clock mono: a host marker written
# before the emit and one after bracket the event's timestamp
if [ "$(id -u)" -eq 0 ] && [ -d "$T/instances" ]; then
	INST=vtrace-test-$$
	mkdir "$T/instances/$INST"
	tracefs_write mono "$T/instances/$INST/trace_clock"
	M=$T/instances/$INST/trace_marker
	collect "$WORK/mono.dat" bash -c "echo vtht-before >$M; $EMIT -p $P -n 1 -v 42; echo vtht-after >$M" \
		-- --clients 1
	before=$(grep -o '[0-9]*\.[0-9]*: .*vtht-before' "$T/instances/$INST/trace" | cut -d: -f1 | tr -d .)
	after=$(grep -o '[0-9]*\.[0-9]*: .*vtht-after' "$T/instances/$INST/trace" | cut -d: -f1 | tr -d .)
	ev=$(trace-cmd report -t -i "$WORK/mono.dat" | grep -o '[0-9]*\.[0-9]*: guest_hypertrace' | cut -d: -f1 | tr -d .)
	[ -n "$before" ] && [ -n "$after" ] && [ -n "$ev" ] || fail "markers or event missing"
	# the markers in us, the event in ns
	[ $((10#$before * 1000)) -le $((10#$ev)) ] && [ $((10#$ev)) -le $((10#$after * 1000 + 999)) ] ||
		fail "the event's time $ev ns is not between the host's markers ${before}000 and ${after}999"
	say "host markers (clock mono) at $before us and $after us bracket the event at $ev ns"
fi

# 6. no events: still a file trace-cmd opens
collect "$WORK/empty.dat" true -- --clients 1
trace-cmd report -i "$WORK/empty.dat" >/dev/null 2>&1 || fail "empty trace.dat unreadable"

# 7. an output directory that cannot be written: one error at start, nothing made
rc=0; "$VTRACE" hypertrace --path "$P" --format dat -o /nonexistent/x.dat 2>"$WORK/err" || rc=$?
[ $rc -eq 1 ] && [ "$(wc -l <"$WORK/err")" -eq 1 ] && grep -q 'cannot write /nonexistent/x.dat' "$WORK/err" ||
	fail "bad output: exit $rc: $(cat "$WORK/err")"
[ -e "$P" ] && fail "region made despite the bad output"
true
