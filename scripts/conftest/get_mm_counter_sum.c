// SPDX-License-Identifier: GPL-2.0
/* get_mm_counter_sum(): the exact RSS count, once the counters became per-CPU. */
#include <linux/mm.h>

unsigned long conftest_get_mm_counter_sum(struct mm_struct *mm);
unsigned long conftest_get_mm_counter_sum(struct mm_struct *mm)
{
	return get_mm_counter_sum(mm, MM_ANONPAGES);
}
