// SPDX-License-Identifier: GPL-2.0
/* follow_pte() of a vma, v6.10 and v6.11; before, it took the mm. */
#include <linux/mm.h>

int conftest_follow_pte_vma(struct vm_area_struct *vma, unsigned long addr);
int conftest_follow_pte_vma(struct vm_area_struct *vma, unsigned long addr)
{
	spinlock_t *ptl;	/* the PTE table's */
	pte_t *ptep;
	int ret = follow_pte(vma, addr, &ptep, &ptl);

	if (!ret)
		pte_unmap_unlock(ptep, ptl);
	return ret;
}
