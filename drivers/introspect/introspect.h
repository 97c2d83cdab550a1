/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /dev/mmlab-mm: the caller's memory map and the kernel's layout, read
 * from the kernel's own structures, for probes to compare with /proc.
 */
#ifndef _MMLAB_INTROSPECT_H
#define _MMLAB_INTROSPECT_H

#include <linux/types.h>

long mmlab_mm_walk(void __user *arg);
long mmlab_mm_vmas(void __user *arg);
long mmlab_mm_stat(void __user *arg);
long mmlab_mm_layout(void __user *arg);
long mmlab_mm_copy(void __user *arg);
long mmlab_mm_follow(void __user *arg);

int mmlab_introspect_init(void);
void mmlab_introspect_exit(void);

#endif /* _MMLAB_INTROSPECT_H */
