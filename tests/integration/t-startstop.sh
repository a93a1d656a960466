#!/bin/bash
# vtrace start and stop send the seed's orders: the agent streams between
# them, and a plain reader of trace-path-cpuN.out (the seed's `cat`) gets
# every marker. Without a guest, start says nobody reads the channel.
source "$(dirname "$0")/lib.sh"
setup_tracefs
CH=$WORK/ch
"$VTRACE" setup --dir "$CH" --cpus "$NCPU" >/dev/null
rc=0
"$VTRACE" start --dir "$CH" 2>"$WORK/err" || rc=$?
[ $rc -eq 1 ] && grep -q 'nobody reads it; start the guest' "$WORK/err" ||
	fail "start with no guest: exit $rc: $(cat "$WORK/err")"
say "no guest: $(cat "$WORK/err")"
# the guest's ports lead to the .out FIFOs, and the host reads them with cat
mkdir "$WORK/gports"
for ((c = 0; c < NCPU; c++)); do
	ln -s "$CH/trace-path-cpu$c.out" "$WORK/gports/trace-path-cpu$c"
	cat "$CH/trace-path-cpu$c.out" >"$WORK/sent$c" &
	READER_PIDS+=($!)
done
start_guest_agent
timeout 1 cat "$CH/agent-ctl-path.out" >/dev/null || true	# the agent's HELLO
"$VTRACE" start --dir "$CH" || fail "vtrace start"
wait_log 'start order'
for ((c = 0; c < NCPU; c++)); do mark $c 1500; done
"$VTRACE" stop --dir "$CH" || fail "vtrace stop"
wait_log ': sent ' "$NCPU"
# the seed's orders are silent: nothing came back on .out
[ "$(timeout 1 cat "$CH/agent-ctl-path.out" | wc -c)" -eq 0 ] || fail "a reply to a seed order"
end_agent
for ((c = 0; c < NCPU; c++)); do
	decode $c "$WORK/sent$c" >"$WORK/dec$c" 2>/dev/null
	expect_markers vtmark $c 1 1500 "$WORK/dec$c"
done
say "vtrace start/stop: all $((1500 * NCPU)) markers streamed, no reply to the seed's orders"
