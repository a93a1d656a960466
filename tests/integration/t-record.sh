#!/bin/bash
# vtrace record against the real agent on a real tracefs instance, FIFOs
# standing in for QEMU: trace-cmd report (the real peer) lists exactly the
# markers written; the sub-buffers in the file are byte for byte what the
# agent sent; sched events decode with their fields from formats that came
# over the protocol (the host's tracefs is unmounted while reading).
source "$(dirname "$0")/lib.sh"
setup_tracefs
setup_channels
start_guest_agent
N=4000
(
	sleep 1.5
	for ((c = 0; c < NCPU; c++)); do mark $c $N; done
) &
"$VTRACE" record --dir "$CH" -o "$WORK/t.dat" -e sched:sched_switch -D 3 2>"$WORK/record.log" ||
	fail "vtrace record failed: $(cat "$WORK/record.log")"
sed 's/^/  record: /' "$WORK/record.log"
grep -q 'disabled sched:sched_switch' "$WORK/agent.log" || fail "the event was left enabled"
[ "$(cat "$T/instances/$INST/events/sched/sched_switch/enable")" = 0 ] || fail "sched_switch still on"
end_agent

# the real peer reads it, with the host's tracefs out of reach
unshare -m bash -c "umount $T 2>/dev/null; umount /sys/kernel/debug/tracing 2>/dev/null;
	[ ! -e $T/trace ] && trace-cmd report -i '$WORK/t.dat'" >"$WORK/report.txt" 2>"$WORK/report.err" ||
	fail "trace-cmd report failed: $(head -3 "$WORK/report.err")"
for ((c = 0; c < NCPU; c++)); do
	grep "\[00$c\]" "$WORK/report.txt" >"$WORK/rep$c"
	expect_markers vtmark $c 1 $N "$WORK/rep$c"
	# byte for byte what the agent sent
	"$B/tests/vt-datcpu" "$WORK/t.dat" "$NCPU" $c >"$WORK/dat$c"
	cmp "$WORK/dat$c" "$WORK/sent$c" || fail "cpu$c: the file's sub-buffers differ from what was sent"
	say "cpu$c: $N markers; $(stat -c %s "$WORK/dat$c") bytes identical to what the agent sent"
done
# sched_switch decoded, with its fields: the marker writer was switched out (or in)
grep -q 'sched_switch: .*vt-mark:[0-9]' "$WORK/report.txt" ||
	fail "no decoded sched_switch of vt-mark: $(grep -m2 sched_switch "$WORK/report.txt")"
say "$(grep -c sched_switch "$WORK/report.txt") sched_switch events decoded, e.g.:"
grep -m1 'vt-mark:' "$WORK/report.txt" | sed 's/^/  /'

# our own reader agrees
"$VTRACE" report --stats "$WORK/t.dat" >"$WORK/stats"
grep -q "^ *$((N * NCPU)) print$" "$WORK/stats" || fail "vtrace report --stats: $(cat "$WORK/stats")"
"$VTRACE" report --cpu 0 --events print "$WORK/t.dat" | grep -c 'vtmark 0' | grep -qx $N ||
	fail "vtrace report --cpu 0 --events print"

# Version 7, zstd-compressed, ended by Ctrl-C: trace-cmd reads every marker back.
rm -rf "$CH" "$WORK/gports" "$WORK"/sent*
setup_channels
start_guest_agent
( sleep 1.5; for ((c = 0; c < NCPU; c++)); do mark $c $N v7mark; done ) &
# stopped as a user does, with Ctrl-C (SIGINT)
"$VTRACE" record -q --dir "$CH" -o "$WORK/t7.dat" --file-version 7 -e sched:sched_switch \
	2>"$WORK/record7.log" &
rec=$!
sleep 3
kill -INT $rec
rc=0
wait $rec || rc=$?
[ $rc -eq 0 ] || fail "vtrace record v7 after Ctrl-C: exit $rc: $(cat "$WORK/record7.log")"
end_agent
[ "$(head -c 12 "$WORK/t7.dat" | tail -c 2 | od -An -c | tr -d ' ')" = '7\0' ] || fail "not a v7 file"
trace-cmd report -i "$WORK/t7.dat" >"$WORK/report7.txt" 2>"$WORK/report7.err" ||
	fail "trace-cmd report of v7: $(head -3 "$WORK/report7.err")"
for ((c = 0; c < NCPU; c++)); do
	grep "\[00$c\]" "$WORK/report7.txt" >"$WORK/rep7$c"
	expect_markers v7mark $c 1 $N "$WORK/rep7$c"
done
grep -q 'sched_switch: .*vt-mark:[0-9]' "$WORK/report7.txt" || fail "v7: no sched_switch"
raw=$(cat "$WORK"/sent* | wc -c)
say "v7: all $((N * NCPU)) markers; $(stat -c %s "$WORK/t7.dat") bytes for $raw bytes of sub-buffers"
