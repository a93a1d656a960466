#!/bin/bash
# hypertrace, system mode: the seed's example program, unchanged and static,
# runs in the demo guest and finds the ivshmem device itself; the host
# collector prints its 2 events with the right arguments and host
# CLOCK_MONOTONIC timestamps in order, inside the guest's run, and says how
# well it knows the guest clock's offset. As a user that may not map the
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
grep -q 'seed example done' "$WORK/ch/console.log" || fail "guest: $(tail -5 "$WORK/ch/console.log")"
[ "$(wc -l <"$WORK/events")" -eq 2 ] || fail "want 2 events: $(cat "$WORK/events")"
grep -q ':guest_hypertrace cpu=0 client=0 arg1=1 arg2=0x000000000000cafe arg3=0x000000000000dead arg4=0x000000000000beef$' \
	<(head -1 "$WORK/events") || fail "first event: $(head -1 "$WORK/events")"
grep -q ':guest_hypertrace cpu=0 client=0 arg1=0 arg2=0x000000000000cafe' <(tail -1 "$WORK/events") ||
	fail "second event: $(tail -1 "$WORK/events")"
cut -d@ -f2 "$WORK/events" | cut -d: -f1 >"$WORK/ts"
sort -nc "$WORK/ts" || fail "timestamps out of order: $(cat "$WORK/ts")"
awk -v a="$t0" -v b="$t1" '$1 < a - 1 || $1 > b + 1 { exit 1 }' "$WORK/ts" ||
	fail "timestamps $(tr '\n' ' ' <"$WORK/ts")not in the guest's run ($t0..$t1 s)"
bound=$(grep -o 'offset known within +-[0-9.]* us' "$WORK/col.log") ||
	fail "no error bound: $(cat "$WORK/col.log")"
grep -q 'as nobody: error: qemu_hypertrace_init: Permission denied' "$WORK/ch/console.log" ||
	fail "as nobody: $(grep nobody "$WORK/ch/console.log")"
say "$(cat "$WORK/events")"
say "guest run $t0..$t1 s; guest TSC $bound; as nobody: Permission denied"
