// SPDX-License-Identifier: GPL-2.0
/*
 * The mmap devices: one misc device per way of implementing mmap(),
 * /dev/mmlab-<mode>, each with a buffer of buf_size bytes (huge_size for
 * the huge mode). Userspace maps the buffer and reads or writes the same
 * bytes through read() and write(), which copy through the kernel's own
 * mapping of it. See Documentation/mmap-modes.rst.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/mmlab.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <mmlab/compat.h>
#include "mmlab.h"

/*
 * Largest buffer: an order-10 block, the largest the buddy allocator serves
 * on every supported kernel (MAX_ORDER - 1 on 6.1, MAX_PAGE_ORDER on 6.12).
 */
#define MMLAB_BUF_MAX	(PAGE_SIZE << 10)

static unsigned long buf_size = SZ_1M;

/* The huge mode's: PMD-sized blocks, as many as a test VM spares. */
#define MMLAB_HUGE_MAX	(PMD_SIZE * 32)

static unsigned long huge_size = PMD_SIZE * 2;

/*
 * A buffer size, for a parameter whose kp->arg is buf_size or huge_size:
 * a non-zero multiple of the page size, or for the huge mode of PMD_SIZE,
 * up to the parameter's maximum.
 */
static int size_param_set(const char *val, const struct kernel_param *kp)
{
	bool huge = kp->arg == &huge_size;
	unsigned long unit = huge ? PMD_SIZE : PAGE_SIZE;
	unsigned long max = huge ? MMLAB_HUGE_MAX : MMLAB_BUF_MAX;
	unsigned long size;
	int ret;

	ret = kstrtoul(val, 0, &size);
	if (ret) {
		pr_err("%s=%s is not a number\n", kp->name, val);
		return ret;
	}
	if (!size || !IS_ALIGNED(size, unit) || size > max) {
		pr_err("%s=%s must be a multiple of %lu from %lu to %lu\n",
		       kp->name, val, unit, unit, max);
		return -EINVAL;
	}
	*(unsigned long *)kp->arg = size;
	return 0;
}

static const struct kernel_param_ops size_param_ops = {
	.set = size_param_set,
	.get = param_get_ulong,
};

module_param_cb(buf_size, &size_param_ops, &buf_size, 0444);
MODULE_PARM_DESC(buf_size, "Buffer size of each device in bytes: a multiple of the page size, at most 1024 pages (default 1 MiB)");
module_param_cb(huge_size, &size_param_ops, &huge_size, 0444);
MODULE_PARM_DESC(huge_size, "Buffer size of /dev/mmlab-huge in bytes: a multiple of 2 MiB, at most 64 MiB (default 4 MiB)");

const struct mmlab_mode *const mmlab_modes[MMLAB_NR_MODES] = {
	&mmlab_mode_remap,
	&mmlab_mode_fault,
	&mmlab_mode_faultaround,
	&mmlab_mode_mkwrite,
	&mmlab_mode_pfn,
	&mmlab_mode_mixed,
	&mmlab_mode_vmalloc,
	&mmlab_mode_vmalloc_fault,
	&mmlab_mode_insert,
	&mmlab_mode_insert_page,
	&mmlab_mode_shmem,
	&mmlab_mode_huge,
};
EXPORT_SYMBOL_IF_KUNIT(mmlab_modes);

static struct mmlab_dev mmlab_devs[MMLAB_NR_MODES];

/* misc_open() leaves the struct miscdevice in file->private_data. */
struct mmlab_dev *mmlab_file_dev(struct file *file)
{
	struct miscdevice *misc = file->private_data;

	return container_of(misc, struct mmlab_dev, misc);
}

