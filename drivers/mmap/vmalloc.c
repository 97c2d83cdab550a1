// SPDX-License-Identifier: GPL-2.0
/*
 * vmalloc and vmalloc-fault: a buffer from vmalloc_user(), whose pages are
 * scattered in physical memory and contiguous only in the kernel's vmalloc
 * area.
 *
 * vmalloc maps it all at mmap() time with remap_vmalloc_range(), which
 * inserts each page with vm_insert_page() (so the vma is VM_MIXEDMAP) and
 * accepts only areas marked VM_USERMAP, as vmalloc_user() marks them.
 *
 * vmalloc-fault maps it lazily: the fault handler finds the page with
 * vmalloc_to_page() and hands it back referenced but unlocked (return 0),
 * the other convention of vm_ops->fault: the core locks it.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>

#include "mmlab.h"

static int mmlab_vmalloc_populate(struct mmlab_buffer *buf,
				  struct vm_area_struct *vma)
{
	return remap_vmalloc_range(vma, buf->vaddr, vma->vm_pgoff);
}

const struct mmlab_mode mmlab_mode_vmalloc = {
	.name = "vmalloc",
	.kind = MMLAB_BUF_VMALLOC,
	.vm_ops = &mmlab_populated_vm_ops,
	.map_private = true,
	.populate = mmlab_vmalloc_populate,
};

static vm_fault_t mmlab_vmalloc_fault(struct vm_fault *vmf)
{
	struct mmlab_buffer *buf = mmlab_vma_buffer(vmf->vma);
	struct page *page;

	if (vmf->pgoff >= buf->npages)
		return VM_FAULT_SIGBUS;
	page = vmalloc_to_page(buf->vaddr + (vmf->pgoff << PAGE_SHIFT));
	get_page(page);
	vmf->page = page;
	atomic64_inc(&mmlab_vma_dev(vmf->vma)->faults);
	return 0;
}

static const struct vm_operations_struct mmlab_vmalloc_fault_vm_ops = {
	.open = mmlab_vm_open,
	.close = mmlab_vm_close,
	.fault = mmlab_vmalloc_fault,
};

const struct mmlab_mode mmlab_mode_vmalloc_fault = {
	.name = "vmalloc-fault",
	.kind = MMLAB_BUF_VMALLOC,
	.vm_ops = &mmlab_vmalloc_fault_vm_ops,
	.map_private = true,
};
