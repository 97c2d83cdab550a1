// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests that drive each mmlab mode's own mmap() and fault code with
 * no userspace: kunit_vm_mmap() gives the test thread an mm and maps a file
 * of the driver (an anonymous-inode file over mmlab_fops), and
 * copy_from_user()/copy_to_user() through that mapping enter the mode's
 * fault handlers exactly as a user access would.
 */
#include <kunit/test.h>
#include <linux/anon_inodes.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <mmlab/compat.h>
#include "../drivers/mmap/mmlab.h"

#define TEST_PAGES	16

/*
 * The pages do_fault_around() asks ->map_pages for with the default
 * fault_around_bytes (64 KiB): a naturally aligned window of PTEs around
 * the fault, clamped to the vma. With a window of one page, as with 64 KiB
 * pages, the core never calls ->map_pages at all. The tests assume the
 * default: a root who changes debugfs' fault_around_bytes changes this.
 */
#define FAULT_AROUND_PAGES	(SZ_64K / PAGE_SIZE)

/* What each mode must do, written down here rather than read from it. */
static const struct {
	const char *name;
	bool prefault;		/* every PTE written at mmap() time */
	bool pfnmap;		/* raw PFNs: GUP refuses them */
	bool faultaround;	/* read faults are served by ->map_pages */
	bool huge;		/* PMD-sized blocks, one PMD each */
} expect[] = {
	{ "remap", .prefault = true, .pfnmap = true },
	{ "fault" },
	{ "faultaround", .faultaround = true },
	{ "mkwrite" },
	{ "pfn", .pfnmap = true },
	{ "mixed" },
	{ "vmalloc", .prefault = true },
	{ "vmalloc-fault" },
	{ "insert", .prefault = true },
	{ "insert-page", .prefault = true },
	{ "shmem" },
	{ "huge", .pfnmap = true, .huge = true },
};

static_assert(ARRAY_SIZE(expect) == MMLAB_NR_MODES);

struct mmap_test {
	struct mmlab_dev dev;
	struct file *file;
	unsigned int mode;
	u8 *kbuf;
};

/* A case per row of expect[], named by the mode. */
KUNIT_ARRAY_PARAM_DESC(mode, expect, name);

KUNIT_DEFINE_ACTION_WRAPPER(buffer_put_action, mmlab_buffer_put,
			    struct mmlab_buffer *);
KUNIT_DEFINE_ACTION_WRAPPER(fput_action, fput, struct file *);

/* The bytes of the buffer, a function of their offset. */
static u8 pattern(unsigned long offset, u8 seed)
{
	return (offset * 31 + (offset >> PAGE_SHIFT) * 7 + seed) & 0xff;
}

/* Page @i of the buffer under test, referenced: put_page() it. */
static struct page *buf_page(struct kunit *test, unsigned long i)
{
	struct mmap_test *t = test->priv;
	struct page *page = mmlab_buffer_page(t->dev.buf, i);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, page);
	return page;
}

/*
 * A device of the mode under test, as a file: the vma gets our buffer, the
 * file's private_data our miscdevice, as misc_open() would set it.
 */
