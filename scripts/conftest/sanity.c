// SPDX-License-Identifier: GPL-2.0
/* Control: must compile against any usable KDIR. */
#include <linux/module.h>

int conftest_sanity(void);
int conftest_sanity(void)
{
	return 0;
}
