// SPDX-License-Identifier: GPL-2.0
/*
 * The caller's vmas, in address order, with the VMA iterator over the mm's
 * maple tree (Linux 6.1 and later), as /proc/self/maps walks them.
 */
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/mm.h>
#include <linux/mmlab_mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "introspect.h"

static void fill(struct mmlab_vma *out, struct vm_area_struct *vma,
		 char *tmp)
{
	struct file *file = vma->vm_file;

	out->start = vma->vm_start;
	out->end = vma->vm_end;
	out->flags = vma->vm_flags;
	out->pgoff = vma->vm_pgoff;
	out->anon = vma_is_anonymous(vma);
	if (file) {
		struct inode *inode = file_inode(file);
		char *path = d_path(&file->f_path, tmp, PATH_MAX);

		out->dev = MKDEV(MAJOR(inode->i_sb->s_dev),
				 MINOR(inode->i_sb->s_dev));
		out->ino = inode->i_ino;
		if (!IS_ERR(path))
			strscpy(out->path, path, sizeof(out->path));
	}
}

/* MMLAB_MM_IOC_VMAS: see include/uapi/linux/mmlab.h. */
long mmlab_mm_vmas(void __user *arg)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	struct mmlab_vma *out;
	struct mmlab_vmas req;
	unsigned int n = 0, cap;
	long ret = 0;
	char *tmp;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	/* A bound on the kernel's buffer; more vmas are counted, not listed. */
	cap = min_t(u32, req.count, MMLAB_VMAS_MAX);
	out = kvcalloc(max(cap, 1U), sizeof(*out), GFP_KERNEL);
	tmp = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!out || !tmp) {
		ret = -ENOMEM;
		goto free;
	}

	mmap_read_lock(mm);
	{
		VMA_ITERATOR(vmi, mm, 0);

		for_each_vma(vmi, vma) {
			if (n < cap)
				fill(&out[n], vma, tmp);
			n++;
		}
	}
	mmap_read_unlock(mm);

	req.count = n;
	req.written = min(n, cap);
	if (copy_to_user(u64_to_user_ptr(req.vmas), out,
			 req.written * sizeof(*out)) ||
	    copy_to_user(arg, &req, sizeof(req)))
		ret = -EFAULT;
free:
	kfree(tmp);
	kvfree(out);
	return ret;
}