static int mmap_test_init(struct kunit *test)
{
	/* The row of expect[], and so of mmlab_modes[], under test. */
	unsigned int mode = (typeof(expect[0]) *)test->param_value - expect;
	struct mmap_test *t;
	unsigned long i;
	int ret;

#ifndef MMLAB_HAVE_KUNIT_VM_MMAP
	kunit_skip(test, "kunit_vm_mmap() needs Linux 6.11");
#endif
	KUNIT_ASSERT_STREQ(test, expect[mode].name, mmlab_modes[mode]->name);

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	test->priv = t;
	t->mode = mode;
	t->kbuf = kunit_kzalloc(test, TEST_PAGES * PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->kbuf);
	t->dev.mode = mmlab_modes[mode];
	/* The tests use its first TEST_PAGES; a huge buffer has a block. */
	t->dev.buf = mmlab_buffer_alloc(t->dev.mode->kind,
					expect[mode].huge ? PMD_SIZE :
					TEST_PAGES * PAGE_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t->dev.buf);
	ret = kunit_add_action_or_reset(test, buffer_put_action, t->dev.buf);
	KUNIT_ASSERT_EQ(test, ret, 0);
	/* Through each page: a shmem buffer has no kernel mapping of it all. */
	for (i = 0; i < TEST_PAGES; i++) {
		struct page *page = buf_page(test, i);
		u8 *p = kmap_local_page(page);
		unsigned long j;

		for (j = 0; j < PAGE_SIZE; j++)
			p[j] = pattern(i * PAGE_SIZE + j, 1);
		kunmap_local(p);
		set_page_dirty_lock(page);
		put_page(page);
	}

	t->file = anon_inode_getfile("[mmlab-kunit]", &mmlab_fops,
				     &t->dev.misc, O_RDWR);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t->file);
	ret = kunit_add_action_or_reset(test, fput_action, t->file);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = mmlab_fops.open(file_inode(t->file), t->file);
	KUNIT_ASSERT_EQ(test, ret, 0);
	return 0;
}

#ifdef MMLAB_HAVE_KUNIT_VM_MMAP
static unsigned long map(struct kunit *test, unsigned long pages,
			 unsigned long pgoff)
{
	struct mmap_test *t = test->priv;

	return kunit_vm_mmap(test, t->file, 0, pages * PAGE_SIZE,
			     PROT_READ | PROT_WRITE, MAP_SHARED,
			     pgoff * PAGE_SIZE);
}
#else
static unsigned long map(struct kunit *test, unsigned long pages,
			 unsigned long pgoff)
{
	return -EOPNOTSUPP;
}
#endif

/* Does a read fault in this mode map the neighbours of the page read? */
static bool maps_around(const struct mmap_test *t)
{
	return expect[t->mode].faultaround && FAULT_AROUND_PAGES > 1;
}

/*
 * Reading the mapping with copy_from_user() returns the buffer's bytes and
 * costs one fault per page in a lazy mode, none in a mode that writes its
 * PTEs at mmap() time; fault-around serves reads through ->map_pages.
 * Reading again costs nothing.
 *
 * do_read_fault() calls ->map_pages before every ->fault, so calls >=
 * faults says nothing: that ->map_pages did map pages shows as fewer
 * ->fault calls than pages (none at all when it maps the faulting page
 * too), and as fewer read faults than pages, each one mapping a window.
 */
static void read_faults_test(struct kunit *test)
{
	struct mmap_test *t = test->priv;
	s64 faults, calls;
	unsigned long addr, i;

	addr = map(test, TEST_PAGES, 0);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_VALUE(addr), "mmap: %ld", addr);
	faults = atomic64_read(&t->dev.faults);
	calls = atomic64_read(&t->dev.map_pages_calls);

	KUNIT_ASSERT_EQ(test, copy_from_user(t->kbuf, (void __user *)addr,
					     TEST_PAGES * PAGE_SIZE), 0);
	for (i = 0; i < TEST_PAGES * PAGE_SIZE; i++)
		if (t->kbuf[i] != pattern(i, 1))
			KUNIT_FAIL(test, "byte %lu: %#x, want %#x", i,
				   t->kbuf[i], pattern(i, 1));
	faults = atomic64_read(&t->dev.faults) - faults;
	calls = atomic64_read(&t->dev.map_pages_calls) - calls;

	if (expect[t->mode].prefault) {
		KUNIT_EXPECT_EQ(test, faults, 0);
	} else if (maps_around(t)) {
		KUNIT_EXPECT_GE(test, calls, 1);
		KUNIT_EXPECT_LT_MSG(test, faults, TEST_PAGES,
				    "->map_pages mapped nothing (%lld calls)",
				    calls);
		KUNIT_EXPECT_LT_MSG(test, calls, TEST_PAGES,
				    "->map_pages mapped one page a call");
	} else {
		KUNIT_EXPECT_EQ(test, faults, TEST_PAGES);
	}

	faults = atomic64_read(&t->dev.faults);
	KUNIT_ASSERT_EQ(test, copy_from_user(t->kbuf, (void __user *)addr,
					     TEST_PAGES * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&t->dev.faults), faults);
}

