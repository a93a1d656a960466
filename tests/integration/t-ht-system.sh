#!/bin/bash
# hypertrace system mode, host side, without a guest: --system makes a
# region whose size is a power of two; --print-options prints QEMU options
# (or libvirt XML) for exactly that size, and a real QEMU takes them: its
# ivshmem BAR 2 is the region's size. run-guest refuses a file that is not
# a power of two (QEMU 7.2 aborts on an assertion: shown here too), one
# that is not a region, and a missing one, each with one line. A region made
# without --system is a power of two too, sparse, and QEMU takes it as well.
source "$(dirname "$0")/lib.sh"
WORK=$(mktemp -d /tmp/vtrace-test.XXXXXX)
P=/dev/shm/vtrace-test-htsys-$$
U=/dev/shm/vtrace-test-htuser-$$
trap 'rc=$?; rm -f "$P" "$P.bad" "$U"; (exit $rc); cleanup' EXIT
ulimit -c 0	# QEMU aborts below, on purpose: no core file

"$VTRACE" hypertrace --system --path "$P" --clients 2 --entries 1024 >/dev/null 2>"$WORK/col.log" &
col=$!
READER_PIDS+=($col)
for ((i = 0; i < 100; i++)); do [ -e "$P" ] && break; sleep 0.05; done
size=$(stat -c %s "$P")
[ $((size & (size - 1))) -eq 0 ] || fail "region of $size bytes, not a power of two"
"$VTRACE" hypertrace --system --print-options --path "$P" --clients 2 --entries 1024 >"$WORK/opts"
grep -q "^-object memory-backend-file,id=vtrace-ht,share=on,mem-path=$P,size=$size \\\\\$" "$WORK/opts" &&
	grep -q '^-device ivshmem-plain,memdev=vtrace-ht$' "$WORK/opts" || fail "options: $(cat "$WORK/opts")"
grep -q -- "-object memory-backend-file,.*size=$size" "$WORK/col.log" || fail "the collector did not print the options"
"$VTRACE" hypertrace --system --print-options=libvirt --path "$P" --clients 2 --entries 1024 >"$WORK/xml"
grep -q "<shmem name='$(basename "$P")'>" "$WORK/xml" && grep -q "<size unit='KiB'>$((size / 1024))</size>" "$WORK/xml" &&
	grep -q "<model type='ivshmem-plain'/>" "$WORK/xml" || fail "libvirt: $(cat "$WORK/xml")"
libvirt_validate "$WORK/xml"
say "$(tr '\n' ' ' <"$WORK/opts")"

# without --system, a geometry whose rings do not add up to a power of two
"$VTRACE" hypertrace --path "$U" --clients 3 --args 5 --entries 1024 >/dev/null 2>"$WORK/ucol.log" &
ucol=$!
READER_PIDS+=($ucol)
for ((i = 0; i < 100; i++)); do [ -e "$U" ] && break; sleep 0.05; done
usize=$(stat -c %s "$U")
[ $((usize & (usize - 1))) -eq 0 ] || fail "region without --system: $usize bytes, not a power of two"
read -r blocks bsize < <(stat -c '%b %B' "$U")
[ $((blocks * bsize)) -le 65536 ] || fail "region without --system: $((blocks * bsize)) of $usize bytes in memory, not sparse"
say "without --system: $usize bytes, $((blocks * bsize)) of them in memory"

rc=0; "$VTRACE" hypertrace --system --print-options=libvirt --path /tmp/x 2>"$WORK/err" || rc=$?
[ $rc -eq 2 ] && grep -q 'libvirt.*/dev/shm/NAME' "$WORK/err" || fail "libvirt outside /dev/shm: $rc $(cat "$WORK/err")"
rc=0; "$VTRACE" hypertrace --print-options --path "$P.x" 2>"$WORK/err" || rc=$?
[ $rc -eq 2 ] && grep -q 'is for --system' "$WORK/err" || fail "--print-options alone: $rc $(cat "$WORK/err")"
rc=0; "$VTRACE" hypertrace --guest-clock --path "$P.x" 2>"$WORK/err" || rc=$?
[ $rc -eq 2 ] && grep -q 'is for --system' "$WORK/err" || fail "--guest-clock alone: $rc $(cat "$WORK/err")"

