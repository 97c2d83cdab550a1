// SPDX-License-Identifier: GPL-2.0
/*
 * GFP flags say where an allocation may come from and what it may do to
 * get memory: GFP_KERNEL may sleep and reclaim, so never under a spinlock;
 * GFP_ATOMIC never sleeps; GFP_DMA32 takes memory below 4 GiB for devices
 * with 32-bit DMA; __GFP_ZERO clears it.
 */
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>

#include <mmlab/compat.h>
#include "alloc.h"

static DEFINE_SPINLOCK(mmlab_gfp_lock);

/**
 * mmlab_alloc_atomic_locked() - allocate a page with a spinlock held
 *
 * Sleeping here is a bug (CONFIG_DEBUG_ATOMIC_SLEEP reports it): only a
 * non-sleeping allocation, GFP_ATOMIC, is allowed.
 *
 * Return: the page, or NULL.
 */
struct page *mmlab_alloc_atomic_locked(void)
{
	struct page *page;

	spin_lock(&mmlab_gfp_lock);
	page = alloc_page(GFP_ATOMIC | __GFP_NOWARN);
	spin_unlock(&mmlab_gfp_lock);
	return page;
}
EXPORT_SYMBOL_IF_KUNIT(mmlab_alloc_atomic_locked);

int mmlab_gfp_show(struct seq_file *m, void *unused)
{
	struct page *page = mmlab_alloc_atomic_locked();

	seq_printf(m, "GFP_ATOMIC under a spinlock: %s\n",
		   page ? "allocated" : "NULL");
	if (page)
		__free_page(page);

	page = alloc_page(GFP_KERNEL | GFP_DMA32);
	if (page) {
		seq_printf(m, "GFP_DMA32: phys %pa, zone %s\n",
			   &(phys_addr_t){ page_to_phys(page) },
			   page_zone(page)->name);
		__free_page(page);
	}
	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (page) {
		seq_printf(m, "__GFP_ZERO: %s\n",
			   memchr_inv(page_address(page), 0, PAGE_SIZE) ?
			   "NOT zeroed" : "zeroed");
		__free_page(page);
	}
	return 0;
}
