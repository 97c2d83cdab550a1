// SPDX-License-Identifier: GPL-2.0
/*
 * mmlab buffers: physically contiguous, page-allocator memory whose
 * lifetime is the longest of the device and every vma that maps it.
 */
#include <linux/gfp.h>
#include <linux/slab.h>

#include "mmlab.h"

/**
 * mmlab_buffer_alloc() - allocate a zeroed, physically contiguous buffer
 * @size: size in bytes, a non-zero multiple of PAGE_SIZE
 *
 * alloc_pages_exact() takes a block of order get_order(@size) from the buddy
 * allocator, splits it into order-0 pages that each carry their own
 * reference, and frees the tail beyond @size.
 *
 * Return: the buffer with one reference held, or NULL.
 */
struct mmlab_buffer *mmlab_buffer_alloc(size_t size)
{
	struct mmlab_buffer *buf;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return NULL;

	buf->vaddr = alloc_pages_exact(size, GFP_KERNEL | __GFP_ZERO |
					     __GFP_NOWARN);
	if (!buf->vaddr) {
		kfree(buf);
		return NULL;
	}
	buf->size = size;
	kref_init(&buf->ref);
	atomic_set(&buf->live_vmas, 0);
	return buf;
}

void mmlab_buffer_get(struct mmlab_buffer *buf)
{
	kref_get(&buf->ref);
}

static void mmlab_buffer_release(struct kref *ref)
{
	struct mmlab_buffer *buf = container_of(ref, struct mmlab_buffer, ref);

	free_pages_exact(buf->vaddr, buf->size);
	kfree(buf);
}

void mmlab_buffer_put(struct mmlab_buffer *buf)
{
	kref_put(&buf->ref, mmlab_buffer_release);
}
