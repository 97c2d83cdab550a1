// SPDX-License-Identifier: GPL-2.0
/*
 * copy_from_user() and copy_to_user() with whatever pointer userspace
 * gives: access_ok() refuses kernel addresses, and a fault on an unmapped
 * user page is caught by the exception table, whose fixup makes the copy
 * return how many bytes it did not copy. No oops, no log line.
 */
#include <linux/mm.h>
#include <linux/mmlab_mm.h>
#include <linux/pagemap.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "introspect.h"

/* MMLAB_MM_IOC_COPY: see include/uapi/linux/mmlab.h. */
long mmlab_mm_copy(void __user *arg)
{
	struct mmlab_copy c;
	unsigned long left;
	void *kbuf;

	if (copy_from_user(&c, arg, sizeof(c)))
		return -EFAULT;
	if (c.len > SZ_64K || c.to_user > 1 || c.reserved)
		return -EINVAL;
	/* No copy whose @done could not be reported: refuse it unmade. */
	if (fault_in_safe_writeable(arg, sizeof(c)))
		return -EFAULT;
	kbuf = kvzalloc(max_t(u64, c.len, 1), GFP_KERNEL);
	if (!kbuf)
		return -ENOMEM;
	if (c.to_user) {
		memset(kbuf, 0x6b, c.len);
		left = copy_to_user(u64_to_user_ptr(c.uaddr), kbuf, c.len);
	} else {
		left = copy_from_user(kbuf, u64_to_user_ptr(c.uaddr), c.len);
	}
	kvfree(kbuf);
	c.done = c.len - left;
	if (copy_to_user(arg, &c, sizeof(c)))
		return -EFAULT;
	return left ? -EFAULT : 0;
}
