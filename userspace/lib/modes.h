/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What each /dev/mmlab-<mode> must do, written down independently of the
 * driver: the probes check the driver against this table, and the kernel's
 * own files (smaps, pagemap) against both.
 */
#ifndef MMLAB_MODES_H
#define MMLAB_MODES_H

#include <stdbool.h>

/* VM_PFNMAP: raw PFNs; no MAP_PRIVATE, no GUP, hidden from pagemap */
#define M_PFNMAP	(1u << 0)
/* VM_MIXEDMAP: pages inserted by the driver, refcounted */
#define M_MIXEDMAP	(1u << 1)
/* VM_IO */
#define M_IO		(1u << 2)
/* every PTE is written at mmap() time: no faults */
#define M_PREFAULT	(1u << 3)
/* VM_DONTCOPY: fork() does not copy the vma */
#define M_DONTCOPY	(1u << 4)
/* vm_ops->map_pages: one read fault maps a fault_around_bytes window */
#define M_FAULTAROUND	(1u << 5)
/* vm_ops->page_mkwrite: writes are tracked, MMLAB_IOC_DIRTY works */
#define M_MKWRITE	(1u << 6)
/*
 * The vma's file is the buffer's shmem file, not the node: maps names it
 * "/mmlab-shmem (deleted)", as shmem names the files of shmem_file_setup()
 */
#define M_SHMEMFILE	(1u << 7)
/*
 * vm_ops->huge_fault: a PMD maps each 2 MiB block of a mapping that covers
 * it, where the kernel allows it (smaps' THPeligible); a buffer of
 * huge_size bytes, not buf_size
 */
#define M_HUGE		(1u << 8)

struct mode {
	const char *name;
	unsigned int flags;
};

enum mode_id {
	MODE_REMAP, MODE_FAULT, MODE_FAULTAROUND, MODE_MKWRITE, MODE_PFN,
	MODE_MIXED, MODE_VMALLOC, MODE_VMALLOC_FAULT, MODE_INSERT,
	MODE_INSERT_PAGE, MODE_SHMEM, MODE_HUGE, MODE_COUNT,
};

static const struct mode modes[MODE_COUNT] = {
	[MODE_REMAP] =		{ "remap",	M_PFNMAP | M_IO | M_PREFAULT },
	[MODE_FAULT] =		{ "fault",	0 },
	[MODE_FAULTAROUND] =	{ "faultaround", M_FAULTAROUND },
	[MODE_MKWRITE] =	{ "mkwrite",	M_MKWRITE },
	[MODE_PFN] =		{ "pfn",	M_PFNMAP | M_IO },
	[MODE_MIXED] =		{ "mixed",	M_MIXEDMAP },
	[MODE_VMALLOC] =	{ "vmalloc",	M_MIXEDMAP | M_PREFAULT },
	[MODE_VMALLOC_FAULT] =	{ "vmalloc-fault", 0 },
	[MODE_INSERT] =		{ "insert",	M_MIXEDMAP | M_PREFAULT },
	[MODE_INSERT_PAGE] =	{ "insert-page", M_MIXEDMAP | M_PREFAULT },
	[MODE_SHMEM] =		{ "shmem",	M_SHMEMFILE },
	[MODE_HUGE] =		{ "huge",	M_PFNMAP | M_IO | M_HUGE },
};

static inline bool has(const struct mode *m, unsigned int flag)
{
	return m->flags & flag;
}

/* The module parameter that sets the size of the mode's buffer. */
static inline const char *size_param(const struct mode *m)
{
	return has(m, M_HUGE) ? "/sys/module/mmlab/parameters/huge_size" :
				"/sys/module/mmlab/parameters/buf_size";
}

/* Faults through the driver's vm_ops->fault, one per page touched. */
static inline bool lazy(const struct mode *m)
{
	return !has(m, M_PREFAULT);
}

#endif /* MMLAB_MODES_H */
