// SPDX-License-Identifier: GPL-2.0
/*
 * Figures of the caller's mm_struct, the same fields /proc/self/stat and
 * /proc/self/status print.
 */
#include <linux/mm.h>
#include <linux/mmlab_mm.h>
#include <linux/sched/mm.h>
#include <linux/uaccess.h>

#include <mmlab/compat.h>
#include "introspect.h"

/* MMLAB_MM_IOC_STAT: see include/uapi/linux/mmlab.h. */
long mmlab_mm_stat(void __user *arg)
{
	struct mm_struct *mm = current->mm;
	struct mmlab_mm_stat s;

	mmap_read_lock(mm);
	s = (struct mmlab_mm_stat) {
		.mm_users = atomic_read(&mm->mm_users),
		.mm_count = atomic_read(&mm->mm_count),
		.map_count = mm->map_count,
		.total_vm = mm->total_vm,
		/* Exact sums, as /proc/self/status prints them. */
		.rss_file = get_mm_counter_sum(mm, MM_FILEPAGES),
		.rss_anon = get_mm_counter_sum(mm, MM_ANONPAGES),
		.rss_shmem = get_mm_counter_sum(mm, MM_SHMEMPAGES),
		.start_code = mm->start_code,
		.end_code = mm->end_code,
		.start_data = mm->start_data,
		.end_data = mm->end_data,
		.start_brk = mm->start_brk,
		.brk = mm->brk,
		.start_stack = mm->start_stack,
		.mmap_base = mm->mmap_base,
	};
	mmap_read_unlock(mm);
	return copy_to_user(arg, &s, sizeof(s)) ? -EFAULT : 0;
}
