# SPDX-License-Identifier: GPL-2.0
#
# Shared by mmlab's scripts: where things live and which kernels to test.

MMLAB_TOP=$(cd "$(dirname "$0")/.." && pwd)
# Logs and per-kernel builds of this checkout; kept after the run.
MMLAB_OUT=${MMLAB_OUT:-$MMLAB_TOP/out}
# Downloads and kernel trees shared by every checkout.
MMLAB_CACHE=${MMLAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mmlab}

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
