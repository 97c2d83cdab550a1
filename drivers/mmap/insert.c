// SPDX-License-Identifier: GPL-2.0
/*
 * insert and insert-page: every page is mapped at mmap() time, as with
 * remap_pfn_range(), but as a refcounted struct page: the vma becomes
 * VM_MIXEDMAP, GUP can pin the pages, and MAP_PRIVATE is copied on write.
 *
 * insert uses vm_insert_pages(), which takes the PTE lock once per batch
 * of pages; insert-page calls vm_insert_page() once per page, taking it
 * every time. Both refuse slab, anonymous and typed pages
 * (validate_page_before_insert()), so kmalloc() memory cannot be mapped
 * this way; these map independently allocated order-0 pages.
 */
#include <linux/fs.h>
#include <linux/mm.h>

#include "mmlab.h"

static int mmlab_insert_populate(struct mmlab_buffer *buf,
				 struct vm_area_struct *vma)
{
	unsigned long num = vma_pages(vma);

	/* On failure num is what is left unmapped. */
	return vm_insert_pages(vma, vma->vm_start, buf->pages + vma->vm_pgoff,
			       &num);
}

const struct mmlab_mode mmlab_mode_insert = {
	.name = "insert",
	.kind = MMLAB_BUF_PAGES,
	.vm_ops = &mmlab_populated_vm_ops,
	.map_private = true,
	.populate = mmlab_insert_populate,
};

static int mmlab_insert_page_populate(struct mmlab_buffer *buf,
				      struct vm_area_struct *vma)
{
	unsigned long i;
	int ret;

	for (i = 0; i < vma_pages(vma); i++) {
		ret = vm_insert_page(vma, vma->vm_start + i * PAGE_SIZE,
				     buf->pages[vma->vm_pgoff + i]);
		if (ret)
			return ret;
	}
	return 0;
}

const struct mmlab_mode mmlab_mode_insert_page = {
	.name = "insert-page",
	.kind = MMLAB_BUF_PAGES,
	.vm_ops = &mmlab_populated_vm_ops,
	.map_private = true,
	.populate = mmlab_insert_page_populate,
};
