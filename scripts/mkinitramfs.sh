#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh MODULE_DIR PROBE_DIR OUTPUT: pack the test VM's initramfs
# from the static busybox, mmlab's modules (*.ko in MODULE_DIR), the static
# probes in PROBE_DIR and scripts/guest/init, as an uncompressed newc cpio.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
modules=$1
probes=$2
output=$3
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/tmp" \
	 "$root/lib/mmlab"
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$here/guest/init" "$root/init"
cp "$modules"/*.ko "$root/lib/mmlab/"
cp "$probes"/* "$root/bin/"
cp "$top"/userspace/*.sh "$root/bin/"

(cd "$root" && find . | cpio --quiet -o -H newc) > "$output"
