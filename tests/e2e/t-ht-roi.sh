#!/bin/bash
# hypertrace, system mode: a region of interest as in the seed's quick guide,
# without SystemTap. The guest prints "before N" lines to its serial console,
# emits arg1=1, prints "during N", emits arg1=0, pauses, prints "after N".
# The collector's rules turn QEMU's serial_write trace event on at arg1=1
# and off at arg1=0 over QMP; the bytes QEMU's trace log shows written to
# the serial port must spell "during" lines only.
source "$(dirname "$0")/../integration/lib.sh"
[ -f "$B/guest/initramfs.cpio.gz" ] || skip "no guest image: make guest"
command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64"
"$VTRACE" hypertrace --help | grep -q -- '--qmp' || skip "this vtrace hypertrace has no --qmp"
WORK=$(mktemp -d /tmp/vtrace-test.XXXXXX)
P=/dev/shm/vtrace-test-htroi-$$
trap 'rc=$?; rm -f "$P"; (exit $rc); cleanup' EXIT
S=$WORK/qmp
EV=serial_write

# the collector first (it makes the region QEMU maps): QMP is connected at the first action
"$VTRACE" hypertrace --system --path "$P" --clients 2 --entries 1024 --qmp "$S" \
	--on arg1=1 --trace-event "$EV=on" --on arg1=0 --trace-event "$EV=off" \
	>"$WORK/events" 2>"$WORK/col.log" &
col=$!
READER_PIDS+=($col)
for ((i = 0; i < 100; i++)); do [ -e "$P" ] && break; sleep 0.05; done
timeout 300 "$VTRACE" run-guest --dir "$WORK/ch" --guest "$B/guest" --workload ht-roi \
	--hypertrace "$P" -- -qmp "unix:$S,server=on,wait=off" -D "$WORK/qemu.log" \
	>"$WORK/run.log" 2>&1 || fail "run-guest: $(cat "$WORK/run.log")"
kill -INT $col
wait $col || fail "collector: $(cat "$WORK/col.log")"
grep -q 'region of interest done' "$WORK/ch/console.log" || fail "guest: $(tail -5 "$WORK/ch/console.log")"
grep -q 'vtrace hypertrace:' "$WORK/col.log" && fail "collector errors: $(cat "$WORK/col.log")"
grep -q -- '--on arg1=1: matched 1 events' "$WORK/col.log" &&
	grep -q -- '--on arg1=0: matched 1 events' "$WORK/col.log" || fail "rules: $(cat "$WORK/col.log")"
# the bytes written to the transmit register (addr 0) while the event was on
sed -n "s/^$EV write addr 0x00 val 0x\\(..\\)\$/\\1/p" "$WORK/qemu.log" |
	while read -r h; do printf "\\x$h"; done | tr -d '\r' >"$WORK/traced"
n=$(grep -c '^during [0-9]*$' "$WORK/traced" || true)
[ "$n" -ge 5 ] || fail "$n 'during' lines in QEMU's trace log: $(head -c 300 "$WORK/traced")"
grep -q 'before\|after' "$WORK/traced" &&
	fail "QEMU traced outside the region: $(grep -m3 'before\|after' "$WORK/traced")"
all=$(grep -c '^during [0-9]*' "$WORK/ch/console.log")
say "QEMU's $EV log spells $n of the guest's $all 'during' lines, no 'before' or 'after':" \
    "$(head -1 "$WORK/traced") .. $(grep '^during' "$WORK/traced" | tail -1)"
say "$(cat "$WORK/events")"
