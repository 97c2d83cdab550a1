// SPDX-License-Identifier: GPL-2.0
/*
 * The allocator demonstrations' place in the module:
 * /sys/kernel/debug/mmlab/alloc/<topic>, where each read runs one
 * demonstration and prints what the allocator gave, and the slab cache
 * "mmlab_obj", which lives exactly as long as the module, so that
 * /proc/slabinfo shows it while mmlab is loaded and not after.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "alloc.h"

static const struct {
	const char *name;
	int (*show)(struct seq_file *m, void *unused);
} topics[] = {
	{ "kmalloc", mmlab_kmalloc_show },
	{ "slab", mmlab_slab_show },
	{ "buddy", mmlab_buddy_show },
	{ "vmalloc", mmlab_vmalloc_show },
	{ "kmap", mmlab_kmap_show },
	{ "gfp", mmlab_gfp_show },
};

static int topic_open(struct inode *inode, struct file *file)
{
	return single_open(file, inode->i_private, NULL);
}

static const struct file_operations topic_fops = {
	.owner = THIS_MODULE,
	.open = topic_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

static struct kmem_cache *mmlab_obj_cache;

int mmlab_alloc_init(struct dentry *debugfs_parent)
{
	struct dentry *dir;
	size_t i;

	mmlab_obj_cache = mmlab_slab_cache_create("mmlab_obj");
	if (!mmlab_obj_cache)
		return -ENOMEM;
	dir = debugfs_create_dir("alloc", debugfs_parent);
	for (i = 0; i < ARRAY_SIZE(topics); i++)
		debugfs_create_file(topics[i].name, 0400, dir, topics[i].show,
				    &topic_fops);
	return 0;
}

void mmlab_alloc_exit(void)
{
	kmem_cache_destroy(mmlab_obj_cache);
}