static int mmlab_open(struct inode *inode, struct file *file)
{
	struct mmlab_buffer *buf = mmlab_file_dev(file)->buf;

	/*
	 * Page-cache buffers: make the vmas of this file part of the buffer
	 * inode's address_space, where filemap_map_pages() looks for pages
	 * and folio_mkclean() for the PTEs that map them. Not a shmem
	 * buffer's: a file whose f_mapping is shmem's is taken for a shmem
	 * file (shmem_file()), and its inode for a shmem inode, which a
	 * device node's is not; its vmas take the shmem file instead.
	 */
	if (buf->kind == MMLAB_BUF_PAGECACHE)
		file->f_mapping = buf->inode->i_mapping;
	return 0;
}

static ssize_t mmlab_read(struct file *file, char __user *ubuf, size_t count,
			  loff_t *ppos)
{
	struct mmlab_buffer *buf = mmlab_file_dev(file)->buf;

	return mmlab_buffer_read(buf, ubuf, count, ppos);
}

static ssize_t mmlab_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	struct mmlab_buffer *buf = mmlab_file_dev(file)->buf;

	/* A fixed-size device is full at its end, like /dev/full. */
	if (count && *ppos >= (loff_t)buf->size)
		return -ENOSPC;
	return mmlab_buffer_write(buf, ubuf, count, ppos);
}

static loff_t mmlab_llseek(struct file *file, loff_t offset, int whence)
{
	return fixed_size_llseek(file, offset, whence,
				 mmlab_file_dev(file)->buf->size);
}

static long mmlab_info_ioctl(struct mmlab_dev *dev, void __user *arg)
{
	struct mmlab_info info = {
		.size = dev->buf->size,
		.mmap_calls = atomic64_read(&dev->mmap_calls),
		.faults = atomic64_read(&dev->faults),
		.map_pages_calls = atomic64_read(&dev->map_pages_calls),
		.mkwrite_calls = atomic64_read(&dev->mkwrite_calls),
		.pages_allocated = mmlab_pages_allocated(),
		.page_size = PAGE_SIZE,
		.live_vmas = atomic_read(&dev->buf->live_vmas),
	};

	return copy_to_user(arg, &info, sizeof(info)) ? -EFAULT : 0;
}

/*
 * The buffer page named by the __u64 pgoff that starts both
 * struct mmlab_page_pfn and struct mmlab_page_counts, referenced (a shmem
 * page is brought back if it was swapped out). Physical addresses and
 * sharing counts are for root only, as in /proc/self/pagemap and
 * /proc/kpagecount.
 */
static struct page *mmlab_user_page(struct mmlab_dev *dev, void __user *arg,
				    u64 *pgoff)
{
	if (!capable(CAP_SYS_ADMIN))
		return ERR_PTR(-EPERM);
	if (get_user(*pgoff, (u64 __user *)arg))
		return ERR_PTR(-EFAULT);
	if (*pgoff >= dev->buf->npages)
		return ERR_PTR(-EINVAL);
	return mmlab_buffer_page(dev->buf, *pgoff);
}

static long mmlab_pfn_ioctl(struct mmlab_dev *dev, void __user *arg)
{
	struct mmlab_page_pfn req;
	struct page *page = mmlab_user_page(dev, arg, &req.pgoff);

	if (IS_ERR(page))
		return PTR_ERR(page);
	req.pfn = page_to_pfn(page);
	put_page(page);
	return copy_to_user(arg, &req, sizeof(req)) ? -EFAULT : 0;
}

static long mmlab_counts_ioctl(struct mmlab_dev *dev, void __user *arg)
{
	struct mmlab_page_counts req;
	struct page *page = mmlab_user_page(dev, arg, &req.pgoff);

	if (IS_ERR(page))
		return PTR_ERR(page);
	req.mapcount = page_mapcount(page);
	/*
	 * The folio's, as a large one counts them; not counting the reference
	 * mmlab_user_page() took for this call.
	 */
	req.refcount = folio_ref_count(page_folio(page)) - 1;
	put_page(page);
	return copy_to_user(arg, &req, sizeof(req)) ? -EFAULT : 0;
}

