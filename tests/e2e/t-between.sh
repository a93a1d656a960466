#!/bin/bash
# e2e test 1: the guest writes numbered markers between the host's start and
# stop orders; vtrace record on the host; trace-cmd report of the file holds
# every one of them, as many as the guest says it wrote.
source "$(dirname "$0")/../integration/lib.sh"
WORK=$(mktemp -d /tmp/vtrace-test.XXXXXX)
D=$WORK/vt
boot_guest "$D" --workload between
"$VTRACE" record -q --dir "$D" -o "$WORK/b.dat" 2>"$WORK/record.log" &
rec=$!
for ((i = 0; i < 300; i++)); do
	grep -q 'wrote [0-9]* markers between' "$D/console.log" && break
	sleep 0.2
done
kill -INT $rec			# the host's stop, as Ctrl-C gives it
wait $rec || fail "vtrace record: $(cat "$WORK/record.log")"
wait $GUEST || fail "run-guest: $(cat "$WORK/run.log")"
n=$(sed -n 's/.*vtrace-guest: wrote \([0-9]*\) markers between.*/\1/p' "$D/console.log")
[ -n "$n" ] || fail "the guest wrote nothing: $(tail -5 "$D/console.log")"
trace-cmd report -i "$WORK/b.dat" 2>/dev/null | grep -o 'between [01] [0-9]*' >"$WORK/marks"
for c in 0 1; do
	grep "between $c " "$WORK/marks" | awk '{ print $3 }' >"$WORK/m$c"
	[ "$(seq 1 $((n / 2)) | md5sum)" = "$(md5sum <"$WORK/m$c")" ] ||
		fail "cpu$c: $(wc -l <"$WORK/m$c") of the guest's $((n / 2)) markers, or out of order"
done
say "the guest wrote $n markers between start and stop; trace-cmd report lists all $n, in order"
