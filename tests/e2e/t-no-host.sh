#!/bin/bash
# The host orders a start and then never opens the data FIFOs (nobody reads
# trace-path-cpuN.out) while the guest floods its ring buffer: the guest
# goes on (its console heartbeat keeps counting at its rate), its workload
# finishes, and the agent gives up on the ports at exit (3 s) so the guest
# powers off. A real guest under QEMU (TCG).
source "$(dirname "$0")/../integration/lib.sh"
WORK=$(mktemp -d /tmp/vtrace-test.XXXXXX)
D=$WORK/vt
boot_guest "$D" --workload flood --seconds 16
t0=$(date +%s)
echo 1 >"$D/agent-ctl-path.in"	# the only FIFO the host ever opens
beat() { grep -o 'heartbeat [0-9]*' "$D/console.log" | tail -1 | awk '{ print $2 }'; }
sleep 2
b0=$(beat)
sleep 10
b1=$(beat)
say "nobody reading for 10 s (flood running): the heartbeat went from $b0 to $b1 (one per 0.5 s)"
[ "$b1" -ge $((b0 + 14)) ] || fail "the guest stalled: heartbeat $b0 then $b1 over 10 s"
for ((i = 0; i < 600; i++)); do kill -0 $GUEST 2>/dev/null || break; sleep 0.1; done
kill -0 $GUEST 2>/dev/null && fail "the guest did not power off: $(tail -3 "$D/console.log")"
wait $GUEST || fail "run-guest: $(cat "$WORK/run.log")"
t1=$(date +%s)
grep -q 'wrote 400000 flood markers' "$D/console.log" || fail "the flood did not finish"
grep -q 'the host took nothing for 3 s' "$D/console.log" ||
	fail "the agent did not give up on the ports: $(grep trace-agent "$D/console.log" | tail -3)"
grep -E "trace-agent: cpu[0-9]: the host took nothing" "$D/console.log" | head -2 | sed 's/^/  /'
say "workload of 16 s done; the guest powered off $((t1 - t0)) s after the start order"
