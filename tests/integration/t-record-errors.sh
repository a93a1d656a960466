#!/bin/bash
# vtrace on bad input: missing or wrong channels, a guest that answers
# garbage, oversized or truncated replies, garbage sub-buffers and a
# truncated stream, and an agent killed mid-recording. Each gives a clear
# error or keeps every whole, valid sub-buffer; nothing crashes.
source "$(dirname "$0")/lib.sh"
setup_tracefs
FAKE=$B/tests/vt-fakereply
FIX=$ROOT/tests/fixtures/guest-6.1-x86_64
CH=$WORK/ch
"$VTRACE" setup --dir "$CH" --cpus 2 >/dev/null

# expect_record CODE PATTERN record-args...
expect_record() {
	local code=$1 pattern=$2 rc=0
	shift 2
	timeout 40 "$VTRACE" record -q "$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
	[ $rc -eq "$code" ] || fail "vtrace record $*: exit $rc, want $code: $(cat "$WORK/err")"
	grep -q -- "$pattern" "$WORK/err" || fail "vtrace record $*: said '$(cat "$WORK/err")', want '$pattern'"
	say "exit $rc: $(grep -- "$pattern" "$WORK/err" | head -1)"
}

# A guest that answers each order with the output of a command; $1 is a
# function name called with the order, its tag ("#N order") in $VT_TAG for
# vt-fakereply. With $2 "old", an agent from before tags: a tagged order is
# an unknown one.
FAKE_PID=""
fake_guest() {
	(
		exec 3<>"$CH/agent-ctl-path.in" 4<>"$CH/agent-ctl-path.out"
		# empty lines are no orders (vtrace starts each with a newline)
		while read -r order <&3; do
			[ -z "$order" ] && continue
			export VT_TAG=0
			if [[ $order =~ ^#([0-9]+)[[:space:]]+(.*)$ ]]; then
				if [ "${2:-}" = old ]; then
					"$FAKE" err "unknown order '$order'" >&4
					continue
				fi
				VT_TAG=${BASH_REMATCH[1]} order=${BASH_REMATCH[2]}
			fi
			# the order's first word: its arguments ("meta kallsyms", "stop pause")
			# change nothing in these fakes
			"$1" "${order%% *}" >&4 || break
		done
	) &
	FAKE_PID=$!
	sleep 0.2
}
end_fake() { kill "$FAKE_PID" 2>/dev/null || true; wait "$FAKE_PID" 2>/dev/null || true; }

expect_record 1 "no $WORK/none/trace-path-cpu0.out; create the channels with 'vtrace setup" \
	--dir "$WORK/none"
expect_record 1 "agent-ctl-path.in: nobody reads it; start the guest" --dir "$CH" -o "$WORK/x.dat"
mv "$CH/agent-ctl-path.out" "$WORK/saved.out"; touch "$CH/agent-ctl-path.out"
expect_record 1 "agent-ctl-path.out is a regular file, not a FIFO; remove it" --dir "$CH"
mv "$WORK/saved.out" "$CH/agent-ctl-path.out"
mv "$CH/trace-path-cpu1.out" "$WORK/saved1.out"
ln -s /dev/null "$CH/trace-path-cpu1.out"
refuse_data() { "$FAKE" meta "$FIX"; }
fake_guest refuse_data
expect_record 1 "trace-path-cpu1.out is a symlink, not a FIFO" --dir "$CH"
end_fake
rm "$CH/trace-path-cpu1.out"; mv "$WORK/saved1.out" "$CH/trace-path-cpu1.out"

garbage() { printf 'HELLO, this is no reply at all\n'; }
fake_guest garbage
expect_record 1 "malformed reply on $CH/agent-ctl-path.out: not a vtrace reply" --dir "$CH"
end_fake

oversized() { "$FAKE" raw 3 0x7fffffff; }
fake_guest oversized
expect_record 1 "reply of 2147483647 bytes is over the 67108864-byte limit" --dir "$CH"
end_fake

cut_short() { "$FAKE" raw 3 1000; printf 'only this'; return 1; }
fake_guest cut_short
expect_record 1 "reply on $CH/agent-ctl-path.out cut short (1000 bytes announced)" --dir "$CH"
end_fake

refuse() { "$FAKE" err "no event nosuch:thing in the guest"; }
fake_guest refuse
expect_record 1 "the guest answered: no event nosuch:thing" --dir "$CH" -e nosuch:thing
end_fake

no_start() {
	case "$1" in
	meta) "$FAKE" meta "$FIX" ;;
	start) "$FAKE" err "tracing is off in this guest" ;;
	*) "$FAKE" ok fine ;;
	esac
}
fake_guest no_start
expect_record 1 "'start': the guest answered: tracing is off in this guest" --dir "$CH" \
	-o "$WORK/ns.dat"
end_fake
[ -e "$WORK/ns.dat" ] && fail "a file was written though the guest never started"
ls "$WORK" | grep -q '^ns.dat\.' && fail "a temporary file was left behind"

# An agent from before tags: vtrace notices and sends its orders untagged.
fake_guest no_start old
expect_record 1 "'start': the guest answered: tracing is off in this guest" --dir "$CH" \
	-o "$WORK/ns.dat"
