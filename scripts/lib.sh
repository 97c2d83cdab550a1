# SPDX-License-Identifier: GPL-2.0
#
# Shared by mmlab's scripts: where things live and which kernels to test.

MMLAB_TOP=$(cd "$(dirname "$0")/.." && pwd)
# Logs and per-kernel builds of this checkout; kept after the run.
MMLAB_OUT=${MMLAB_OUT:-$MMLAB_TOP/out}
# Downloads and kernel trees shared by every checkout.
MMLAB_CACHE=${MMLAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mmlab}

# The kernel matrix: Debian's 6.1 LTS and 6.12 LTS, as the deps script
# installs them (linux-image-amd64, linux-image-6.12-amd64).
MMLAB_KERNELS=${MMLAB_KERNELS:-"6.1 6.12 debug"}

# kernel_release SERIES: newest installed Debian amd64 kernel of SERIES
# that has both an image and headers, e.g. 6.1 -> 6.1.0-56-amd64.
kernel_release() {
	# An unmatched pattern comes out as itself, and has no headers.
	for img in $(printf '%s\n' /boot/vmlinuz-"$1".*-amd64 | sort -V -r); do
		krel=${img#/boot/vmlinuz-}
		case "$krel" in
		*-rt-amd64|*-cloud-amd64) continue ;;
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
