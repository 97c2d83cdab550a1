/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * /dev/mmlab-mm: the caller's own memory map and the kernel's layout, as the
 * kernel sees them, userspace interface. Every ioctl needs %CAP_SYS_ADMIN
 * (%EPERM), checked once the command is known: an unknown one is %ENOTTY
 * for every caller. The rules every mmlab ioctl follows, and the ioctl
 * magic number, are in <linux/mmlab.h>.
 */
#ifndef _UAPI_LINUX_MMLAB_MM_H
#define _UAPI_LINUX_MMLAB_MM_H

#include <linux/ioctl.h>
#include <linux/mmlab.h>
#include <linux/types.h>

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

/* What &struct mmlab_follow.flags says of the entry found. */
#define MMLAB_FOLLOW_PRESENT	(1U << 0)
#define MMLAB_FOLLOW_WRITE	(1U << 1)
#define MMLAB_FOLLOW_SPECIAL	(1U << 2)

/**
 * struct mmlab_follow - the page frame behind a user address in a PFN map,
 *	found as a driver finds it: follow_pfnmap_start() (follow_pte()
 *	before 6.12), the lookup VFIO makes for a BAR that a process mapped
 * @addr: in: a virtual address of the caller, in a %VM_IO or %VM_PFNMAP
 *	vma; in no vma (or not a user address), %EFAULT, as VFIO's lookup
 *	gives; in any other vma, %EINVAL, the kernel API's own refusal
 * @flags: out: MMLAB_FOLLOW_*; without %MMLAB_FOLLOW_PRESENT, no entry
 *	maps @addr (a lazily filled mapping not yet touched, or one whose
 *	driver revoked it), and @pfn and @prot are 0. Its value in is
 *	ignored. A huge (PMD or PUD) entry is followed on 6.12 only; the
 *	fallback for older kernels follows 4 KiB entries alone, and mmlab
 *	maps no huge entry in a PFN map there.
 * @reserved: must be zero; %EINVAL otherwise
 * @pfn: out: the page frame @addr falls in
 * @prot: out: the leaf entry's flag bits, pgprot_val(): on x86 a PTE's
 *	low 12 bits (bit 4, PCD, in an uncached mapping; accessed and dirty
 *	as the CPU set them), NX in bit 63 and the protection key; a huge
 *	entry's have its own layout (bit 7 is PSE, PAT moves to bit 12)
 */
struct mmlab_follow {
	__u64 addr;
	__u32 flags;
	__u32 reserved;
	__u64 pfn;
	__u64 prot;
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
#define MMLAB_MM_IOC_FOLLOW	_IOWR(MMLAB_IOC_MAGIC, 0x45, struct mmlab_follow)

#endif /* _UAPI_LINUX_MMLAB_MM_H */
