// SPDX-License-Identifier: GPL-2.0
/* page_mapcount(): removed in v6.12 in favour of the folio's count. */
#include <linux/mm.h>

int conftest_page_mapcount(struct page *page);
int conftest_page_mapcount(struct page *page)
{
	return page_mapcount(page);
}
