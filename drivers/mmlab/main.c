// SPDX-License-Identifier: GPL-2.0
/*
 * mmlab: memory-management lab devices.
 *
 * /dev/mmlab owns a physically contiguous buffer from the page allocator.
 * Userspace maps it with mmap() (remap_pfn_range(), see remap.c) and reads
 * or writes the same bytes through read() and write(), which copy through
 * the kernel's direct mapping of the buffer.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/mmlab.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/uaccess.h>

#include "mmlab.h"

/*
 * Largest buffer: an order-10 block, the largest the buddy allocator serves
 * on every supported kernel (MAX_ORDER - 1 on 6.1, MAX_PAGE_ORDER on 6.12).
 */
#define MMLAB_BUF_MAX	(PAGE_SIZE << 10)

static unsigned long buf_size = SZ_1M;

static int buf_size_set(const char *val, const struct kernel_param *kp)
{
	unsigned long size;
	int ret;

	ret = kstrtoul(val, 0, &size);
	if (ret) {
		pr_err("buf_size=%s is not a number\n", val);
		return ret;
	}
	if (!size || !PAGE_ALIGNED(size) || size > MMLAB_BUF_MAX) {
		pr_err("buf_size=%s must be a multiple of %lu from %lu to %lu\n",
		       val, PAGE_SIZE, PAGE_SIZE, MMLAB_BUF_MAX);
		return -EINVAL;
	}
	*(unsigned long *)kp->arg = size;
	return 0;
}

static const struct kernel_param_ops buf_size_ops = {
	.set = buf_size_set,
	.get = param_get_ulong,
};

module_param_cb(buf_size, &buf_size_ops, &buf_size, 0444);
MODULE_PARM_DESC(buf_size, "Buffer size in bytes: a multiple of the page size, at most 1024 pages (default 1 MiB)");

static struct mmlab_dev mmlab_remap_dev;

/* misc_open() leaves the struct miscdevice in file->private_data. */
struct mmlab_dev *mmlab_file_dev(struct file *file)
{
	struct miscdevice *misc = file->private_data;

	return container_of(misc, struct mmlab_dev, misc);
}

static ssize_t mmlab_read(struct file *file, char __user *ubuf, size_t count,
			  loff_t *ppos)
{
	struct mmlab_buffer *buf = mmlab_file_dev(file)->buf;

	return simple_read_from_buffer(ubuf, count, ppos, buf->vaddr, buf->size);
}

static ssize_t mmlab_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	struct mmlab_buffer *buf = mmlab_file_dev(file)->buf;

	/* A fixed-size device is full at its end, like /dev/full. */
	if (count && *ppos >= (loff_t)buf->size)
		return -ENOSPC;
	return simple_write_to_buffer(buf->vaddr, buf->size, ppos, ubuf, count);
}

static loff_t mmlab_llseek(struct file *file, loff_t offset, int whence)
{
	return fixed_size_llseek(file, offset, whence,
				 mmlab_file_dev(file)->buf->size);
}

static long mmlab_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct mmlab_dev *dev = mmlab_file_dev(file);
	struct mmlab_info info = {};

	switch (cmd) {
	case MMLAB_IOC_INFO:
		info.size = dev->buf->size;
		info.mmap_calls = atomic64_read(&dev->mmap_calls);
		info.page_size = PAGE_SIZE;
		info.live_vmas = atomic_read(&dev->buf->live_vmas);
		if (copy_to_user((void __user *)arg, &info, sizeof(info)))
			return -EFAULT;
		return 0;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations mmlab_remap_fops = {
	.owner = THIS_MODULE,
	.read = mmlab_read,
	.write = mmlab_write,
	.llseek = mmlab_llseek,
	.unlocked_ioctl = mmlab_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = mmlab_remap_mmap,
};

static int mmlab_dev_init(struct mmlab_dev *dev, const char *name,
			  const struct file_operations *fops, size_t size)
{
	int ret;

	dev->buf = mmlab_buffer_alloc(size);
	if (!dev->buf) {
		pr_err("%s: cannot allocate %zu contiguous bytes\n", name, size);
		return -ENOMEM;
	}
	atomic64_set(&dev->mmap_calls, 0);

	dev->misc.minor = MISC_DYNAMIC_MINOR;
	dev->misc.name = name;
	dev->misc.fops = fops;
	/* It hands out kernel memory: root only, as /dev/mem. */
	dev->misc.mode = 0600;
	ret = misc_register(&dev->misc);
	if (ret) {
		mmlab_buffer_put(dev->buf);
		return ret;
	}
	return 0;
}

static void mmlab_dev_exit(struct mmlab_dev *dev)
{
	misc_deregister(&dev->misc);
	/* No vma can remain: each holds the file, and so this module. */
	mmlab_buffer_put(dev->buf);
}

static int __init mmlab_init(void)
{
	return mmlab_dev_init(&mmlab_remap_dev, "mmlab", &mmlab_remap_fops,
			      buf_size);
}
module_init(mmlab_init);

static void __exit mmlab_exit(void)
{
	mmlab_dev_exit(&mmlab_remap_dev);
}
module_exit(mmlab_exit);

MODULE_DESCRIPTION("mmlab: memory-management lab devices");
MODULE_LICENSE("GPL");
