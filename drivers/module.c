// SPDX-License-Identifier: GPL-2.0
/*
 * mmlab.ko: memory-management lab devices. Its init starts every part in
 * turn, and its exit stops them in the reverse order:
 *
 * - the filesystem of the page-cache buffers (drivers/mmap/pagecache.c);
 * - debugfs, and the allocator reports in it (drivers/alloc/);
 * - a device per mmap mode, /dev/mmlab-<mode> (drivers/mmap/);
 * - /dev/mmlab-mm, which reads the caller's mm (drivers/introspect/).
 */
#include <linux/init.h>
#include <linux/module.h>

#include "alloc/alloc.h"
#include "introspect/introspect.h"
#include "mmap/mmlab.h"

static int __init mmlab_init(void)
{
	int ret;

	ret = mmlab_pagecache_init();
	if (ret)
		return ret;
	ret = mmlab_alloc_init(mmlab_debugfs_init());
	if (ret)
		goto err_debugfs;
	ret = mmlab_devs_init();
	if (ret)
		goto err_alloc;
	ret = mmlab_introspect_init();
	if (ret)
		goto err_devs;
	return 0;

err_devs:
	mmlab_devs_exit();
err_alloc:
	mmlab_alloc_exit();
err_debugfs:
	mmlab_debugfs_exit();
	mmlab_pagecache_exit();
	return ret;
}
module_init(mmlab_init);

static void __exit mmlab_exit(void)
{
	mmlab_introspect_exit();
	mmlab_devs_exit();
	mmlab_alloc_exit();
	mmlab_debugfs_exit();
	mmlab_pagecache_exit();
}
module_exit(mmlab_exit);

MODULE_DESCRIPTION("mmlab: memory-management lab devices");
MODULE_LICENSE("GPL");