static long mmlab_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct mmlab_dev *dev = mmlab_file_dev(file);
	void __user *uarg = (void __user *)arg;

	atomic64_inc(&dev->ioctl_calls);
	switch (cmd) {
	case MMLAB_IOC_INFO:
		return mmlab_info_ioctl(dev, uarg);
	case MMLAB_IOC_PAGE_PFN:
		return mmlab_pfn_ioctl(dev, uarg);
	case MMLAB_IOC_PAGE_COUNTS:
		return mmlab_counts_ioctl(dev, uarg);
	default:
		/* MMLAB_IOC_DIRTY, for one: the mode's, if it has any. */
		return dev->mode->ioctl ? dev->mode->ioctl(dev, cmd, uarg) :
		       -ENOTTY;
	}
}

/* Where the mode asks for it, its own choice of address; else the mm's. */
static unsigned long mmlab_get_unmapped_area(struct file *file,
					     unsigned long addr,
					     unsigned long len,
					     unsigned long pgoff,
					     unsigned long flags)
{
	const struct mmlab_mode *mode = mmlab_file_dev(file)->mode;

	if (mode->get_unmapped_area)
		return mode->get_unmapped_area(file, addr, len, pgoff, flags);
	return mm_get_unmapped_area(current->mm, file, addr, len, pgoff,
				    flags);
}

const struct file_operations mmlab_fops = {
	.owner = THIS_MODULE,
	.open = mmlab_open,
	.read = mmlab_read,
	.write = mmlab_write,
	.llseek = mmlab_llseek,
	.unlocked_ioctl = mmlab_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = mmlab_mmap,
	.get_unmapped_area = mmlab_get_unmapped_area,
};
EXPORT_SYMBOL_IF_KUNIT(mmlab_fops);

static int mmlab_dev_init(struct mmlab_dev *dev, const struct mmlab_mode *mode)
{
	unsigned long size = mode->kind == MMLAB_BUF_HUGE ? huge_size :
			     buf_size;
	int ret;

	dev->mode = mode;
	dev->buf = mmlab_buffer_alloc(mode->kind, size);
	if (IS_ERR(dev->buf)) {
		ret = PTR_ERR(dev->buf);
		pr_err("mmlab-%s: cannot allocate %lu bytes: %d\n", mode->name,
		       size, ret);
		dev->buf = NULL;
		return ret;
	}

	dev->misc.minor = MISC_DYNAMIC_MINOR;
	dev->misc.name = kasprintf(GFP_KERNEL, "mmlab-%s", mode->name);
	dev->misc.fops = &mmlab_fops;
	/* It hands out kernel memory: root only, as /dev/mem. */
	dev->misc.mode = 0600;
	if (!dev->misc.name) {
		ret = -ENOMEM;
		goto err_buf;
	}
	ret = misc_register(&dev->misc);
	if (ret)
		goto err_name;
	mmlab_debugfs_add(dev);
	return 0;

err_name:
	kfree(dev->misc.name);
err_buf:
	mmlab_buffer_put(dev->buf);
	dev->buf = NULL;
	return ret;
}

static void mmlab_dev_exit(struct mmlab_dev *dev)
{
	if (!dev->buf)
		return;
	/*
	 * The counters file reads the buffer: remove it first, which waits
	 * for its readers, even when a failed init tears down what it built.
	 */
	mmlab_debugfs_remove(dev);
	misc_deregister(&dev->misc);
	kfree(dev->misc.name);
	/* No vma can remain: each holds the file, and so this module. */
	mmlab_buffer_put(dev->buf);
}

/* Remove every device that was made, the last first. */
void mmlab_devs_exit(void)
{
	int i;

	for (i = ARRAY_SIZE(mmlab_devs) - 1; i >= 0; i--)
		mmlab_dev_exit(&mmlab_devs[i]);
}

/* A device per mode; all or none. */
int mmlab_devs_init(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(mmlab_modes); i++) {
		ret = mmlab_dev_init(&mmlab_devs[i], mmlab_modes[i]);
		if (ret) {
			mmlab_devs_exit();
			return ret;
		}
	}
	return 0;
}
