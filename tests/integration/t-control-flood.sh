#!/bin/bash
# The control port flooded with megabytes of garbage, and trickled at one
# byte a second (slow-loris), while vtrace record runs: the agent goes on
# streaming, answers at most 100 garbage orders a second, and obeys every
# order of the recorder, which takes the replies tagged with its orders and
# skips the garbage's ERRs. Times are measured from the order to the
# recorder's exit.
source "$(dirname "$0")/lib.sh"
setup_tracefs
setup_channels
start_guest_agent
ms() { date +%s%3N; }

# 1. flood: random bytes (no '0' or '1': those are the seed's real orders),
# megabytes of them, written until the recorder has been stopped in the
# middle of it: as fast as the agent takes them in a normal build; paced to
# about 8 MiB/s under the sanitizers (make check-asan), whose agent and
# recorder are too slow to answer an unpaced flood's hundreds of thousands of
# orders within the stop's timeout
head -c $((1 << 20)) /dev/urandom | tr -d '01' >"$WORK/garbage"
pace=0
[ -n "${VTRACE_SAN:-}" ] && pace=0.12
( while :; do cat "$WORK/garbage"; [ "$pace" = 0 ] || sleep $pace; done ) \
	>"$CH/agent-ctl-path.in" &
flood=$!
READER_PIDS+=($flood)
sleep 0.5
# record's orders (enable, meta, start) go in the middle of the flood: each
# reply it waits for is the one with its order's tag, among the flood's ERRs
"$VTRACE" record -q --dir "$CH" -o "$WORK/f.dat" -e sched:sched_switch 2>"$WORK/f.err" &
rec=$!
sleep 1.5
mark 0 2000 before
sleep 1
mark 0 2000 during
sleep 1
kill -0 $flood 2>/dev/null || fail "the flood ended before the stop: make it longer"
t2=$(ms)
kill -INT $rec
rc=0; wait $rec || rc=$?
t3=$(ms)
pkill -P $flood 2>/dev/null || true; kill $flood 2>/dev/null || true; wait $flood 2>/dev/null || true
kill -0 "$AGENT_PID" || fail "the agent died of the flood"
sed 's/^/  record: /' "$WORK/f.err"
[ $rc -eq 0 ] || fail "record during the flood: exit $rc"
grep -q "did not confirm the stop" "$WORK/f.err" && fail "the stop was not confirmed"
[ $((t3 - t2)) -lt 10000 ] || fail "the stop took $((t3 - t2)) ms"
trace-cmd report -i "$WORK/f.dat" >"$WORK/f.txt" 2>/dev/null || fail "trace-cmd cannot read it"
grep "\[000\]" "$WORK/f.txt" >"$WORK/f0"
expect_markers before 0 1 2000 "$WORK/f0"
expect_markers during 0 1 2000 "$WORK/f0"
grep -q "sched_switch:" "$WORK/f.txt" || fail "the enable order sent during the flood was lost"
skipped=$(sed -n 's/^\([0-9]*\) replies to orders vtrace did not send.*/\1/p' "$WORK/f.err")
say "flood: record's orders obeyed in the middle of it, ${skipped:-0} answers to garbage" \
    "skipped; stop order to record's exit $((t3 - t2)) ms; every marker there"
[ "$(wc -l <"$WORK/agent.log")" -lt 1000 ] ||
	fail "the flood flooded the log: $(wc -l <"$WORK/agent.log") lines"
say "agent log: $(wc -l <"$WORK/agent.log") lines"

# 2. slow-loris: one byte a second, never a newline, through a whole recording
( for ((i = 0; i < 30; i++)); do
	printf 'x' >"$CH/agent-ctl-path.in"; echo $i >"$WORK/loris.tick"; sleep 1
  done ) &
loris=$!
READER_PIDS+=($loris)
sleep 1.5
"$VTRACE" record -q --dir "$CH" -o "$WORK/s.dat" -e sched:sched_switch 2>"$WORK/s.err" &
rec=$!
sleep 2
mark 1 1000 loris
sleep 1
t2=$(ms)
kill -INT $rec 2>/dev/null || fail "record ended before its stop: $(cat "$WORK/s.err")"
rc=0; wait $rec || rc=$?
t3=$(ms)
sed 's/^/  record: /' "$WORK/s.err"
[ $rc -eq 0 ] || fail "record under slow-loris: exit $rc"
grep -q "did not confirm the stop" "$WORK/s.err" && fail "the stop was not confirmed"
trace-cmd report -i "$WORK/s.dat" >"$WORK/s.txt" 2>/dev/null || fail "trace-cmd cannot read it"
grep "\[001\]" "$WORK/s.txt" >"$WORK/s1"
expect_markers loris 1 1 1000 "$WORK/s1"
grep -q "sched_switch:" "$WORK/s.txt" || fail "the enable order was lost"
# the seed's stop, as echo sends it, obeyed too. A byte of the slow-loris
# less than 500 ms old glues itself to the front of an order without a
# newline before it ("x0"), by design: the seed's orders wait until the
# last byte is 600 ms old (an order sent at another moment of its second
# failed, or not, with how long record took to finish).
after_loris_byte() {
	local tick
	tick=$(cat "$WORK/loris.tick")
	while [ "$(cat "$WORK/loris.tick")" = "$tick" ]; do sleep 0.05; done
	sleep 0.6
}
order_seed() { echo "$1" >"$CH/agent-ctl-path.in"; }
before=$(grep -c ': sent ' "$WORK/agent.log" || true)
after_loris_byte; order_seed 1; after_loris_byte; t4=$(ms); order_seed 0
wait_log ': sent ' $((before + NCPU))
t5=$(ms)
kill $loris 2>/dev/null || true
say "slow-loris: record's stop to exit $((t3 - t2)) ms, every order obeyed;" \
    "the seed's 'echo 0' flushed in $((t5 - t4)) ms"
grep -m2 "unfinished order" "$WORK/agent.log" | sed 's/^/  agent: /'
