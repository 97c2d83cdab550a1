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

static const struct vm_operations_struct mmlab_insert_vm_ops = {
	.open = mmlab_vm_open,
	.close = mmlab_vm_close,
};

static int mmlab_insert_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mmlab_buffer *buf = mmlab_file_dev(file)->buf;
	unsigned long num = vma_pages(vma);
	int ret = mmlab_mmap_prepare(file, vma, MMLAB_MAP_PRIVATE_OK);

	if (ret)
		return ret;
	/* On failure num is what is left; the core unmaps what was mapped. */
	ret = vm_insert_pages(vma, vma->vm_start, buf->pages + vma->vm_pgoff,
			      &num);
	if (ret)
		return ret;
	mmlab_mmap_commit(file, vma, &mmlab_insert_vm_ops);
	return 0;
}

const struct mmlab_mode mmlab_mode_insert = {
	.name = "insert",
	.kind = MMLAB_BUF_PAGES,
	.mmap = mmlab_insert_mmap,
};

static int mmlab_insert_page_mmap(struct file *file,
				  struct vm_area_struct *vma)
{
	struct mmlab_buffer *buf = mmlab_file_dev(file)->buf;
	unsigned long i;
	int ret = mmlab_mmap_prepare(file, vma, MMLAB_MAP_PRIVATE_OK);

	if (ret)
		return ret;
	for (i = 0; i < vma_pages(vma); i++) {
		ret = vm_insert_page(vma, vma->vm_start + i * PAGE_SIZE,
				     buf->pages[vma->vm_pgoff + i]);
		if (ret)
			return ret;
	}
	mmlab_mmap_commit(file, vma, &mmlab_insert_vm_ops);
	return 0;
}

const struct mmlab_mode mmlab_mode_insert_page = {
	.name = "insert-page",
	.kind = MMLAB_BUF_PAGES,
	.mmap = mmlab_insert_page_mmap,
};
