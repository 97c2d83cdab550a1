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

/*
 * /dev/mmlab-mm: the caller's own memory map and the kernel's layout, as the
 * kernel sees them. Every ioctl needs %CAP_SYS_ADMIN (%EPERM), checked once
 * the command is known: an unknown one is %ENOTTY for every caller.
 */

/* Page-table levels, top down, in &struct mmlab_walk.entry. */
enum mmlab_level {
	MMLAB_PGD,
	MMLAB_P4D,
	MMLAB_PUD,
	MMLAB_PMD,
	MMLAB_PTE,
	MMLAB_LEVELS,
};

/**
 * struct mmlab_pt_entry - one page-table entry on the way to an address
 * @raw: the entry's value
 * @present: the entry is present
 * @leaf: the entry maps memory itself (a huge page, or a PTE)
 */
struct mmlab_pt_entry {
	__u64 raw;
	__u32 present;
	__u32 leaf;
};

/* Flags of the leaf entry, in &struct mmlab_walk.flags. */
#define MMLAB_PT_PRESENT	(1U << 0)
#define MMLAB_PT_WRITE		(1U << 1)
#define MMLAB_PT_USER		(1U << 2)
#define MMLAB_PT_DIRTY		(1U << 3)
#define MMLAB_PT_ACCESSED	(1U << 4)
#define MMLAB_PT_NX		(1U << 5)
#define MMLAB_PT_SPECIAL	(1U << 6)
#define MMLAB_PT_HUGE		(1U << 7)

/**
 * struct mmlab_walk - the page-table walk to one user address
 * @addr: in: a virtual address of the caller; any value is taken, and one
 *	outside the caller's vmas (0, a kernel address) yields no entry,
 *	@flags 0, not an error. The other fields' values in are ignored.
 * @levels: out: paging levels the CPU uses, 4 or 5; with 4, the p4d level
 *	is folded into the pgd and repeats it
 * @flags: out: MMLAB_PT_* of the leaf entry; 0 if there is none
 * @entry: out: the entry at each level, down to the leaf or the first
 *	entry that is not present; nothing outside the caller's vmas, whose
 *	page tables munmap() may be freeing
 * @pfn: out: the page frame that @addr falls in, if mapped
 * @page_size: out: bytes mapped by the leaf entry: 4 KiB, 2 MiB or 1 GiB
 */
struct mmlab_walk {
	__u64 addr;
	__u32 levels;
	__u32 flags;
	struct mmlab_pt_entry entry[MMLAB_LEVELS];
	__u64 pfn;
	__u64 page_size;
};

#define MMLAB_PATH_MAX		256

/**
 * struct mmlab_vma - one vma of the caller's mm
 * @start: first address
 * @end: address past the last
 * @flags: vm_flags
 * @pgoff: vm_pgoff, in pages
 * @dev: device of the backing file, as (major << 20 | minor), or 0
 * @ino: inode number of the backing file, or 0
 * @anon: vma_is_anonymous()
 * @reserved: zero
 * @path: path of the backing file; empty without one
 */
struct mmlab_vma {
	__u64 start;
	__u64 end;
	__u64 flags;
	__u64 pgoff;
	__u64 dev;
	__u64 ino;
	__u32 anon;
	__u32 reserved;
	char path[MMLAB_PATH_MAX];
};

/* The most vmas one MMLAB_MM_IOC_VMAS call lists. */
#define MMLAB_VMAS_MAX		4096

/**
 * struct mmlab_vmas - list the caller's vmas
 * @vmas: user pointer to an array of &struct mmlab_vma; %EFAULT when the
 *	@written entries cannot be written there (NULL is fine for @count 0)
 * @count: in: entries the array holds, any value (0 to count the vmas
 *	only); out: vmas the mm has
 * @written: out: entries written, the first vmas in address order: the
 *	smallest of @count in, @count out and %MMLAB_VMAS_MAX. The list is
 *	whole only when it equals @count out. Its value in is ignored.
 */
struct mmlab_vmas {
	__u64 vmas;
	__u32 count;
	__u32 written;
};

/**
 * struct mmlab_mm_stat - figures of the caller's mm_struct
 * @mm_users: users of the address space (threads, and get_task_mm())
 * @mm_count: references on the mm_struct itself
 * @map_count: vmas
 * @total_vm: pages mapped
 * @rss_file: resident file pages
 * @rss_anon: resident anonymous pages
 * @rss_shmem: resident shared-memory pages
 * @start_code: start of the program's text
 * @end_code: end of the program's text
 * @start_data: start of its data
 * @end_data: end of its data
 * @start_brk: start of the heap
 * @brk: current end of the heap
 * @start_stack: start of the main thread's stack
 * @mmap_base: base of the mmap area
 */
