#!/bin/bash
# The agent killed (SIGKILL) mid-stream and started again, the recorder
# running all along: the recorder says the agent is gone, keeps every
# complete sub-buffer, says where each CPU's stream broke and how many bytes
# of an incomplete sub-buffer it dropped, picks the new agent up when it
# announces itself (HELLO) and records on. In the file: every marker at most
# once, in order; those written after the restart all there; the ones lost
# at the kill one contiguous run per CPU, counted.
source "$(dirname "$0")/lib.sh"
setup_tracefs
CH=$WORK/ch
"$VTRACE" setup --dir "$CH" --cpus "$NCPU" >/dev/null
mkdir "$WORK/gports"	# the agent's ports lead straight to the host's FIFOs
for ((c = 0; c < NCPU; c++)); do ln -s "$CH/trace-path-cpu$c.out" "$WORK/gports/trace-path-cpu$c"; done
start_guest_agent -b 256
"$VTRACE" record --dir "$CH" -o "$WORK/r.dat" 2>"$WORK/rec.err" &
rec=$!
READER_PIDS+=($rec)
wait_rec() {	# pattern: wait for the recorder to say it; prints ms waited
	local i
	for ((i = 0; i < 400; i++)); do
		grep -q -- "$1" "$WORK/rec.err" && { echo $((i * 25)); return 0; }
		sleep 0.025
	done
	fail "the recorder never said '$1': $(cat "$WORK/rec.err")"
}
wait_rec "recording" >/dev/null
N=8000
batch() {	# first last
	local i c
	for ((i = $1; i <= $2; i += 200)); do
		for ((c = 0; c < NCPU; c++)); do mark $c 200 rmark $i; done
		sleep 0.01
	done
}
batch 1 $N
kill -9 "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null || true; AGENT_PID=""
gone_ms=$(wait_rec "the agent is gone")
say "agent killed: the recorder noticed in $gone_ms ms"
# an agent that dies mid-write (a guest port can cut anywhere): half a
# sub-buffer, real bytes, the last the old agent sent on CPU 0
head -c 2048 "$ROOT/tests/fixtures/guest-6.1-x86_64/cpu0.raw" >"$CH/trace-path-cpu0.out"
start_guest_agent -b 256
back_ms=$(wait_rec "a new agent announced itself")
wait_log "start order"
say "agent restarted: picked up in $back_ms ms"
batch $((N + 1)) $((2 * N))
sleep 1
kill -INT $rec
rc=0; wait $rec || rc=$?
[ $rc -eq 0 ] || fail "record: exit $rc: $(cat "$WORK/rec.err")"
sed 's/^/  record: /' "$WORK/rec.err"
grep -q "cpu0: the stream broke at byte [0-9]* of this agent's stream (after [0-9]* whole sub-buffers): 2048 bytes of an incomplete sub-buffer dropped" "$WORK/rec.err" ||
	fail "no break position for cpu0"
grep -q "cpu0: 2048 bytes of incomplete sub-buffers dropped at 1 agent restart" "$WORK/rec.err" ||
	fail "the summary does not count the bytes dropped"
trace-cmd report -i "$WORK/r.dat" >"$WORK/r.txt" 2>/dev/null || fail "trace-cmd cannot read the file"
for ((c = 0; c < NCPU; c++)); do
	grep "\[00$c\]" "$WORK/r.txt" | marker_numbers rmark $c >"$WORK/n$c"
	sort -nc -u "$WORK/n$c" || fail "cpu$c: a marker twice or out of order"
	# after the restart: all of them
	awk -v n=$N '$1 > n' "$WORK/n$c" | md5sum | cut -d' ' -f1 >"$WORK/after"
	[ "$(cat "$WORK/after")" = "$(seq $((N + 1)) $((2 * N)) | md5sum | cut -d' ' -f1)" ] ||
		fail "cpu$c: markers written after the restart are missing"
	# before it: 1..N with at most one gap
	gaps=$(awk -v n=$N 'BEGIN { p = 0 } $1 <= n { if ($1 != p + 1) g++; p = $1 }
		END { if (p != n) g++; print g + 0 }' "$WORK/n$c")
	got=$(awk -v n=$N '$1 <= n' "$WORK/n$c" | wc -l)
	[ "$gaps" -le 1 ] || fail "cpu$c: $gaps gaps in the markers before the kill"
	say "cpu$c: markers after the restart all there; before it $got of $N" \
	    "($((N - got)) lost at the kill, in one run)"
done
