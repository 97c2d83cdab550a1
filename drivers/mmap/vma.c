// SPDX-License-Identifier: GPL-2.0
/*
 * The mmap() every mmlab mode shares: check the request, set the vma flags,
 * let the mode write PTEs if it maps at mmap() time, and take one buffer
 * reference per vma. What differs between modes is data in their
 * struct mmlab_mode.
 */
#include <linux/fs.h>
#include <linux/mm.h>

#include <mmlab/compat.h>
#include "mmlab.h"

/* ->open runs for each new vma copied from ours: fork(), split, mremap(). */
void mmlab_vm_open(struct vm_area_struct *vma)
{
	struct mmlab_buffer *buf = mmlab_vma_buffer(vma);

	mmlab_buffer_get(buf);
	atomic_inc(&buf->live_vmas);
}

void mmlab_vm_close(struct vm_area_struct *vma)
{
	struct mmlab_buffer *buf = mmlab_vma_buffer(vma);

	atomic_dec(&buf->live_vmas);
	mmlab_buffer_put(buf);
}

/* For modes that write every PTE at mmap() time: nothing to fault. */
const struct vm_operations_struct mmlab_populated_vm_ops = {
	.open = mmlab_vm_open,
	.close = mmlab_vm_close,
};

/**
 * mmlab_mmap() - file_operations ->mmap of every mmlab device
 * @file: the device file
 * @vma: the new vma
 *
 * vm_pgoff and the length come from userspace: they are checked against
 * the buffer with arithmetic that cannot wrap. VM_DONTEXPAND keeps
 * mremap() from growing the vma past what was checked here; of the APIs
 * the modes use, only remap_pfn_range() and remap_vmalloc_range() would
 * set it on their own.
 *
 * Return: 0; -EINVAL for a range outside the buffer or a MAP_PRIVATE the
 * mode cannot copy on write; or the error of the mode's ->populate or
 * ->mmap.
 */
int mmlab_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mmlab_dev *dev = mmlab_file_dev(file);
	const struct mmlab_mode *mode = dev->mode;
	struct mmlab_buffer *buf = dev->buf;
	int ret;

	/* VM_MAYSHARE: do_mmap() drops VM_SHARED for read-only files. */
	if ((!(vma->vm_flags & VM_MAYSHARE) && !mode->map_private) ||
	    !mmlab_range_ok(vma->vm_pgoff, vma_pages(vma), buf->npages)) {
		atomic64_inc(&dev->mmap_refused);
		return -EINVAL;
	}
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP | mode->vm_flags);

	/* On failure the core unmaps whatever was mapped: nothing to undo. */
	if (mode->populate) {
		ret = mode->populate(buf, vma);
		if (ret)
			return ret;
	}

	if (mode->mmap) {
		ret = mode->mmap(dev, vma);
		if (ret)
			return ret;
	} else {
		vma->vm_private_data = buf;
		vma->vm_ops = mode->vm_ops;
		/* ->open runs only for vmas the core copies: take the first. */
		mmlab_vm_open(vma);
	}
	atomic64_inc(&dev->mmap_calls);
	return 0;
}
