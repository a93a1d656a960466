#!/bin/bash
# vtrace hypertrace: the seed's example program, unchanged, emits into the
# region; the collector prints its two events in QEMU's log format with the
# right arguments and host timestamps in order, and removes the region at
# exit. A planted symlink or file at the path is refused.
source "$(dirname "$0")/lib.sh"
WORK=$(mktemp -d /tmp/vtrace-test.XXXXXX)
P=/dev/shm/vtrace-test-ht-$$
# keep the test's exit status through cleanup (lib.sh's cleanup exits with $?)
trap 'rc=$?; set +e; rm -f "$P"; (exit $rc); cleanup' EXIT
"$VTRACE" hypertrace --path "$P" --clients 2 --args 4 >"$WORK/events" 2>"$WORK/err" &
col=$!
READER_PIDS+=($col)
for ((i = 0; i < 100; i++)); do [ -e "$P" ] && break; sleep 0.05; done
[ "$(stat -c %a "$P")" = 600 ] || fail "region mode $(stat -c %a "$P")"
"$B/tests/seed-hypertrace-example" "$P" >/dev/null || fail "the seed's example failed"
sleep 0.2
kill -INT $col
wait $col || fail "collector exit: $(cat "$WORK/err")"
[ -e "$P" ] && fail "the region was not removed"
[ "$(wc -l <"$WORK/events")" -eq 2 ] || fail "want 2 events: $(cat "$WORK/events")"
grep -q "^[0-9]*@[0-9]*\.[0-9]\{6\}:guest_hypertrace cpu=[0-9]* client=0 arg1=1 arg2=0x000000000000cafe arg3=0x000000000000dead arg4=0x000000000000beef$" "$WORK/events" ||
	fail "first event: $(head -1 "$WORK/events")"
sed -n 2p "$WORK/events" | grep -q 'client=0 arg1=0 arg2=0x000000000000cafe' || fail "second event"
cut -d@ -f2 "$WORK/events" | cut -d: -f1 | sort -nc || fail "timestamps out of order"
now=$(cut -d' ' -f1 /proc/uptime | cut -d. -f1)
t=$(head -1 "$WORK/events" | cut -d@ -f2 | cut -d. -f1)
[ $((now - t)) -ge 0 ] && [ $((now - t)) -lt 60 ] || fail "timestamp $t is not host CLOCK_MONOTONIC (now $now)"
say "$(cat "$WORK/events")"

# refused: a symlink or a file already at the path
ln -s /etc/passwd "$P"
rc=0; "$VTRACE" hypertrace --path "$P" 2>"$WORK/err" || rc=$?
[ $rc -eq 1 ] && grep -q "cannot create $P: File exists; something is there already" "$WORK/err" ||
	fail "symlink: exit $rc: $(cat "$WORK/err")"
[ "$(head -c 4 /etc/passwd)" = root ] || fail "/etc/passwd touched"
rm "$P"
say "planted symlink: $(cat "$WORK/err")"
rc=0; "$VTRACE" hypertrace 2>"$WORK/err" || rc=$?
[ $rc -eq 2 ] && grep -q 'give the region' "$WORK/err" || fail "no --path: exit $rc"
rc=0; "$VTRACE" hypertrace --path "$P" --entries 1000 2>"$WORK/err" || rc=$?
[ $rc -eq 2 ] && grep -q 'a power of 2' "$WORK/err" || fail "bad entries: exit $rc: $(cat "$WORK/err")"
[ -e "$P" ] && fail "a refused region was left behind"
true

# a reader that goes away: one error, exit 1, the region removed
rm -f "$WORK/rc"
{ r=0; "$VTRACE" hypertrace --path "$P" 2>"$WORK/err" || r=$?; echo $r >"$WORK/rc"; } | head -1 >/dev/null &
for ((i = 0; i < 100; i++)); do [ -e "$P" ] && break; sleep 0.05; done
"$B/tests/vt-htemit" -p "$P" -n 100000 >/dev/null
for ((i = 0; i < 100; i++)); do [ -s "$WORK/rc" ] && break; sleep 0.05; done
[ "$(cat "$WORK/rc")" = 1 ] && grep -q 'cannot write standard output: Broken pipe' "$WORK/err" ||
	fail "closed pipe: exit $(cat "$WORK/rc"): $(cat "$WORK/err")"
[ -e "$P" ] && fail "the region was left after a closed pipe"
true
