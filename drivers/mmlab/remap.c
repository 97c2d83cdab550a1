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

#include "compat.h"
#include "mmlab.h"

static const struct vm_operations_struct mmlab_remap_vm_ops = {
	.open = mmlab_vm_open,
	.close = mmlab_vm_close,
};

static int mmlab_remap_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mmlab_buffer *buf = mmlab_file_dev(file)->buf;
	unsigned long pfn;
	int ret;

	/*
	 * No MAP_PRIVATE: copy-on-write of raw PFNs works only if vm_pgoff
	 * is rewritten to the PFN, which would break the offset check.
	 */
	ret = mmlab_mmap_prepare(file, vma, 0);
	if (ret)
		return ret;

	/* remap_pfn_range() adds these too; say so here rather than rely on it. */
	vm_flags_set(vma, VM_IO | VM_PFNMAP);

	pfn = page_to_pfn(buf->pages[0]) + vma->vm_pgoff;
	ret = remap_pfn_range(vma, vma->vm_start, pfn,
			      vma->vm_end - vma->vm_start, vma->vm_page_prot);
	if (ret)
		return ret;

	mmlab_mmap_commit(file, vma, &mmlab_remap_vm_ops);
	return 0;
}

const struct mmlab_mode mmlab_mode_remap = {
	.name = "remap",
	.kind = MMLAB_BUF_CONTIG,
	.mmap = mmlab_remap_mmap,
};
