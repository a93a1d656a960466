#!/bin/bash
# The host stops reading for several seconds under load: the writer (the
# guest) is never stalled, the ring buffer overwrites, and the loss the agent
# reports equals the kernel's own count and what the stream is missing. When
# reading resumes, streaming recovers: later markers all arrive.
source "$(dirname "$0")/lib.sh"
setup_tracefs
make_ports
start_readers
start_agent -b 256

stat_overrun() { awk '/^overrun:/ { print $2 }' "$T/instances/$INST/per_cpu/cpu0/stats"; }
o0=$(stat_overrun)
order 1
wait_log 'start order'
kill -STOP "${READER_PIDS[0]}"
N=200000
start=$(date +%s.%N)
timeout 60 "$MARK" -c 0 -n $N "$T/instances/$INST/trace_marker" 2>"$WORK/mark.log" ||
	fail "the writer stalled while the host was not reading"
say "writer with the host not reading: $(cat "$WORK/mark.log")"
sleep 3		# the host is still not reading
kill -0 "$AGENT_PID" || fail "agent died while the host was not reading"
kill -CONT "${READER_PIDS[0]}"
mark 0 5000 after
stop_and_flush
o1=$(stat_overrun)
kernel_lost=$((o1 - o0))
agent_lost=$(grep -o 'cpu0: sent .*lost [0-9]*' "$WORK/agent.log" | grep -o '[0-9]*$')
end_agent

decode 0 >"$WORK/dec0" 2>"$WORK/sum0"
got=$(marker_numbers vtmark 0 <"$WORK/dec0" | wc -l)
flagged=$(grep -o 'missed_subbufs=[0-9]*' "$WORK/sum0" | cut -d= -f2)
say "kernel overrun $kernel_lost, agent reported $agent_lost, $flagged sub-buffers flagged;" \
    "received $got of $N"
[ "$kernel_lost" -gt 0 ] || fail "no loss: the test did not overflow the ring buffer"
[ "$agent_lost" -eq "$kernel_lost" ] || fail "agent reported $agent_lost, kernel counted $kernel_lost"
[ $((got + kernel_lost)) -eq $N ] || fail "received $got + lost $kernel_lost != written $N"
# a full sub-buffer has no room for the count, but the flag is always there
[ "$flagged" -ge 1 ] || fail "no sub-buffer in the stream is flagged as following a loss"
# what did arrive is in order, and everything after the stall arrived
marker_numbers vtmark 0 <"$WORK/dec0" | sort -nc || fail "markers out of order"
expect_markers after 0 1 5000 "$WORK/dec0"
