#!/bin/bash
# hypertrace, system mode: the guest and hypertrace on one timeline. In the
# guest, ht-timeline alternates trace_marker writes (steps 1, 3, ...) and
# hypertrace events (arg1 = 2, 4, ...); trace-agent streams the markers to
# vtrace record (guest.dat), the collector writes the events to a trace.dat
# of its own (ht.dat). The guest's ftrace clock is x86-tsc and
# libhypertrace stamps with the TSC, so with --guest-clock both files count
# the same ticks: trace-cmd report of the two merges them into steps 1, 2,
# ..., 40, the order the guest made them in.
source "$(dirname "$0")/../integration/lib.sh"
WORK=$(mktemp -d /tmp/vtrace-test.XXXXXX)
P=/dev/shm/vtrace-test-htt-$$
trap 'rc=$?; rm -f "$P"; (exit $rc); cleanup' EXIT
D=$WORK/ch
"$VTRACE" hypertrace --system --guest-clock --format dat -o "$WORK/ht.dat" --path "$P" \
	--clients 4 --entries 1024 2>"$WORK/col.log" &
col=$!
READER_PIDS+=($col)
for ((i = 0; i < 100; i++)); do [ -e "$P" ] && break; sleep 0.05; done
boot_guest "$D" --workload ht-timeline --hypertrace "$P"
"$VTRACE" record -q --dir "$D" -o "$WORK/guest.dat" 2>"$WORK/record.log" &
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
trace-cmd report -i "$WORK/guest.dat" -i "$WORK/ht.dat" >"$WORK/report" 2>"$WORK/report.err" ||
	fail "trace-cmd report: $(cat "$WORK/report.err")"
# "guest.dat: ... print: ... ht-timeline 7", "ht.dat: ... guest_hypertrace: ... arg1=8 ..."
sed -n -e 's/^ *guest\.dat: .* print: .*ht-timeline \([0-9]*\)$/\1/p' \
	-e 's/^ *ht\.dat: .* guest_hypertrace: .* arg1=\([0-9]*\) .*/\1/p' "$WORK/report" >"$WORK/order"
[ "$(seq 1 40 | md5sum)" = "$(md5sum <"$WORK/order")" ] ||
	fail "trace-cmd report of both files: steps $(tr '\n' ' ' <"$WORK/order"); $(head -4 "$WORK/report")"
say "trace-cmd report -i guest.dat -i ht.dat: 20 markers and 20 hypertrace events, steps 1..40 in order"
say "$(grep -m4 'ht-timeline\|guest_hypertrace' "$WORK/report" | cut -c1-110)"
