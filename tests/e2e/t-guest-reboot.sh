#!/bin/bash
# The guest reboots (reboot -f, trace-agent streaming) in the middle of a
# vtrace record, a real guest under QEMU (TCG) that resets instead of
# powering off: the recorder notices the new agent when it announces itself,
# ends the old boot's streams where they broke (saying where, and the bytes
# dropped), keeps everything before, and records the new boot. The file
# holds each boot's markers at most once; every marker of the second boot up
# to the stop; the first boot's losses are counted.
source "$(dirname "$0")/../integration/lib.sh"
WORK=$(mktemp -d /tmp/vtrace-test.XXXXXX)
D=$WORK/vt
boot_guest "$D" --workload reboot --seconds 8 -- -action reboot=reset
"$VTRACE" record --dir "$D" -o "$WORK/r.dat" 2>"$WORK/rec.err" &
rec=$!
READER_PIDS+=($rec)
rb=""
for ((i = 0; i < 1200; i++)); do
	[ -z "$rb" ] && grep -q "rebooting" "$D/console.log" && rb=$i
	grep -q "a new agent announced itself" "$WORK/rec.err" && break
	kill -0 $rec 2>/dev/null || fail "record ended: $(cat "$WORK/rec.err")"
	sleep 0.1
done
grep -q "a new agent announced itself" "$WORK/rec.err" ||
	fail "the reboot was not noticed: $(cat "$WORK/rec.err"); $(tail -5 "$D/console.log")"
t_resume=$(((i - ${rb:-0}) * 100))
sleep 3
kill -INT $rec
rc=0; wait $rec || rc=$?
sed 's/^/  record: /' "$WORK/rec.err"
[ $rc -eq 0 ] || fail "record: exit $rc"
kill $GUEST 2>/dev/null || true
mapfile -t boots < <(grep -v wrote "$D/console.log" |
	sed -n 's/.*vtrace-guest: boot \([0-9a-f]\{8\}\).*/\1/p')
[ ${#boots[@]} -ge 2 ] || fail "fewer than two boots: $(grep 'vtrace-guest: boot' "$D/console.log")"
b1=${boots[0]} b2=${boots[1]}
wrote1=$(sed -n "s/.*boot $b1 wrote \([0-9]*\) markers.*/\1/p" "$D/console.log")
trace-cmd report -i "$WORK/r.dat" >"$WORK/r.txt" 2>/dev/null || fail "trace-cmd cannot read the file"
nums() { grep -o "boot-$1 [0-9]*\$" "$WORK/r.txt" | awk '{ print $2 }' | sort -n; }
nums "$b1" >"$WORK/n1"; nums "$b2" >"$WORK/n2"
[ -z "$(uniq -d "$WORK/n1")$(uniq -d "$WORK/n2")" ] || fail "a marker recorded twice"
got1=$(wc -l <"$WORK/n1") got2=$(wc -l <"$WORK/n2")
[ "$got1" -gt 0 ] || fail "nothing of the first boot kept"
[ "$(tail -1 "$WORK/n1")" -le "$wrote1" ] || fail "a first-boot marker beyond the $wrote1 written"
max2=$(tail -1 "$WORK/n2")
[ "$got2" -gt 0 ] && [ "$got2" -eq "$max2" ] ||
	fail "second boot: $got2 markers, the highest $max2: some missing"
say "the guest said 'rebooting'; ${t_resume} ms later (a TCG boot) the recorder resumed with its new agent"
say "boot $b1: $got1 of the $wrote1 markers written kept ($((wrote1 - got1)) lost at the reboot);" \
    "boot $b2: markers 1..$max2 all kept"
