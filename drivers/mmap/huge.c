// SPDX-License-Identifier: GPL-2.0
/*
 * huge: a buffer of PMD-sized blocks, each mapped by a single PMD, as
 * vfio-pci maps a large BAR since v6.12: one fault, one entry and one TLB
 * entry for 2 MiB on x86-64, where the other modes take 512 of each.
 *
 * Three things make it work, each of which can fail to apply, and then the
 * mode maps PTEs one page at a time, as the pfn mode does:
 *
 * - ->get_unmapped_area places the mapping so that the buffer's blocks fall
 *   on PMD boundaries: thp_get_unmapped_area() returns an address congruent
 *   with the file offset modulo PMD_SIZE. A MAP_FIXED address, a free hint
 *   address, a mapping that holds no whole block, and any address for a
 *   32-bit caller (in_compat_syscall(): its address space is too small to
 *   spend on alignment) are taken as they are.
 * - The core calls vm_ops->huge_fault() for an empty PMD, or for a write to
 *   a read-only one in a shared vma, only where __thp_vma_allowable_orders()
 *   allows huge entries in the vma. For a file vma that has ->huge_fault,
 *   v6.12 allows them, unless MADV_NOHUGEPAGE, PR_SET_THP_DISABLE or the
 *   hardware says no, and if the THP policy in sysfs says yes, which
 *   Debian's 6.12 does not ask of a VM_PFNMAP vma; v6.1 refuses every
 *   VM_PFNMAP or VM_MIXEDMAP vma but DAX's (VM_NO_KHUGEPAGED). smaps'
 *   THPeligible line shows the answer.
 * - vmf_insert_pfn_pmd() marks the entry special (pmd_mkspecial()), where
 *   the architecture has a special PMD (CONFIG_ARCH_SUPPORTS_PMD_PFNMAP,
 *   v6.12): without it the core would take the block for a transparent huge
 *   page with struct pages it may use, so the mode then maps no PMD.
 *
 * The core splits a PMD that munmap() or mprotect() cuts through by
 * zapping it (__split_huge_pmd() of a special vma): the pages left in the
 * vma fault back in through ->fault, one PTE each.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pfn_t.h>

#include <mmlab/compat.h>
#include "mmlab.h"

static vm_fault_t mmlab_huge_fault(struct vm_fault *vmf, huge_fault_arg_t arg)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mmlab_buffer *buf = mmlab_vma_buffer(vma);
	unsigned long haddr = vmf->address & PMD_MASK;
	pgoff_t pgoff;
	vm_fault_t ret;

	if (!mmlab_pmd_pfnmap() || huge_fault_order(arg) != PMD_ORDER ||
	    !mmlab_pmd_fits(vma->vm_start, vma->vm_end, vma->vm_pgoff,
			    vmf->address, buf->npages))
		return VM_FAULT_FALLBACK;
	pgoff = vma->vm_pgoff + ((haddr - vma->vm_start) >> PAGE_SHIFT);
	ret = vmf_insert_pfn_pmd(vmf, pfn_to_pfn_t(page_to_pfn(buf->pages[pgoff])),
				 vmf->flags & FAULT_FLAG_WRITE);
	if (ret == VM_FAULT_NOPAGE) {
		atomic64_inc(&mmlab_vma_dev(vma)->faults);
		/* Not a write that made an existing PMD writable. */
		if (pmd_none(vmf->orig_pmd))
			atomic64_inc(&mmlab_vma_dev(vma)->huge_faults);
	}
	return ret;
}

static const struct vm_operations_struct mmlab_huge_vm_ops = {
	.open = mmlab_vm_open,
	.close = mmlab_vm_close,
	.fault = mmlab_pfn_fault,
	.huge_fault = mmlab_huge_fault,
};

/* thp_get_unmapped_area() is NULL without transparent huge pages. */
static unsigned long mmlab_huge_get_unmapped_area(struct file *file,
						  unsigned long addr,
						  unsigned long len,
						  unsigned long pgoff,
						  unsigned long flags)
{
#ifdef CONFIG_TRANSPARENT_HUGEPAGE
	return thp_get_unmapped_area(file, addr, len, pgoff, flags);
#else
	return mm_get_unmapped_area(current->mm, file, addr, len, pgoff, flags);
#endif
}

/*
 * VM_PFNMAP, as vmf_insert_pfn_pmd() needs it (or VM_MIXEDMAP) for memory
 * that is not DAX's; and so no MAP_PRIVATE, as for the pfn mode.
 */
const struct mmlab_mode mmlab_mode_huge = {
	.name = "huge",
	.kind = MMLAB_BUF_HUGE,
	.vm_ops = &mmlab_huge_vm_ops,
	.vm_flags = VM_IO | VM_PFNMAP,
	.get_unmapped_area = mmlab_huge_get_unmapped_area,
};
