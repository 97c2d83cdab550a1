// SPDX-License-Identifier: GPL-2.0
/*
 * mmlab buffers: the memory behind each device, from one of four sources
 * (enum mmlab_buffer_kind), with a lifetime that is the longest of the
 * device and every vma that maps it.
 */
#include <linux/bitmap.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <mmlab/compat.h>
#include "mmlab.h"

static atomic_long_t pages_allocated = ATOMIC_LONG_INIT(0);

/**
 * mmlab_pages_allocated() - pages held by all mmlab buffers
 *
 * Each buffer adds its pages when it is allocated and takes them away when
 * its last reference goes, so the count returns to where it was once every
 * buffer made since is gone: the KUnit suites check that no test leaked one.
 *
 * Return: the number of pages, of every kind of buffer.
 */
long mmlab_pages_allocated(void)
{
	return atomic_long_read(&pages_allocated);
}
EXPORT_SYMBOL_IF_KUNIT(mmlab_pages_allocated);

/*
 * One block of order get_order(size) from the buddy allocator, split into
 * order-0 pages that each carry a reference, the tail beyond size freed.
 */
static int buffer_alloc_contig(struct mmlab_buffer *buf)
{
	unsigned long i;

	buf->vaddr = alloc_pages_exact(buf->size, GFP_KERNEL | __GFP_ZERO |
						  __GFP_NOWARN);
	if (!buf->vaddr)
		return -ENOMEM;
	for (i = 0; i < buf->npages; i++)
		buf->pages[i] = virt_to_page(buf->vaddr + i * PAGE_SIZE);
	return 0;
}

/* Independent order-0 pages; vmap() gives the kernel a contiguous view. */
static int buffer_alloc_pages(struct mmlab_buffer *buf)
{
	unsigned long i;

	for (i = 0; i < buf->npages; i++) {
		buf->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!buf->pages[i])
			return -ENOMEM;
	}
	buf->vaddr = vmap(buf->pages, buf->npages, VM_MAP, PAGE_KERNEL);
	return buf->vaddr ? 0 : -ENOMEM;
}

/* vmalloc_user() marks the area VM_USERMAP, which remap_vmalloc_range() needs. */
static int buffer_alloc_vmalloc(struct mmlab_buffer *buf)
{
	unsigned long i;

	buf->vaddr = vmalloc_user(buf->size);
	if (!buf->vaddr)
		return -ENOMEM;
	for (i = 0; i < buf->npages; i++)
		buf->pages[i] = vmalloc_to_page(buf->vaddr + i * PAGE_SIZE);
	return 0;
}

/*
 * Pages in the page cache of a private inode, like a ramfs file: uptodate,
 * never written back (the inode's a_ops only set PG_dirty), unevictable,
 * and not movable (GFP_KERNEL; our extra reference also stops migration).
 */
static int buffer_alloc_pagecache(struct mmlab_buffer *buf)
{
	struct address_space *mapping;
	unsigned long i;
	int ret;

	buf->dirty = bitmap_zalloc(buf->npages, GFP_KERNEL);
	if (!buf->dirty)
		return -ENOMEM;
	buf->inode = mmlab_pagecache_inode();
	if (IS_ERR(buf->inode)) {
		ret = PTR_ERR(buf->inode);
		buf->inode = NULL;
		return ret;
	}
	mapping = buf->inode->i_mapping;
	mapping_set_gfp_mask(mapping, GFP_KERNEL);
	mapping_set_unevictable(mapping);
	i_size_write(buf->inode, buf->size);

	for (i = 0; i < buf->npages; i++) {
		struct folio *folio = folio_alloc(GFP_KERNEL | __GFP_ZERO, 0);

		if (!folio)
			return -ENOMEM;
		ret = filemap_add_folio(mapping, folio, i, GFP_KERNEL);
		if (ret) {
			folio_put(folio);
			return ret;
		}
		folio_mark_uptodate(folio);
		folio_unlock(folio);
		/* The page cache holds a reference; ours is the allocation's. */
		buf->pages[i] = folio_page(folio, 0);
	}
	buf->vaddr = vmap(buf->pages, buf->npages, VM_MAP, PAGE_KERNEL);
	return buf->vaddr ? 0 : -ENOMEM;
}