/* Is page @i of the buffer mapped anywhere, as the rmap counts it? */
static bool buffer_page_mapped(struct kunit *test, unsigned long i)
{
	struct page *page = buf_page(test, i);
	bool mapped = folio_mapped(page_folio(page));

	put_page(page);
	return mapped;
}

#define MID_PAGE	(TEST_PAGES / 2)

/*
 * The rmap's view, independent of the driver's counters: reading one byte
 * of page 8 of 16 maps that page, and in fault-around mode neighbours of
 * it too. The window around page 8 reaches into the vma on at least one
 * side however the vma is aligned, for any window of two pages or more.
 * A mode without ->map_pages maps the page read and no other.
 */
static void read_maps_neighbours_test(struct kunit *test)
{
	struct mmap_test *t = test->priv;
	unsigned long addr, i, others = 0;
	u8 byte;

	if (expect[t->mode].prefault)
		kunit_skip(test, "every PTE is written at mmap() time");
	if (expect[t->mode].pfnmap)
		kunit_skip(test, "raw PFNs: the rmap does not see them");
	addr = map(test, TEST_PAGES, 0);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_VALUE(addr), "mmap: %ld", addr);
	for (i = 0; i < TEST_PAGES; i++)
		KUNIT_ASSERT_FALSE_MSG(test, buffer_page_mapped(test, i),
				       "page %lu mapped before any access", i);

	KUNIT_ASSERT_EQ(test, copy_from_user(&byte, (void __user *)addr +
					     MID_PAGE * PAGE_SIZE + 5, 1), 0);
	KUNIT_EXPECT_EQ(test, byte, pattern(MID_PAGE * PAGE_SIZE + 5, 1));
	KUNIT_EXPECT_TRUE(test, buffer_page_mapped(test, MID_PAGE));
	for (i = 0; i < TEST_PAGES; i++)
		if (i != MID_PAGE && buffer_page_mapped(test, i))
			others++;

	if (maps_around(t))
		KUNIT_EXPECT_GE_MSG(test, others, 1,
				    "->map_pages mapped no neighbour");
	else
		KUNIT_EXPECT_EQ(test, others, 0);
}

/*
 * A copy_to_user() into page 3 of a mapping at page offset 2 lands in the
 * driver's page 5, seen through kmap_local_page(), and nowhere else.
 */
static void write_lands_in_driver_page_test(struct kunit *test)
{
	struct mmap_test *t = test->priv;
	unsigned long addr, i;
	u8 *page;

	addr = map(test, 8, 2);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_VALUE(addr), "mmap: %ld", addr);
	memset(t->kbuf, 0xa5, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)addr + 3 * PAGE_SIZE,
					   t->kbuf, PAGE_SIZE), 0);
	for (i = 0; i < TEST_PAGES; i++) {
		struct page *p = buf_page(test, i);

		page = kmap_local_page(p);
		if (i == 5)
			KUNIT_EXPECT_NULL(test, memchr_inv(page, 0xa5, PAGE_SIZE));
		else
			KUNIT_EXPECT_EQ_MSG(test, page[0],
					    pattern(i * PAGE_SIZE, 1), "page %lu", i);
		kunmap_local(page);
		put_page(p);
	}
}

/*
 * get_user_pages() finds the driver's own page behind each address of a
 * page-backed mapping, and refuses a VM_PFNMAP one.
 */
static void gup_finds_driver_page_test(struct kunit *test)
{
	struct mmap_test *t = test->priv;
	struct page *page, *own;
	unsigned long addr, i;
	int ret;

	addr = map(test, TEST_PAGES, 0);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_VALUE(addr), "mmap: %ld", addr);
	for (i = 0; i < TEST_PAGES; i++) {
		ret = get_user_pages_fast(addr + i * PAGE_SIZE, 1, 0, &page);
		if (expect[t->mode].pfnmap) {
			KUNIT_EXPECT_EQ(test, ret, -EFAULT);
			continue;
		}
		KUNIT_ASSERT_EQ(test, ret, 1);
		own = buf_page(test, i);
		KUNIT_EXPECT_PTR_EQ_MSG(test, page, own, "page %lu", i);
		put_page(own);
		put_page(page);
	}
}

