// SPDX-License-Identifier: GPL-2.0
/* vm_flags_set(), v6.3: vma->vm_flags became read-only outside the mm core. */
#include <linux/mm.h>

void conftest_vm_flags_set(struct vm_area_struct *vma);
void conftest_vm_flags_set(struct vm_area_struct *vma)
{
	vm_flags_set(vma, VM_DONTEXPAND);
}
