// SPDX-License-Identifier: GPL-2.0
/*
 * mkwrite: write-notify. With vm_ops->page_mkwrite set, the core maps the
 * pages of a shared vma read-only (vma_wants_writenotify()), so the first
 * write to each page faults and calls page_mkwrite, which records the page
 * as dirty. MMLAB_IOC_DIRTY reports those pages and, on request, cleans
 * them: folio_mkclean() write-protects every PTE that maps the page, through
 * the rmap, so the next write is reported again. This is how fbdev's
 * deferred I/O learns which parts of a framebuffer userspace changed.
 *
 * folio_mkclean() walks the page's address_space, so the buffer lives in
 * the page cache of mmlab's own inode (MMLAB_BUF_PAGECACHE).
 */
#include <linux/bitmap.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mmlab.h>
#include <linux/pagemap.h>
#include <linux/rmap.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "mmlab.h"

static vm_fault_t mmlab_page_mkwrite(struct vm_fault *vmf)
{
	struct mmlab_buffer *buf = mmlab_vma_buffer(vmf->vma);
	struct folio *folio = page_folio(vmf->page);

	folio_lock(folio);
	/* As filesystems check for truncation; our pages never leave. */
	if (folio->mapping != buf->inode->i_mapping) {
		folio_unlock(folio);
		return VM_FAULT_NOPAGE;
	}
	set_bit(vmf->pgoff, buf->dirty);
	atomic64_inc(&mmlab_vma_dev(vmf->vma)->mkwrite_calls);
	/*
	 * Return the folio locked: MMLAB_IOC_DIRTY cleans under the same lock,
	 * so a write cannot slip between its folio_mkclean() and clear_bit().
	 */
	return VM_FAULT_LOCKED;
}

static const struct vm_operations_struct mmlab_mkwrite_vm_ops = {
	.open = mmlab_vm_open,
	.close = mmlab_vm_close,
	.fault = mmlab_fault,
	.page_mkwrite = mmlab_page_mkwrite,
};

static void mmlab_clean(struct mmlab_buffer *buf, unsigned long i)
{
	struct folio *folio = page_folio(buf->pages[i]);

	folio_lock(folio);
	folio_mkclean(folio);
	clear_bit(i, buf->dirty);
	folio_unlock(folio);
}

/* MMLAB_IOC_DIRTY: see include/uapi/linux/mmlab.h. */
static long mmlab_dirty_ioctl(struct mmlab_dev *dev, void __user *arg)
{
	struct mmlab_buffer *buf = dev->buf;
	unsigned long *snap;
	struct mmlab_dirty req;
	unsigned long i;
	u64 *words;
	long ret = 0;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if ((req.flags & ~MMLAB_DIRTY_CLEAN) || req.reserved ||
	    req.nbits < buf->npages)
		return -EINVAL;

	snap = bitmap_zalloc(buf->npages, GFP_KERNEL);
	words = kcalloc(BITS_TO_U64(buf->npages), sizeof(u64), GFP_KERNEL);
	if (!snap || !words) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < buf->npages; i++)
		if (test_bit(i, buf->dirty))
			__set_bit(i, snap);

	/*
	 * Report first, clean after: a call that fails with EFAULT leaves
	 * every page dirty. A page written in between is in @snap already,
	 * and cleaning it makes its next write reported again.
	 */
	bitmap_to_arr64(words, snap, buf->npages);
	req.ndirty = bitmap_weight(snap, buf->npages);
	if (copy_to_user(u64_to_user_ptr(req.bitmap), words,
			 BITS_TO_U64(buf->npages) * sizeof(u64)) ||
	    copy_to_user(arg, &req, sizeof(req))) {
		ret = -EFAULT;
		goto out;
	}
	if (req.flags & MMLAB_DIRTY_CLEAN)
		for_each_set_bit(i, snap, buf->npages)
			mmlab_clean(buf, i);
out:
	kfree(words);
	bitmap_free(snap);
	return ret;
}

static long mmlab_mkwrite_ioctl(struct mmlab_dev *dev, unsigned int cmd,
				void __user *arg)
{
	return cmd == MMLAB_IOC_DIRTY ? mmlab_dirty_ioctl(dev, arg) : -ENOTTY;
}

/* A private mapping is copied on its first write: no write-notify there. */
const struct mmlab_mode mmlab_mode_mkwrite = {
	.name = "mkwrite",
	.kind = MMLAB_BUF_PAGECACHE,
	.vm_ops = &mmlab_mkwrite_vm_ops,
	.map_private = true,
	.ioctl = mmlab_mkwrite_ioctl,
};
