/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmlab internals shared by the device core and its mmap implementations.
 */
#ifndef _MMLAB_H
#define _MMLAB_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>

/**
 * struct mmlab_buffer - memory behind an mmlab device
 * @ref: one reference for the device, one for each vma mapping the buffer
 * @vaddr: kernel (direct-map) address of the first byte
 * @size: size in bytes, a multiple of PAGE_SIZE
 * @live_vmas: vmas holding a reference; reported to userspace
 *
 * The buffer is physically contiguous memory from the page allocator,
 * split into independently refcounted order-0 pages (alloc_pages_exact()).
 * It is freed on the last kref_put(), never while a vma still maps it.
 */
struct mmlab_buffer {
	struct kref ref;
	void *vaddr;
	size_t size;
	atomic_t live_vmas;
};

struct mmlab_buffer *mmlab_buffer_alloc(size_t size);
void mmlab_buffer_get(struct mmlab_buffer *buf);
void mmlab_buffer_put(struct mmlab_buffer *buf);

static inline unsigned long mmlab_buffer_pages(const struct mmlab_buffer *buf)
{
	return buf->size >> PAGE_SHIFT;
}

/**
 * mmlab_range_ok() - may @pages pages starting at page @pgoff be mapped?
 * @pgoff: first page of the request (vma->vm_pgoff, chosen by userspace)
 * @pages: length of the request in pages, at least one
 * @npages: size of the buffer in pages
 *
 * Written so that no sum can wrap: @pgoff can be close to ULONG_MAX.
 *
 * Return: true when [@pgoff, @pgoff + @pages) lies inside the buffer.
 */
static inline bool mmlab_range_ok(unsigned long pgoff, unsigned long pages,
				  unsigned long npages)
{
	return pgoff < npages && pages <= npages - pgoff;
}

/**
 * struct mmlab_dev - one mmlab device node
 * @misc: the character device; its fops select the mmap implementation
 * @buf: the buffer behind read(), write() and mmap()
 * @mmap_calls: successful mmap() calls
 */
struct mmlab_dev {
	struct miscdevice misc;
	struct mmlab_buffer *buf;
	atomic64_t mmap_calls;
};

struct mmlab_dev *mmlab_file_dev(struct file *file);

int mmlab_remap_mmap(struct file *file, struct vm_area_struct *vma);

#endif /* _MMLAB_H */
