// SPDX-License-Identifier: GPL-2.0
/*
 * vmalloc(): virtually contiguous memory in [VMALLOC_START, VMALLOC_END),
 * built from order-0 pages that need not be physically contiguous; vmap()
 * gives the same contiguous view of any array of pages; kvmalloc() tries
 * kmalloc() first and falls back to vmalloc() for large sizes.
 */
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <mmlab/compat.h>
#include "alloc.h"

/**
 * mmlab_vmalloc_pages() - the pages behind a vmalloc'd or vmap'd range
 * @addr: start of the range
 * @n: pages
 * @pages: filled with page i of the range
 *
 * Return: 0, or -EINVAL if a page of the range is not mapped.
 */
int mmlab_vmalloc_pages(const void *addr, unsigned long n,
			struct page **pages)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		pages[i] = vmalloc_to_page(addr + i * PAGE_SIZE);
		if (!pages[i])
			return -EINVAL;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mmlab_vmalloc_pages);

/* Return: how many times the PFN does not follow its predecessor's. */
unsigned long mmlab_phys_breaks(struct page **pages, unsigned long n)
{
	unsigned long i, breaks = 0;

	for (i = 1; i < n; i++)
		if (page_to_pfn(pages[i]) != page_to_pfn(pages[i - 1]) + 1)
			breaks++;
	return breaks;
}
EXPORT_SYMBOL_IF_KUNIT(mmlab_phys_breaks);

#define SHOW_PAGES	64

int mmlab_vmalloc_show(struct seq_file *m, void *unused)
{
	struct page **pages;
	void *addr, *small, *large;

	pages = kcalloc(SHOW_PAGES, sizeof(*pages), GFP_KERNEL);
	addr = vmalloc(SHOW_PAGES * PAGE_SIZE);
	if (!pages || !addr || mmlab_vmalloc_pages(addr, SHOW_PAGES, pages)) {
		vfree(addr);
		kfree(pages);
		return -ENOMEM;
	}
	seq_printf(m, "vmalloc(%d pages): in [VMALLOC_START, VMALLOC_END): %s, is_vmalloc_addr(): %s\n",
		   SHOW_PAGES,
		   (unsigned long)addr >= VMALLOC_START &&
		   (unsigned long)addr < VMALLOC_END ? "yes" : "NO",
		   is_vmalloc_addr(addr) ? "yes" : "NO");
	seq_printf(m, "  PFNs of pages 0..3: %#lx %#lx %#lx %#lx; %lu breaks in %d pages\n",
		   page_to_pfn(pages[0]), page_to_pfn(pages[1]),
		   page_to_pfn(pages[2]), page_to_pfn(pages[3]),
		   mmlab_phys_breaks(pages, SHOW_PAGES), SHOW_PAGES);
	vfree(addr);
	kfree(pages);

	small = kvmalloc(64, GFP_KERNEL);
	large = kvmalloc(KMALLOC_MAX_SIZE * 2, GFP_KERNEL);
	seq_printf(m, "kvmalloc(64): %s; kvmalloc(2 * KMALLOC_MAX_SIZE): %s\n",
		   small ? (is_vmalloc_addr(small) ? "vmalloc" : "kmalloc") : "NULL",
		   large ? (is_vmalloc_addr(large) ? "vmalloc" : "kmalloc") : "NULL");
	kvfree(small);
	kvfree(large);
	return 0;
}
