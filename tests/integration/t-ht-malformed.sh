#!/bin/bash
# The seed's example program, unchanged, given what is not a hypertrace
# region: qemu_hypertrace_init fails with errno set and the program prints a
# clear perror line, then aborts as written (exit 134); never a crash in the
# library. (tests/unit/test-ht-open.c checks each case's errno through both
# APIs.)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ht-lib.sh"
[ -x "$SEED" ] || fail "$SEED missing: make tests"
ulimit -c 0

expect() {	# path message
	local rc out
	rc=$({ "$SEED" "$1" >/dev/null 2>"$WORK/seed.err"; echo $?; } 2>/dev/null)
	out=$(cat "$WORK/seed.err")
	[ "$rc" -eq 134 ] && [ "$out" = "error: qemu_hypertrace_init: $2" ] ||
		fail "$1: exit $rc, said '$out'; want 134 and '$2'"
	say "$(basename "$1"): $out"
}

mkdir "$WORK/dir"
printf 'not a region, just text\n' >"$WORK/text"
: >"$WORK/empty"
head -c 8192 /dev/zero >"$WORK/zeros"
expect "$WORK/missing" "No such file or directory"
expect "$WORK/text" "Invalid argument"
expect "$WORK/empty" "Invalid argument"
expect "$WORK/zeros" "Invalid argument"
expect "$WORK/dir" "No such device"	# taken as a PCI device in sysfs
expect /dev/null "Invalid argument"

# a sound region, then damaged copies of it: magic, version, truncated
ht_start --clients 2 --args 4 --entries 64 --keep
cp "$HT_P" "$WORK/sound"
kill -INT $HT_COL
wait $HT_COL || fail "the collector failed"
"$SEED" "$WORK/sound" >/dev/null || fail "a copy of a sound region is refused"
cp "$WORK/sound" "$WORK/magic"
printf 'X' | dd of="$WORK/magic" bs=1 seek=0 conv=notrunc status=none
expect "$WORK/magic" "Invalid argument"
cp "$WORK/sound" "$WORK/version"
printf '\x02' | dd of="$WORK/version" bs=1 seek=8 conv=notrunc status=none
expect "$WORK/version" "Invalid argument"
# 64 bytes short of what its rings need (the file goes on to a power of two)
read -r offset stride < <(od -An -tu8 -j 40 -N16 "$WORK/sound")
cp "$WORK/sound" "$WORK/truncated"
truncate -s $((offset + 2 * stride - 64)) "$WORK/truncated"
expect "$WORK/truncated" "Invalid argument"
ln -s "$WORK/sound" "$WORK/symlink"
expect "$WORK/symlink" "Too many levels of symbolic links"
