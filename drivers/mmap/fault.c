// SPDX-License-Identifier: GPL-2.0
/*
 * fault and faultaround: PTEs are written lazily, one per touched page, by
 * the core, from the page that vm_ops->fault hands back in vmf->page.
 *
 * fault maps independently allocated pages (MMLAB_BUF_PAGES), one fault
 * per page. faultaround maps page-cache pages (MMLAB_BUF_PAGECACHE) and adds
 * vm_ops->map_pages: on a read fault the core first asks map_pages to map
 * the pages around the address that are already in memory,
 * fault_around_bytes worth (64 KiB by default), so one fault maps many.
 *
 * Both keep normal, refcounted struct pages in the page tables: the vma
 * is neither VM_PFNMAP nor VM_MIXEDMAP, get_user_pages() can pin the pages,
 * and MAP_PRIVATE works, the core copying a page on the first write.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pagemap.h>

#include "mmlab.h"

/**
 * mmlab_fault() - vm_ops->fault: hand the core the buffer's page
 * @vmf: the fault
 *
 * The page comes from vmf->pgoff, which already includes vm_pgoff: never
 * compute it from vmf->address - vm_start. The page is returned referenced
 * (the reference becomes the PTE's) and locked, as VM_FAULT_LOCKED says.
 *
 * Return: VM_FAULT_LOCKED, or VM_FAULT_SIGBUS past the buffer's end.
 */
vm_fault_t mmlab_fault(struct vm_fault *vmf)
{
	struct mmlab_buffer *buf = mmlab_vma_buffer(vmf->vma);
	struct page *page;

	if (vmf->pgoff >= buf->npages)
		return VM_FAULT_SIGBUS;
	page = buf->pages[vmf->pgoff];
	get_page(page);
	lock_page(page);
	vmf->page = page;
	atomic64_inc(&mmlab_vma_dev(vmf->vma)->faults);
	return VM_FAULT_LOCKED;
}

static const struct vm_operations_struct mmlab_fault_vm_ops = {
	.open = mmlab_vm_open,
	.close = mmlab_vm_close,
	.fault = mmlab_fault,
};

const struct mmlab_mode mmlab_mode_fault = {
	.name = "fault",
	.kind = MMLAB_BUF_PAGES,
	.vm_ops = &mmlab_fault_vm_ops,
	.map_private = true,
};

/*
 * The core's own fault-around for page-cache files. It runs under the RCU
 * read lock and takes the PTE lock itself: nothing here may sleep. It maps
 * only pages that are uptodate, unlocked and inside i_size, and never the
 * faulting page's neighbours outside this vma.
 */
static vm_fault_t mmlab_map_pages(struct vm_fault *vmf, pgoff_t start_pgoff,
				  pgoff_t end_pgoff)
{
	atomic64_inc(&mmlab_vma_dev(vmf->vma)->map_pages_calls);
	return filemap_map_pages(vmf, start_pgoff, end_pgoff);
}

static const struct vm_operations_struct mmlab_faultaround_vm_ops = {
	.open = mmlab_vm_open,
	.close = mmlab_vm_close,
	.fault = mmlab_fault,
	.map_pages = mmlab_map_pages,
};

const struct mmlab_mode mmlab_mode_faultaround = {
	.name = "faultaround",
	.kind = MMLAB_BUF_PAGECACHE,
	.vm_ops = &mmlab_faultaround_vm_ops,
	.map_private = true,
};
