// SPDX-License-Identifier: GPL-2.0
/*
 * mmap by remap_pfn_range(): every PTE of the vma is written at mmap() time,
 * so the vma never faults. The vma becomes VM_IO | VM_PFNMAP: the core
 * treats the PFNs as raw, takes no page references for them and will not
 * let get_user_pages() pin them. The buffer's own kref keeps the memory
 * alive instead, one reference per vma (see mmlab_remap_vm_ops).
 */
#include <linux/fs.h>
#include <linux/mm.h>

#include "compat.h"
#include "mmlab.h"

/* ->open runs for each new vma copied from ours: fork(), split, mremap(). */
static void mmlab_remap_vm_open(struct vm_area_struct *vma)
{
	struct mmlab_buffer *buf = vma->vm_private_data;

	mmlab_buffer_get(buf);
	atomic_inc(&buf->live_vmas);
}

static void mmlab_remap_vm_close(struct vm_area_struct *vma)
{
	struct mmlab_buffer *buf = vma->vm_private_data;

	atomic_dec(&buf->live_vmas);
	mmlab_buffer_put(buf);
}

static const struct vm_operations_struct mmlab_remap_vm_ops = {
	.open = mmlab_remap_vm_open,
	.close = mmlab_remap_vm_close,
};

int mmlab_remap_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mmlab_dev *dev = mmlab_file_dev(file);
	struct mmlab_buffer *buf = dev->buf;
	unsigned long pfn;
	int ret;

	/*
	 * A private mapping would need copy-on-write of raw PFNs, which the
	 * core supports only when vm_pgoff is rewritten to the PFN. Refuse it.
	 * VM_MAYSHARE, not VM_SHARED: the core clears VM_SHARED for a
	 * MAP_SHARED mapping of a file opened read-only.
	 */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;

	/* vm_pgoff comes from userspace: check it against our own size. */
	if (!mmlab_range_ok(vma->vm_pgoff, vma_pages(vma),
			    mmlab_buffer_pages(buf)))
		return -EINVAL;

	pfn = page_to_pfn(virt_to_page(buf->vaddr)) + vma->vm_pgoff;

	/* remap_pfn_range() adds these too; say so here rather than rely on it. */
	vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);

	ret = remap_pfn_range(vma, vma->vm_start, pfn,
			      vma->vm_end - vma->vm_start, vma->vm_page_prot);
	if (ret)
		return ret;

	vma->vm_private_data = buf;
	vma->vm_ops = &mmlab_remap_vm_ops;
	/* The core calls ->open only for copies; take the first vma's ref. */
	mmlab_remap_vm_open(vma);
	atomic64_inc(&dev->mmap_calls);
	return 0;
}
