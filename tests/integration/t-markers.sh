#!/bin/bash
# Numbered markers written from every CPU between start and stop orders are
# all recovered, in order per CPU, including those in the last partial
# sub-buffer; and again after a second start/stop in the same run.
source "$(dirname "$0")/lib.sh"
setup_tracefs
make_ports
start_readers
start_agent

N=3001	# not a multiple of a sub-buffer's worth: the last one is partial
order 1
wait_log 'start order'
for ((c = 0; c < NCPU; c++)); do mark $c $N; done
stop_and_flush

# A second run in the same agent: nothing duplicated, nothing lost.
order 1
for ((c = 0; c < NCPU; c++)); do mark $c 777 again; done
stop_and_flush
grep -q 'lost [1-9]' "$WORK/agent.log" && fail "agent reported a loss"
end_agent

for ((c = 0; c < NCPU; c++)); do
	decode $c >"$WORK/dec$c" 2>"$WORK/sum$c"
	grep -q 'bad=0' "$WORK/sum$c" || fail "cpu$c: malformed sub-buffers: $(cat "$WORK/sum$c")"
	expect_markers vtmark $c 1 $N "$WORK/dec$c"
	expect_markers again $c 1 777 "$WORK/dec$c"
	size=$(stat -c %s "$WORK/out$c")
	[ $((size % 4096)) -eq 0 ] || fail "cpu$c: stream of $size bytes is not whole sub-buffers"
	say "cpu$c: $N + 777 markers, $(cat "$WORK/sum$c")"
done
