// SPDX-License-Identifier: GPL-2.0
/* kunit_vm_mmap(), v6.11: a KUnit test maps a file into an mm of its own. */
#include <kunit/test.h>

unsigned long conftest_kunit_vm_mmap(struct kunit *test, struct file *file);
unsigned long conftest_kunit_vm_mmap(struct kunit *test, struct file *file)
{
	return kunit_vm_mmap(test, file, 0, PAGE_SIZE, 0, 0, 0);
}
