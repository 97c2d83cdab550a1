# SPDX-License-Identifier: GPL-2.0
#
# Shared by mmlab's scripts: where things live and which kernels to test.

MMLAB_TOP=$(cd "$(dirname "$0")/.." && pwd)
# Logs and per-kernel builds of this checkout; kept after the run.
MMLAB_OUT=${MMLAB_OUT:-$MMLAB_TOP/out}
# Downloads and kernel trees shared by every checkout.
MMLAB_CACHE=${MMLAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mmlab}

# lock_source_tree -s|-x: hold the lock on the cached kernel source tree
# (scripts/kernel-source.sh) until the calling script exits, shared to
# build from it, exclusive to change it: a make kunit grafts mmlab in
# (scripts/graft.sh) while a make check may be building the debug kernel,
# which reads the tree's Kconfig files (scripts/debug-kernel.sh).
lock_source_tree() {
	mkdir -p "$MMLAB_CACHE"
	exec 9> "$MMLAB_CACHE/source-tree.lock"
	flock "$1" 9
}

# The kernel matrix: Debian's 6.1 LTS, 6.12 LTS and 6.12 with PREEMPT_RT,
# as the deps script installs them (linux-image-amd64,
# linux-image-6.12-amd64, linux-image-6.12-rt-amd64), and the debug test
# kernel (scripts/debug-kernel.sh).
MMLAB_KERNELS=${MMLAB_KERNELS:-"6.1 6.12 6.12-rt debug"}

# kernel_release SERIES: newest installed Debian amd64 kernel of SERIES
# that has both an image and headers, e.g. 6.1 -> 6.1.0-56-amd64,
# 6.12-rt -> 6.12.118+deb12-rt-amd64.
kernel_release() {
	# sh has no locals: names of their own, not the callers' "series".
	kr_base=${1%-rt}
	kr_flavour=amd64
	[ "$kr_base" = "$1" ] || kr_flavour=rt-amd64
	# An unmatched pattern comes out as itself, and has no headers.
	for img in $(printf '%s\n' /boot/vmlinuz-"$kr_base".*-$kr_flavour |
		     sort -V -r); do
		krel=${img#/boot/vmlinuz-}
		# The rt and cloud flavours end in -amd64 too.
		case "$kr_flavour:$krel" in
		amd64:*-rt-amd64|amd64:*-cloud-amd64) continue ;;
		esac
		if [ -f "/usr/src/linux-headers-$krel/Module.symvers" ]; then
			echo "$krel"
			return 0
		fi
	done
	return 1
}

kernel_image() {
	echo "/boot/vmlinuz-$1"
}

kernel_headers() {
	echo "/usr/src/linux-headers-$1"
}

die() {
	echo "$(basename "$0"): $*" >&2
	exit 1
}

# debian_kernel SERIES: the installed Debian kernel of SERIES
# (kernel_release): sets krel, image, kdir, config and kmoddir.
# shellcheck disable=SC2034 # the callers read what it sets
debian_kernel() {
	krel=$(kernel_release "$1") || return 1
	image=$(kernel_image "$krel")
	kdir=$(kernel_headers "$krel")
	config=/boot/config-$krel
	kmoddir=/lib/modules/$krel/kernel
}

# image_release IMAGE: the release a bzImage says it is, from the
# kernel_version string its setup header points at (boot protocol 2.00+:
# the 16-bit field at 0x20e, an offset from 0x200).
image_release() {
	[ "$(dd if="$1" bs=1 skip=514 count=4 2>/dev/null)" = HdrS ] ||
		return 1
	off=$(od -An -tu2 -j526 -N2 "$1" | tr -d ' ')
	dd if="$1" bs=1 skip=$((off + 512)) count=256 2>/dev/null |
		tr '\0' '\n' | head -n 1 | cut -d' ' -f1
}

# tree_kernel IMAGE KDIR: the kernel built in the tree KDIR (make bzImage
# modules), booted from IMAGE: sets krel, image, kdir, config and kmoddir
# as the Debian kernels have them. Fails, saying why, when KDIR is not a
# built tree, IMAGE was not built from it, or the guest cannot run there
# (scripts/kernel-config-check.sh).
# shellcheck disable=SC2034 # the callers read what it sets
tree_kernel() {
	# Absolute: the module build runs in a copy of the sources.
	if ! kdir=$(cd "$2" 2>/dev/null && pwd) ||
	   ! image=$(cd "$(dirname "$1")" 2>/dev/null && pwd)/$(basename "$1"); then
		echo "no such kernel tree or image: KDIR=$2 KERNEL=$1" >&2
		return 1
	fi
	config=$kdir/.config
	kmoddir=$kdir
	if [ ! -f "$config" ] || [ ! -f "$kdir/Module.symvers" ]; then
		echo "$kdir: not a built kernel tree (no .config or" \
		     "Module.symvers; run make bzImage modules there)" >&2
		return 1
	fi
	krel=$("$MMLAB_TOP/scripts/kernel-release.sh" "$kdir")
	ver=$(image_release "$image")
	if [ -z "$ver" ]; then
		echo "$image: not a kernel image (bzImage)" >&2
		return 1
	fi
	if [ "$ver" != "$krel" ]; then
		echo "$image is $ver, but $kdir builds $krel:" \
		     "modules built there would not load" >&2
		return 1
	fi
	"$MMLAB_TOP/scripts/kernel-config-check.sh" "$config"
}

# guest_kmods CONFIG: the kernel's own modules the guest loads, in order
# (mkinitramfs.sh's MMLAB_GUEST_KMODS), where CONFIG builds them as
# modules: brd, two RAM disks (the O_DIRECT probes' and swap's, see
# guest_args), and KUnit, for mmlab's suites built as a module.
guest_kmods() {
	! grep -qx 'CONFIG_BLK_DEV_RAM=m' "$1" ||
		echo "drivers/block/brd rd_nr=2 rd_size=4096"
	! grep -qx 'CONFIG_KUNIT=m' "$1" || echo "lib/kunit/kunit"
}

# guest_args CONFIG: the same parameters for a built-in brd, on the
# kernel command line.
guest_args() {
	! grep -qx 'CONFIG_BLK_DEV_RAM=y' "$1" ||
		echo "brd.rd_nr=2 brd.rd_size=4096"
}
