# Sourced by the workloads (". /workloads/agent.sh"; not a workload: its
# name is no vtrace.workload= name). start_agent runs trace-agent with its
# log on the console and returns once the agent waits for orders (30 s at
# most). A workload's events must come after that: the agent grows a ring
# buffer still at its boot size, and the kernel stops tracing while it
# resizes one (tracing_stop_tr), so what is written meanwhile is dropped,
# uncounted.
start_agent() {	# trace-agent options...
	local i=0
	# made before either starts: tail -f must not open it before the agent does
	: >/tmp/agent.log
	/trace-agent "$@" 2>>/tmp/agent.log &
	agent=$!
	tail -f /tmp/agent.log &
	agent_tail=$!
	until grep -q 'waiting for orders' /tmp/agent.log; do
		i=$((i + 1))
		if [ $i -gt 300 ] || ! kill -0 $agent 2>/dev/null; then
			echo "vtrace-guest: trace-agent did not get ready"
			return 1
		fi
		sleep 0.1
	done
}

# The agent flushes what the ring buffers hold and exits.
stop_agent() {
	kill $agent
	wait $agent
	sleep 0.2	# the tail's last lines
	kill $agent_tail
}
