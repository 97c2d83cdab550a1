#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# quick.sh [AREA...]: the fast loop ("make quick [AREA=...]"): rebuild
# what changed, boot Debian's 6.12 and run only the 64-bit probes of the
# areas given, or else of the areas the checkout's uncommitted changes
# touch (git status), judged as make check judges them, logs in
# out/quick/. An area is a directory of drivers/ or userspace/:
#   mmap        mmap_{semantics,faults,swap,huge}_test, mmap_bench --smoke
#   introspect  introspect_{walk,mm,kernel,follow}_test
#   pci         pci_{edu,dma_pin,ivshmem,lifecycle,pio}_test
#   alloc       module_lifecycle.sh (the allocator reports)
#   lifecycle   module_lifecycle.sh
#   attack      hostile_test
# When no change is in an area (include/, kunit/, scripts/ only), mmap.
# The 32-bit probes, the IOMMU boot, torture, fuzz and every other kernel
# are left to make check.

set -u

. "$(dirname "$0")/lib.sh"

# probes AREA: the probes of AREA, comma-separated.
probes() {
	case $1 in
	mmap)
		echo mmap_semantics_test,mmap_faults_test,mmap_swap_test,mmap_huge_test,mmap_bench_smoke ;;
	introspect)
		echo introspect_walk_test,introspect_mm_test,introspect_kernel_test,introspect_follow_test ;;
	pci)
		echo pci_edu_test,pci_dma_pin_test,pci_ivshmem_test,pci_lifecycle_test,pci_pio_test ;;
	alloc|lifecycle)
		echo module_lifecycle ;;
	attack)
		echo hostile_test ;;
	*)
		return 1 ;;
	esac
}

# changed_areas: the areas of the files git says are changed or new.
changed_areas() {
	git -C "$MMLAB_TOP" status --porcelain --untracked-files=all \
		--no-renames |
		sed -nE 's#^.. "?(drivers|userspace)/([^/]*)/.*#\2#p' |
		sort -u
}

if [ $# -gt 0 ]; then
	areas=$*
else
	# userspace/lib and the like are no area of their own.
	areas=$(changed_areas)
fi
list=
for a in $areas; do
	if p=$(probes "$a"); then
		list=${list:+$list,}$p
	elif [ $# -gt 0 ]; then
		die "no area $a (mmap, introspect, pci, alloc, lifecycle, attack)"
	fi
done
[ -n "$list" ] || list=$(probes mmap)
echo "quick: $list"

MMLAB_KERNELS=6.12 MMLAB_PROBES=$list MMLAB_SKIP_KUNIT=1 \
MMLAB_SKIP_CHECKPATCH=1 MMLAB_SKIP_INSTALL=1 MMLAB_SKIP_IOMMU=1 \
MMLAB_OUT=${MMLAB_QUICK_OUT:-$MMLAB_OUT/quick} \
	exec "$MMLAB_TOP/scripts/check.sh"
