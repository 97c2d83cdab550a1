// SPDX-License-Identifier: GPL-2.0
/*
 * kmap_local_page(): a short-lived kernel mapping of any page, highmem or
 * not, valid in this thread until kunmap_local(); nested mappings are
 * undone in reverse order. On 64-bit kernels there is no highmem and every
 * page already has a direct-map address, which kmap_local_page(), kmap()
 * and kmap_atomic() return.
 */
#include <linux/highmem.h>
#include <linux/seq_file.h>
#include <linux/string_helpers.h>

#include <mmlab/compat.h>
#include "alloc.h"

/**
 * mmlab_kmap_copy() - copy bytes between two pages through kmap_local_page()
 * @dst: destination page, which may also be mapped to userspace
 * @src: source page
 * @offset: offset in both pages
 * @len: bytes
 *
 * Return: 0, or -EINVAL if the range leaves the page.
 */
int mmlab_kmap_copy(struct page *dst, struct page *src, size_t offset,
		    size_t len)
{
	void *s, *d;

	if (offset > PAGE_SIZE || len > PAGE_SIZE - offset)
		return -EINVAL;
	s = kmap_local_page(src);
	d = kmap_local_page(dst);
	memcpy(d + offset, s + offset, len);
	/* Stack order: the last mapped is the first unmapped. */
	kunmap_local(d);
	kunmap_local(s);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mmlab_kmap_copy);

int mmlab_kmap_show(struct seq_file *m, void *unused)
{
	struct page *page = alloc_page(GFP_KERNEL);
	void *local;

	if (!page)
		return -ENOMEM;
	seq_printf(m, "PageHighMem: %s (CONFIG_HIGHMEM %s)\n",
		   str_yes_no(PageHighMem(page)),
		   IS_ENABLED(CONFIG_HIGHMEM) ? "y" : "n");
	local = kmap_local_page(page);
	seq_printf(m, "kmap_local_page() == page_address(): %s\n",
		   local == page_address(page) ? "yes" : "NO");
	kunmap_local(local);
	__free_page(page);
	return 0;
}
