// SPDX-License-Identifier: GPL-2.0
/*
 * A slab cache of our own: fixed-size objects, aligned as asked, built once
 * by a constructor when their slab is created (not on every allocation),
 * and recycled from per-CPU freelists after kmem_cache_free().
 */
#include <linux/cache.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../mmlab/compat.h"
#include "alloc.h"

static void mmlab_slab_ctor(void *obj)
{
	memset(obj, MMLAB_SLAB_CTOR_BYTE, MMLAB_SLAB_OBJ_SIZE);
}

/**
 * mmlab_slab_cache_create() - the demonstration cache
 * @name: its name in /proc/slabinfo
 *
 * A cache with a constructor is never merged with another, so it shows
 * under its own name in /proc/slabinfo for as long as it lives.
 *
 * Return: the cache, or NULL.
 */
struct kmem_cache *mmlab_slab_cache_create(const char *name)
{
	return kmem_cache_create(name, MMLAB_SLAB_OBJ_SIZE, MMLAB_SLAB_ALIGN,
				 SLAB_HWCACHE_ALIGN, mmlab_slab_ctor);
}
EXPORT_SYMBOL_IF_KUNIT(mmlab_slab_cache_create);

int mmlab_slab_show(struct seq_file *m, void *unused)
{
	struct kmem_cache *cache = mmlab_slab_cache_create("mmlab_slab_report");
	void *obj[4], *again;
	int i;

	if (!cache)
		return -ENOMEM;
	seq_printf(m, "cache mmlab_slab_report: object %u bytes (asked %d, align %d, cache line %d)\n",
		   kmem_cache_size(cache), MMLAB_SLAB_OBJ_SIZE, MMLAB_SLAB_ALIGN,
		   cache_line_size());
	for (i = 0; i < ARRAY_SIZE(obj); i++) {
		obj[i] = kmem_cache_alloc(cache, GFP_KERNEL);
		if (!obj[i])
			break;
		seq_printf(m, "object %d: offset in page %#lx, first byte %#x (constructor's %#x)\n",
			   i, offset_in_page(obj[i]), *(u8 *)obj[i],
			   MMLAB_SLAB_CTOR_BYTE);
	}
	while (--i > 0)
		kmem_cache_free(cache, obj[i]);
	kmem_cache_free(cache, obj[0]);
	again = kmem_cache_alloc(cache, GFP_KERNEL);
	seq_printf(m, "allocated after freeing object 0: %s\n",
		   again == obj[0] ? "object 0 again" : "another object");
	kmem_cache_free(cache, again);
	kmem_cache_destroy(cache);
	return 0;
}
