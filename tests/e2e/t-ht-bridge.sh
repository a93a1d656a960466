#!/bin/bash
# e2e: hypertrace.ko's bridge in the demo guest. The module forwards the
# guest's sched_switch, sched_wakeup and irq_handler_entry while it forks and
# execs; at unload it says in dmesg how many it forwarded. On the host, the
# collector has exactly that many of each; sched_switch's fields are
# plausible: pids between 0 (idle) and the guest's last, priorities 0..139,
# and on each CPU every switch's prev is the previous switch's next. A loop
# in the module emitting on CPU 0 meanwhile gets all its events through.
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/ht-guest.sh"
WORK=$(mktemp -d /tmp/vtrace-test.XXXXXX)
[ -f "$B/kmod/hypertrace.ko" ] || skip "no hypertrace.ko: make kmod guest"
start_collector --entries 131072
run_ht_guest ht-bridge
sleep 0.1
stop_collector

[ "$(guest_says 'load rc=')" = "load rc=0" ] ||
	fail "insmod: $(guest_says 'load rc'); $(grep -a dmesg "$CONSOLE")"
[ "$(guest_says 'unload rc=')" = "unload rc=0" ] || fail "rmmod: $(guest_says 'unload rc')"
lastpid=$(guest_says 'last pid ' | awk '{ print $3 }')
[ -n "$lastpid" ] || fail "the guest did not finish: $(tail -20 "$CONSOLE")"
ev=$WORK/events
summary=""
id=1
for name in sched_switch sched_wakeup irq_handler_entry; do
	line=$(grep -a "dmesg: .*hypertrace: bridge $name: " "$CONSOLE" | tr -d '\r') ||
		fail "no dmesg line for the bridge $name: $(grep -a dmesg "$CONSOLE")"
	sent=$(echo "$line" | sed -n 's/.*: \([0-9]*\) events forwarded, \([0-9]*\) lost/\1/p')
	lost=$(echo "$line" | sed -n 's/.*: \([0-9]*\) events forwarded, \([0-9]*\) lost/\2/p')
	got=$(grep -c "client=1[45] arg1=$((0x6b65726e00000000 | id)) " "$ev" || true)
	[ "$got" -eq "$sent" ] || fail "$name: the guest forwarded $sent, the host has $got"
	[ "$lost" -eq 0 ] || fail "$name: $lost lost in the guest"
	[ "$name" = irq_handler_entry ] || [ "$sent" -gt 0 ] || fail "$name: no events"
	summary="$summary $name=$sent"
	id=$((id + 1))
done
[ "$(grep -vc 'client=1[45] ' "$ev" || true)" -eq 0 ] ||
	fail "events on clients other than the kernel's"

# The module's loop on CPU 0 (process context, interrupted there by the
# bridge's probes): every one of its events, in order, on client 14.
bench=$(guest_says 'bench events=')
[[ "$bench" == "bench events=100000 emitted=100000 "* ]] || fail "the loop: $bench"
grep "arg1=$((0x6b65726e00000100)) " "$ev" | grep -v ' client=14 ' &&
	fail "loop events off client 14"
for ((i = 0; i < 100000; i++)); do printf 'arg2=0x%016x\n' $i; done >"$WORK/want"
grep "client=14 arg1=$((0x6b65726e00000100)) " "$ev" | awk '{ print $5 }' | diff -q - "$WORK/want" \
	>/dev/null || fail "the loop's 100000 events are not all on the host, in order"
inside=$(grep ' client=14 ' "$ev" | awk -v b="arg1=$((0x6b65726e00000100))" '
	$4 == b { if (!first) first = NR; last = NR; next } { line[NR] = 1 }
	END { for (n in line) if (n + 0 > first && n + 0 < last) k++; print k + 0 }')
[ "$inside" -gt 0 ] || fail "no bridged event amid the loop's on CPU 0: the test proves nothing"

# sched_switch: arg2 prev pid | prio << 32, arg3 next pid | prio << 32, arg4 state | preempt << 32
grep "arg1=$((0x6b65726e00000001)) " "$ev" | awk -v last="$lastpid" '
function hex(s,   i, n) {
	n = 0
	for (i = 1; i <= length(s); i++)
		n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
	return n
}
function lo(f) { return hex(substr(f, length(f) - 7)) }
function hi(f) { return hex(substr(f, length(f) - 15, 8)) }
{
	split($3, c, "="); split($5, p, "="); split($6, n, "="); split($7, s, "=")
	pp = lo(p[2]); np = lo(n[2])
	if (pp > last || np > last) { print "pid beyond the last one: " $0; bad++ }
	if (hi(p[2]) > 139 || hi(n[2]) > 139) { print "priority out of range: " $0; bad++ }
	if (hi(s[2]) > 1) { print "preempt not 0 or 1: " $0; bad++ }
	if ((c[2] in cur) && cur[c[2]] != pp) { print "prev is not the last next: " $0; chain++ }
	cur[c[2]] = np
	pids[pp] = 1; pids[np] = 1
	if (pp == 0 || np == 0) idle++
}
END {
	for (x in pids) distinct++
	printf "%d distinct pids, %d switches with idle\n", distinct, idle
	if (bad || chain || distinct < 50 || !idle) exit 1
}' >"$WORK/check" || fail "sched_switch: $(tail -5 "$WORK/check")"
say "bridge:$summary (dmesg) all on the host, none lost, with 100000 of a loop on CPU 0" \
	"($inside bridged events amid them); sched_switch: $(tail -1 "$WORK/check")," \
	"pids 0..$lastpid, each CPU's chain of prev/next unbroken"
