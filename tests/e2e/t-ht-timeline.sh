#!/bin/bash
# hypertrace, system mode: guest and hypertrace on one timeline. In the
# guest, ht-timeline alternates trace_marker writes (steps 1, 3, ...) and
# hypertrace events (arg1 = 2, 4, ...); trace-agent streams the markers to
# vtrace record, the collector takes the events. The guest's ftrace clock
# is x86-tsc and libhypertrace stamps with the TSC, so with --guest-clock
# both carry the same counter: merged by timestamp, the steps come out
# 1, 2, ..., 40, in the order the guest made them.
source "$(dirname "$0")/../integration/lib.sh"
WORK=$(mktemp -d /tmp/vtrace-test.XXXXXX)
P=/dev/shm/vtrace-test-htt-$$
trap 'rc=$?; rm -f "$P"; (exit $rc); cleanup' EXIT
D=$WORK/ch
"$VTRACE" hypertrace --system --guest-clock --path "$P" --clients 4 --entries 1024 \
	>"$WORK/events" 2>"$WORK/col.log" &
col=$!
READER_PIDS+=($col)
for ((i = 0; i < 100; i++)); do [ -e "$P" ] && break; sleep 0.05; done
boot_guest "$D" --workload ht-timeline --hypertrace "$P"
"$VTRACE" record -q --dir "$D" -o "$WORK/g.dat" 2>"$WORK/record.log" &
rec=$!
for ((i = 0; i < 300; i++)); do
	grep -q 'ht-timeline made' "$D/console.log" && break
	sleep 0.2
done
kill -INT $rec
wait $rec || fail "vtrace record: $(cat "$WORK/record.log")"
wait $GUEST || fail "run-guest: $(cat "$WORK/run.log")"
kill -INT $col
wait $col || fail "collector: $(cat "$WORK/col.log")"
grep -q 'ht-timeline made 40 steps' "$D/console.log" || fail "guest: $(tail -5 "$D/console.log")"
trace-cmd report -t -i "$WORK/g.dat" >"$WORK/report" 2>/dev/null || fail "trace-cmd report"
# x86-tsc: trace-cmd prints raw ticks, "... [001] 17671402707: print: ... ht-timeline 7";
# the collector, "PID@17.674782531:guest_hypertrace ... arg1=8" (ticks / 1e9)
sed -n 's/.*\] *\([0-9]*\): print: .*ht-timeline \([0-9]*\)$/\1 \2/p' "$WORK/report" >"$WORK/steps"
sed -n 's/^[0-9]*@\([0-9]*\)\.\([0-9]\{9\}\):guest_hypertrace .* arg1=\([0-9]*\) .*/\1\2 \3/p' \
	"$WORK/events" >>"$WORK/steps"
[ "$(wc -l <"$WORK/steps")" -eq 40 ] ||
	fail "want 40 steps: $(wc -l <"$WORK/steps"): $(head -3 "$WORK/report") / $(head -3 "$WORK/events")"
sort -n -k1,1 "$WORK/steps" | awk '{ print $2 }' >"$WORK/order"
[ "$(seq 1 40 | md5sum)" = "$(md5sum <"$WORK/order")" ] ||
	fail "merged by time, the steps are $(tr '\n' ' ' <"$WORK/order")"
say "20 markers (guest trace.dat) and 20 hypertrace events merge by guest TSC into steps 1..40 in order"
say "$(sort -n "$WORK/steps" | head -4 | tr '\n' ';')"
