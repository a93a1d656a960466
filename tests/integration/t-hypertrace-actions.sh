#!/bin/bash
# vtrace hypertrace actions against a real QEMU: --on arg1=1 turns a QEMU
# trace event on through QMP (trace-event-set-state) and runs a host
# command; --on arg1=0 turns it off. A second QMP socket checks QEMU's state
# (trace-event-get-state) after each. Commands are reaped; bad rules and a
# missing socket get one clear error line.
source "$(dirname "$0")/lib.sh"
command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64"
WORK=$(mktemp -d /tmp/vtrace-test.XXXXXX)
P=/dev/shm/vtrace-test-htact-$$
S=$WORK/qmp
EV=memory_region_ops_read
EMIT=$B/tests/vt-htemit
QMP=$B/tests/vt-qmp
trap 'rc=$?; rm -f "$P"; (exit $rc); cleanup' EXIT

qemu-system-x86_64 -machine none -display none -nodefaults \
	-qmp unix:"$S.1",server=on,wait=off -qmp unix:"$S.2",server=on,wait=off 2>"$WORK/qemu.err" &
READER_PIDS+=($!)
for ((i = 0; i < 200; i++)); do [ -S "$S.2" ] && break; sleep 0.05; done
[ -S "$S.2" ] || fail "QEMU made no QMP socket: $(cat "$WORK/qemu.err")"

state() {
	"$QMP" "$S.2" "{\"execute\": \"trace-event-get-state\", \"arguments\": {\"name\": \"$EV\"}}" |
		grep -o '"state": "[a-z]*"' | cut -d'"' -f4
}
wait_lines() {	# file count
	for ((i = 0; i < 100; i++)); do
		[ "$(wc -l <"$1" 2>/dev/null || echo 0)" -ge "$2" ] && return 0
		sleep 0.05
	done
	fail "$1: want $2 lines, have: $(cat "$1" 2>/dev/null)"
}

[ "$(state)" = disabled ] || fail "$EV is on before the test"
"$VTRACE" hypertrace --path "$P" --clients 2 -o "$WORK/events" --qmp "$S.1" \
	--on arg1=1 --trace-event "$EV=on" --exec "echo on >>'$WORK/exec.log'" \
	--on arg1=0 --trace-event "$EV=off" --exec "echo off >>'$WORK/exec.log'" 2>"$WORK/err" &
col=$!
READER_PIDS+=($col)
for ((i = 0; i < 100; i++)); do [ -e "$P" ] && break; sleep 0.05; done
[ -e "$P" ] || fail "no region: $(cat "$WORK/err")"

"$EMIT" -p "$P" -n 1 -v 7 >/dev/null	# matches no rule
"$EMIT" -p "$P" -n 1 -v 1 >/dev/null
wait_lines "$WORK/exec.log" 1
[ "$(state)" = enabled ] || fail "after arg1=1: $EV is $(state)"
say "after arg1=1: $EV $(state), exec.log: $(cat "$WORK/exec.log")"
"$EMIT" -p "$P" -n 1 -v 0 >/dev/null
wait_lines "$WORK/exec.log" 2
[ "$(state)" = disabled ] || fail "after arg1=0: $EV is $(state)"
say "after arg1=0: $EV $(state)"

# the seed's example: on, its computation, off
"$B/tests/seed-hypertrace-example" "$P" >/dev/null
wait_lines "$WORK/exec.log" 4
[ "$(state)" = disabled ] || fail "after the seed's example: $EV is $(state)"
# the two commands run concurrently (not waited for): either order
[ "$(tail -n 2 "$WORK/exec.log" | sort | tr '\n' ' ')" = "off on " ] || fail "exec.log: $(cat "$WORK/exec.log")"
sleep 0.2
zombies=$(ps -o stat= --ppid $col | grep -c Z || true)
[ "$zombies" -eq 0 ] || fail "$zombies unreaped commands"
kill -INT $col
wait $col || fail "collector exit: $(cat "$WORK/err")"
grep -q -- '--on arg1=1: matched 2 events' "$WORK/err" || fail "summary: $(cat "$WORK/err")"
grep -q -- '--on arg1=0: matched 2 events' "$WORK/err" || fail "summary: $(cat "$WORK/err")"
grep -q 'vtrace hypertrace:' "$WORK/err" && fail "errors: $(cat "$WORK/err")"
[ "$(wc -l <"$WORK/events")" -eq 5 ] || fail "want 5 events: $(cat "$WORK/events")"
say "seed's example: exec.log $(tr '\n' ' ' <"$WORK/exec.log"), no zombies"

# QEMU refuses an event it does not know: one line naming it; the collector goes on
"$VTRACE" hypertrace --path "$P" -o /dev/null --qmp "$S.1" --on arg1=1 \
	--trace-event no_such_event=on 2>"$WORK/err" &
col=$!
for ((i = 0; i < 100; i++)); do [ -e "$P" ] && break; sleep 0.05; done
"$EMIT" -p "$P" -n 1 -v 1 >/dev/null
for ((i = 0; i < 100; i++)); do grep -q 'QEMU says' "$WORK/err" && break; sleep 0.05; done
kill -INT $col
wait $col || fail "collector exit after a QMP error"
grep -q "^vtrace hypertrace: $S.1: trace-event-set-state no_such_event on: QEMU says: .*no_such_event" \
	"$WORK/err" || fail "QMP error: $(cat "$WORK/err")"
say "$(grep 'QEMU says' "$WORK/err")"

# bad rules: exit 2, one line; a socket that is not there: exit 1, one line
bad() {	# want-exit pattern args...
	local want=$1 pat=$2 rc=0
	shift 2
	"$VTRACE" hypertrace --path "$P" "$@" >/dev/null 2>"$WORK/err" || rc=$?
	[ $rc -eq "$want" ] && [ "$(wc -l <"$WORK/err")" -eq 1 ] && grep -q -- "$pat" "$WORK/err" ||
		fail "$*: exit $rc (want $want): $(cat "$WORK/err")"
	[ -e "$P" ] && fail "$*: region left"
	true
}
bad 2 'must follow the --on rule' --exec true
bad 2 "invalid --on 'arg1'" --on arg1
bad 2 "invalid --on 'arg1=x'" --on arg1=x
bad 2 "invalid --on 'arg0=1'" --on arg0=1
bad 2 'events have 4 arguments' --on arg5=1 --exec true
bad 2 'has no action' --on arg1=1
bad 2 'needs QEMU.s QMP socket' --on arg1=1 --trace-event x=on
bad 2 "invalid --trace-event 'x'" --on arg1=1 --trace-event x
bad 2 "invalid --trace-event 'a b=on'" --on arg1=1 --trace-event 'a b=on'
bad 1 "cannot connect to the QMP socket $WORK/none" --qmp "$WORK/none" --on arg1=1 --trace-event x=on
true
