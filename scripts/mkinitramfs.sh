#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh KMOD_DIR MODULE_DIR PROBE_DIR OUTPUT: pack the test VM's
# initramfs from the static busybox, mmlab's modules (*.ko in MODULE_DIR,
# if any), the kernel's own modules the guest needs (MMLAB_GUEST_KMODS: one
# per line, a path under KMOD_DIR without .ko, then insmod parameters;
# loaded in that order from /lib/kmod), the static probes and shell probes
# in PROBE_DIR (the userspace build's output) and scripts/guest/init, as an
# uncompressed newc cpio.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
kmoddir=$1
modules=$2
probes=$3
output=$4
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
# mktemp's 0700 would become the guest's /: no other user could reach
# anything, and every unprivileged probe would pass or fail for that.
chmod 0755 "$root"

mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/tmp" \
	 "$root/lib/mmlab" "$root/lib/kmod"
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$here/guest/init" "$root/init"
# None for the lockups job, which loads only the kernel's own module.
for ko in "$modules"/*.ko; do
	if [ -f "$ko" ]; then
		cp "$ko" "$root/lib/mmlab/"
	fi
done
# The programs and the shell probes, which the userspace build puts there.
cp "$probes"/* "$root/bin/"

# Debian compresses 6.12's modules; busybox insmod wants them plain.
echo "${MMLAB_GUEST_KMODS:-}" | while read -r m params; do
	[ -n "$m" ] || continue
	src=$kmoddir/$m.ko
	name=$(basename "$m")
	if [ -f "$src" ]; then
		cp "$src" "$root/lib/kmod/$name.ko"
	elif [ -f "$src.xz" ]; then
		xz -dc "$src.xz" > "$root/lib/kmod/$name.ko"
	else
		echo "mkinitramfs.sh: no $m in $kmoddir" >&2
		exit 1
	fi
	echo "$name $params" >> "$root/lib/kmod/order"
done

# The fuzzers the probes run (userspace/attack/fuzz.sh), dynamically linked:
# each with the shared libraries ldd names, at the paths it names. A tool
# missing on the host is missing in the guest, and the probe says so.
for tool in trinity stress-ng; do
	path=$(command -v "$tool") || continue
	cp "$path" "$root/bin/"
	ldd "$path" | awk '/=> \// { print $3 } /^\t\// { print $1 }' |
	while read -r lib; do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
done

(cd "$root" && find . | cpio --quiet -o -H newc) > "$output"
