#!/bin/bash
# Orders malformed, split, repeated and empty: logged readably, ignored, and
# the agent keeps obeying real orders.
source "$(dirname "$0")/lib.sh"
setup_tracefs
make_ports
start_readers
start_agent

order $'garbage\n'
wait_log "unknown order 'garbage' ignored"
order $'\x01\xff\n'
wait_log "unknown order '\\\\x01\\\\xff' ignored"
head -c 1000000 /dev/zero | tr '\0' 'A' >"$WORK/ports/agent-ctl-path"
order $'\n'
wait_log 'order of more than 256 bytes ignored'
order $'\n\n  \n;;'			# empty: nothing to say

order 1				# no newline, as printf 1 sends it
wait_log 'start order'
order $'\n'			# its newline, arriving late: no second start
order $'1\n1\n'			# repeated: already streaming
wait_log 'already streaming' 2
mark 0 1000
order '0'
order $'\n0\n'			# repeated stop
wait_log ': sent ' "$NCPU"
wait_log 'not streaming'
[ "$(grep -c 'start order$' "$WORK/agent.log")" -eq 1 ] || fail "more than one start"

# joined in one write: start, then stop
before=$(grep -c ': sent ' "$WORK/agent.log")
order $'1\n'
mark 0 500 second
order $'0\n'
wait_log ': sent ' $((before + NCPU))
kill -0 "$AGENT_PID" || fail "agent died"

# start and stop in one write, over and over: a mover that sleeps through
# both still flushes for that stop (every CPU reports each time)
for ((i = 0; i < 20; i++)); do
	before=$(grep -c ': sent ' "$WORK/agent.log")
	order $'1\n0\n'
	wait_log ': sent ' $((before + NCPU))
done
end_agent
decode 0 >"$WORK/dec0" 2>/dev/null
expect_markers vtmark 0 1 1000 "$WORK/dec0"
expect_markers second 0 1 500 "$WORK/dec0"
# every log line is one readable line
LC_ALL=C grep -qP '[^\x20-\x7e]' "$WORK/agent.log" && fail "unprintable bytes in the log"
say "$(wc -l <"$WORK/agent.log") log lines, all printable"
