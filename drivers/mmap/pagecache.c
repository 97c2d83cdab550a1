// SPDX-License-Identifier: GPL-2.0
/*
 * A pseudo filesystem, never mounted in userspace, whose only purpose is
 * to provide inodes: each MMLAB_BUF_PAGECACHE buffer keeps its pages in the
 * page cache of one of them. Device files opened on such a buffer point
 * their f_mapping at that inode's address_space, as block device files do
 * with the bdev inode, so the core's page-cache helpers find the pages:
 * filemap_map_pages() for fault-around, folio_mkclean() through the rmap.
 */
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/mount.h>
#include <linux/pseudo_fs.h>

#include "mmlab.h"

/* "mmlb" */
#define MMLAB_FS_MAGIC	0x6d6d6c62

static struct vfsmount *mmlab_mnt;

static int mmlab_fs_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, MMLAB_FS_MAGIC) ? 0 : -ENOMEM;
}

/*
 * No .owner: the module mounts it for its own lifetime, and a mount pins
 * its filesystem's owner, which would make the module unremovable.
 */
static struct file_system_type mmlab_fs_type = {
	.name = "mmlab",
	.init_fs_context = mmlab_fs_init_fs_context,
	.kill_sb = kill_anon_super,
};

int mmlab_pagecache_init(void)
{
	mmlab_mnt = kern_mount(&mmlab_fs_type);
	return PTR_ERR_OR_ZERO(mmlab_mnt);
}

void mmlab_pagecache_exit(void)
{
	kern_unmount(mmlab_mnt);
}

/* A new inode on the pseudo filesystem; the caller owns its reference. */
struct inode *mmlab_pagecache_inode(void)
{
	return alloc_anon_inode(mmlab_mnt->mnt_sb);
}