struct mmlab_mm_stat {
	__u64 mm_users;
	__u64 mm_count;
	__u64 map_count;
	__u64 total_vm;
	__u64 rss_file;
	__u64 rss_anon;
	__u64 rss_shmem;
	__u64 start_code;
	__u64 end_code;
	__u64 start_data;
	__u64 end_data;
	__u64 start_brk;
	__u64 brk;
	__u64 start_stack;
	__u64 mmap_base;
};

/* Regions of the kernel's address space, in &struct mmlab_layout.region. */
enum mmlab_region {
	MMLAB_REGION_DIRECT_MAP,	/* [PAGE_OFFSET, high_memory) */
	MMLAB_REGION_VMALLOC,		/* [VMALLOC_START, VMALLOC_END] */
	MMLAB_REGION_VMEMMAP,		/* [VMEMMAP_START, + struct pages) */
	MMLAB_REGION_MODULES,		/* [MODULES_VADDR, MODULES_END) */
	MMLAB_REGION_KERNEL_TEXT,	/* [__START_KERNEL_map, + KERNEL_IMAGE_SIZE) */
	MMLAB_REGIONS,
};

/* Live addresses, in &struct mmlab_layout.live. */
enum mmlab_live {
	MMLAB_LIVE_KMALLOC,	/* a kmalloc() object */
	MMLAB_LIVE_VMALLOC,	/* a vmalloc() area */
	MMLAB_LIVE_MODULE,	/* this module's ioctl function */
	MMLAB_LIVE_STACK,	/* a variable on the kernel stack */
	MMLAB_LIVE_KERNEL,	/* the kernel's schedule() */
	MMLAB_LIVES,
};

/**
 * struct mmlab_layout - the kernel's virtual address space
 * @levels: paging levels, 4 or 5
 * @withheld: the addresses below are hidden (kptr_restrict): zero, or
 *	hashed as %p would, by the same rules as %pK in /proc/kallsyms
 * @region: start and end of each &enum mmlab_region
 * @live: each &enum mmlab_live address
 * @live_region: the region the kernel finds each live address in, or -1
 * @live_valid: virt_addr_valid() of each live address
 */
struct mmlab_layout {
	__u32 levels;
	__u32 withheld;
	__u64 region[MMLAB_REGIONS][2];
	__u64 live[MMLAB_LIVES];
	__s32 live_region[MMLAB_LIVES];
	__u32 live_valid[MMLAB_LIVES];
};

/**
 * struct mmlab_copy - a copy between the kernel and a user buffer
 * @uaddr: user address, any value: a bad one is what the copy is for
 * @len: bytes, 0 to 64 KiB; more fails with %EINVAL. 0 copies nothing and
 *	succeeds, whatever @uaddr is.
 * @to_user: 1 for copy_to_user() (0x6b bytes), 0 for copy_from_user();
 *	any other value fails with %EINVAL
 * @reserved: must be zero; %EINVAL otherwise
 * @done: out: bytes copied before the first fault; its value in is ignored
 */
struct mmlab_copy {
	__u64 uaddr;
	__u64 len;
	__u32 to_user;
	__u32 reserved;
	__u64 done;
};

#define MMLAB_MM_IOC_WALK	_IOWR(MMLAB_IOC_MAGIC, 0x40, struct mmlab_walk)
#define MMLAB_MM_IOC_VMAS	_IOWR(MMLAB_IOC_MAGIC, 0x41, struct mmlab_vmas)
#define MMLAB_MM_IOC_STAT	_IOR(MMLAB_IOC_MAGIC, 0x42, struct mmlab_mm_stat)
#define MMLAB_MM_IOC_LAYOUT	_IOR(MMLAB_IOC_MAGIC, 0x43, struct mmlab_layout)
/*
 * Fails with %EFAULT when the copy stopped short; @done says where. An
 * argument that cannot be written back fails with %EFAULT before anything
 * is copied.
 */
#define MMLAB_MM_IOC_COPY	_IOWR(MMLAB_IOC_MAGIC, 0x44, struct mmlab_copy)

#endif /* _UAPI_LINUX_MMLAB_H */
