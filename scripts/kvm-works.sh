#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kvm-works.sh KERNEL: exit 0 only if KERNEL really boots under KVM here.
# /dev/kvm can exist while KVM cannot run a guest (nested virtualization
# fails with an internal error or a QEMU abort), so boot a canary: an
# initramfs whose init prints a line and powers off, with a short timeout.
# MMLAB_ACCEL=tcg skips the canary.

set -u

. "$(dirname "$0")/lib.sh"

kernel=$1
[ -w /dev/kvm ] || exit 1
command -v qemu-system-x86_64 > /dev/null || exit 1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/root/bin"
cp /bin/busybox "$tmp/root/bin/"
cat > "$tmp/root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox mount -t devtmpfs dev /dev
echo KVM-CANARY-OK > /dev/ttyS1
/bin/busybox poweroff -f
INIT
chmod +x "$tmp/root/init"
(cd "$tmp/root" && find . | cpio --quiet -o -H newc) > "$tmp/initrd"

timeout -k 2 20 qemu-system-x86_64 -accel kvm -cpu host -m 256M \
	-kernel "$kernel" -initrd "$tmp/initrd" \
	-append "console=ttyS0 panic=-1" -display none -no-reboot \
	-monitor none -serial null -serial "file:$tmp/out" \
	> /dev/null 2>&1
grep -q KVM-CANARY-OK "$tmp/out" 2>/dev/null