grep -q "the agent predates tagged orders" "$WORK/err" || fail "no note of the old agent"
end_fake

# Garbage sub-buffers and a truncated stream: valid pages (real 6.1 guest
# pages) are kept, the garbage one and the half page are dropped and said.
page() { dd if="$1" bs=4096 skip="$2" count=1 status=none; }
{
	page "$FIX/cpu0.raw" 0
	printf '\377%.0s' $(seq 4096)		# commit all ones: a lie
	page "$FIX/cpu0.raw" 1
	dd if="$FIX/cpu0.raw" bs=2048 count=1 status=none	# cut mid sub-buffer
} >"$WORK/cpu0.data"
cp "$FIX/cpu1.raw" "$WORK/cpu1.data"
SENT0=$(stat -c %s "$WORK/cpu0.data") SENT1=$(stat -c %s "$WORK/cpu1.data")
hostile_data() {
	case "$1" in
	meta) "$FAKE" meta "$FIX" ;;
	start) "$FAKE" ok streaming
	       cat "$WORK/cpu0.data" >"$CH/trace-path-cpu0.out"
	       cat "$WORK/cpu1.data" >"$CH/trace-path-cpu1.out" ;;
	stop) "$FAKE" stopped "$(printf 'cpu=0 bytes=%s lost=0\ncpu=1 bytes=%s lost=0' $SENT0 $SENT1)" ;;
	end) "$FAKE" err "unknown order 'end'" ;;	# an agent before it: vtrace asks meta
	*) "$FAKE" ok fine ;;
	esac
}
fake_guest hostile_data
# on tmpfs, which cannot collapse ranges: the copying path writes the file
HDAT=/dev/shm/vtrace-test-$$.dat
# keep the test's exit status through cleanup (lib.sh's cleanup exits with $?)
trap 'rc=$?; set +e; rm -f "$HDAT"; (exit $rc); cleanup' EXIT
expect_record 0 "cpu0: 1 malformed sub-buffers dropped" --dir "$CH" -o "$HDAT" -D 1
grep -q "cpu0: 2048 bytes of an incomplete sub-buffer dropped" "$WORK/err" || fail "no truncation note"
end_fake
want=$( (dd if="$FIX/cpu0.raw" bs=4096 count=2 status=none >"$WORK/valid0"
	 "$DECODE" -f "$FIX/events" -c 0 "$WORK/valid0";
	 "$DECODE" -f "$FIX/events" -c 1 "$FIX/cpu1.raw") 2>/dev/null | wc -l)
got=$(trace-cmd report -i "$HDAT" 2>/dev/null | grep -c 'CPU 0\|\[00[01]\]' || true)
[ "$got" -eq "$want" ] || fail "trace-cmd report shows $got events of the valid sub-buffers, want $want"
trace-cmd report -i "$HDAT" >"$WORK/h.txt" 2>/dev/null
grep -q 'vtrace-mark 1\b' "$WORK/h.txt" || fail "markers lost: $(grep -m3 print "$WORK/h.txt")"
say "hostile streams: the file (on tmpfs) holds exactly the $want events of the valid sub-buffers"
ls "$(dirname "$HDAT")" | grep -q "vtrace-test-$$.dat\." && fail "temporary file left behind"

# Replies to orders someone else wrote (untagged, or with another tag) come
# before each answer: vtrace takes only the one with its own order's tag and
# counts the others (2 for each of meta, start, stop). The same recording
# as above results.
noisy() {
	VT_TAG=0 "$FAKE" err "unknown order 'garbage'"
	VT_TAG=$((VT_TAG + 1)) "$FAKE" ok "an answer to someone else's order"
	hostile_data "$1"
}
fake_guest noisy
expect_record 0 "6 replies to orders vtrace did not send were skipped" --dir "$CH" \
	-o "$WORK/noisy.dat" -D 1
end_fake
got=$(trace-cmd report -i "$WORK/noisy.dat" 2>/dev/null | grep -c 'CPU 0\|\[00[01]\]' || true)
[ "$got" -eq "$want" ] || fail "with replies to others' orders: $got events, want $want"
say "replies to others' orders skipped; the file holds the same $want events"

# The agent killed mid-recording: every whole sub-buffer received is kept.
rm -rf "$CH"
setup_channels
start_guest_agent
( sleep 1; mark 0 20000; mark 1 20000; sleep 0.5; kill -9 "$AGENT_PID" ) &
killer=$!
expect_record 0 "the agent did not confirm the stop" --dir "$CH" -o "$WORK/k.dat" -D 3
wait $killer
AGENT_PID=""
trace-cmd report -i "$WORK/k.dat" >"$WORK/k.txt" 2>/dev/null || fail "trace-cmd cannot read the file"
got=$(grep -c vtmark "$WORK/k.txt" || true)
for ((c = 0; c < NCPU; c++)); do
	grep "\[00$c\]" "$WORK/k.txt" | marker_numbers vtmark $c | sort -nc ||
		fail "cpu$c: markers out of order after the crash"
done
[ "$got" -gt 0 ] || fail "nothing kept from before the crash"
say "agent killed: the file opens and holds $got markers received before the kill"
