/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mmlab: memory-management lab devices, userspace interface.
 *
 * Each mmlab device, /dev/mmlab-<mode>, owns a buffer of kernel memory and
 * implements mmap() in its own way (see Documentation/mmap-modes.rst).
 * Userspace reaches the buffer two ways: through mmap(), and through
 * read()/write() (pread()/pwrite()) at a byte offset, which copy through
 * the kernel's own mapping of the buffer. Comparing the two shows that a
 * user mapping and the kernel see the same bytes.
 *
 * Every mmlab ioctl, on every node, follows these rules:
 *
 * - A command the node does not know, including a known number with
 *   another direction or size in its encoding, fails with %ENOTTY, for
 *   every caller, before any permission check.
 * - An argument pointer that is NULL, not mapped, not a user address, or
 *   read-only when the ioctl writes its argument back, fails with %EFAULT,
 *   as does any user pointer inside the argument that cannot be read or
 *   written as the call needs.
 * - Flag bits that have no meaning yet, and reserved fields of a request,
 *   must be zero: %EINVAL otherwise, so that they can be given a meaning
 *   later. Fields marked "out" are ignored on the way in.
 * - A call refused for its caller or its arguments (%ENOTTY, %EPERM,
 *   %EFAULT, %EINVAL) changes nothing: no counter of %MMLAB_IOC_INFO, no
 *   device state. Memory that the call was to fill with its results (an
 *   array, a bitmap) may be partly written when it fails with %EFAULT.
 *
 * The nodes are root's, mode 0600. Which ioctls need a capability besides
 * is documented with each, and tabled in Documentation/privileges.rst.
 *
 * This header is the interface of the mode nodes; that of /dev/mmlab-mm is
 * <linux/mmlab_mm.h>, which includes it.
 */
#ifndef _UAPI_LINUX_MMLAB_H
#define _UAPI_LINUX_MMLAB_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * struct mmlab_info - state of an mmlab device, returned by %MMLAB_IOC_INFO
 * @size: size of the device's buffer in bytes, a multiple of @page_size
 * @mmap_calls: successful mmap() calls on the device
 * @faults: calls of the device's vm_ops->fault that returned a page or
 *	installed a PTE
 * @map_pages_calls: calls of vm_ops->map_pages (fault-around)
 * @mkwrite_calls: calls of vm_ops->page_mkwrite (first write to a clean page)
 * @pages_allocated: pages held by the buffers of every mmlab device
 * @page_size: PAGE_SIZE of the running kernel
 * @live_vmas: vmas that hold a reference on the buffer right now; a vma
 *	split by munmap() or duplicated by fork() counts once per piece
 *
 * Counters count from the device's creation; callers compare differences.
 */
struct mmlab_info {
	__u64 size;
	__u64 mmap_calls;
	__u64 faults;
	__u64 map_pages_calls;
	__u64 mkwrite_calls;
	__u64 pages_allocated;
	__u32 page_size;
	__u32 live_vmas;
};

/**
 * struct mmlab_page_pfn - physical page behind one page of the buffer
 * @pgoff: in: page index in the buffer
 * @pfn: out: page frame number of that page
 */
struct mmlab_page_pfn {
	__u64 pgoff;
	__u64 pfn;
};

/**
 * struct mmlab_dirty - pages written through shared mappings
 * @bitmap: user pointer to an array of __u64; bit N of word N / 64 is set
 *	when page N was written since it was last cleaned
 * @nbits: number of bits @bitmap holds; at least the buffer's pages
 *	(%EINVAL otherwise). Any larger value is fine: the kernel writes
 *	DIV_ROUND_UP(pages, 64) words, never more.
 * @flags: %MMLAB_DIRTY_CLEAN to write-protect the pages reported and
 *	clear their bits, so that the next write is reported again; other
 *	bits must be zero, %EINVAL otherwise
 * @ndirty: out: number of bits set in @bitmap; its value in is ignored
 * @reserved: must be zero; %EINVAL otherwise
 */
struct mmlab_dirty {
	__u64 bitmap;
	__u32 nbits;
	__u32 flags;
	__u32 ndirty;
	__u32 reserved;
};

#define MMLAB_DIRTY_CLEAN	(1U << 0)

#define MMLAB_IOC_MAGIC		0xb9

/**
 * define MMLAB_IOC_INFO - read the device's &struct mmlab_info
 *
 * Fails with %EFAULT when the argument does not point to writable memory.
 * Unknown commands fail with %ENOTTY on every mmlab ioctl. Needs no
 * capability.
 */
#define MMLAB_IOC_INFO		_IOR(MMLAB_IOC_MAGIC, 0x00, struct mmlab_info)

/**
 * define MMLAB_IOC_PAGE_PFN - look up the PFN of one buffer page
 *
 * Needs %CAP_SYS_ADMIN, as PFNs in /proc/self/pagemap do (%EPERM, checked
 * first); a @pgoff outside the buffer (at or past its pages, up to
 * U64_MAX) fails with %EINVAL, and nothing is written back.
 */
#define MMLAB_IOC_PAGE_PFN	_IOWR(MMLAB_IOC_MAGIC, 0x01, struct mmlab_page_pfn)

/**
 * define MMLAB_IOC_DIRTY - read, and optionally clean, the dirty bitmap
 *
 * Only devices with vm_ops->page_mkwrite track writes (mmlab-mkwrite);
 * others fail with %ENOTTY. A too small @nbits, unknown @flags or a
 * non-zero @reserved fail with %EINVAL. A @bitmap or argument that cannot
 * be written fails with %EFAULT, and then %MMLAB_DIRTY_CLEAN has cleaned
 * nothing: the bitmap is written out before any page is cleaned. Needs no
 * capability.
 */
#define MMLAB_IOC_DIRTY		_IOWR(MMLAB_IOC_MAGIC, 0x02, struct mmlab_dirty)

/**
 * struct mmlab_page_counts - sharing of one buffer page
 * @pgoff: in: page index in the buffer
 * @mapcount: out: page_mapcount(): how many PTEs map the page
 * @refcount: out: page_ref_count(): references held on the page
 */
struct mmlab_page_counts {
	__u64 pgoff;
	__s32 mapcount;
	__s32 refcount;
};

/**
 * define MMLAB_IOC_PAGE_COUNTS - mapcount and refcount of one buffer page
 *
 * Needs %CAP_SYS_ADMIN (%EPERM, checked first); a @pgoff outside the
 * buffer fails with %EINVAL, and nothing is written back.
 */
#define MMLAB_IOC_PAGE_COUNTS	_IOWR(MMLAB_IOC_MAGIC, 0x03, struct mmlab_page_counts)

#endif /* _UAPI_LINUX_MMLAB_H */
