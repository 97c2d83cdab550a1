// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's virtual address space on x86-64
 * (Documentation/arch/x86/x86_64/mm.rst), and where live objects of each
 * kind fall in it. Addresses leave the kernel only as %pK would print
 * them: hashed when kptr_restrict is 0, real when it is 1 and the caller
 * has CAP_SYSLOG, zero otherwise, the rules of /proc/kallsyms.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mmlab_mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "introspect.h"

static u64 restrict_ptr(u64 addr, u32 *withheld)
{
	char buf[24];
	u64 shown;

	snprintf(buf, sizeof(buf), "%pK", (void *)(unsigned long)addr);
	if (kstrtou64(buf, 16, &shown))
		shown = 0;
	if (shown != addr)
		*withheld = 1;
	return shown;
}

/* MMLAB_MM_IOC_LAYOUT: see include/uapi/linux/mmlab.h. */
long mmlab_mm_layout(void __user *arg)
{
	struct mmlab_layout l = { .levels = pgtable_l5_enabled() ? 5 : 4 };
	void *kbuf = kmalloc(64, GFP_KERNEL);
	void *vbuf = vmalloc(PAGE_SIZE);
	int on_stack = 0;
	long ret = 0;
	int i, r;

	if (!kbuf || !vbuf) {
		ret = -ENOMEM;
		goto out;
	}
	l.region[MMLAB_REGION_DIRECT_MAP][0] = PAGE_OFFSET;
	l.region[MMLAB_REGION_DIRECT_MAP][1] = (unsigned long)high_memory;
	l.region[MMLAB_REGION_VMALLOC][0] = VMALLOC_START;
	l.region[MMLAB_REGION_VMALLOC][1] = VMALLOC_END;
	/* The struct pages of the direct-mapped memory. */
	l.region[MMLAB_REGION_VMEMMAP][0] = VMEMMAP_START;
	l.region[MMLAB_REGION_VMEMMAP][1] =
		(unsigned long)(virt_to_page(high_memory - 1) + 1);
	l.region[MMLAB_REGION_MODULES][0] = MODULES_VADDR;
	l.region[MMLAB_REGION_MODULES][1] = MODULES_END;
	l.region[MMLAB_REGION_KERNEL_TEXT][0] = __START_KERNEL_map;
	l.region[MMLAB_REGION_KERNEL_TEXT][1] =
		__START_KERNEL_map + KERNEL_IMAGE_SIZE;

	l.live[MMLAB_LIVE_KMALLOC] = (unsigned long)kbuf;
	l.live[MMLAB_LIVE_VMALLOC] = (unsigned long)vbuf;
	l.live[MMLAB_LIVE_MODULE] = (unsigned long)mmlab_mm_layout;
	l.live[MMLAB_LIVE_STACK] = (unsigned long)&on_stack;
	l.live[MMLAB_LIVE_KERNEL] = (unsigned long)schedule;

	for (i = 0; i < MMLAB_LIVES; i++) {
		l.live_region[i] = -1;
		for (r = 0; r < MMLAB_REGIONS; r++)
			if (l.live[i] >= l.region[r][0] &&
			    l.live[i] < l.region[r][1])
				l.live_region[i] = r;
		l.live_valid[i] = virt_addr_valid((void *)(unsigned long)l.live[i]);
	}

	for (r = 0; r < MMLAB_REGIONS; r++) {
		l.region[r][0] = restrict_ptr(l.region[r][0], &l.withheld);
		l.region[r][1] = restrict_ptr(l.region[r][1], &l.withheld);
	}
	for (i = 0; i < MMLAB_LIVES; i++)
		l.live[i] = restrict_ptr(l.live[i], &l.withheld);

	if (copy_to_user(arg, &l, sizeof(l)))
		ret = -EFAULT;
out:
	vfree(vbuf);
	kfree(kbuf);
	return ret;
}
