// SPDX-License-Identifier: GPL-2.0
/*
 * A slab cache of our own: fixed-size objects, aligned as asked, built once
 * by a constructor when their slab is created (not on every allocation),
 * and recycled from per-CPU freelists after kmem_cache_free().
 */
#include <linux/cache.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <mmlab/compat.h>
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

/*
 * The report creates its cache under one name: two readers at once would
 * create two caches of that name, which sysfs refuses with a stack dump.
 */
static DEFINE_MUTEX(mmlab_slab_report_lock);

int mmlab_slab_show(struct seq_file *m, void *unused)
{
	struct kmem_cache *cache;
	void *obj[4], *again;
	int i, n;

	mutex_lock(&mmlab_slab_report_lock);
	cache = mmlab_slab_cache_create("mmlab_slab_report");
	if (!cache) {
		mutex_unlock(&mmlab_slab_report_lock);
		return -ENOMEM;
	}
	seq_printf(m, "cache mmlab_slab_report: object %u bytes (asked %d, align %d, cache line %d)\n",
		   kmem_cache_size(cache), MMLAB_SLAB_OBJ_SIZE, MMLAB_SLAB_ALIGN,
		   cache_line_size());
	for (n = 0; n < ARRAY_SIZE(obj); n++) {
		obj[n] = kmem_cache_alloc(cache, GFP_KERNEL);
		if (!obj[n]) {
			seq_printf(m, "object %d: allocation failed\n", n);
			break;
		}
		seq_printf(m, "object %d: offset in page %#lx, first byte %#x (constructor's %#x)\n",
			   n, offset_in_page(obj[n]), *(u8 *)obj[n],
			   MMLAB_SLAB_CTOR_BYTE);
	}
	if (!n)
		goto out;
	/* Object 0 last: the per-CPU freelist hands out the last freed first. */
	for (i = n - 1; i >= 0; i--)
		kmem_cache_free(cache, obj[i]);
	again = kmem_cache_alloc(cache, GFP_KERNEL);
	if (again) {
		seq_printf(m, "allocated after freeing object 0: %s\n",
			   again == obj[0] ? "object 0 again" : "another object");
		kmem_cache_free(cache, again);
	} else {
		seq_puts(m, "allocation after freeing object 0 failed\n");
	}
out:
	kmem_cache_destroy(cache);
	mutex_unlock(&mmlab_slab_report_lock);
	return 0;
}
