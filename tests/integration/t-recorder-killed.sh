#!/bin/bash
# vtrace record killed (SIGKILL) mid-recording, markers still flowing: the
# temporary file it leaves is a trace.dat trace-cmd reads as it is (up to the
# last offsets-table refresh), and `vtrace recover` makes it a packed
# trace.dat holding every complete sub-buffer written: each CPU's data is
# byte for byte a prefix of what the agent sent, the markers in it are
# 1..N in order, and the bytes lost are reported.
source "$(dirname "$0")/lib.sh"
setup_tracefs
setup_channels
start_guest_agent -b 128	# small rings: data flows (at half full) while markers are written
"$VTRACE" record -q --dir "$CH" -o "$WORK/k.dat" -D 120 2>"$WORK/rec.err" &
rec=$!
READER_PIDS+=($rec)
sleep 1
( for ((i = 0; i < 400; i++)); do
	for ((c = 0; c < NCPU; c++)); do mark $c 200 kmark $((i * 200 + 1)); done
	sleep 0.02
  done ) &
writer=$!
READER_PIDS+=($writer)
sleep 3
for ((c = 0; c < NCPU; c++)); do before[$c]=$(stat -c %s "$WORK/sent$c"); done
kill -9 $rec
for ((c = 0; c < NCPU; c++)); do after[$c]=$(stat -c %s "$WORK/sent$c"); done
wait $rec 2>/dev/null || true
kill $writer 2>/dev/null || true
wait $writer 2>/dev/null || true
kill -9 "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null || true; AGENT_PID=""
tmp=$(ls "$WORK"/k.dat.?????? 2>/dev/null || true)
[ -n "$tmp" ] && [ "$(echo "$tmp" | wc -l)" -eq 1 ] || fail "no single temporary file: '$tmp'"
[ -e "$WORK/k.dat" ] && fail "k.dat exists though the recorder never finished"

# 1. as it is on disk: trace-cmd reads it
trace-cmd report -i "$tmp" >"$WORK/direct.txt" 2>"$WORK/direct.err" ||
	fail "trace-cmd cannot read the file as left: $(head -3 "$WORK/direct.err")"
for ((c = 0; c < NCPU; c++)); do
	n=$( (grep "\[00$c\]" "$WORK/direct.txt" | marker_numbers kmark $c || true) | wc -l)
	grep "\[00$c\]" "$WORK/direct.txt" >"$WORK/d$c"
	if [ "$n" -gt 0 ]; then expect_markers kmark $c 1 "$n" "$WORK/d$c"; fi
	direct[$c]=$n
done
say "as left on disk: trace-cmd reads markers 1..${direct[0]} (cpu0), 1..${direct[1]:-0} (cpu1)"

# 2. vtrace recover
"$VTRACE" recover "$tmp" >"$WORK/recover.out" 2>&1 || fail "recover: $(cat "$WORK/recover.out")"
sed 's/^/  recover: /' "$WORK/recover.out"
# the trace clock after the offsets table is part of the header it keeps
clock_left=$(trace-cmd dump --clock -i "$tmp" 2>/dev/null | grep -o '\[.*\]' || true)
clock_rec=$(trace-cmd dump --clock -i "$WORK/k.dat" 2>/dev/null | grep -o '\[.*\]' || true)
[ -n "$clock_left" ] && [ "$clock_left" = "$clock_rec" ] ||
	fail "the trace clock: '$clock_left' as left, '$clock_rec' recovered"
trace-cmd report -i "$WORK/k.dat" >"$WORK/rec.txt" 2>"$WORK/rec.err2" ||
	fail "trace-cmd cannot read the recovered file: $(head -3 "$WORK/rec.err2")"
SB=$(getconf PAGESIZE)
for ((c = 0; c < NCPU; c++)); do
	grep "\[00$c\]" "$WORK/rec.txt" >"$WORK/r$c"
	n=$( (marker_numbers kmark $c <"$WORK/r$c" || true) | wc -l)
	[ "$n" -ge "${direct[$c]}" ] || fail "cpu$c: recover kept fewer markers ($n) than the file had"
	if [ "$n" -gt 0 ]; then expect_markers kmark $c 1 "$n" "$WORK/r$c"; fi
	"$B/tests/vt-datcpu" "$WORK/k.dat" "$NCPU" $c >"$WORK/dat$c"
	kept=$(stat -c %s "$WORK/dat$c")
	cmp "$WORK/dat$c" <(head -c "$kept" "$WORK/sent$c") ||
		fail "cpu$c: the recovered data is not what the agent sent"
	lost_lo=$((before[c] > kept ? before[c] - kept : 0)) lost_hi=$((after[c] - kept))
	say "cpu$c: recovered markers 1..$n, $kept bytes identical to what was sent;" \
	    "sent when killed: $((before[c]))..$((after[c])) bytes, so $lost_lo..$lost_hi bytes" \
	    "($((lost_lo / SB))..$((lost_hi / SB)) sub-buffers) never reached the file"
done

# 3. a kill just after a burst, before the table caught up: with every size
# in the table zeroed, recover finds the same sub-buffers by validating them
cp --sparse=always "$tmp" "$WORK/stale.dat.XXXXXX"
# (the header holds the guest's kallsyms: up to the 64 MiB a reply may have)
table=$(grep -m1 -obUaP 'flyrecord\x00' <(head -c 67108864 "$WORK/stale.dat.XXXXXX") | cut -d: -f1)
for ((c = 0; c < NCPU; c++)); do
	dd if=/dev/zero of="$WORK/stale.dat.XXXXXX" bs=1 count=8 seek=$((table + 10 + 16 * c + 8)) \
		conv=notrunc status=none
done
"$VTRACE" recover "$WORK/stale.dat.XXXXXX" >"$WORK/stale.out" 2>&1 || fail "$(cat "$WORK/stale.out")"
grep -q "cpu0: $(($(stat -c %s "$WORK/dat0") / SB)) sub-buffers ($(($(stat -c %s "$WORK/dat0") / SB)) after" \
	"$WORK/stale.out" || fail "recover without table sizes: $(cat "$WORK/stale.out")"
cmp "$WORK/stale.dat" "$WORK/k.dat" || fail "recover without table sizes wrote another file"
say "with the table's sizes zeroed: the same file, $(grep cpu0 "$WORK/stale.out")"

"$VTRACE" recover "$tmp" 2>"$WORK/again" && fail "recover overwrote its output"
grep -q "k.dat exists; give another output with -o" "$WORK/again" || fail "$(cat "$WORK/again")"
"$VTRACE" recover "$WORK/recover.out" -o "$WORK/x.dat" 2>"$WORK/bad" && fail "recovered garbage"
grep -q "not a trace.dat version 6" "$WORK/bad" || fail "$(cat "$WORK/bad")"
say "refused: $(cat "$WORK/bad")"