static void buffer_free(struct mmlab_buffer *buf)
{
	unsigned long i;

	if (buf->kind == MMLAB_BUF_CONTIG) {
		if (buf->vaddr)
			free_pages_exact(buf->vaddr, buf->size);
	} else if (buf->kind == MMLAB_BUF_VMALLOC) {
		vfree(buf->vaddr);
	} else {
		vunmap(buf->vaddr);
		/* Drops the page cache's references; ours follow. */
		if (buf->inode)
			truncate_inode_pages_final(buf->inode->i_mapping);
		for (i = 0; i < buf->npages && buf->pages[i]; i++)
			put_page(buf->pages[i]);
		if (buf->inode)
			iput(buf->inode);
	}
	bitmap_free(buf->dirty);
	kvfree(buf->pages);
	kfree(buf);
}

/**
 * mmlab_buffer_alloc() - allocate a zeroed buffer
 * @kind: where its memory comes from
 * @size: size in bytes, a non-zero multiple of PAGE_SIZE
 *
 * Return: the buffer with one reference held, or an ERR_PTR().
 */
struct mmlab_buffer *mmlab_buffer_alloc(enum mmlab_buffer_kind kind,
					size_t size)
{
	struct mmlab_buffer *buf;
	int ret = -EINVAL;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	buf->kind = kind;
	buf->size = size;
	buf->npages = size >> PAGE_SHIFT;
	kref_init(&buf->ref);
	atomic_set(&buf->live_vmas, 0);
	buf->pages = kvcalloc(buf->npages, sizeof(*buf->pages), GFP_KERNEL);
	if (!buf->pages) {
		kfree(buf);
		return ERR_PTR(-ENOMEM);
	}

	switch (kind) {
	case MMLAB_BUF_CONTIG:
		ret = buffer_alloc_contig(buf);
		break;
	case MMLAB_BUF_PAGES:
		ret = buffer_alloc_pages(buf);
		break;
	case MMLAB_BUF_VMALLOC:
		ret = buffer_alloc_vmalloc(buf);
		break;
	case MMLAB_BUF_PAGECACHE:
		ret = buffer_alloc_pagecache(buf);
		break;
	}
	if (ret) {
		buffer_free(buf);
		return ERR_PTR(ret);
	}
	atomic_long_add(buf->npages, &pages_allocated);
	return buf;
}
EXPORT_SYMBOL_IF_KUNIT(mmlab_buffer_alloc);

/**
 * mmlab_buffer_get() - take a reference on a buffer
 * @buf: a buffer from mmlab_buffer_alloc(), on which the caller holds a
 *	reference
 *
 * Each vma that maps the buffer holds one (mmlab_vm_open()), so that the
 * buffer outlives the file and the device it came from. Drop it with
 * mmlab_buffer_put().
 */
void mmlab_buffer_get(struct mmlab_buffer *buf)
{
	kref_get(&buf->ref);
}
EXPORT_SYMBOL_IF_KUNIT(mmlab_buffer_get);

static void mmlab_buffer_release(struct kref *ref)
{
	struct mmlab_buffer *buf = container_of(ref, struct mmlab_buffer, ref);

	atomic_long_sub(buf->npages, &pages_allocated);
	buffer_free(buf);
}

/**
 * mmlab_buffer_put() - drop a reference on a buffer
 * @buf: the buffer
 *
 * The last reference frees the buffer and its pages, and takes them off
 * mmlab_pages_allocated().
 *
 * Context: may sleep: vfree() and, for a page-cache buffer, iput().
 */
void mmlab_buffer_put(struct mmlab_buffer *buf)
{
	kref_put(&buf->ref, mmlab_buffer_release);
}
EXPORT_SYMBOL_IF_KUNIT(mmlab_buffer_put);
