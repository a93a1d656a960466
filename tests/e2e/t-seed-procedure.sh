#!/bin/bash
# The seed's manual procedure, unchanged, against our agent in a real guest:
# mkfifo as the seed says, plain `cat` of each trace-path-cpuN.out, and
# `echo 1 >` / `echo 0 >` agent-ctl-path.in, started and stopped several
# times in one guest run. Every marker the guest wrote arrives exactly once:
# what is written while stopped waits in the ring buffer for the next start.
source "$(dirname "$0")/../integration/lib.sh"
WORK=$(mktemp -d /tmp/vtrace-test.XXXXXX)
D=$WORK/virtio-trace
mkdir "$D"
mkfifo "$D"/trace-path-cpu{0,1}.{in,out}
mkfifo "$D"/agent-ctl-path.{in,out}
# run-guest accepts the FIFOs that are there
boot_guest "$D" --workload heartbeat --seconds 10
for c in 0 1; do
	cat "$D/trace-path-cpu$c.out" >"$WORK/cpu$c.raw" &
	READER_PIDS+=($!)
done
for cycle in 1 2 3; do
	echo 1 >"$D/agent-ctl-path.in"
	sleep 1.5
	echo 0 >"$D/agent-ctl-path.in"
	sleep 0.5
done
echo 1 >"$D/agent-ctl-path.in"	# the rest streams until the guest's workload ends
wait $GUEST || fail "run-guest: $(cat "$WORK/run.log")"
drain_readers
wrote=$(sed -n 's/.*vtrace-guest: wrote \([0-9]*\) markers.*/\1/p' "$D/console.log")
[ -n "$wrote" ] || fail "the guest did not finish: $(tail -5 "$D/console.log")"
# The guest is Debian 6.1, like the fixtures: their print format decodes it.
FIX=$ROOT/tests/fixtures/guest-6.1-x86_64
for c in 0 1; do
	"$DECODE" -f "$FIX/events" -c $c "$WORK/cpu$c.raw" 2>>"$WORK/sum" || fail "cpu$c stream"
done | grep -o 'vtrace-beat [0-9]*' | awk '{ print $2 }' | sort -n >"$WORK/marks"
if [ "$(seq 1 "$wrote" | md5sum)" != "$(md5sum <"$WORK/marks")" ]; then
	missing=$(comm -23 <(seq 1 "$wrote" | sort) <(sort -u "$WORK/marks") | sort -n | tr '\n' ' ')
	fail "the guest wrote markers 1..$wrote; received $(wc -l <"$WORK/marks"), \
$(uniq -d "$WORK/marks" | wc -l) twice, missing: ${missing:-none}; stream sizes: \
$(stat -c %s "$WORK"/cpu*.raw | tr '\n' ' ')"
fi
[ "$(grep -c 'sent .* bytes' "$D/console.log")" -ge 6 ] || fail "fewer stops than ordered"
say "seed procedure, 4 starts and stops: all $wrote markers once; $(cat "$WORK/sum" | tr '\n' ' ')"
