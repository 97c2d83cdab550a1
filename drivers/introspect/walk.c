// SPDX-License-Identifier: GPL-2.0
/*
 * A page-table walk of the caller's mm, pgd to pte, as the MMU does it.
 *
 * What keeps each level alive while it is read:
 * - The mmap read lock, and a vma covering the address: munmap() detaches
 *   the vmas under the write lock and frees their page tables after it
 *   has downgraded to the read lock, so a walk must not trust any table
 *   outside a vma it found under the lock it holds.
 * - RCU, for a PTE table: khugepaged and MADV_COLLAPSE (6.5 and later)
 *   free a PTE table with only the mmap read lock held, after an RCU grace
 *   period. The PMD that points at it is read inside the RCU section, and
 *   checked again under the table's lock, as pte_offset_map_lock() does
 *   (on 6.12 it is not exported to modules).
 * - The PMD lock, for a huge PMD, which splitting takes too.
 * x86-64: the flag bits are the hardware's.
 */
#include <linux/mm.h>
#include <linux/mmlab_mm.h>
#include <linux/pgtable.h>
#include <linux/rcupdate.h>
#include <linux/uaccess.h>

#include "introspect.h"

static void entry(struct mmlab_walk *w, int level, u64 raw, bool present,
		  bool leaf)
{
	w->entry[level].raw = raw;
	w->entry[level].present = present;
	w->entry[level].leaf = present && leaf;
}

/* The leaf maps @size bytes from @pfn; @addr falls in one of its pages. */
static void leaf(struct mmlab_walk *w, unsigned long flags, unsigned long pfn,
		 unsigned long size)
{
	w->pfn = pfn + ((w->addr & (size - 1)) >> PAGE_SHIFT);
	w->page_size = size;
	w->flags = MMLAB_PT_PRESENT;
	if (flags & _PAGE_RW)
		w->flags |= MMLAB_PT_WRITE;
	if (flags & _PAGE_USER)
		w->flags |= MMLAB_PT_USER;
	if (flags & _PAGE_DIRTY)
		w->flags |= MMLAB_PT_DIRTY;
	if (flags & _PAGE_ACCESSED)
		w->flags |= MMLAB_PT_ACCESSED;
	if (flags & _PAGE_NX)
		w->flags |= MMLAB_PT_NX;
	if (flags & _PAGE_SPECIAL)
		w->flags |= MMLAB_PT_SPECIAL;
	if (size > PAGE_SIZE)
		w->flags |= MMLAB_PT_HUGE;
}

static void walk(struct mm_struct *mm, struct mmlab_walk *w)
{
	unsigned long addr = w->addr;
	spinlock_t *ptl;	/* the PMD's, then the PTE table's */
	pgd_t *pgd, pgdv;
	p4d_t *p4d, p4dv;
	pud_t *pud, pudv;
	pmd_t *pmd, pmdv;
	pte_t *pte, ptev;

	pgd = pgd_offset(mm, addr);
	pgdv = READ_ONCE(*pgd);
	entry(w, MMLAB_PGD, pgd_val(pgdv), pgd_present(pgdv), false);
	if (!pgd_present(pgdv))
		return;
	/* With 4-level paging the p4d is the pgd entry itself. */
	p4d = p4d_offset(pgd, addr);
	p4dv = READ_ONCE(*p4d);
	entry(w, MMLAB_P4D, p4d_val(p4dv), p4d_present(p4dv), false);
	if (!p4d_present(p4dv))
		return;
	pud = pud_offset(p4d, addr);
	pudv = READ_ONCE(*pud);
	entry(w, MMLAB_PUD, pud_val(pudv), pud_present(pudv), pud_leaf(pudv));
	if (!pud_present(pudv))
		return;
	if (pud_leaf(pudv)) {
		leaf(w, pud_flags(pudv), pud_pfn(pudv), PUD_SIZE);
		return;
	}

	pmd = pmd_offset(pud, addr);
	/*
	 * From the read of the PMD to the unlock of the PTE table it points
	 * at: a table freed meanwhile stays readable until the grace period.
	 */
	rcu_read_lock();
	pmdv = READ_ONCE(*pmd);
	if (pmd_leaf(pmdv)) {
		/* A huge PMD is stable under its lock; splitting takes it too. */
		ptl = pmd_lock(mm, pmd);
		pmdv = *pmd;
		spin_unlock(ptl);
	}
	entry(w, MMLAB_PMD, pmd_val(pmdv), pmd_present(pmdv), pmd_leaf(pmdv));
	if (!pmd_present(pmdv))
		goto out;
	if (pmd_leaf(pmdv)) {
		leaf(w, pmd_flags(pmdv), pmd_pfn(pmdv), PMD_SIZE);
		goto out;
	}

	ptl = pte_lockptr(mm, &pmdv);
	spin_lock(ptl);
	/* The table may have been freed or replaced since we read the PMD. */
	if (pmd_same(pmdv, READ_ONCE(*pmd))) {
		pte = pte_offset_kernel(&pmdv, addr);
		ptev = ptep_get(pte);
		entry(w, MMLAB_PTE, pte_val(ptev), pte_present(ptev), true);
		if (pte_present(ptev))
			leaf(w, pte_flags(ptev), pte_pfn(ptev), PAGE_SIZE);
	}
	spin_unlock(ptl);
out:
	rcu_read_unlock();
}

/* MMLAB_MM_IOC_WALK: see include/uapi/linux/mmlab.h. */
long mmlab_mm_walk(void __user *arg)
{
	struct mm_struct *mm = current->mm;
	struct mmlab_walk w = {};

	if (get_user(w.addr, (u64 __user *)arg))
		return -EFAULT;
	w.levels = pgtable_l5_enabled() ? 5 : 4;
	if (w.addr < TASK_SIZE) {
		mmap_read_lock(mm);
		/* No vma, no page tables to trust: munmap() may be freeing them. */
		if (vma_lookup(mm, w.addr))
			walk(mm, &w);
		mmap_read_unlock(mm);
	}
	return copy_to_user(arg, &w, sizeof(w)) ? -EFAULT : 0;
}
