#!/bin/bash
# SIGTERM, SIGINT and SIGQUIT while streaming: the agent flushes, exits 0,
# and every marker written before the signal is delivered. With a host that
# never reads, the agent still exits, after a bounded grace period.
source "$(dirname "$0")/lib.sh"
setup_tracefs

run_with_signal() {	# signal
	make_ports
	start_readers
	start_agent
	order 1
	wait_log 'start order'
	for ((c = 0; c < NCPU; c++)); do mark $c 2500 "$1"; done
	end_agent "$1"
	grep -q 'flushing and exiting' "$WORK/agent.log" || fail "no exit message on SIG$1"
	for ((c = 0; c < NCPU; c++)); do
		decode $c >"$WORK/dec$c" 2>/dev/null
		expect_markers "$1" $c 1 2500 "$WORK/dec$c"
	done
	say "SIG$1: exit 0, all $((2500 * NCPU)) markers delivered"
	rm -f "$WORK"/ports/* "$WORK"/out*
}
run_with_signal TERM
run_with_signal INT
run_with_signal QUIT

# The host never reads: no hang at exit.
make_ports
start_agent -b 2048
order 1
wait_log 'start order'
mark 0 100000
t0=$SECONDS
kill -TERM "$AGENT_PID"
rc=0
timeout 20 tail --pid="$AGENT_PID" -f /dev/null || fail "agent hung at exit with no reader"
wait "$AGENT_PID" || rc=$?
AGENT_PID=""
[ $rc -eq 0 ] || fail "agent exited $rc"
grep -q 'not delivered' "$WORK/agent.log" || fail "agent did not say what it could not deliver"
say "no reader: exited after $((SECONDS - t0)) s: $(grep 'not delivered' "$WORK/agent.log")"
