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
#include <linux/mmlab_mm.h>
#include <linux/module.h>

#include "introspect.h"

static long mmlab_mm_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	long (*handler)(void __user *arg);

	switch (cmd) {
	case MMLAB_MM_IOC_WALK:
		handler = mmlab_mm_walk;
		break;
	case MMLAB_MM_IOC_VMAS:
		handler = mmlab_mm_vmas;
		break;
	case MMLAB_MM_IOC_STAT:
		handler = mmlab_mm_stat;
		break;
	case MMLAB_MM_IOC_LAYOUT:
		handler = mmlab_mm_layout;
		break;
	case MMLAB_MM_IOC_COPY:
		handler = mmlab_mm_copy;
		break;
	case MMLAB_MM_IOC_FOLLOW:
		handler = mmlab_mm_follow;
		break;
	default:
		/* For every caller: ENOTTY comes before EPERM. */
		return -ENOTTY;
	}
	/* Physical addresses and kernel layout: root only, as pagemap's PFNs. */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return handler((void __user *)arg);
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
