#!/bin/bash
# e2e: hypertrace.ko in the demo guest, on a system-mode region made by the
# host collector. The guest emits N numbered events from each CPU through the
# module; the collector prints every one, with its args, on the client of
# its CPU, with host timestamps inside the run and in order (within the
# error the collector states). Loading twice, with a bad parameter, or with
# no device fails (nonzero insmod, said in dmesg); unloading is clean and
# the module loads again; first_client= moves the kernel's clients. The
# seed's example in user space runs beside the module on client 0.
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/ht-guest.sh"
N=200
WORK=$(mktemp -d /tmp/vtrace-test.XXXXXX)
[ -f "$B/kmod/hypertrace.ko" ] || skip "no hypertrace.ko: make kmod guest"
start_collector --entries 4096
mono() { awk '/^now at/ { printf "%.6f\n", $3 / 1e9; exit }' /proc/timer_list; }	# CLOCK_MONOTONIC
mono0=$(mono)
run_ht_guest ht-kmod --append "vtrace.events=$N"
mono1=$(mono)
sleep 0.1
stop_collector

[ "$(guest_says 'load rc=')" = "load rc=0" ] ||
	fail "insmod: $(guest_says 'load rc'); $(grep -a dmesg "$CONSOLE")"
[ "$(guest_says 'done')" = done ] || fail "the workload did not finish: $(tail -20 "$CONSOLE")"
for c in 0 1; do
	[ "$(guest_says "cpu$c emitted")" = "cpu$c emitted $N events rc=0" ] ||
		fail "cpu$c: $(guest_says "cpu$c emitted")"
done
# The kernel's clients are the region's last ones (16 clients, 2 CPUs).
ev=$WORK/events
for c in 0 1; do
	cl=$((14 + c))
	grep -E "client=$cl arg1=7 " "$ev" >"$WORK/c$c" || true
	[ "$(wc -l <"$WORK/c$c")" -eq $N ] ||
		fail "cpu$c: $(wc -l <"$WORK/c$c") events on client $cl, the guest emitted $N"
	for ((i = 1; i <= N; i++)); do
		printf 'client=%d arg1=7 arg2=0x%016x arg3=0x%016x arg4=0x00000000feedface\n' $cl $i $c
	done >"$WORK/want$c"
	sed 's/.* \(client=\)/\1/' "$WORK/c$c" | diff -q - "$WORK/want$c" >/dev/null ||
		fail "cpu$c: events' args wrong or out of order: $(sed 's/.* \(client=\)/\1/' "$WORK/c$c" |
			diff - "$WORK/want$c" | head -4)"
done
# Host timestamps (PID@SEC.USEC). The collector converts the guest's TSC with
# an offset it narrows as events come, and says within how much it knows each
# event's time (ERR): in order within each CPU, CPU 0's before CPU 1's (the
# guest emitted them one CPU after the other), inside the run, all within ERR.
err=$(sed -n 's/^guest TSC -> .*every event within +-\([0-9.]*\) us.*/\1/p' "$WORK/collector.log")
[ -n "$err" ] ||
	fail "the collector did not say how well it knows the guest's TSC: $(cat "$WORK/collector.log")"
for c in 0 1; do
	sed 's/^[0-9]*@\([0-9.]*\):.*/\1/' "$WORK/c$c" >"$WORK/t$c"
done
back=$(cat "$WORK/t0" "$WORK/t1" | awk 'NR > 1 && p - $1 > m { m = p - $1 } { p = $1 }
	END { printf "%.0f\n", m * 1e6 }')
awk -v b="$back" -v e="$err" 'BEGIN { exit !(b <= 2 * e) }' ||
	fail "host timestamps go back by $back us, more than the collector's +-$err us"
awk -v lo="$mono0" -v hi="$mono1" -v f="$(head -1 "$WORK/t0")" -v l="$(tail -1 "$WORK/t1")" \
	-v e="$err" 'BEGIN { exit !(f >= lo - e / 1e6 && l <= hi + e / 1e6) }' ||
	fail "host timestamps $(head -1 "$WORK/t0")..$(tail -1 "$WORK/t1") are outside" \
		"the run $mono0..$mono1"
! grep -q 'events dropped' "$WORK/collector.log" ||
	fail "drops: $(grep dropped "$WORK/collector.log")"

# User space shares the region while the module is loaded: the seed's example
# (client 0) emits its 2 events.
[[ "$(guest_says 'user space with the module loaded rc=')" == *"loaded rc=0 " ]] ||
	fail "the seed's example beside the module: $(guest_says 'user space')"
for a in 1 0; do
	grep -q "client=0 arg1=$a arg2=0x000000000000cafe arg3=0x000000000000dead" "$ev" ||
		fail "the seed's example's event arg1=$a is not on client 0"
done

# Loading twice, a bad parameter, no device: nonzero insmod, said; unload clean.
twice=$(guest_says 'load twice rc=')
[[ "$twice" == "load twice rc=0"* || "$twice" != *"File exists"* ]] && fail "loading twice: $twice"
[ "$(guest_says 'unload rc=')" = "unload rc=0 loaded=no" ] ||
	fail "rmmod: $(guest_says 'unload rc=')"
t=$(guest_says 'bad events rc=')
[[ "$t" == "bad events rc=0"* || "$t" != *"loaded=no" ]] && fail "events=no_such_event: $t"
grep -q "dmesg: .*hypertrace: events=no_such_event: no bridge for 'no_such_event'" "$CONSOLE" ||
	fail "no dmesg line for events=no_such_event"
[ "$(guest_says 'reload emit unload rc=')" = "reload emit unload rc=0" ] ||
	fail "reload: $(guest_says 'reload')"
grep -q "client=14 arg1=8 arg2=0x0000000000000001" "$ev" ||
	fail "the reloaded module's event is missing"
[ "$(guest_says 'first_client=0 rc=')" = "first_client=0 rc=0" ] &&
	grep -q "client=1 arg1=9 arg2=0x0000000000000001" "$ev" ||
	fail "first_client=0: CPU 1's event is not on client 1: $(guest_says 'first_client=0')"
t=$(guest_says 'first_client=16 rc=')
[[ "$t" == "first_client=16 rc=0"* || "$t" != *"loaded=no" ]] && fail "first_client=16: $t"
grep -q "dmesg: .*hypertrace: first_client=16, but the region has 16 clients" "$CONSOLE" ||
	fail "no dmesg line for first_client=16"
t=$(guest_says 'no device rc=')
[[ "$t" == "no device rc=0"* || "$t" != *"loaded=no"* ]] && fail "no device: $t"
grep -q 'dmesg: .*hypertrace: no ivshmem device (PCI 1af4:1110)' "$CONSOLE" ||
	fail "no dmesg line for the missing device"
say "hypertrace.ko: $N events from each of 2 CPUs arrived with their args, host timestamps" \
	"in order within the run (+-$err us; at worst $back us back); load twice:" \
	"'${twice#load twice }'; bad parameter, no device refused; unload clean; first_client= works;" \
	"the seed's example shares the region (client 0)"
