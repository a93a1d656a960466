#!/bin/bash
# hypertrace across architectures, in user mode: libhypertrace, the seed's
# example and vt-htthreads built static for aarch64 (64-bit little-endian) and
# mips (32-bit big-endian), run under qemu-aarch64 and qemu-mips, emit into
# the x86 collector's region. The region is little-endian by its ABI and its
# published counters are 32-bit, so both must decode exactly: the seed's two
# events, full 64-bit argument patterns from 4 threads, and exact drop counts
# on a full ring (the 32-bit drop counter, byte-swapped on mips).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ht-lib.sh"

check_elf() {	# binary class data machine
	local h
	h=$(readelf -h "$1") || fail "$1: not an ELF file"
	grep -q "Class: *$2" <<<"$h" && grep -q "Data: *2's complement, $3" <<<"$h" &&
		grep -q "Machine: *$4" <<<"$h" || fail "$1 is not $2 $3 $4: $h"
}

for spec in "aarch64 ELF64 little AArch64" "mips ELF32 big MIPS"; do
	read -r arch class data machine <<<"$spec"
	qemu=qemu-$arch
	command -v "$qemu" >/dev/null || skip "no $qemu: install qemu-user (scripts/deps.sh)"
	dir=$B/cross/$arch
	[ -x "$dir/seed-hypertrace-example" ] && [ -x "$dir/vt-htthreads" ] ||
		fail "$dir: cross builds missing: make tests (needs $arch-linux-gnu-gcc)"
	check_elf "$dir/seed-hypertrace-example" "$class" "$data endian" "$machine"
	check_elf "$dir/vt-htthreads" "$class" "$data endian" "$machine"

	ht_run_seed "seed example under $qemu ($class, $data-endian)" 0 "$qemu" \
		"$dir/seed-hypertrace-example"

	ht_start --clients 8 --args 4 --entries 4096
	t0=$(ht_now)
	"$qemu" "$dir/vt-htthreads" -p "$HT_P" -t 4 -c 8 -n 4000 >"$WORK/report" ||
		fail "vt-htthreads under $qemu"
	t1=$(ht_now)
	ht_stop
	out=$("$HTCHECK" -r "$WORK/report" -s "$t0" -e "$t1" "$WORK/events") || fail "$out"
	say "$arch, 4 threads: $out"

	ht_check_drops 2 4 1000 128 "$qemu" "$dir/vt-htthreads"
done
