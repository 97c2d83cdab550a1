/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's own view of this process's memory, read from /proc/self:
 * the independent truth the probes compare mmlab against.
 */
#ifndef MMLAB_PROCFS_H
#define MMLAB_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Copy the /proc/self/maps line of the vma containing @addr into @line. */
bool maps_line(const void *addr, char *line, size_t len);

/*
 * Copy the value of field @key ("VmFlags", "Anonymous", ...) of the
 * /proc/self/smaps entry of the vma containing @addr into @val.
 */
bool smaps_field(const void *addr, const char *key, char *val, size_t len);

/* A "NNN kB" field of smaps, in kB, or -1. */
long smaps_kb(const void *addr, const char *key);

/* Does the space-separated VmFlags list @flags contain the two-letter @flag? */
bool vmflags_has(const char *flags, const char *flag);

/* The bits of a pagemap entry (Documentation/admin-guide/mm/pagemap.rst). */
#define PM_PRESENT	(1ULL << 63)
#define PM_SWAP		(1ULL << 62)
#define PM_FILE		(1ULL << 61)
#define PM_PFN_MASK	((1ULL << 55) - 1)

/*
 * PFN that /proc/self/pagemap reports for @addr: 0 when the page is not
 * present, -1 on error. PFNs read as zero without CAP_SYS_ADMIN.
 */
int64_t pagemap_pfn(const void *addr);

/* The whole /proc/self/pagemap entry of @addr; -1 on error. */
int64_t pagemap_entry(const void *addr);

/* A field of /proc/meminfo ("Shmem:", "SwapFree:"), in kB, or -1. */
long meminfo_kb(const char *key);

/*
 * Free pages as the kernel counts them: the buddy allocator's
 * (nr_free_pages in /proc/vmstat) plus those waiting on the per-CPU lists
 * ("count:" in /proc/zoneinfo), where freed pages go first. -1 on error.
 */
long free_pages(void);

/* Pages held by slab caches (/proc/vmstat nr_slab_*), or -1. */
long slab_pages(void);

/*
 * Wait until this process has @n threads (Threads: in /proc/self/status).
 * pthread_join() returns when the thread has cleared its tid, before it
 * has left the mm (mmput()) and the thread group: wait for that state.
 * False if it is not reached within seconds.
 */
bool wait_threads(long n);

/* A counter of /proc/vmstat ("nr_foll_pin_acquired"), or -1. */
long read_vmstat(const char *key);

/* The first number in a file, or -1. */
long read_number(const char *path);

/*
 * The counter @key of /sys/kernel/debug/mmlab/@mode, the driver's own
 * "name value" lines (drivers/mmap/debugfs.c); -1 if there is none.
 */
long mmlab_debugfs_counter(const char *mode, const char *key);

/*
 * Is transparent huge page support built in? Its sysfs directory exists
 * exactly then (CONFIG_TRANSPARENT_HUGEPAGE, which PREEMPT_RT excludes).
 */
bool kernel_has_thp(void);

#endif /* MMLAB_PROCFS_H */