/*
 * follow_pfnmap_start() finds the driver's own frame behind each address
 * of a VM_PFNMAP mapping once it is mapped, special, and refuses a
 * page-backed one with -EINVAL, touched or not: the complement of
 * get_user_pages(), which refuses the first and pins the second.
 */
static void follow_finds_driver_frame_test(struct kunit *test)
{
	struct mmap_test *t = test->priv;
	unsigned long addr, i, pfn = 0;
	struct mm_struct *mm;
	struct page *own;
	bool special = false;
	int ret;

	addr = map(test, TEST_PAGES, 0);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_VALUE(addr), "mmap: %ld", addr);
	/* The mm that kunit_vm_mmap() attached to the test's thread. */
	mm = current->mm;
	KUNIT_ASSERT_EQ(test, copy_from_user(t->kbuf, (void __user *)addr,
					     TEST_PAGES * PAGE_SIZE), 0);
	for (i = 0; i < TEST_PAGES; i++) {
		struct follow_pfnmap_args args = {
			.address = addr + i * PAGE_SIZE,
		};

		mmap_read_lock(mm);
		args.vma = vma_lookup(mm, args.address);
		ret = args.vma ? follow_pfnmap_start(&args) : -EFAULT;
		if (!ret) {
			pfn = args.pfn;
			special = args.special;
			follow_pfnmap_end(&args);
		}
		mmap_read_unlock(mm);
		if (!expect[t->mode].pfnmap) {
			KUNIT_EXPECT_EQ_MSG(test, ret, -EINVAL, "page %lu", i);
			continue;
		}
		KUNIT_ASSERT_EQ_MSG(test, ret, 0, "page %lu", i);
		own = buf_page(test, i);
		KUNIT_EXPECT_EQ_MSG(test, pfn, page_to_pfn(own), "page %lu", i);
		put_page(own);
		KUNIT_EXPECT_TRUE_MSG(test, special, "page %lu", i);
	}
}

/* Make the buffer end after @pages, as a device that shrinks would. */
static void buffer_set_end(struct mmlab_buffer *buf, unsigned long pages)
{
	buf->npages = pages;
	/* filemap_map_pages() maps only inside i_size. */
	if (buf->inode)
		i_size_write(buf->inode, pages * PAGE_SIZE);
}

/*
 * A fault past the buffer's end is VM_FAULT_SIGBUS, which a kernel copy
 * sees as a short copy. mmap() refuses such a range, so the buffer is made
 * to end early behind the vma's back.
 */
static void fault_past_end_is_short_copy_test(struct kunit *test)
{
	struct mmap_test *t = test->priv;
	unsigned long addr, left;

	if (expect[t->mode].prefault)
		kunit_skip(test, "no fault handler: every PTE exists");
	addr = map(test, 4, 0);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_VALUE(addr), "mmap: %ld", addr);
	buffer_set_end(t->dev.buf, 2);
	left = copy_from_user(t->kbuf, (void __user *)addr, 4 * PAGE_SIZE);
	buffer_set_end(t->dev.buf, t->dev.buf->size >> PAGE_SHIFT);
	KUNIT_EXPECT_EQ(test, left, 2 * PAGE_SIZE);
}

/* mmap() past the end fails with -EINVAL; the vma count follows munmap(). */
static void mmap_bounds_and_vmas_test(struct kunit *test)
{
	struct mmap_test *t = test->priv;
	unsigned long addr, n = t->dev.buf->npages;

	KUNIT_EXPECT_EQ(test, (long)map(test, 1, n), -EINVAL);
	KUNIT_EXPECT_EQ(test, (long)map(test, n + 1, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, (long)map(test, 2, n - 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->dev.buf->live_vmas), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&t->dev.mmap_calls), 0);

	addr = map(test, 4, 0);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_VALUE(addr), "mmap: %ld", addr);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->dev.buf->live_vmas), 1);
	KUNIT_EXPECT_EQ(test, atomic64_read(&t->dev.mmap_calls), 1);
	KUNIT_EXPECT_EQ(test, kref_read(&t->dev.buf->ref), 2);
	/* Unmapping the middle splits the vma: two vmas, two references. */
	KUNIT_ASSERT_EQ(test, vm_munmap(addr + PAGE_SIZE, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->dev.buf->live_vmas), 2);
	KUNIT_EXPECT_EQ(test, kref_read(&t->dev.buf->ref), 3);
	KUNIT_ASSERT_EQ(test, vm_munmap(addr, 4 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->dev.buf->live_vmas), 0);
	KUNIT_EXPECT_EQ(test, kref_read(&t->dev.buf->ref), 1);
}

