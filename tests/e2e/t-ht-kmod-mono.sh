#!/bin/bash
# e2e: hypertrace.ko on a region without HT_FLAG_TSC_OK (cleared in the
# header before the guest boots) stamps its events with the guest's
# CLOCK_MONOTONIC (HT_CLOCK_MONO) instead of the TSC, says so in dmesg, and
# the collector still puts them on the host's clock, in order within the
# error it states, inside the run.
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/ht-guest.sh"
N=50
WORK=$(mktemp -d /tmp/vtrace-test.XXXXXX)
[ -f "$B/kmod/hypertrace.ko" ] || skip "no hypertrace.ko: make kmod guest"
start_collector --entries 4096
# ht_header.flags: the u16 at byte 18, little-endian; keep every bit but TSC_OK
flags=$(od -An -tu2 -j18 -N2 "$REGION" | tr -d ' ')
f=$((flags & ~1))
printf "\\x$(printf %02x $((f & 255)))\\x$(printf %02x $((f >> 8)))" |
	dd of="$REGION" bs=1 seek=18 conv=notrunc status=none
[ "$(od -An -tu2 -j18 -N2 "$REGION" | tr -d ' ')" -eq $f ] || fail "cannot clear HT_FLAG_TSC_OK"
mono() { awk '/^now at/ { printf "%.6f\n", $3 / 1e9; exit }' /proc/timer_list; }
mono0=$(mono)
run_ht_guest ht-kmod --append "vtrace.events=$N"
mono1=$(mono)
sleep 0.1
stop_collector

[ "$(guest_says 'load rc=')" = "load rc=0" ] ||
	fail "insmod: $(guest_says 'load rc'); $(grep -a dmesg "$CONSOLE")"
grep -aq 'dmesg: .*hypertrace: region of .*timestamps guest monotonic' "$CONSOLE" ||
	fail "the module did not say it stamps with the guest's monotonic clock"
err=$(sed -n 's/^guest CLOCK_MONOTONIC -> .*every event within +-\([0-9.]*\) us.*/\1/p' \
	"$WORK/collector.log")
[ -n "$err" ] || fail "the collector saw no guest CLOCK_MONOTONIC events: $(cat "$WORK/collector.log")"
for c in 0 1; do
	grep -E "client=$((14 + c)) arg1=7 " "$WORK/events" | sed 's/^[0-9]*@\([0-9.]*\):.*/\1/' \
		>"$WORK/t$c"
	[ "$(wc -l <"$WORK/t$c")" -eq $N ] || fail "cpu$c: $(wc -l <"$WORK/t$c") of $N events"
done
back=$(cat "$WORK/t0" "$WORK/t1" | awk 'NR > 1 && p - $1 > m { m = p - $1 } { p = $1 }
	END { printf "%.0f\n", m * 1e6 }')
awk -v b="$back" -v e="$err" 'BEGIN { exit !(b <= 2 * e) }' ||
	fail "host timestamps go back by $back us, more than the collector's +-$err us"
awk -v lo="$mono0" -v hi="$mono1" -v f="$(head -1 "$WORK/t0")" -v l="$(tail -1 "$WORK/t1")" \
	-v e="$err" 'BEGIN { exit !(f >= lo - e / 1e6 && l <= hi + e / 1e6) }' ||
	fail "host timestamps $(head -1 "$WORK/t0")..$(tail -1 "$WORK/t1") are outside" \
		"the run $mono0..$mono1"
say "without HT_FLAG_TSC_OK: $N events from each CPU stamped with the guest's CLOCK_MONOTONIC," \
	"on the host in order within +-$err us (at worst $back us back), inside the run"
