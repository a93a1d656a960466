#!/bin/bash
# -o: every CPU's sub-buffers on standard output, each chunk framed with its
# CPU, so a reader can give each event its CPU.
source "$(dirname "$0")/lib.sh"
setup_tracefs
mkfifo "$WORK/ports/agent-ctl-path"
"$AGENT" -i "$INST" -c "$WORK/ports/agent-ctl-path" -o -v >"$WORK/stdout" 2>"$WORK/agent.log" &
AGENT_PID=$!
wait_log 'waiting for orders'
order 1
wait_log 'start order'
for ((c = 0; c < NCPU; c++)); do mark $c 4000; done
order 0
wait_log ': sent ' "$NCPU"
end_agent
"$DECODE" -F -f "$T/instances/$INST/events" "$WORK/stdout" >"$WORK/dec" 2>"$WORK/sum" ||
	fail "framed output does not parse: $(cat "$WORK/sum")"
for ((c = 0; c < NCPU; c++)); do
	# the CPU the frame gives (first column) is the CPU that wrote the marker
	awk -v c=$c '$1 == c' "$WORK/dec" >"$WORK/dec$c"
	expect_markers vtmark $c 1 4000 "$WORK/dec$c"
done
say "framed stdout: $(cat "$WORK/sum")"
