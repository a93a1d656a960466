#!/bin/bash
# Builds the demo guest into build/guest: the Debian kernel (apt-get
# download + dpkg -x: nothing is installed on the host) and an initramfs of
# busybox-static, the virtio modules, hypertrace.ko, the static trace-agent,
# /init and the workloads. Rebuilt only when an input changed.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
G=$ROOT/build/guest
mkdir -p "$G/debs"
cd "$G/debs"
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
[ -n "$kpkg" ] || { echo "guest: no linux-image-amd64 in apt (run apt-get update)" >&2; exit 1; }
ls "$kpkg"_*.deb >/dev/null 2>&1 || apt-get download -q "$kpkg" >/dev/null
ls busybox-static_*.deb >/dev/null 2>&1 || apt-get download -q busybox-static >/dev/null
if [ ! -d "$G/kernel" ]; then
	dpkg -x "$kpkg"_*.deb "$G/kernel.tmp"
	mv "$G/kernel.tmp" "$G/kernel"
fi
[ -d "$G/busybox" ] || { dpkg -x busybox-static_*.deb "$G/busybox.tmp"; mv "$G/busybox.tmp" "$G/busybox"; }
ver=$(ls "$G/kernel/lib/modules")
cp "$G/kernel/boot/vmlinuz-$ver" "$G/vmlinuz"

R=$G/root
rm -rf "$R"
mkdir -p "$R"/{bin,dev,etc,proc,sys,tmp,lib/modules,workloads}
cp "$G/busybox/bin/busybox" "$R/bin/busybox"
cp "$ROOT/guest/init" "$R/init"
cp "$ROOT"/guest/workloads/* "$R/workloads/"
cp "$ROOT/build/static/trace-agent" "$R/trace-agent"
cp "$ROOT/build/static/vt-mark" "$R/vt-mark"
for f in seed-hypertrace-example ht-timeline ht-emit ht-guest-bench; do	# hypertrace, system mode
	cp "$ROOT/build/static/$f" "$R/$f"
	chmod 755 "$R/$f"
done
M=$G/kernel/lib/modules/$ver/kernel
for m in drivers/virtio/virtio drivers/virtio/virtio_ring drivers/virtio/virtio_pci_modern_dev \
	 drivers/virtio/virtio_pci_legacy_dev drivers/virtio/virtio_pci drivers/char/virtio_console; do
	cp "$M/$m.ko" "$R/lib/modules/"
done
# hypertrace.ko (make kmod), loaded by the hypertrace workloads, not by /init.
[ ! -f "$ROOT/build/kmod/hypertrace.ko" ] || cp "$ROOT/build/kmod/hypertrace.ko" "$R/lib/modules/"
chmod 755 "$R/init" "$R/trace-agent" "$R/vt-mark"
(cd "$R" && find . | cpio -o -H newc --quiet | gzip -1) >"$G/initramfs.cpio.gz.tmp"
mv "$G/initramfs.cpio.gz.tmp" "$G/initramfs.cpio.gz"
echo "guest: kernel $ver, initramfs $(du -h "$G/initramfs.cpio.gz" | cut -f1)"
