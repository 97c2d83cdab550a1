// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of mmlab's buffers (drivers/mmap/buffer.c), of the range
 * check every mmap() goes through (mmlab_range_ok()) and of the huge mode's
 * check that a PMD may map a block (mmlab_pmd_fits()).
 */
#include <kunit/test.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include <mmlab/compat.h>
#include "../drivers/mmap/mmlab.h"

#define TEST_PAGES	16

static const struct {
	unsigned long pgoff, pages, npages;
	bool ok;
} range_cases[] = {
	{ 0, 1, 1, true },
	{ 0, 16, 16, true },
	{ 15, 1, 16, true },
	{ 16, 1, 16, false },		/* starts at the end */
	{ 0, 17, 16, false },		/* one page too long */
	{ 15, 2, 16, false },		/* straddles the end */
	{ ULONG_MAX, 1, 16, false },	/* pgoff + pages wraps to 0 */
	{ 1, ULONG_MAX, 16, false },	/* so does this one */
	{ ULONG_MAX - 1, 2, ULONG_MAX, false },
	{ ULONG_MAX - 1, 1, ULONG_MAX, true },
};

/* The check must hold where pgoff + pages wraps around. */
static void range_ok_test(struct kunit *test)
{
	for (size_t i = 0; i < ARRAY_SIZE(range_cases); i++)
		KUNIT_EXPECT_EQ_MSG(test,
				    mmlab_range_ok(range_cases[i].pgoff,
						   range_cases[i].pages,
						   range_cases[i].npages),
				    range_cases[i].ok,
				    "pgoff %lu pages %lu npages %lu",
				    range_cases[i].pgoff, range_cases[i].pages,
				    range_cases[i].npages);
}

static const struct {
	enum mmlab_buffer_kind kind;
	const char *name;
} kinds[] = {
	{ MMLAB_BUF_CONTIG, "contig" },
	{ MMLAB_BUF_PAGES, "pages" },
	{ MMLAB_BUF_VMALLOC, "vmalloc" },
	{ MMLAB_BUF_PAGECACHE, "pagecache" },
};

KUNIT_ARRAY_PARAM_DESC(kind, kinds, name);

/* The kind of buffer under test: the row of kinds[] it was given. */
static enum mmlab_buffer_kind param_kind(struct kunit *test)
{
	return ((typeof(kinds[0]) *)test->param_value)->kind;
}

KUNIT_DEFINE_ACTION_WRAPPER(buffer_put_action, mmlab_buffer_put,
			    struct mmlab_buffer *);

/*
 * Every kind: the requested number of distinct, zeroed pages, and the
 * kernel's view (buf->vaddr) of byte i of page p is byte i of pages[p],
 * as seen through a kmap_local_page() of that page.
 */
static void buffer_layout_test(struct kunit *test)
{
	const enum mmlab_buffer_kind kind = param_kind(test);
	struct mmlab_buffer *buf;
	unsigned long i, j;

	buf = mmlab_buffer_alloc(kind, TEST_PAGES * PAGE_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, buffer_put_action,
							buf), 0);
	KUNIT_EXPECT_EQ(test, buf->npages, TEST_PAGES);
	KUNIT_EXPECT_EQ(test, buf->size, TEST_PAGES * PAGE_SIZE);

	for (i = 0; i < TEST_PAGES; i++) {
		KUNIT_ASSERT_NOT_NULL(test, buf->pages[i]);
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_PTR_NE(test, buf->pages[i], buf->pages[j]);
		KUNIT_EXPECT_NULL(test, memchr_inv(buf->vaddr + i * PAGE_SIZE,
						   0, PAGE_SIZE));
		memset(buf->vaddr + i * PAGE_SIZE, 0x40 + i, PAGE_SIZE);
	}
	for (i = 0; i < TEST_PAGES; i++) {
		u8 *p = kmap_local_page(buf->pages[i]);

		KUNIT_EXPECT_NULL_MSG(test, memchr_inv(p, 0x40 + i, PAGE_SIZE),
				      "page %lu", i);
		kunmap_local(p);
	}
}

