#!/bin/bash
# The disk fills while recording (a 2 MiB tmpfs): vtrace record says so in
# one line, stops, and leaves a trace.dat trace-cmd reads, holding every
# sub-buffer written before the disk filled: each CPU's data byte for byte a
# prefix of what the agent sent, its markers 1..K in order.
source "$(dirname "$0")/lib.sh"
setup_tracefs
SMALL=$WORK/small
mkdir "$SMALL"
mount -t tmpfs -o size=2m,mode=0700 vtrace-full-$$ "$SMALL" || skip "cannot mount a tmpfs"
trap 'rc=$?; umount "$SMALL" 2>/dev/null; (exit $rc); cleanup' EXIT
setup_channels
start_guest_agent -b 256
( sleep 1; for ((i = 1; i <= 60000; i += 2000)); do
	for ((c = 0; c < NCPU; c++)); do mark $c 2000 fmark $i; done
  done ) &
READER_PIDS+=($!)
t0=$(date +%s.%N)
rc=0
# without the guest's kallsyms (5 MiB here): the disk fills with sub-buffers, not the header
timeout 60 "$VTRACE" record -q --no-kallsyms --dir "$CH" -o "$SMALL/f.dat" -D 30 2>"$WORK/rec.err" || rc=$?
t1=$(date +%s.%N)
sed 's/^/  record: /' "$WORK/rec.err"
[ $rc -eq 1 ] || fail "record on a full disk: exit $rc, want 1"
grep -q "writing $SMALL/f.dat: No space left on device; stopping the recording" "$WORK/rec.err" ||
	fail "no clear error about the full disk"
say "disk full: record stopped and exited $rc after $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s (-D 30)"
[ -f "$SMALL/f.dat" ] || fail "no file left"
ls "$SMALL" | grep -q 'f.dat\.' && fail "a temporary file was left behind"
trace-cmd report -i "$SMALL/f.dat" >"$WORK/f.txt" 2>"$WORK/f.err" ||
	fail "trace-cmd cannot read the file: $(head -3 "$WORK/f.err")"
end_agent
total=0
for ((c = 0; c < NCPU; c++)); do
	grep "\[00$c\]" "$WORK/f.txt" >"$WORK/f$c" || true
	n=$( (marker_numbers fmark $c <"$WORK/f$c" || true) | wc -l)
	if [ "$n" -gt 0 ]; then expect_markers fmark $c 1 "$n" "$WORK/f$c"; fi
	"$B/tests/vt-datcpu" "$SMALL/f.dat" "$NCPU" $c >"$WORK/dat$c"
	kept=$(stat -c %s "$WORK/dat$c")
	cmp "$WORK/dat$c" <(head -c "$kept" "$WORK/sent$c") ||
		fail "cpu$c: the data in the file is not what the agent sent"
	total=$((total + n))
	say "cpu$c: markers 1..$n kept, $kept bytes identical to the first the agent sent" \
	    "(of $(stat -c %s "$WORK/sent$c") sent in all)"
done
[ "$total" -gt 0 ] || fail "nothing kept"
say "file $(stat -c %s "$SMALL/f.dat") bytes on a $(df -B1 --output=size "$SMALL" | tail -1)-byte tmpfs"
