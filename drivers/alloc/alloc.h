/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmlab's allocator demonstrations: small functions that use one kernel
 * allocator each and report what it gave, for the debugfs reports under
 * /sys/kernel/debug/mmlab/alloc/ and for the KUnit suites that assert the
 * properties the kernel documents (kunit/alloc_test.c).
 */
#ifndef _MMLAB_ALLOC_H
#define _MMLAB_ALLOC_H

#include <linux/gfp.h>
#include <linux/mm_types.h>
#include <linux/types.h>

struct seq_file;

/* kmalloc.c */
bool mmlab_phys_contiguous(void *addr, size_t size);
size_t mmlab_kmalloc_bucket(size_t size);
int mmlab_kmalloc_show(struct seq_file *m, void *unused);

/* slab.c */
#define MMLAB_SLAB_OBJ_SIZE	200
#define MMLAB_SLAB_ALIGN	64
#define MMLAB_SLAB_CTOR_BYTE	0x5a
struct kmem_cache *mmlab_slab_cache_create(const char *name);
int mmlab_slab_show(struct seq_file *m, void *unused);

/* buddy.c */
unsigned int mmlab_buddy_max_order(void);
bool mmlab_buddy_compound_ok(struct page *head, unsigned int order);
int mmlab_buddy_show(struct seq_file *m, void *unused);

/* vmalloc.c */
unsigned long mmlab_phys_breaks(struct page **pages, unsigned long n);
int mmlab_vmalloc_pages(const void *addr, unsigned long n,
			struct page **pages);
int mmlab_vmalloc_show(struct seq_file *m, void *unused);

/* kmap.c */
int mmlab_kmap_copy(struct page *dst, struct page *src, size_t offset,
		    size_t len);
int mmlab_kmap_show(struct seq_file *m, void *unused);

/* gfp.c */
struct page *mmlab_alloc_atomic_locked(void);
int mmlab_gfp_show(struct seq_file *m, void *unused);

struct dentry;
int mmlab_alloc_init(struct dentry *debugfs_parent);
void mmlab_alloc_exit(void);

#endif /* _MMLAB_ALLOC_H */
