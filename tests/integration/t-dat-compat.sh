#!/bin/bash
# The files vtrace record writes are the ones trace-cmd writes itself:
# trace-cmd's own rewrite of a v6 recording (trace-cmd convert) is the same
# file byte for byte; of a v7 recording, the same part for part except the
# CPU count option trace-cmd adds to the options it copies. And what
# trace-cmd shows of them: the clock in use, the buffer statistics of the
# end of the run (nothing left in the ring buffer), every marker writer's
# name, and print events' function names from the guest's kallsyms.
source "$(dirname "$0")/lib.sh"
setup_tracefs
I=$T/instances/$INST
# a clock other than the default, so the one written is known to be the guest's
CLOCK=global
grep -qw x86-tsc "$I/trace_clock" && CLOCK=x86-tsc
tracefs_write "$CLOCK" "$I/trace_clock"
N=300
cmdlines_before=$(cat "$T/saved_cmdlines_size")
# the agent raises it for the run (to 32768, unless it is that already): a
# kernel that refuses makes the agent warn
[ "$cmdlines_before" -ge 32768 ] || tracefs_write "$cmdlines_before" "$T/saved_cmdlines_size"

record() {	# output args...
	local out=$1
	shift
	rm -rf "$CH" "$WORK/gports" "$WORK"/sent*
	setup_channels
	start_guest_agent
	( sleep 1; for ((c = 0; c < NCPU; c++)); do mark $c $N; done ) &
	"$VTRACE" record -q --dir "$CH" -o "$out" -e sched:sched_switch -D 2.5 "$@" \
		2>"$WORK/record.log" || fail "vtrace record $*: $(cat "$WORK/record.log")"
	end_agent
	grep -q 'cannot\|warning' "$WORK/agent.log" && fail "the agent warned: $(cat "$WORK/agent.log")"
	[ "$(cat "$T/saved_cmdlines_size")" = "$cmdlines_before" ] ||
		fail "saved_cmdlines_size left at $(cat "$T/saved_cmdlines_size"), was $cmdlines_before"
	[ "$(cat "$I/tracing_on")" = 1 ] || fail "the agent left tracing off"
}

# What trace-cmd shows of FILE: the clock, end-of-run statistics, names.
check_report() {	# file
	local f=$1 c last now
	trace-cmd report -i "$f" >"$WORK/report.txt" 2>/dev/null || fail "trace-cmd report -i $f"
	trace-cmd report --stat -i "$f" >"$WORK/stat.txt" 2>/dev/null || fail "trace-cmd report --stat"
	[ "$(grep -c '^entries: 0$' "$WORK/stat.txt")" -eq "$NCPU" ] ||
		fail "entries left in the ring buffer: $(grep '^entries' "$WORK/stat.txt" | tr '\n' ' ')"
	for ((c = 0; c < NCPU; c++)); do
		now=$(grep '^now ts:' "$WORK/stat.txt" | sed -n "$((c + 1))p" | awk '{ print $3 }')
		last=$(grep "\[00$c\]" "$WORK/report.txt" | tail -1 |
		       sed -E "s/.*\[00$c\] *([0-9.]+):.*/\1/")
		[[ $now =~ ^[0-9.]+$ && $last =~ ^[0-9.]+$ ]] || fail "cpu$c: now ts '$now', last '$last'"
		awk -v n="$now" -v l="$last" 'BEGIN { exit !(n + 0 >= l + 0) }' ||
			fail "cpu$c: the statistics' now ts $now is before the last event, $last"
		say "cpu$c: entries 0, now ts $now >= the last event's $last"
	done
	# every marker's writer by name (-N: no plugins, the names from the file alone)
	trace-cmd report -N -i "$f" 2>/dev/null | grep ': print: ' >"$WORK/prints.txt" ||
		fail "no print events"
	[ "$(wc -l <"$WORK/prints.txt")" -eq $((N * NCPU)) ] ||
		fail "$(wc -l <"$WORK/prints.txt") print events, want $((N * NCPU))"
	grep -v '^ *vt-mark-[0-9]* ' "$WORK/prints.txt" >"$WORK/bad.txt" &&
		fail "markers whose writer has no name: $(head -3 "$WORK/bad.txt")"
	grep -v 'print: *tracing_mark_write: vtmark' "$WORK/prints.txt" >"$WORK/bad.txt" &&
		fail "print events without the function: $(head -2 "$WORK/bad.txt")"
	say "$((N * NCPU)) markers, each by vt-mark, from tracing_mark_write, e.g.:"
	head -1 "$WORK/prints.txt" | sed 's/^/  /'
}

# Version 6: trace-cmd's rewrite is the same file.
record "$WORK/t6.dat"
trace-cmd convert --file-version 6 -i "$WORK/t6.dat" -o "$WORK/c6.dat" >/dev/null 2>&1 ||
	fail "trace-cmd convert --file-version 6 failed"
cmp "$WORK/t6.dat" "$WORK/c6.dat" || fail "trace-cmd's rewrite of the v6 file differs (above)"
say "v6: trace-cmd convert --file-version 6 gives back all $(stat -c %s "$WORK/t6.dat") bytes"
trace-cmd dump --clock -i "$WORK/t6.dat" 2>/dev/null | grep -q "^[[:space:]]*\[$CLOCK\]\$" ||
	fail "trace-cmd dump --clock: $(trace-cmd dump --clock -i "$WORK/t6.dat" 2>&1 | tail -2)"
say "v6: trace-cmd dump --clock shows [$CLOCK]"
check_report "$WORK/t6.dat"

# Version 7: the same, but for the CPU count trace-cmd adds (it copies the
# options it finds, one of them that count, then writes its own beside the
# section pointers): vt-datwalk lists both files part by part, with places
# in the file as the section they point at.
record "$WORK/t7.dat" --file-version 7
trace-cmd convert --file-version 7 -i "$WORK/t7.dat" -o "$WORK/c7.dat" >/dev/null 2>&1 ||
	fail "trace-cmd convert --file-version 7 failed"
"$B/tests/vt-datwalk" "$WORK/t7.dat" >"$WORK/w7" || fail "vt-datwalk of vtrace's v7 file"
"$B/tests/vt-datwalk" "$WORK/c7.dat" >"$WORK/wc7" || fail "vt-datwalk of trace-cmd's rewrite"
diff "$WORK/w7" "$WORK/wc7" >"$WORK/w.diff" || true
cpucount=$(grep -m1 '^  option 8, 4 bytes' "$WORK/w7")
printf '%s\n> %s\n' "$(grep -n -m1 '^  option 0 -> section' "$WORK/w7" | cut -d: -f1 |
	awk '{ print $1 - 1 "a" $1 }')" "$cpucount" >"$WORK/want.diff"
diff "$WORK/want.diff" "$WORK/w.diff" >/dev/null ||
	fail "trace-cmd's rewrite of the v7 file differs in more than its CPU count: $(cat "$WORK/w.diff")"
say "v7: trace-cmd convert --file-version 7 gives back every part; it adds its CPU count:"
sed 's/^/  /' "$WORK/w.diff"
check_report "$WORK/t7.dat"

# --no-kallsyms: the addresses stay addresses
record "$WORK/nk.dat" --no-kallsyms
trace-cmd report -i "$WORK/nk.dat" 2>/dev/null | grep ': print: ' >"$WORK/nk.txt" || true
grep -q 'print: *0x[0-9a-f]*: vtmark' "$WORK/nk.txt" || fail "--no-kallsyms: $(head -1 "$WORK/nk.txt")"
say "--no-kallsyms: print events show the address"
