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
# buffer_percent 0: the agent is woken for every event, so the streams flow
# all the time and a kill lands mid-stream; a 1 MiB ring holds what is
# written while no agent runs (the kernel would overwrite it otherwise)
tracefs_write 0 "$T/instances/$INST/buffer_percent"
start_guest_agent -b 1024
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
start_guest_agent -b 1024
back_ms=$(wait_rec "a new agent announced itself")
wait_log "start order"
say "agent restarted: picked up in $back_ms ms"
batch $((N + 1)) $((2 * N))
sleep 1
# round 2: killed while the markers are being written, flat out
batch $((2 * N + 1)) $((3 * N)) &
writer=$!
sleep 0.4
kill -9 "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null || true; AGENT_PID=""
wait $writer
start_guest_agent -b 1024
wait_log "start order"
batch $((3 * N + 1)) $((4 * N))
sleep 1
kill -INT $rec
rc=0; wait $rec || rc=$?
[ $rc -eq 0 ] || fail "record: exit $rc: $(cat "$WORK/rec.err")"
sed 's/^/  record: /' "$WORK/rec.err"
grep -q "cpu0: the stream broke at byte [0-9]* of this agent's stream (after [0-9]* whole sub-buffers): 2048 bytes of an incomplete sub-buffer dropped" "$WORK/rec.err" ||
	fail "no break position for cpu0"
grep -q " [1-9][0-9]* missed events" "$WORK/rec.err" && fail "the ring buffer overflowed: the test is wrong"
grep -q "cpu0: [0-9]* bytes of incomplete sub-buffers dropped at 2 agent restarts" "$WORK/rec.err" ||
	fail "the summary does not count the bytes dropped"
trace-cmd report -i "$WORK/r.dat" >"$WORK/r.txt" 2>/dev/null || fail "trace-cmd cannot read the file"
for ((c = 0; c < NCPU; c++)); do
	grep "\[00$c\]" "$WORK/r.txt" | marker_numbers rmark $c >"$WORK/n$c"
	sort -nc -u "$WORK/n$c" || fail "cpu$c: a marker twice or out of order"
	# after each restart: all of them; in each round at most one gap (at the kill)
	for r in 1 3; do
		awk -v lo=$((r * N)) -v hi=$(((r + 1) * N)) '$1 > lo && $1 <= hi' "$WORK/n$c" |
			md5sum | cut -d' ' -f1 >"$WORK/after"
		[ "$(cat "$WORK/after")" = "$(seq $((r * N + 1)) $(((r + 1) * N)) | md5sum | cut -d' ' -f1)" ] ||
			fail "cpu$c: markers written after restart $(((r + 1) / 2)) are missing"
	done
	lost=""
	for r in 0 2; do
		lo=$((r * N)) hi=$(((r + 1) * N))
		gaps=$(awk -v lo=$lo -v hi=$hi 'BEGIN { p = lo } $1 > lo && $1 <= hi {
			if ($1 != p + 1) g++; p = $1 } END { if (p != hi) g++; print g + 0 }' "$WORK/n$c")
		got=$(awk -v lo=$lo -v hi=$hi '$1 > lo && $1 <= hi' "$WORK/n$c" | wc -l)
		[ "$gaps" -le 1 ] || fail "cpu$c: $gaps gaps in markers $((lo + 1))..$hi"
		lost="$lost $((N - got))"
	done
	say "cpu$c: markers after each restart all there; lost at the kills (idle, mid-write):$lost" \
	    "markers, each time in one run"
done
