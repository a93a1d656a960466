#!/bin/bash
# hypertrace, system mode: the seed's example program, unchanged and static,
# runs in the demo guest and finds the ivshmem device itself; the host
# collector prints its 2 events with the right arguments and host
# CLOCK_MONOTONIC timestamps in order, inside the guest's run, and says how
# well it knows the guest clock's offset. Run again with the device's PCI
# address, then its sysfs directory, as base: 2 more events each. In a
# guest without the device, the example says "No such device". As a user that may not map the
# device the example fails with a clear message. run-guest refuses a region
# that is not a power of two (QEMU 7.2 would abort).
source "$(dirname "$0")/../integration/lib.sh"
[ -f "$B/guest/initramfs.cpio.gz" ] || skip "no guest image: make guest"
command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64"
WORK=$(mktemp -d /tmp/vtrace-test.XXXXXX)
P=/dev/shm/vtrace-test-hts-$$
trap 'rc=$?; rm -f "$P"; (exit $rc); cleanup' EXIT
uptime_s() { cut -d' ' -f1 /proc/uptime; }

truncate -s 12288 "$P"
rc=0; "$VTRACE" run-guest --dir "$WORK/ch" --guest "$B/guest" --hypertrace "$P" 2>"$WORK/err" || rc=$?
[ $rc -eq 1 ] && grep -q 'not a power of two' "$WORK/err" || fail "12288 bytes: exit $rc: $(cat "$WORK/err")"
say "refused: $(cat "$WORK/err")"
rm "$P"

"$VTRACE" hypertrace --system --path "$P" --clients 4 --entries 1024 >"$WORK/events" 2>"$WORK/col.log" &
col=$!
READER_PIDS+=($col)
for ((i = 0; i < 100; i++)); do [ -e "$P" ] && break; sleep 0.05; done
size=$(stat -c %s "$P")
[ $((size & (size - 1))) -eq 0 ] || fail "the system-mode region is $size bytes"
t0=$(uptime_s)
timeout 300 "$VTRACE" run-guest --dir "$WORK/ch" --guest "$B/guest" --workload ht-seed \
	--hypertrace "$P" >"$WORK/run.log" 2>&1 || fail "run-guest: $(cat "$WORK/run.log")"
t1=$(uptime_s)
sleep 0.1
kill -INT $col
wait $col || fail "collector: $(cat "$WORK/col.log")"
for what in 'seed example' 'by address' 'by sysfs directory'; do
	grep -q "vtrace-guest: $what done" "$WORK/ch/console.log" ||
		fail "guest, $what: $(tail -5 "$WORK/ch/console.log")"
done
[ "$(wc -l <"$WORK/events")" -eq 6 ] || fail "want 2 events 3 times: $(cat "$WORK/events")"
for i in 1 3 5; do
	grep -q ':guest_hypertrace cpu=0 client=0 arg1=1 arg2=0x000000000000cafe arg3=0x000000000000dead arg4=0x000000000000beef$' \
		<(sed -n ${i}p "$WORK/events") || fail "event $i: $(sed -n ${i}p "$WORK/events")"
	grep -q ':guest_hypertrace cpu=0 client=0 arg1=0 arg2=0x000000000000cafe arg3=0x000000000000dead arg4=0x000000000000beef$' \
		<(sed -n $((i + 1))p "$WORK/events") || fail "event $((i + 1)): $(sed -n $((i + 1))p "$WORK/events")"
done
cut -d@ -f2 "$WORK/events" | cut -d: -f1 >"$WORK/ts"
sort -nc "$WORK/ts" || fail "timestamps out of order: $(cat "$WORK/ts")"
awk -v a="$t0" -v b="$t1" '$1 < a - 1 || $1 > b + 1 { exit 1 }' "$WORK/ts" ||
	fail "timestamps $(tr '\n' ' ' <"$WORK/ts")not in the guest's run ($t0..$t1 s)"
bound=$(grep -o 'offset known within +-[0-9.]* us' "$WORK/col.log") ||
	fail "no error bound: $(cat "$WORK/col.log")"
grep -q 'as nobody: error: qemu_hypertrace_init: Permission denied' "$WORK/ch/console.log" ||
	fail "as nobody: $(grep nobody "$WORK/ch/console.log")"
timeout 300 "$VTRACE" run-guest --dir "$WORK/ch2" --guest "$B/guest" --workload ht-seed \
	>"$WORK/run2.log" 2>&1 || fail "run-guest without the device: $(cat "$WORK/run2.log")"
grep -q '^error: qemu_hypertrace_init: No such device' "$WORK/ch2/console.log" ||
	fail "without the device: $(grep -a -m3 'error\|vtrace-guest' "$WORK/ch2/console.log")"
say "$(head -2 "$WORK/events")"
say "guest run $t0..$t1 s; guest TSC $bound; as nobody: Permission denied; no device: No such device"