if command -v qemu-system-x86_64 >/dev/null; then
	# shellcheck disable=SC2046
	echo '{"execute":"qmp_capabilities"}{"execute":"human-monitor-command","arguments":{"command-line":"info pci"}}{"execute":"human-monitor-command","arguments":{"command-line":"info memdev"}}{"execute":"quit"}' |
		timeout 60 qemu-system-x86_64 -M pc -accel tcg -S -display none -nodefaults -qmp stdio \
		$(tr -d '\\\n' <"$WORK/opts") \
		-object memory-backend-file,id=user,share=on,mem-path="$U",size=$usize \
		-device ivshmem-plain,memdev=user >"$WORK/qemu.out" 2>&1 || fail "QEMU: $(tail -3 "$WORK/qemu.out")"
	[ "$(grep -o 'PCI device 1af4:1110' "$WORK/qemu.out" | wc -l)" -eq 2 ] &&
		grep -q 'BAR2: 64 bit prefetchable' "$WORK/qemu.out" &&
		grep -q "vtrace-ht\\\\r\\\\n  size: *$size\\\\r" "$WORK/qemu.out" || fail "QEMU's ivshmem: $(head -c 600 "$WORK/qemu.out")"
	grep -q "user\\\\r\\\\n  size: *$usize\\\\r" "$WORK/qemu.out" ||
		fail "QEMU's ivshmem on the region without --system: $(head -c 600 "$WORK/qemu.out")"
	say "QEMU 7.2 took them: an ivshmem device (1af4:1110) on a $size-byte backend, and one on the $usize-byte region made without --system"
	truncate -s 12288 "$P.bad"
	rc=0
	echo '{"execute":"qmp_capabilities"}{"execute":"quit"}' | timeout 60 qemu-system-x86_64 -M pc \
		-accel tcg -S -display none -nodefaults -qmp stdio -object \
		memory-backend-file,id=m,share=on,mem-path="$P.bad",size=12288 -device ivshmem-plain,memdev=m \
		>"$WORK/qemu.out" 2>&1 || rc=$?
	say "QEMU given 12288 bytes: exit $rc, $(grep -o 'Assertion.*' "$WORK/qemu.out")"
fi

mkdir -p "$WORK/img"
touch "$WORK/img/initramfs.cpio.gz"
truncate -s 12288 "$P.bad"
rc=0; "$VTRACE" run-guest --dir "$WORK/ch" --guest "$WORK/img" --hypertrace "$P.bad" 2>"$WORK/err" || rc=$?
[ $rc -eq 1 ] && grep -q "12288 bytes, not a power of two" "$WORK/err" || fail "12288: $rc $(cat "$WORK/err")"
say "$(cat "$WORK/err")"
truncate -s 16384 "$P.bad"
rc=0; "$VTRACE" run-guest --dir "$WORK/ch" --guest "$WORK/img" --hypertrace "$P.bad" 2>"$WORK/err" || rc=$?
[ $rc -eq 1 ] && grep -q "not a hypertrace region" "$WORK/err" || fail "zeros: $rc $(cat "$WORK/err")"
rm "$P.bad"
rc=0; "$VTRACE" run-guest --dir "$WORK/ch" --guest "$WORK/img" --hypertrace "$P.bad" 2>"$WORK/err" || rc=$?
[ $rc -eq 1 ] && grep -q "cannot open the hypertrace region.*make it first" "$WORK/err" || fail "missing: $rc $(cat "$WORK/err")"
[ -e "$WORK/ch" ] && fail "run-guest made its channels before refusing"
kill -INT $col $ucol
wait $col || fail "collector: $(cat "$WORK/col.log")"
wait $ucol || fail "collector without --system: $(cat "$WORK/ucol.log")"
true
