// SPDX-License-Identifier: GPL-2.0
/* follow_pfnmap_start()/_end(), v6.12: they replaced follow_pte(). */
#include <linux/mm.h>

int conftest_follow_pfnmap(struct vm_area_struct *vma, unsigned long addr);
int conftest_follow_pfnmap(struct vm_area_struct *vma, unsigned long addr)
{
	struct follow_pfnmap_args args = { .vma = vma, .address = addr };
	int ret = follow_pfnmap_start(&args);

	if (!ret)
		follow_pfnmap_end(&args);
	return ret;
}
