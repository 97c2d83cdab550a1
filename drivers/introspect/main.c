// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/mmlab-mm: introspection ioctls. Each reads the calling process's
 * mm (or the kernel's layout) under the right lock, copies the result into
 * a kernel buffer, and only then copies it out, after dropping the lock: a
 * copy_to_user() can fault, and the fault handler takes the mmap lock.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mmlab.h>
#include <linux/module.h>

#include "introspect.h"

static long mmlab_mm_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	/* Physical addresses and kernel layout: root only, as pagemap's PFNs. */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	switch (cmd) {
	case MMLAB_MM_IOC_WALK:
		return mmlab_mm_walk(uarg);
	case MMLAB_MM_IOC_VMAS:
		return mmlab_mm_vmas(uarg);
	case MMLAB_MM_IOC_STAT:
		return mmlab_mm_stat(uarg);
	case MMLAB_MM_IOC_LAYOUT:
		return mmlab_mm_layout(uarg);
	case MMLAB_MM_IOC_COPY:
		return mmlab_mm_copy(uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations mmlab_mm_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = mmlab_mm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice mmlab_mm_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "mmlab-mm",
	.fops = &mmlab_mm_fops,
	.mode = 0600,
};

int mmlab_introspect_init(void)
{
	return misc_register(&mmlab_mm_misc);
}

void mmlab_introspect_exit(void)
{
	misc_deregister(&mmlab_mm_misc);
}
