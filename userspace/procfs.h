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

/* Copy the VmFlags field of /proc/self/smaps for that vma into @flags. */
bool smaps_vmflags(const void *addr, char *flags, size_t len);

/* Does the space-separated VmFlags list @flags contain the two-letter @flag? */
bool vmflags_has(const char *flags, const char *flag);

/*
 * PFN that /proc/self/pagemap reports for @addr: 0 when the page is not
 * present, -1 on error. PFNs read as zero without CAP_SYS_ADMIN.
 */
int64_t pagemap_pfn(const void *addr);

#endif /* MMLAB_PROCFS_H */
