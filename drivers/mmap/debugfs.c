// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/mmlab/<mode>: each device's counters, one
 * "name value" line each: the values MMLAB_IOC_INFO returns, and how
 * many mmap() calls were refused and ioctl() calls made (which reading
 * them by ioctl would change).
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "mmlab.h"

static struct dentry *mmlab_debugfs_root;

static int mmlab_counters_show(struct seq_file *m, void *unused)
{
	struct mmlab_dev *dev = m->private;

	seq_printf(m, "size %zu\n", dev->buf->size);
	seq_printf(m, "mmap_calls %lld\n", atomic64_read(&dev->mmap_calls));
	seq_printf(m, "faults %lld\n", atomic64_read(&dev->faults));
	seq_printf(m, "map_pages_calls %lld\n",
		   atomic64_read(&dev->map_pages_calls));
	seq_printf(m, "mkwrite_calls %lld\n",
		   atomic64_read(&dev->mkwrite_calls));
	seq_printf(m, "huge_faults %lld\n", atomic64_read(&dev->huge_faults));
	seq_printf(m, "mmap_refused %lld\n", atomic64_read(&dev->mmap_refused));
	seq_printf(m, "ioctl_calls %lld\n", atomic64_read(&dev->ioctl_calls));
	seq_printf(m, "live_vmas %d\n", atomic_read(&dev->buf->live_vmas));
	seq_printf(m, "pages_allocated %ld\n", mmlab_pages_allocated());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mmlab_counters);

struct dentry *mmlab_debugfs_init(void)
{
	mmlab_debugfs_root = debugfs_create_dir("mmlab", NULL);
	return mmlab_debugfs_root;
}

/* debugfs is optional: its failures are not the device's. */
void mmlab_debugfs_add(struct mmlab_dev *dev)
{
	dev->debugfs = debugfs_create_file(dev->mode->name, 0400,
					   mmlab_debugfs_root, dev,
					   &mmlab_counters_fops);
}

void mmlab_debugfs_remove(struct mmlab_dev *dev)
{
	debugfs_remove(dev->debugfs);
	dev->debugfs = NULL;
}

void mmlab_debugfs_exit(void)
{
	debugfs_remove(mmlab_debugfs_root);
}
