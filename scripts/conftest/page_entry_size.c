// SPDX-License-Identifier: GPL-2.0
/*
 * enum page_entry_size: vm_ops->huge_fault()'s second argument until v6.6,
 * which passes an order instead. The two types are compatible, so only the
 * enum's presence tells which one a kernel means.
 */
#include <linux/mm.h>

unsigned int conftest_page_entry_size(enum page_entry_size pe_size);
unsigned int conftest_page_entry_size(enum page_entry_size pe_size)
{
	return pe_size == PE_SIZE_PMD;
}
