#!/bin/bash
# Packaging: `make install PREFIX=... DESTDIR=...` installs libhypertrace
# (.a, .so with its soname links), its three headers and hypertrace.pc with
# the right prefix; the seed's example builds from that tree alone with
# `pkg-config --cflags --libs hypertrace`, dynamically and statically, and
# both builds emit into a real collector. The .so exports only the public API.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ht-lib.sh"
command -v pkg-config >/dev/null || skip "no pkg-config: install pkg-config (scripts/deps.sh)"
PREFIX=/opt/vtrace-test-$$
D=$WORK/root
L=$D$PREFIX/lib

make -C "$ROOT" --no-print-directory install PREFIX="$PREFIX" DESTDIR="$D" \
	>"$WORK/install.log" 2>&1 ||
	fail "make install: $(tail -5 "$WORK/install.log")"
for f in lib/libhypertrace.a lib/libhypertrace.so.1.0.0 include/hypertrace.h \
	include/qemu-hypertrace.h include/hypertrace-abi.h lib/pkgconfig/hypertrace.pc; do
	[ -f "$D$PREFIX/$f" ] || fail "not installed: $PREFIX/$f"
done
[ "$(readlink "$L/libhypertrace.so.1")" = libhypertrace.so.1.0.0 ] || fail "libhypertrace.so.1 link"
[ "$(readlink "$L/libhypertrace.so")" = libhypertrace.so.1 ] || fail "libhypertrace.so link"
# (outputs are taken whole before grep -q: with pipefail, a writer cut short fails)
dyn=$(readelf -d "$L/libhypertrace.so.1.0.0")
grep -q 'SONAME.*\[libhypertrace\.so\.1\]' <<<"$dyn" || fail "soname: $(grep SONAME <<<"$dyn")"
grep -qx "prefix=$PREFIX" "$L/pkgconfig/hypertrace.pc" ||
	fail "hypertrace.pc: $(cat "$L/pkgconfig/hypertrace.pc")"

# only the public API leaves the .so
nm -D --defined-only "$L/libhypertrace.so.1.0.0" |
	awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' | sort >"$WORK/exported"
printf '%s\n' hypertrace_close hypertrace_data hypertrace_drops hypertrace_emit hypertrace_emit_data \
	hypertrace_max_clients hypertrace_num_args hypertrace_open qemu_hypertrace \
	qemu_hypertrace_data qemu_hypertrace_fini qemu_hypertrace_init \
	qemu_hypertrace_max_clients qemu_hypertrace_num_args | sort >"$WORK/public"
diff "$WORK/public" "$WORK/exported" >"$WORK/abi.diff" ||
	fail "exported symbols: $(cat "$WORK/abi.diff")"
grep -q '^ht_' "$WORK/exported" && fail "internal ht_* exported"

export PKG_CONFIG_PATH=$L/pkgconfig PKG_CONFIG_SYSROOT_DIR=$D PKG_CONFIG_LIBDIR=$L/pkgconfig
flags=$(pkg-config --cflags --libs hypertrace) || fail "pkg-config hypertrace failed"
sflags=$(pkg-config --static --cflags --libs hypertrace)
say "pkg-config --cflags --libs hypertrace: $flags"
src=$ROOT/tests/fixtures/seed-hypertrace-example.c
# shellcheck disable=SC2086
cc -o "$WORK/seed-dynamic" "$src" $flags -lpthread || fail "dynamic build"
# shellcheck disable=SC2086
cc -static -o "$WORK/seed-static" "$src" $sflags -lpthread || fail "static build"
dyn=$(readelf -d "$WORK/seed-dynamic")
grep -q 'NEEDED.*\[libhypertrace\.so\.1\]' <<<"$dyn" || fail "dynamic: no NEEDED libhypertrace.so.1"
dyn=$(readelf -d "$WORK/seed-static")
grep -q NEEDED <<<"$dyn" && fail "the static build needs shared libraries"
dyn=$(LD_LIBRARY_PATH=$L ldd "$WORK/seed-dynamic")
grep -q "libhypertrace.so.1 => $L/libhypertrace.so.1 " <<<"$dyn" ||
	fail "the dynamic build does not load the installed library: $dyn"

ht_run_seed "installed, dynamic" "$(ht_x86_clock)" env LD_LIBRARY_PATH="$L" "$WORK/seed-dynamic"
ht_run_seed "installed, static" "$(ht_x86_clock)" "$WORK/seed-static"
