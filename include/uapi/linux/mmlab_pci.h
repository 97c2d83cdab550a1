/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mmlab_pci: drivers for two devices that QEMU emulates, userspace
 * interface.
 *
 * /dev/mmlab-eduN is QEMU's educational device (-device edu, vendor 0x1234,
 * device 0x11e8, QEMU's docs/specs/edu.rst): the ioctls below run its
 * operations, and mmap() maps its register BAR (BAR0) uncached.
 *
 * /dev/mmlab-ivshmemN is QEMU's inter-VM shared memory (-device
 * ivshmem-plain, vendor 0x1af4, device 0x1110): read() and write() copy
 * through the kernel's mapping of BAR2, and mmap() maps BAR2, whose bytes
 * are the host file behind the device.
 *
 * mmap() of either needs %CAP_SYS_RAWIO (%EPERM otherwise), as /dev/mem
 * does, and a shared mapping (%EINVAL for MAP_PRIVATE or a range outside the
 * BAR). Once the device is unbound from its driver, ioctl(), read(),
 * write() and mmap() of a file still open fail with %ENODEV, and every
 * access through an existing mapping raises SIGBUS.
 *
 * The ioctls need no capability: opening the node, root's and mode 0600,
 * is the check (Documentation/privileges.rst). They follow the rules of
 * include/uapi/linux/mmlab.h: unknown commands, or a known number with
 * another direction or size, fail with %ENOTTY; a bad argument pointer
 * with %EFAULT; unknown flag bits with %EINVAL. An ioctl refused for its
 * arguments has not touched the device: in particular, one whose argument
 * (or, for %MMLAB_EDU_IOC_DMA_FROM_DEV, whose buffer) cannot be written
 * fails with %EFAULT before the operation starts, not after it.
 */
#ifndef _UAPI_LINUX_MMLAB_PCI_H
#define _UAPI_LINUX_MMLAB_PCI_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define MMLAB_EDU_IRQ_INTX	0
#define MMLAB_EDU_IRQ_MSI	1

/*
 * Size of the edu device's own DMA buffer, at offset 0x40000 of its DMA
 * address space; a transfer may reach all of it but its last byte (see
 * &struct mmlab_edu_dma).
 */
#define MMLAB_EDU_DMA_SIZE	4096

/**
 * struct mmlab_edu_info - state of an edu device, from %MMLAB_EDU_IOC_INFO
 * @ident: the identification register (offset 0x00): 0xRRrr00ed for
 *	version RR.rr
 * @irq_mode: %MMLAB_EDU_IRQ_MSI or %MMLAB_EDU_IRQ_INTX, as the PCI core
 *	granted
 * @irq: the Linux interrupt number, as /proc/interrupts lists it
 * @bar0_size: length of BAR0 in bytes: the most mmap() maps
 * @irqs: interrupts the driver has handled since the device was bound
 * @dma_mask_bits: the DMA mask the driver set, in bits
 */
struct mmlab_edu_info {
	__u32 ident;
	__u32 irq_mode;
	__u32 irq;
	__u32 dma_mask_bits;
	__u64 bar0_size;
	__u64 irqs;
};

/**
 * struct mmlab_edu_liveness - the liveness check
 * @in: value written to register 0x04
 * @out: out: value read back, the bitwise inverse of @in on a live card
 */
struct mmlab_edu_liveness {
	__u32 in;
	__u32 out;
};

/* Wait for the factorial's interrupt instead of polling the status. */
#define MMLAB_EDU_FACT_IRQ	(1U << 0)

/**
 * struct mmlab_edu_factorial - a factorial computed by the device
 * @n: the argument
 * @flags: 0 to poll the status register, %MMLAB_EDU_FACT_IRQ to wait for
 *	the device's interrupt; other bits must be zero, %EINVAL otherwise
 * @result: out: n!, truncated to 32 bits as the device computes it
 * @irq_status: out: the interrupt status the handler saw (0x1 for a
 *	factorial), 0 when polling
 */
struct mmlab_edu_factorial {
	__u32 n;
	__u32 flags;
	__u32 result;
	__u32 irq_status;
};