/* What each kind promises beyond that. */
static void buffer_kind_test(struct kunit *test)
{
	const enum mmlab_buffer_kind kind = param_kind(test);
	struct mmlab_buffer *buf;
	unsigned long i;

	buf = mmlab_buffer_alloc(kind, TEST_PAGES * PAGE_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, buffer_put_action,
							buf), 0);

	for (i = 0; i < TEST_PAGES; i++) {
		struct page *page = buf->pages[i];

		switch (kind) {
		case MMLAB_BUF_CONTIG:
			/* One block from the buddy allocator, in the direct map. */
			KUNIT_EXPECT_EQ(test, page_to_pfn(page),
					page_to_pfn(buf->pages[0]) + i);
			KUNIT_EXPECT_PTR_EQ(test, page,
					    virt_to_page(buf->vaddr + i * PAGE_SIZE));
			break;
		case MMLAB_BUF_VMALLOC:
			KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(buf->vaddr));
			KUNIT_EXPECT_PTR_EQ(test, page,
					    vmalloc_to_page(buf->vaddr + i * PAGE_SIZE));
			break;
		case MMLAB_BUF_PAGECACHE:
			/* In the inode's page cache, at its own index, uptodate. */
			KUNIT_EXPECT_PTR_EQ(test, page_folio(page)->mapping,
					    buf->inode->i_mapping);
			KUNIT_EXPECT_EQ(test, page_folio(page)->index, i);
			KUNIT_EXPECT_TRUE(test, folio_test_uptodate(page_folio(page)));
			fallthrough;
		case MMLAB_BUF_PAGES:
			KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(buf->vaddr));
			KUNIT_EXPECT_PTR_EQ(test, page,
					    vmalloc_to_page(buf->vaddr + i * PAGE_SIZE));
			break;
		case MMLAB_BUF_SHMEM:
			/* Not in kinds[]: it holds no page (buffer_shmem_test). */
			KUNIT_FAIL(test, "a shmem buffer has no pages[]");
			return;
		case MMLAB_BUF_HUGE:
			/* Not in kinds[]: 2 MiB blocks (buffer_huge_test). */
			KUNIT_FAIL(test, "a huge buffer is not TEST_PAGES long");
			return;
		}
	}
	if (kind == MMLAB_BUF_PAGECACHE)
		KUNIT_EXPECT_EQ(test, i_size_read(buf->inode),
				TEST_PAGES * PAGE_SIZE);
}

/* Freed on the last reference only; the module's page count follows. */
static void buffer_refcount_test(struct kunit *test)
{
	const enum mmlab_buffer_kind kind = param_kind(test);
	long base = mmlab_pages_allocated();
	struct mmlab_buffer *buf;

	buf = mmlab_buffer_alloc(kind, TEST_PAGES * PAGE_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, mmlab_pages_allocated(), base + TEST_PAGES);
	mmlab_buffer_get(buf);
	mmlab_buffer_put(buf);
	KUNIT_EXPECT_EQ(test, mmlab_pages_allocated(), base + TEST_PAGES);
	KUNIT_EXPECT_EQ(test, kref_read(&buf->ref), 1);
	mmlab_buffer_put(buf);
	KUNIT_EXPECT_EQ(test, mmlab_pages_allocated(), base);
}

/*
 * A shmem buffer holds no page until one is asked for: each then comes
 * from the shmem file's page cache, zeroed, at its own index, the same
 * page every time while it stays in memory; its file's i_size is the
 * buffer's, and freeing the buffer frees the file.
 */
static void buffer_shmem_test(struct kunit *test)
{
	struct address_space *mapping;
	struct mmlab_buffer *buf;
	struct page *page, *again;
	unsigned long i;
	u8 *p;

	buf = mmlab_buffer_alloc(MMLAB_BUF_SHMEM, TEST_PAGES * PAGE_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, buffer_put_action,
							buf), 0);
	mapping = buf->shmem->f_mapping;
	KUNIT_EXPECT_PTR_EQ(test, buf->inode, file_inode(buf->shmem));
	KUNIT_EXPECT_EQ(test, i_size_read(buf->inode), TEST_PAGES * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, mapping->nrpages, 0);
	KUNIT_EXPECT_NULL(test, buf->vaddr);

	for (i = 0; i < TEST_PAGES; i += 5) {
		page = mmlab_buffer_page(buf, i);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, page);
		KUNIT_EXPECT_PTR_EQ(test, page_folio(page)->mapping, mapping);
		KUNIT_EXPECT_EQ(test, page_folio(page)->index, i);
		p = kmap_local_page(page);
		KUNIT_EXPECT_NULL(test, memchr_inv(p, 0, PAGE_SIZE));
		p[7] = 0x40 + i;
		kunmap_local(p);
		again = mmlab_buffer_page(buf, i);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, again);
		KUNIT_EXPECT_PTR_EQ(test, again, page);
		p = kmap_local_page(again);
		KUNIT_EXPECT_EQ(test, p[7], 0x40 + i);
		kunmap_local(p);
		put_page(again);
		put_page(page);
	}
	/* Pages 0, 5, 10 and 15: only those asked for. */
	KUNIT_EXPECT_EQ(test, mapping->nrpages, 4);
}

