#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vm-run.sh KERNEL INITRD LOGDIR JOB [TIMEOUT]: boot KERNEL with INITRD
# under QEMU, running JOB (check or demo, see scripts/guest/init), with a
# hard TIMEOUT in seconds (default 240). Writes to LOGDIR:
#   console.log  the kernel console      ktap.log  the job's output
#   dmesg.log    the guest's dmesg       qemu.log  QEMU's own messages
#   ivshmem.bin  the file behind the guest's ivshmem BAR2, seeded by
#                scripts/ivshmem.py before the boot, for checking after it
#   debugcon.bin what the guest wrote to isa-debugcon's port
# The guest has QEMU's edu and ivshmem-plain PCI devices, and its ISA
# pc-testdev and isa-debugcon, at the port mmlab_pci expects (drivers/pci/).
# Exits 0 when the guest finished its job and powered off, 1 otherwise.
# TCG by default; KVM only when scripts/kvm-works.sh says it really works.
# MMLAB_KERNEL_ARGS adds to the kernel command line; MMLAB_IOMMU=1 boots
# the q35 machine with an IOMMU instead (see below).
#
# A kernel that panics before it runs the guest's /init is booted once
# more: QEMU 7.2's multi-threaded TCG has been seen to break
# the kernel's own text patching at boot ("Oops: int3" in a static key
# just patched, on Debian's 6.12, with the host loaded), before any mmlab
# code ran. The first console goes to console-boot1.log and boot.ktap
# records the retry as a skip, so that the results show it; a kernel that
# panics so twice fails.

set -u

. "$(dirname "$0")/lib.sh"

kernel=$1
initrd=$2
logdir=$3
job=$4
limit=${5:-240}

mkdir -p "$logdir"
"$MMLAB_TOP/scripts/ivshmem.py" init "$logdir/ivshmem.bin" || exit 1

if [ -z "${MMLAB_ACCEL:-}" ]; then
	if "$MMLAB_TOP/scripts/kvm-works.sh" "$kernel"; then
		MMLAB_ACCEL=kvm
	else
		MMLAB_ACCEL=tcg
	fi
fi
case $MMLAB_ACCEL in
kvm) cpu=host ;;
*) cpu=max ;;
esac

# panic_on_warn: a WARN ends the run; panic=-1 with -no-reboot: a panic
# ends QEMU at once instead of hanging until the timeout.
append="console=ttyS0 panic=-1 panic_on_warn=1 mmlab_job=$job ${MMLAB_KERNEL_ARGS:-}"

# The guest's RAM below 4 GiB ends at 256 MiB and the rest lies above
# 4 GiB: most pages are out of reach of edu's 28-bit DMA, and x86 sets up
# swiotlb, below 4 GiB and so below 256 MiB, where edu reaches its bounce
# buffers (drivers/pci/edu_pin.c). 8 MiB of them.
# MMLAB_IOMMU=1: QEMU's q35 machine with its Intel IOMMU, turned on, which
# translates every address edu is given: nothing bounced.
low=max-ram-below-4g=256M
if [ -n "${MMLAB_IOMMU:-}" ]; then
	machine="q35,$low -device intel-iommu"
	append="$append intel_iommu=on"
else
	machine="pc,$low"
fi
append="$append swiotlb=4096"

boot() {
	rm -f "$logdir"/console.log "$logdir"/ktap.log "$logdir"/dmesg.log
	# --foreground: QEMU stays in the caller's process group, where
	# make check's jobs end it with the rest of the run on Ctrl-C.
	# shellcheck disable=SC2086
	timeout --foreground -k 5 "$limit" qemu-system-x86_64 -machine $machine \
		-accel "$MMLAB_ACCEL" -cpu "$cpu" -smp 2 -m 1G \
		-kernel "$kernel" -initrd "$initrd" -append "$append" \
		-display none -no-reboot -monitor none \
		-device edu \
		-object memory-backend-file,id=shm,size=1M,share=on,mem-path="$logdir/ivshmem.bin" \
		-device ivshmem-plain,memdev=shm \
		-device pc-testdev \
		-chardev file,id=debugcon,path="$logdir/debugcon.bin" \
		-device isa-debugcon,iobase=0x4f0,chardev=debugcon \
		-serial "file:$logdir/console.log" \
		-serial "file:$logdir/ktap.log" \
		-serial "file:$logdir/dmesg.log" \
		${MMLAB_QEMU_ARGS:-} >> "$logdir/qemu.log" 2>&1
}

# Did the kernel panic before it ran the initramfs's /init, before any
# module of ours could be loaded?
panicked_before_init() {
	grep -q 'Kernel panic' "$logdir/console.log" 2>/dev/null &&
		! grep -q 'Run /init as init process' "$logdir/console.log"
}

: > "$logdir/qemu.log"
rm -f "$logdir/console-boot1.log" "$logdir/boot.ktap"
boot
rc=$?
if [ $rc -ne 124 ] && [ $rc -ne 137 ] && panicked_before_init; then
	mv "$logdir/console.log" "$logdir/console-boot1.log"
	echo "vm-run: the kernel panicked before init started: booting again" \
		>> "$logdir/qemu.log"
	printf 'KTAP version 1\n1..1\nok 1 first_boot_reached_init # SKIP %s\n' \
		"panicked before init, booted again (console-boot1.log)" \
		> "$logdir/boot.ktap"
	"$MMLAB_TOP/scripts/ivshmem.py" init "$logdir/ivshmem.bin" || exit 1
	boot
	rc=$?
fi

echo "$MMLAB_ACCEL" > "$logdir/accel"
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	echo "vm-run: guest did not finish within ${limit}s" >> "$logdir/qemu.log"
fi
grep -q '^MMLAB-DONE' "$logdir/ktap.log" 2>/dev/null