/**
 * struct mmlab_edu_dma - one DMA transfer between memory and the device
 * @buf: user pointer to @len bytes: the source of %MMLAB_EDU_IOC_DMA_TO_DEV,
 *	the destination of %MMLAB_EDU_IOC_DMA_FROM_DEV; %EFAULT when they
 *	cannot be read, or written, before the device is touched
 * @len: bytes to transfer, 1 to %MMLAB_EDU_DMA_SIZE - 1; %EINVAL otherwise
 * @offset: where in the device's DMA buffer
 *
 * @offset + @len must stay below %MMLAB_EDU_DMA_SIZE (%EINVAL, for any
 * values, without overflow): QEMU before 8.0
 * takes a transfer that ends at the buffer's end for one past it and stops
 * the whole machine, so the driver refuses it.
 */
struct mmlab_edu_dma {
	__u64 buf;
	__u32 len;
	__u32 offset;
};

/**
 * struct mmlab_edu_raise - an interrupt raised on request
 * @value: bits written to the interrupt raise register (0x60), not zero
 * @irq_status: out: the interrupt status the handler read and acknowledged
 */
struct mmlab_edu_raise {
	__u32 value;
	__u32 irq_status;
};

/*
 * %MMLAB_EDU_IOC_DMA_PIN fills the user's buffer with the device's DMA
 * buffer repeated at this period: byte i of the user's buffer receives byte
 * i % %MMLAB_EDU_PIN_PERIOD of the device's. Each device command moves at
 * most this much, and takes the device 100 ms.
 */
#define MMLAB_EDU_PIN_PERIOD	2048

/*
 * The most one %MMLAB_EDU_IOC_DMA_PIN moves: 32 device commands, and one
 * more for each DMA segment, each page at worst: under 5 s.
 */
#define MMLAB_EDU_PIN_MAX	65536

/**
 * struct mmlab_edu_pin_dma - DMA from the device straight into user memory
 * @buf: user address of the buffer, any alignment; every page it touches
 *	must be mapped writable, and the kernel must allow a long-term pin of
 *	it, %EFAULT (or the error pin_user_pages_fast() gave) otherwise, with
 *	nothing left pinned
 * @dma_addrs: user pointer to an array of @pages __u64 that receives the
 *	DMA address the device was given for each page (of the buffer's first
 *	byte, for the first page); 0 when not wanted. Bus addresses, physical
 *	ones without an IOMMU: as pagemap's PFNs, they need %CAP_SYS_ADMIN
 *	(%EPERM); %EFAULT when the array cannot be written. Both before
 *	anything is pinned
 * @len: bytes, 1 to %MMLAB_EDU_PIN_MAX; %EINVAL otherwise
 * @flags: must be zero; %EINVAL otherwise
 * @pages: out: pages the buffer touches, all pinned: (@buf % page size +
 *	@len) rounded up to pages
 * @segments: out: DMA segments the mapping gave the device, the nents of
 *	dma_map_sgtable(): fewer than @pages when pages were physically
 *	contiguous, or when an IOMMU made them contiguous for the device
 * @pin_refs: out: how much the first page's folio reference count fell
 *	when it was unpinned: GUP_PIN_COUNTING_BIAS (1024) for a small page,
 *	1 for a large folio, which counts its pins apart
 * @translated: out: 1 when an IOMMU translated the device's addresses, 0
 *	when they were bus addresses, the page's own or a bounce buffer's
 */
struct mmlab_edu_pin_dma {
	__u64 buf;
	__u64 dma_addrs;
	__u32 len;
	__u32 flags;
	__u32 pages;
	__u32 segments;
	__u32 pin_refs;
	__u32 translated;
};

#define MMLAB_PCI_IOC_MAGIC	0xba

/**
 * define MMLAB_EDU_IOC_INFO - read the device's &struct mmlab_edu_info
 */
#define MMLAB_EDU_IOC_INFO	_IOR(MMLAB_PCI_IOC_MAGIC, 0x00, struct mmlab_edu_info)

/**
 * define MMLAB_EDU_IOC_LIVENESS - write &mmlab_edu_liveness.in, read it back
 */
