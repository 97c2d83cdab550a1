// SPDX-License-Identifier: GPL-2.0
/*
 * The parts of mmap() every mmlab mode shares: checking the request,
 * setting the vma flags every mode needs, and one buffer reference per vma.
 */
#include <linux/fs.h>
#include <linux/mm.h>

#include "compat.h"
#include "mmlab.h"

/**
 * mmlab_mmap_prepare() - check an mmap() request against the device
 * @file: the device file
 * @vma: the new vma
 * @how: %MMLAB_MAP_PRIVATE_OK if the mode supports MAP_PRIVATE
 *
 * vm_pgoff and the length come from userspace: check them against the
 * buffer with arithmetic that cannot wrap. VM_DONTEXPAND keeps mremap()
 * from growing the vma past what was checked here; only remap_pfn_range()
 * and remap_vmalloc_range() would set it on their own.
 *
 * Return: 0, or -EINVAL for a range outside the buffer or an unsupported
 * MAP_PRIVATE.
 */
int mmlab_mmap_prepare(struct file *file, struct vm_area_struct *vma,
		       unsigned int how)
{
	struct mmlab_buffer *buf = mmlab_file_dev(file)->buf;

	/* VM_MAYSHARE: do_mmap() drops VM_SHARED for read-only files. */
	if (!(vma->vm_flags & VM_MAYSHARE) && !(how & MMLAB_MAP_PRIVATE_OK))
		return -EINVAL;
	if (!mmlab_range_ok(vma->vm_pgoff, vma_pages(vma), buf->npages))
		return -EINVAL;
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	return 0;
}

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

/**
 * mmlab_mmap_commit() - attach a successfully set-up vma to the buffer
 * @file: the device file
 * @vma: the vma, its PTEs (if any) already written
 * @vm_ops: the mode's operations; their ->open and ->close must be
 *	mmlab_vm_open() and mmlab_vm_close()
 *
 * The core calls ->open only for vmas it copies, so the first reference
 * is taken here.
 */
void mmlab_mmap_commit(struct file *file, struct vm_area_struct *vma,
		       const struct vm_operations_struct *vm_ops)
{
	struct mmlab_dev *dev = mmlab_file_dev(file);

	vma->vm_private_data = dev->buf;
	vma->vm_ops = vm_ops;
	mmlab_vm_open(vma);
	atomic64_inc(&dev->mmap_calls);
}
