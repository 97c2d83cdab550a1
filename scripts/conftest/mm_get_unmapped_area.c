// SPDX-License-Identifier: GPL-2.0
/* mm_get_unmapped_area(), v6.10: it replaced mm->get_unmapped_area(). */
#include <linux/fs.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>

unsigned long conftest_get_area(struct file *file, unsigned long addr,
				unsigned long len, unsigned long pgoff,
				unsigned long flags);
unsigned long conftest_get_area(struct file *file, unsigned long addr,
				unsigned long len, unsigned long pgoff,
				unsigned long flags)
{
	return mm_get_unmapped_area(current->mm, file, addr, len, pgoff, flags);
}
