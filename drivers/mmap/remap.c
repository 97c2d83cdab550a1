// SPDX-License-Identifier: GPL-2.0
/*
 * remap: every PTE of the vma is written at mmap() time by
 * remap_pfn_range(), so the vma never faults. The vma becomes
 * VM_IO | VM_PFNMAP: the core treats the PFNs as raw, takes no page
 * references for them, and get_user_pages() will not pin them. The
 * buffer's own kref keeps the memory alive instead, one reference per vma.
 */
#include <linux/fs.h>
#include <linux/mm.h>

#include "mmlab.h"

static int mmlab_remap_populate(struct mmlab_buffer *buf,
				struct vm_area_struct *vma)
{
	unsigned long pfn = page_to_pfn(buf->pages[0]) + vma->vm_pgoff;

	return remap_pfn_range(vma, vma->vm_start, pfn,
			       vma->vm_end - vma->vm_start, vma->vm_page_prot);
}

/*
 * No MAP_PRIVATE: copy-on-write of raw PFNs works only if vm_pgoff is
 * rewritten to the PFN, which would break the offset check. VM_IO and
 * VM_PFNMAP: remap_pfn_range() sets them too; say so here rather than rely
 * on it.
 */
const struct mmlab_mode mmlab_mode_remap = {
	.name = "remap",
	.kind = MMLAB_BUF_CONTIG,
	.vm_ops = &mmlab_populated_vm_ops,
	.vm_flags = VM_IO | VM_PFNMAP,
	.populate = mmlab_remap_populate,
};
