// SPDX-License-Identifier: GPL-2.0
/*
 * kmalloc(): small objects from the kmalloc-N slab caches, larger ones
 * straight from the page allocator; either way physically contiguous, in
 * the direct map, so virt_to_phys() works on every byte.
 */
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include <mmlab/compat.h>
#include "alloc.h"

/**
 * mmlab_phys_contiguous() - is this kernel-virtual range physically contiguous?
 * @addr: a direct-map address (kmalloc(), page_address())
 * @size: bytes
 *
 * Return: true when, page by page, virt_to_phys() moves as far as the
 * virtual address does.
 */
bool mmlab_phys_contiguous(void *addr, size_t size)
{
	phys_addr_t base = virt_to_phys(addr);
	size_t off;

	for (off = PAGE_SIZE - offset_in_page(addr); off < size; off += PAGE_SIZE)
		if (virt_to_phys(addr + off) != base + off)
			return false;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(mmlab_phys_contiguous);

/**
 * mmlab_kmalloc_bucket() - the size kmalloc() really hands out for @size
 * @size: the request
 *
 * Return: ksize() of a fresh allocation (the kmalloc-N cache it came from,
 * or the page-allocator block behind a large one), or 0.
 */
size_t mmlab_kmalloc_bucket(size_t size)
{
	void *p = kmalloc(size, GFP_KERNEL);
	size_t real;

	if (!p)
		return 0;
	real = ksize(p);
	kfree(p);
	return real;
}
EXPORT_SYMBOL_IF_KUNIT(mmlab_kmalloc_bucket);

int mmlab_kmalloc_show(struct seq_file *m, void *unused)
{
	static const size_t sizes[] = { 1, 8, 100, 1000, 4096, 5000,
					3 * PAGE_SIZE + 1 };
	size_t i, n = SIZE_MAX / 2;
	void *p;

	seq_puts(m, "request  kmalloc_size_roundup  physically contiguous\n");
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		p = kmalloc(sizes[i], GFP_KERNEL);
		if (!p)
			continue;
		seq_printf(m, "%7zu  %20zu  %s\n", sizes[i],
			   kmalloc_size_roundup(sizes[i]),
			   mmlab_phys_contiguous(p, sizes[i]) ? "yes" : "NO");
		kfree(p);
	}
	seq_printf(m, "KMALLOC_MAX_SIZE %lu; one byte more: %s\n",
		   (unsigned long)KMALLOC_MAX_SIZE,
		   (p = kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL | __GFP_NOWARN)) ?
		   "allocated" : "NULL");
	kfree(p);
	p = kcalloc(n, 4, GFP_KERNEL);
	seq_printf(m, "kcalloc(%zu, 4): %s (the multiplication overflows)\n", n,
		   p ? "allocated" : "NULL");
	kfree(p);
	return 0;
}
