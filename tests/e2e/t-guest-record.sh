#!/bin/bash
# A real guest: the demo guest (Debian 6.1 kernel) boots under QEMU with the
# seed's virtio-serial ports; trace-agent runs inside; vtrace record on the
# host gets its sched events and markers. Nothing is lost: the markers in
# the file are a gap-free run, the agent reports 0 lost, trace-cmd reads it.
source "$(dirname "$0")/../integration/lib.sh"
WORK=$(mktemp -d /tmp/vtrace-test.XXXXXX)
CH=$WORK/ch
boot_guest "$CH" --seconds 8
"$VTRACE" record -q --dir "$CH" -e sched -D 3 -o "$WORK/g.dat" 2>"$WORK/record.log" ||
	fail "vtrace record: $(cat "$WORK/record.log")"
wait $GUEST || fail "run-guest: $(cat "$WORK/run.log")"
grep -q 'vtrace-guest: wrote [0-9]* markers' "$CH/console.log" || fail "the guest did not finish"
grep 'trace-agent: cpu' "$CH/console.log" | grep -vq 'lost 0 events' &&
	fail "the agent lost events: $(grep 'lost' "$CH/console.log")"
trace-cmd report -i "$WORK/g.dat" >"$WORK/report.txt" 2>/dev/null || fail "trace-cmd report"
grep -o 'vtrace-demo marker [0-9]*' "$WORK/report.txt" | awk '{ print $3 }' | sort -n >"$WORK/marks"
n=$(wc -l <"$WORK/marks")
[ "$n" -gt 0 ] || fail "no markers recorded"
first=$(head -1 "$WORK/marks"); last=$(tail -1 "$WORK/marks")
[ "$(seq "$first" "$last" | md5sum)" = "$(md5sum <"$WORK/marks")" ] ||
	fail "markers $first..$last have gaps or repeats"
grep -q 'sched_switch: ' "$WORK/report.txt" || fail "no sched_switch decoded"
# as trace-cmd records: the guest's kallsyms name the function of each
# marker, its writer has a name, the ring buffers were left empty
grep 'vtrace-demo marker' "$WORK/report.txt" >"$WORK/prints"
grep -v 'print: *tracing_mark_write: vtrace-demo' "$WORK/prints" >"$WORK/bad" &&
	fail "markers without their function: $(head -2 "$WORK/bad")"
grep '^ *<\.\.\.>-' "$WORK/prints" >"$WORK/bad" &&
	fail "markers whose writer has no name: $(head -2 "$WORK/bad")"
trace-cmd report --stat -i "$WORK/g.dat" >"$WORK/stat.txt" 2>/dev/null || fail "trace-cmd report --stat"
[ "$(grep -c '^entries: 0$' "$WORK/stat.txt")" -eq 2 ] ||
	fail "end-of-run statistics: $(grep '^entries' "$WORK/stat.txt" | tr '\n' ' ')"
say "guest: markers $first..$last, none missing;" \
    "$(grep -c 'sched_switch: ' "$WORK/report.txt") sched_switch; $(grep -o 'booting the guest ([a-z]*' "$WORK/run.log")"
