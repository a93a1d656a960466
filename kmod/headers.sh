#!/bin/bash
# Fetches the headers of the demo guest's kernel into build/kmod/headers, as
# guest/build.sh fetches the kernel: apt-get download + dpkg -x, nothing
# installed on the host. Checks that they are the same version as the guest's
# kernel image and that the compiler the kernel was built with is here.
# Prints the directory to build against (KDIR).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
K=$ROOT/build/kmod
say() { echo "kmod: $*" >&2; }

# The same lookup as guest/build.sh: the kernel linux-image-amd64 points at.
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
[ -n "$kpkg" ] || { say "no linux-image-amd64 in apt (run apt-get update)"; exit 1; }
flavour=${kpkg#linux-image-}		# 6.1.0-56-amd64
hpkg=linux-headers-$flavour
kver=$(apt-cache show --no-all-versions "$kpkg" | awk '/^Version:/ { print $2; exit }')
H=$K/headers/usr/src/$hpkg
if [ -f "$K/headers/.version" ] && [ "$(cat "$K/headers/.version")" = "$hpkg $kver" ]; then
	echo "$H"
	exit 0
fi

mkdir -p "$K/debs"
cd "$K/debs"
# The headers and what they need to build a module: the common headers and
# kbuild (scripts, objtool); linux-compiler-gcc-* is the compiler, checked below.
pkgs="$hpkg"
for dep in $(apt-cache depends "$hpkg" | awk '/Depends: linux-(headers|kbuild)-/ { print $2 }'); do
	pkgs="$pkgs $dep"
done
for p in $pkgs; do
	v=$(apt-cache show --no-all-versions "$p" | awk '/^Version:/ { print $2; exit }')
	[ "$v" = "$kver" ] ||
		{ say "$p is version $v, the guest's kernel $kver: no matching headers in apt"; exit 1; }
	ls "${p}_"*.deb >/dev/null 2>&1 || apt-get download -q "$p=$v" >/dev/null 2>&1 ||
		{ say "cannot download $p=$v with apt-get"; exit 1; }
done
# The guest's kernel image, when guest/build.sh has it, must be this version too.
img=$(ls "$ROOT"/build/guest/debs/"$kpkg"_*.deb 2>/dev/null | head -1 || true)
if [ -n "$img" ] && [ "$(dpkg-deb -f "$img" Version)" != "$kver" ]; then
	say "the guest's kernel ($(dpkg-deb -f "$img" Version)) is not apt's $kpkg $kver:" \
	    "rebuild the guest (rm -rf build/guest; make guest)"
	exit 1
fi

rm -rf "$K/headers.tmp"
for p in $pkgs; do dpkg -x "${p}_"*.deb "$K/headers.tmp"; done
# The flavour's Makefile includes the common one by its absolute path in /usr/src.
sed -i "s|^include /usr/src/|include $K/headers/usr/src/|" "$K/headers.tmp/usr/src/$hpkg/Makefile"

# The compiler the kernel was built with (a module built by another one may
# not load, or misbehave): its name from the headers, its version checked.
cc=$(sed -n 's/^CC = .*)\(gcc-[0-9]*\)$/\1/p' "$K/headers.tmp/usr/src/$hpkg/.kernelvariables")
[ -n "$cc" ] || cc=gcc
want=$(sed -n 's/^CONFIG_CC_VERSION_TEXT=.*) \([0-9.]*\)"\{0,1\}$/\1/p' \
	"$K/headers.tmp/usr/src/$hpkg/include/config/auto.conf")
have=$("$cc" -dumpfullversion 2>/dev/null || true)
if [ -z "$have" ]; then
	say "the guest's kernel was built with $cc $want, which is not installed (apt-get install $cc)"
	exit 1
fi
[ "$have" = "$want" ] || say "warning: the guest's kernel was built with $cc $want, this is $have"

rm -rf "$K/headers"
mv "$K/headers.tmp" "$K/headers"
echo "$hpkg $kver" >"$K/headers/.version"
say "headers $hpkg $kver, compiler $cc $have"
echo "$H"
