// SPDX-License-Identifier: GPL-2.0
/*
 * mmlab buffers: the memory behind each device, from one of six sources
 * (enum mmlab_buffer_kind), with a lifetime that is the longest of the
 * device and every vma that maps it.
 */
#include <linux/bitmap.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/highmem.h>
#include <linux/pagemap.h>
#include <linux/shmem_fs.h>
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

/*
 * Blocks of PMD_SIZE from the buddy allocator, each physically contiguous
 * and, being a block of its order, aligned to its size, as one PMD must
 * map. Each is split into order-0 pages that carry a reference and are
 * freed one by one, like a MMLAB_BUF_PAGES buffer's; vmap() gives the
 * kernel one view across blocks that need not be adjacent.
 */
static int buffer_alloc_huge(struct mmlab_buffer *buf)
{
	const unsigned int order = PMD_SHIFT - PAGE_SHIFT;
	unsigned long i, j;

	/* A PMD of 64 KiB pages (arm64) spans more than the buddy serves. */
	if (!IS_ALIGNED(buf->size, PMD_SIZE) || order > MAX_PAGE_ORDER)
		return -EINVAL;
	for (i = 0; i < buf->npages; i += 1UL << order) {
		/* Worth compacting for, once, at load: not worth an OOM kill. */
		struct page *block = alloc_pages(GFP_KERNEL | __GFP_ZERO |
						 __GFP_RETRY_MAYFAIL |
						 __GFP_NOWARN, order);

		if (!block)
			return -ENOMEM;
		split_page(block, order);
		for (j = 0; j < 1UL << order; j++)
			buf->pages[i + j] = nth_page(block, j);
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

/*
 * A shmem file, as drm_gem_object_init() makes one for a GEM object. It
 * holds no page yet: mmlab_buffer_page() allocates each, zeroed, on first
 * use. VM_NORESERVE: like a GEM object's, the size is not charged to the
 * memory commit up front. Not __GFP_MOVABLE, as i915 asks for its objects:
 * the pages may be swapped, but stay put while in memory, so that a page
 * frame read by MMLAB_IOC_PAGE_PFN is not moved by compaction under the
 * probes that compare it with pagemap.
 */
static int buffer_alloc_shmem(struct mmlab_buffer *buf)
{
	struct file *file;

	file = shmem_file_setup("mmlab-shmem", buf->size, VM_NORESERVE);
	if (IS_ERR(file))
		return PTR_ERR(file);
	buf->shmem = file;
	buf->inode = file_inode(file);
	mapping_set_gfp_mask(file->f_mapping, GFP_HIGHUSER);
	return 0;
}

static void buffer_free(struct mmlab_buffer *buf)
{
	unsigned long i;

	if (buf->kind == MMLAB_BUF_SHMEM) {
		/* The last reference to the file frees its pages and swap. */
		if (buf->shmem)
			fput(buf->shmem);
	} else if (buf->kind == MMLAB_BUF_CONTIG) {
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
	case MMLAB_BUF_SHMEM:
		ret = buffer_alloc_shmem(buf);
		break;
	case MMLAB_BUF_HUGE:
		ret = buffer_alloc_huge(buf);
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

/**
 * mmlab_buffer_page() - page @i of a buffer, referenced
 * @buf: the buffer
 * @i: the page's index, below @buf->npages
 *
 * A shmem buffer's page is looked up in its file, allocated zeroed the
 * first time and read back from swap if reclaim took it there, with
 * shmem_read_mapping_page(); every other kind holds its pages.
 *
 * Return: the page, with a reference for the caller to drop with
 * put_page(), or an ERR_PTR() when a shmem page cannot be had.
 *
 * Context: may sleep, for a shmem buffer.
 */
struct page *mmlab_buffer_page(struct mmlab_buffer *buf, unsigned long i)
{
	struct page *page;

	if (buf->kind == MMLAB_BUF_SHMEM)
		return shmem_read_mapping_page(buf->shmem->f_mapping, i);
	page = buf->pages[i];
	get_page(page);
	return page;
}
EXPORT_SYMBOL_IF_KUNIT(mmlab_buffer_page);

/*
 * read() or write() of a shmem buffer, a page at a time: each page is held
 * by a reference, not locked, while the user copy runs, since the copy may
 * fault on a mapping of this same page, whose fault locks it.
 */
static ssize_t shmem_rw(struct mmlab_buffer *buf, char __user *ubuf,
			size_t count, loff_t *ppos, bool write)
{
	loff_t pos = *ppos;
	ssize_t ret = 0;
	size_t done = 0;

	if (pos < 0)
		return -EINVAL;
	if (pos >= buf->size)
		return 0;
	count = min_t(size_t, count, buf->size - pos);
	while (done < count) {
		size_t off = offset_in_page(pos + done);
		size_t n = min_t(size_t, PAGE_SIZE - off, count - done);
		struct page *page;
		unsigned long left;
		void *p;

		page = mmlab_buffer_page(buf, (pos + done) >> PAGE_SHIFT);
		if (IS_ERR(page)) {
			ret = PTR_ERR(page);
			break;
		}
		p = kmap_local_page(page);
		if (write)
			left = copy_from_user(p + off, ubuf + done, n);
		else
			left = copy_to_user(ubuf + done, p + off, n);
		kunmap_local(p);
		/* Dirty: reclaim must write it to swap, not drop it. */
		if (write && left < n)
			set_page_dirty_lock(page);
		put_page(page);
		done += n - left;
		if (left) {
			ret = -EFAULT;
			break;
		}
	}
	if (!done)
		return ret;
	*ppos = pos + done;
	return done;
}

/**
 * mmlab_buffer_read() - read() of a buffer
 * @buf: the buffer
 * @ubuf: where to
 * @count: bytes asked for
 * @ppos: the file position, advanced by what was read
 *
 * Return: bytes read, 0 at the end, or a negative errno.
 */
ssize_t mmlab_buffer_read(struct mmlab_buffer *buf, char __user *ubuf,
			  size_t count, loff_t *ppos)
{
	if (buf->kind == MMLAB_BUF_SHMEM)
		return shmem_rw(buf, ubuf, count, ppos, false);
	return simple_read_from_buffer(ubuf, count, ppos, buf->vaddr,
				       buf->size);
}

/**
 * mmlab_buffer_write() - write() of a buffer
 * @buf: the buffer
 * @ubuf: where from
 * @count: bytes to write
 * @ppos: the file position, advanced by what was written
 *
 * Return: bytes written, 0 at the end, or a negative errno.
 */
ssize_t mmlab_buffer_write(struct mmlab_buffer *buf, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	if (buf->kind == MMLAB_BUF_SHMEM)
		return shmem_rw(buf, (char __user *)ubuf, count, ppos, true);
	return simple_write_to_buffer(buf->vaddr, buf->size, ppos, ubuf,
				      count);
}
