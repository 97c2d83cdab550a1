// SPDX-License-Identifier: GPL-2.0
/* <kunit/visibility.h>, v6.2: EXPORT_SYMBOL_IF_KUNIT(). */
#include <kunit/visibility.h>

int conftest_kunit_visibility(void);
int conftest_kunit_visibility(void)
{
	return 0;
}
