// SPDX-License-Identifier: GPL-2.0
/*
 * The buddy allocator: blocks of 2^order physically contiguous pages,
 * naturally aligned (the PFN is a multiple of 2^order). With __GFP_COMP a
 * block is a compound page, a folio of that order: a head page and tail
 * pages that point back at it.
 */
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/seq_file.h>

#include <mmlab/compat.h>
#include "alloc.h"

/* Return: the largest order, up to MAX_PAGE_ORDER, that allocates now. */
unsigned int mmlab_buddy_max_order(void)
{
	unsigned int order, max = 0;
	struct page *page;

	for (order = 0; order <= MAX_PAGE_ORDER; order++) {
		page = alloc_pages(GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY,
				   order);
		if (!page)
			break;
		__free_pages(page, order);
		max = order;
	}
	return max;
}
EXPORT_SYMBOL_IF_KUNIT(mmlab_buddy_max_order);

/**
 * mmlab_buddy_compound_ok() - is @head a proper compound page of @order?
 * @head: the first page of an alloc_pages(__GFP_COMP) block
 * @order: its order
 *
 * Return: true when @head is the head of a folio of @order whose every
 * tail page points back at it (for order 0: a plain, non-compound page).
 */
bool mmlab_buddy_compound_ok(struct page *head, unsigned int order)
{
	unsigned long i;

	if (!order)
		return !PageCompound(head);
	if (!PageHead(head) || compound_order(head) != order ||
	    folio_order(page_folio(head)) != order)
		return false;
	for (i = 1; i < 1UL << order; i++) {
		struct page *tail = nth_page(head, i);

		if (!PageTail(tail) || compound_head(tail) != head)
			return false;
	}
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(mmlab_buddy_compound_ok);

int mmlab_buddy_show(struct seq_file *m, void *unused)
{
	unsigned int order, max = mmlab_buddy_max_order();
	struct page *page;
	void *addr;

	seq_printf(m, "order  pages        PFN  aligned  compound (__GFP_COMP)   (largest order now: %u)\n",
		   max);
	for (order = 0; order <= max; order++) {
		page = alloc_pages(GFP_KERNEL | __GFP_COMP | __GFP_NOWARN, order);
		if (!page)
			continue;
		seq_printf(m, "%5u  %5lu  %#9lx  %-7s  %s\n", order, 1UL << order,
			   page_to_pfn(page),
			   page_to_pfn(page) % (1UL << order) ? "NO" : "yes",
			   mmlab_buddy_compound_ok(page, order) ? "head + tails" : "NO");
		__free_pages(page, order);
	}

	addr = (void *)get_zeroed_page(GFP_KERNEL);
	if (!addr)
		return -ENOMEM;
	page = virt_to_page(addr);
	seq_printf(m, "\nget_zeroed_page(): %s\n",
		   memchr_inv(addr, 0, PAGE_SIZE) ? "NOT zeroed" : "zeroed");
	seq_printf(m, "page_address(virt_to_page(addr)) == addr: %s\n",
		   page_address(page) == addr ? "yes" : "NO");
	seq_printf(m, "virt_to_phys(addr) == PFN_PHYS(page_to_pfn(page)): %s\n",
		   virt_to_phys(addr) == PFN_PHYS(page_to_pfn(page)) ? "yes" : "NO");
	free_page((unsigned long)addr);
	return 0;
}
