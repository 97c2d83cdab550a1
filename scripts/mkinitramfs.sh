#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh KREL MODULE_DIR PROBE_DIR OUTPUT: pack the test VM's
# initramfs from the static busybox, mmlab's modules (*.ko in MODULE_DIR),
# the kernel's own modules the probes need (from /lib/modules/KREL, in
# /lib/kmod), the static probes in PROBE_DIR and scripts/guest/init, as an
# uncompressed newc cpio.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
krel=$1
modules=$2
probes=$3
output=$4
# brd: a RAM block device, the target of the O_DIRECT probes.
kmods="drivers/block/brd"
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/tmp" \
	 "$root/lib/mmlab" "$root/lib/kmod"
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$here/guest/init" "$root/init"
cp "$modules"/*.ko "$root/lib/mmlab/"
cp "$probes"/* "$root/bin/"
cp "$top"/userspace/*.sh "$root/bin/"

# Debian compresses 6.12's modules; busybox insmod wants them plain.
for m in $kmods; do
	src=/lib/modules/$krel/kernel/$m.ko
	name=$(basename "$m").ko
	if [ -f "$src" ]; then
		cp "$src" "$root/lib/kmod/$name"
	elif [ -f "$src.xz" ]; then
		xz -dc "$src.xz" > "$root/lib/kmod/$name"
	else
		echo "mkinitramfs.sh: no $m in /lib/modules/$krel" >&2
		exit 1
	fi
done

(cd "$root" && find . | cpio --quiet -o -H newc) > "$output"
