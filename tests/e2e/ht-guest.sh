# Shared by the hypertrace system-mode e2e tests and bench/ht-kmod.sh
# (sourced after tests/integration/lib.sh): a collector on a system-mode
# region in /dev/shm, and the demo guest given it as an ivshmem device.
REGION=""
COLLECTOR=""
trap 'rc=$?; [ -z "$REGION" ] || rm -f "$REGION"; (exit $rc); cleanup' EXIT

# vtrace hypertrace --system on a fresh region, events into $WORK/events.
start_collector() {	# collector options...
	local i
	REGION=/dev/shm/vtrace-ht-$$
	"$VTRACE" hypertrace --system --path "$REGION" -o "$WORK/events" "$@" \
		>"$WORK/collector.log" 2>&1 &
	COLLECTOR=$!
	READER_PIDS+=($COLLECTOR)
	for ((i = 0; i < 100; i++)); do
		grep -qs 'Ctrl-C to end' "$WORK/collector.log" && return 0
		kill -0 $COLLECTOR 2>/dev/null || fail "collector: $(cat "$WORK/collector.log")"
		sleep 0.1
	done
	fail "the collector never made its region: $(cat "$WORK/collector.log")"
}

# Ctrl-C, as a user ends it: it takes what is left, reports drops, exits 0.
stop_collector() {
	kill -INT $COLLECTOR
	wait $COLLECTOR || fail "collector exited $?: $(cat "$WORK/collector.log")"
}

# Boot the demo guest on the region with WORKLOAD and wait until it powers
# off; its console is $WORK/vt/console.log.
run_ht_guest() {	# workload [run-guest options...]
	local workload=$1
	shift
	[ -f "$B/guest/initramfs.cpio.gz" ] || skip "no guest image: make guest"
	command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64"
	timeout -k 5 "${HT_GUEST_TIMEOUT:-240}" "$VTRACE" run-guest --dir "$WORK/vt" \
		--guest "$B/guest" --workload "$workload" --hypertrace "$REGION" "$@" \
		>"$WORK/run.log" 2>&1 ||
		fail "run-guest: $(tail -5 "$WORK/run.log"; tail -20 "$WORK/vt/console.log")"
	CONSOLE=$WORK/vt/console.log
}

# The guest's "vtrace-ht: WHAT ..." line, without the prefix.
guest_says() {	# what
	sed -n "s/.*vtrace-ht: \($1.*\)/\1/p" "$CONSOLE" | tr -d '\r' | head -1
}
