#!/bin/bash
# The host stops reading for 10 s while the guest floods its ring buffer:
# the guest goes on (its console heartbeat keeps counting), and when reading
# resumes and the host stops the agent, the loss is reported: the agent's
# count plus the markers received equal the markers written.
source "$(dirname "$0")/../integration/lib.sh"
WORK=$(mktemp -d /tmp/vtrace-test.XXXXXX)
D=$WORK/vt
boot_guest "$D" --workload flood --seconds 18
cat "$D/trace-path-cpu0.out" >"$WORK/cpu0.raw" &
cat0=$!
READER_PIDS+=($cat0)
cat "$D/trace-path-cpu1.out" >"$WORK/cpu1.raw" &
READER_PIDS+=($!)
echo 1 >"$D/agent-ctl-path.in"
sleep 0.5
kill -STOP $cat0				# the host stops reading CPU 0
beat() { grep -o 'heartbeat [0-9]*' "$D/console.log" | tail -1 | awk '{ print $2 }'; }
b0=$(beat)
sleep 10
b1=$(beat)
kill -CONT $cat0
[ "$b1" -ge $((b0 + 10)) ] || fail "the guest stalled: heartbeat $b0 then $b1 over 10 s"
say "host not reading for 10 s: the guest's heartbeat went from $b0 to $b1"
wait $GUEST || fail "run-guest: $(cat "$WORK/run.log")"	# ends with the agent's flush
drain_readers
grep -q 'wrote 400000 flood markers' "$D/console.log" || fail "the flood did not finish"
lost=$(sed -n 's/.*cpu0: sent .* lost \([0-9]*\) events.*/\1/p' "$D/console.log" | tail -1)
FIX=$ROOT/tests/fixtures/guest-6.1-x86_64
got=$("$DECODE" -f "$FIX/events" -c 0 "$WORK/cpu0.raw" 2>"$WORK/sum" | grep -c 'flood 0 ' || true)
say "flood of 400000: received $got, the agent reports $lost lost; $(cat "$WORK/sum")"
grep -E "trace-agent|markers in" "$D/console.log"
[ -n "$lost" ] && [ "$lost" -gt 0 ] || fail "no loss reported: $(grep 'cpu0: sent' "$D/console.log")"
[ $((got + lost)) -eq 400000 ] || fail "received $got + lost $lost != 400000 written"
