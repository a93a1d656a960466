#!/bin/bash
# The agent honours buffer_subbuf_size_kb (Linux 6.8+): with 8 KB sub-buffers
# the stream is whole 8 KB sub-buffers and every marker is recovered.
source "$(dirname "$0")/lib.sh"
setup_tracefs
[ -f "$T/instances/$INST/buffer_subbuf_size_kb" ] || skip "kernel has no buffer_subbuf_size_kb"
tracefs_write 8 "$T/instances/$INST/buffer_subbuf_size_kb"
make_ports
start_readers
start_agent
grep -q '8192-byte sub-buffers' "$WORK/agent.log" || fail "agent did not see 8 KB sub-buffers"
order 1
wait_log 'start order'
for ((c = 0; c < NCPU; c++)); do mark $c 3333; done
stop_and_flush
end_agent
for ((c = 0; c < NCPU; c++)); do
	size=$(stat -c %s "$WORK/out$c")
	[ $((size % 8192)) -eq 0 ] || fail "cpu$c: $size bytes is not whole 8 KB sub-buffers"
	"$DECODE" -s 8192 -f "$T/instances/$INST/events" -c $c "$WORK/out$c" >"$WORK/dec$c" \
		2>"$WORK/sum$c" || fail "cpu$c: $(cat "$WORK/sum$c")"
	expect_markers vtmark $c 1 3333 "$WORK/dec$c"
	say "cpu$c: $(cat "$WORK/sum$c")"
done