#define PMD_PAGES	(PMD_SIZE >> PAGE_SHIFT)

static const struct {
	unsigned long start, end, pgoff, address, npages;
	bool fits;
} pmd_cases[] = {
	/* An aligned vma of one block at its start: the PMD fits. */
	{ PMD_SIZE, 2 * PMD_SIZE, 0, 2 * PMD_SIZE - 1, PMD_PAGES, true },
	/* Its second block, whichever address in it faults. */
	{ PMD_SIZE, 3 * PMD_SIZE, 0, 2 * PMD_SIZE, 2 * PMD_PAGES, true },
	/* Mapped from the second block: still one block per PMD. */
	{ PMD_SIZE, 2 * PMD_SIZE, PMD_PAGES, PMD_SIZE, 2 * PMD_PAGES, true },
	/* The vma starts a page into the PMD, or ends a page short of it. */
	{ PMD_SIZE + PAGE_SIZE, 2 * PMD_SIZE, 1, PMD_SIZE + PAGE_SIZE,
	  PMD_PAGES, false },
	{ PMD_SIZE, 2 * PMD_SIZE - PAGE_SIZE, 0, PMD_SIZE, PMD_PAGES, false },
	/* Aligned addresses, but the PMD would straddle two blocks. */
	{ PMD_SIZE, 2 * PMD_SIZE, 1, PMD_SIZE, 2 * PMD_PAGES, false },
	/* A block that runs past the buffer's end. */
	{ PMD_SIZE, 2 * PMD_SIZE, PMD_PAGES, PMD_SIZE, PMD_PAGES, false },
	/* A block-aligned vm_pgoff near ULONG_MAX, far past any buffer. */
	{ PMD_SIZE, 2 * PMD_SIZE, -PMD_PAGES, PMD_SIZE, PMD_PAGES, false },
};

/* mmlab_pmd_fits(): a PMD maps one whole block, inside the vma, or nothing. */
static void pmd_fits_test(struct kunit *test)
{
	for (size_t i = 0; i < ARRAY_SIZE(pmd_cases); i++)
		KUNIT_EXPECT_EQ_MSG(test,
				    mmlab_pmd_fits(pmd_cases[i].start,
						   pmd_cases[i].end,
						   pmd_cases[i].pgoff,
						   pmd_cases[i].address,
						   pmd_cases[i].npages),
				    pmd_cases[i].fits, "case %zu", i);
}

/*
 * A huge buffer: PMD-sized blocks, each physically contiguous from a frame
 * aligned to PMD_SIZE, zeroed, behind one kernel view; its size must be a
 * multiple of PMD_SIZE.
 */
static void buffer_huge_test(struct kunit *test)
{
	struct mmlab_buffer *buf;
	unsigned long i;

	KUNIT_EXPECT_EQ(test, PTR_ERR(mmlab_buffer_alloc(MMLAB_BUF_HUGE,
							 PMD_SIZE / 2)),
			-EINVAL);
	buf = mmlab_buffer_alloc(MMLAB_BUF_HUGE, 2 * PMD_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, buffer_put_action,
							buf), 0);
	KUNIT_EXPECT_EQ(test, buf->npages, 2 * PMD_PAGES);
	for (i = 0; i < buf->npages; i++) {
		unsigned long pfn = page_to_pfn(buf->pages[i]);

		if (i % PMD_PAGES == 0)
			KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED(pfn, PMD_PAGES),
					      "block at page %lu: PFN %#lx",
					      i, pfn);
		else
			KUNIT_EXPECT_EQ_MSG(test, pfn,
					    page_to_pfn(buf->pages[i - 1]) + 1,
					    "page %lu", i);
		KUNIT_EXPECT_PTR_EQ(test, buf->pages[i],
				    vmalloc_to_page(buf->vaddr + i * PAGE_SIZE));
		KUNIT_EXPECT_NULL(test, memchr_inv(buf->vaddr + i * PAGE_SIZE,
						   0, PAGE_SIZE));
	}
}

static struct kunit_case buffer_test_cases[] = {
	KUNIT_CASE(range_ok_test),
	KUNIT_CASE_PARAM(buffer_layout_test, kind_gen_params),
	KUNIT_CASE_PARAM(buffer_kind_test, kind_gen_params),
	KUNIT_CASE_PARAM(buffer_refcount_test, kind_gen_params),
	KUNIT_CASE(buffer_shmem_test),
	KUNIT_CASE(pmd_fits_test),
	KUNIT_CASE(buffer_huge_test),
	{}
};

static struct kunit_suite buffer_test_suite = {
	.name = "mmlab_buffer",
	.test_cases = buffer_test_cases,
};

kunit_test_suites(&buffer_test_suite);
