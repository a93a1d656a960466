#!/bin/sh
# Install the Debian packages that vtrace's build, tests and demo need.
# Does nothing when everything is already present; uses sudo when not root.
# --bench adds what only the benchmarks need (make bench: LTTng-UST, the
# peer bench/hypertrace.sh measures against).
set -eu

PKGS="make gcc pkg-config libc6-dev
libtracefs-dev libtraceevent-dev libtracecmd-dev libcmocka-dev libzstd-dev
systemtap-sdt-dev
trace-cmd qemu-system-x86 cpio libvirt-clients
qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-mips-linux-gnu libc6-dev-mips-cross
gcc-12 libelf1
clang libclang-rt-14-dev clang-format"

BENCH_PKGS="liblttng-ust-dev lttng-tools"
[ "${1:-}" = "--bench" ] && PKGS="$PKGS $BENCH_PKGS"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "deps: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