#define MMLAB_EDU_IOC_LIVENESS	_IOWR(MMLAB_PCI_IOC_MAGIC, 0x01, struct mmlab_edu_liveness)

/**
 * define MMLAB_EDU_IOC_FACTORIAL - compute n! on the device
 *
 * Unknown flags fail with %EINVAL before the device is touched; a device
 * that does not finish within five seconds, with %ETIMEDOUT. An argument
 * that cannot be written back fails with %EFAULT before the computation
 * starts.
 */
#define MMLAB_EDU_IOC_FACTORIAL	_IOWR(MMLAB_PCI_IOC_MAGIC, 0x02, struct mmlab_edu_factorial)

/**
 * define MMLAB_EDU_IOC_DMA_TO_DEV - copy user memory into the device buffer
 *
 * The bytes go from &mmlab_edu_dma.buf to the driver's coherent DMA
 * buffer, and from there to the device by its DMA engine, which signals
 * completion with an interrupt. A length or offset outside the device
 * buffer fails with %EINVAL; a bad buffer pointer with %EFAULT.
 */
#define MMLAB_EDU_IOC_DMA_TO_DEV	_IOW(MMLAB_PCI_IOC_MAGIC, 0x03, struct mmlab_edu_dma)

/**
 * define MMLAB_EDU_IOC_DMA_FROM_DEV - copy the device buffer to user memory
 *
 * The reverse of %MMLAB_EDU_IOC_DMA_TO_DEV, with the same checks; a
 * buffer that cannot be written fails with %EFAULT before the transfer
 * (no DMA, no interrupt). The driver clears its own buffer first, so every
 * byte that arrives came from the device.
 */
#define MMLAB_EDU_IOC_DMA_FROM_DEV	_IOW(MMLAB_PCI_IOC_MAGIC, 0x04, struct mmlab_edu_dma)

/**
 * define MMLAB_EDU_IOC_RAISE_IRQ - raise an interrupt and wait for it
 *
 * A zero value fails with %EINVAL, and an argument that cannot be written
 * back with %EFAULT, both before any interrupt is raised.
 */
#define MMLAB_EDU_IOC_RAISE_IRQ	_IOWR(MMLAB_PCI_IOC_MAGIC, 0x05, struct mmlab_edu_raise)

/**
 * define MMLAB_EDU_IOC_DMA_PIN - DMA from the device into pinned user memory
 *
 * Zero copy, as V4L2's user pointers and RDMA do it: the driver pins the
 * buffer's pages with pin_user_pages_fast(%FOLL_WRITE | %FOLL_LONGTERM),
 * maps them with dma_map_sgtable(), has the device write them from its DMA
 * buffer (see %MMLAB_EDU_PIN_PERIOD; fill that first with
 * %MMLAB_EDU_IOC_DMA_TO_DEV), waits for every transfer, unmaps and unpins
 * them dirty. The device drives 28 address bits: without an IOMMU a page
 * above 256 MiB must be bounced through swiotlb, which the DMA API does on
 * its own where mmlab_pci's parameter edu_bounce allows it, and the call
 * fails with %EIO, before the device is touched, where it does not. The
 * pages stay pinned until the device is done, even if the buffer is
 * unmapped meanwhile. A call that fails after the device started may have
 * filled part of the buffer.
 */
#define MMLAB_EDU_IOC_DMA_PIN	_IOWR(MMLAB_PCI_IOC_MAGIC, 0x06, struct mmlab_edu_pin_dma)

/**
 * struct mmlab_ivshmem_info - the shared memory, from %MMLAB_IVSHMEM_IOC_INFO
 * @size: length of BAR2 in bytes, the size of the host's file
 */
struct mmlab_ivshmem_info {
	__u64 size;
};

/**
 * define MMLAB_IVSHMEM_IOC_INFO - read the device's &struct mmlab_ivshmem_info
 */
#define MMLAB_IVSHMEM_IOC_INFO	_IOR(MMLAB_PCI_IOC_MAGIC, 0x10, struct mmlab_ivshmem_info)

#endif /* _UAPI_LINUX_MMLAB_PCI_H */
