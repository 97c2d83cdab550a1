// SPDX-License-Identifier: GPL-2.0
/*
 * The page frame behind a user address in a PFN map, found the way a
 * driver that must reach another driver's mapping finds it (VFIO, for a
 * BAR mapped by another process or device): follow_pfnmap_start() and
 * follow_pfnmap_end() on v6.12, follow_pte() before (include/mmlab/compat.h).
 *
 * The API refuses what it cannot follow safely: a vma that is neither
 * VM_IO nor VM_PFNMAP, whose pages are refcounted and would need
 * get_user_pages() and an MMU notifier instead. The mmap read lock keeps
 * the vma and its page tables; the entry's lock (the PTE table's, or the
 * PMD's or PUD's for a huge entry on 6.12), held from start to end, the
 * entry. What is read is only good until then: a caller that used the PFN
 * later would need to hear of an unmap (MMU notifiers), which a report to
 * userspace does not.
 */
#include <linux/mm.h>
#include <linux/mmlab_mm.h>
#include <linux/uaccess.h>

#include <mmlab/compat.h>
#include "introspect.h"

/* MMLAB_MM_IOC_FOLLOW: see include/uapi/linux/mmlab_mm.h. */
long mmlab_mm_follow(void __user *arg)
{
	struct follow_pfnmap_args args = {};
	struct mm_struct *mm = current->mm;
	struct mmlab_follow f;
	int ret = 0;

	if (copy_from_user(&f, arg, sizeof(f)))
		return -EFAULT;
	if (f.reserved)
		return -EINVAL;
	f.flags = 0;
	f.pfn = 0;
	f.prot = 0;
	if (f.addr >= TASK_SIZE)
		return -EFAULT;

	mmap_read_lock(mm);
	args.vma = vma_lookup(mm, f.addr);
	args.address = f.addr;
	if (!args.vma) {
		ret = -EFAULT;
	} else if (!follow_pfnmap_start(&args)) {
		f.flags = MMLAB_FOLLOW_PRESENT;
		if (args.writable)
			f.flags |= MMLAB_FOLLOW_WRITE;
		if (args.special)
			f.flags |= MMLAB_FOLLOW_SPECIAL;
		f.pfn = args.pfn;
		f.prot = pgprot_val(args.pgprot);
		follow_pfnmap_end(&args);
	} else if (!(args.vma->vm_flags & (VM_IO | VM_PFNMAP))) {
		/* The API's own refusal of a vma it cannot follow. */
		ret = -EINVAL;
	}
	/* Else a PFN map with no entry at @addr: not present. */
	mmap_read_unlock(mm);
	if (ret)
		return ret;
	return copy_to_user(arg, &f, sizeof(f)) ? -EFAULT : 0;
}