/*
 * The huge mode: reading a whole block, mapped where its
 * ->get_unmapped_area put it (PMD-aligned), costs either one fault, a
 * ->huge_fault that maps a PMD, which needs a kernel with special PMDs,
 * or one ->fault per page, where the kernel does not call ->huge_fault
 * for the vma (v6.1, or the THP policy says no): nothing in between. The
 * bytes are the buffer's either way. mmap_huge_test tells which from the
 * kernel's own evidence.
 */
static void huge_block_one_fault_test(struct kunit *test)
{
	const unsigned long chunk = TEST_PAGES * PAGE_SIZE;
	struct mmap_test *t = test->priv;
	unsigned long addr, off, i, wrong = 0;
	s64 faults, huge;

	if (!expect[t->mode].huge)
		kunit_skip(test, "no ->huge_fault");
	addr = map(test, PMD_SIZE >> PAGE_SHIFT, 0);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_VALUE(addr), "mmap: %ld", addr);
	KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED(addr, PMD_SIZE), "at %#lx", addr);
	faults = atomic64_read(&t->dev.faults);
	huge = atomic64_read(&t->dev.huge_faults);
	for (off = 0; off < PMD_SIZE; off += chunk) {
		KUNIT_ASSERT_EQ(test, copy_from_user(t->kbuf,
						     (void __user *)addr + off,
						     chunk), 0);
		for (i = 0; i < chunk; i++)
			wrong += t->kbuf[i] != (off ? 0 : pattern(i, 1));
	}
	KUNIT_EXPECT_EQ(test, wrong, 0);
	faults = atomic64_read(&t->dev.faults) - faults;
	huge = atomic64_read(&t->dev.huge_faults) - huge;
	kunit_info(test, "%lld faults, %lld of them PMDs, for %lu pages",
		   faults, huge, PMD_SIZE >> PAGE_SHIFT);
	/* The THP policy, or the hardware, may refuse a PMD anyway. */
	if (huge) {
		KUNIT_EXPECT_TRUE(test, mmlab_pmd_pfnmap());
		KUNIT_EXPECT_EQ(test, faults, 1);
		KUNIT_EXPECT_EQ(test, huge, 1);
	} else {
		KUNIT_EXPECT_EQ(test, faults, PMD_SIZE >> PAGE_SHIFT);
	}
}

static struct kunit_case mmap_test_cases[] = {
	KUNIT_CASE_PARAM(read_faults_test, mode_gen_params),
	KUNIT_CASE_PARAM(read_maps_neighbours_test, mode_gen_params),
	KUNIT_CASE_PARAM(write_lands_in_driver_page_test, mode_gen_params),
	KUNIT_CASE_PARAM(gup_finds_driver_page_test, mode_gen_params),
	KUNIT_CASE_PARAM(follow_finds_driver_frame_test, mode_gen_params),
	KUNIT_CASE_PARAM(fault_past_end_is_short_copy_test, mode_gen_params),
	KUNIT_CASE_PARAM(mmap_bounds_and_vmas_test, mode_gen_params),
	KUNIT_CASE_PARAM(huge_block_one_fault_test, mode_gen_params),
	{}
};

static struct kunit_suite mmap_test_suite = {
	.name = "mmlab_mmap",
	.init = mmap_test_init,
	.test_cases = mmap_test_cases,
};

kunit_test_suites(&mmap_test_suite);

MODULE_DESCRIPTION("KUnit tests for mmlab");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
