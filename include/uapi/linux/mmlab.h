/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mmlab: memory-management lab devices, userspace interface.
 *
 * Each mmlab device owns a buffer of kernel memory that userspace reaches
 * two ways: through mmap() of the device node, and through read()/write()
 * (pread()/pwrite()) at a byte offset into the same buffer. The second path
 * copies through the kernel's own mapping of the buffer, so comparing the
 * two shows that a user mapping and the kernel see the same bytes.
 *
 * See Documentation/remap-device.rst.
 */
#ifndef _UAPI_LINUX_MMLAB_H
#define _UAPI_LINUX_MMLAB_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * struct mmlab_info - state of an mmlab device, returned by %MMLAB_IOC_INFO
 * @size: size of the device's buffer in bytes, a multiple of @page_size
 * @mmap_calls: successful mmap() calls on the device since it was created
 * @page_size: PAGE_SIZE of the running kernel
 * @live_vmas: vmas that hold a reference on the buffer right now; a vma
 *	split by munmap() or duplicated by fork() counts once per piece
 */
struct mmlab_info {
	__u64 size;
	__u64 mmap_calls;
	__u32 page_size;
	__u32 live_vmas;
};

#define MMLAB_IOC_MAGIC		0xb9

/**
 * define MMLAB_IOC_INFO - read the device's &struct mmlab_info
 *
 * Fails with %EFAULT when the argument does not point to writable memory.
 * Unknown commands fail with %ENOTTY.
 */
#define MMLAB_IOC_INFO		_IOR(MMLAB_IOC_MAGIC, 0x00, struct mmlab_info)

#endif /* _UAPI_LINUX_MMLAB_H */
