#!/bin/bash
# Every error gives one line naming the path or value and the fix, a nonzero
# exit, and no process left behind.
source "$(dirname "$0")/lib.sh"
setup_tracefs
make_ports

# expect EXIT_CODE PATTERN agent-args...
expect() {
	local code=$1 pattern=$2 rc=0
	shift 2
	timeout 10 "$AGENT" "$@" >"$WORK/out" 2>"$WORK/err" </dev/null || rc=$?
	[ $rc -ne 124 ] || fail "agent $* hung"
	[ $rc -eq "$code" ] || fail "agent $*: exit $rc, want $code; said: $(cat "$WORK/err")"
	grep -q -- "$pattern" "$WORK/err" || fail "agent $*: said '$(cat "$WORK/err")', want '$pattern'"
	[ "$(grep -vc '^Try ' "$WORK/err")" -eq 1 ] || fail "agent $*: not one line: $(cat "$WORK/err")"
	say "exit $rc: $(grep -v '^Try ' "$WORK/err")"
}
P=(-i "$INST" -p "$WORK/ports")

expect 1 "/nonexistent is not a tracefs directory.*-t" -t /nonexistent "${P[@]}"
expect 1 "no tracefs instance 'nosuch'.*mkdir" -i nosuch -p "$WORK/ports"
mkdir "$WORK/empty"
expect 1 "$WORK/empty/trace-path-cpu0: No such file.*virtserialport.*-p" -i "$INST" -p "$WORK/empty"
mkdir "$WORK/empty/trace-path-cpu0"
expect 1 "trace-path-cpu0 is not a virtio port, FIFO or file" -i "$INST" -p "$WORK/empty" --cpus 0
rmdir "$WORK/empty/trace-path-cpu0"
expect 1 "control port $WORK/nope: No such file.*-c" "${P[@]}" -c "$WORK/nope"
expect 1 "control port $WORK/out is not a virtio port or FIFO" "${P[@]}" -c "$WORK/out"
expect 1 "per_cpu/cpu4000/trace_pipe_raw: No such file.*--cpus" "${P[@]}" --cpus 4000
expect 2 "invalid pipe size '10K'.*64K to 1M" "${P[@]}" -s 10K
expect 2 "invalid pipe size '2M'" "${P[@]}" -s 2M
expect 2 "invalid pipe size 'lots'" "${P[@]}" -s lots
expect 2 "invalid buffer size '0'" "${P[@]}" -b 0
expect 2 "invalid buffer size 'big'" "${P[@]}" -b big
expect 2 "invalid CPU list 'x'" "${P[@]}" --cpus x
expect 2 "invalid CPU list '3-1'" "${P[@]}" --cpus 3-1
expect 2 "unrecognized option" "${P[@]}" --frobnicate
expect 2 "unexpected argument 'extra'" "${P[@]}" extra
chmod 755 "$WORK"
# not root
rc=0
setpriv --reuid=65534 --regid=65534 --clear-groups "$AGENT" -t "$T" 2>"$WORK/err" || rc=$?
[ $rc -eq 1 ] && grep -q "permission denied; run the agent as root" "$WORK/err" ||
	fail "as nobody: exit $rc: $(cat "$WORK/err")"
say "not root: exit 1: $(cat "$WORK/err")"

"$AGENT" --help | grep -q '^Usage: trace-agent' || fail "--help"

# A ring buffer still at its boot size is grown, and the agent says so; but
# only once start-up has succeeded (a missing port changes nothing).
fake=$WORK/fake-tracefs
mkdir -p "$fake/per_cpu/cpu0"
touch "$fake/per_cpu/cpu0/trace_pipe_raw"
echo "7 (expanded: 1408)" >"$fake/buffer_size_kb"
expect 1 "trace-path-cpu0: No such file" -t "$fake" -p "$WORK/nope" --cpus 0
grep -q expanded "$fake/buffer_size_kb" || fail "a failed start-up resized the ring buffer"
"$AGENT" -t "$fake" -p "$WORK/ports" --cpus 0 2>"$WORK/agent.log" &
AGENT_PID=$!
wait_log 'waiting for orders'
end_agent
grep -q 'ring buffer was at its boot size (7 KB per CPU); grew it to 1408 KB' "$WORK/agent.log" ||
	fail "boot-size buffer not grown"
[ "$(cat "$fake/buffer_size_kb")" = 1408 ] || fail "buffer_size_kb is $(cat "$fake/buffer_size_kb")"
say "boot-size buffer: $(head -n 1 "$WORK/agent.log")"
pgrep -f "$WORK" >/dev/null && fail "an agent was left running"
true
