// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the allocator properties mmlab demonstrates
 * (drivers/alloc/): each asserts what the kernel's documentation promises,
 * checked a second way where the kernel offers one.
 */
#include <kunit/test.h>
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/kasan.h>
#include <linux/kfence.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/overflow.h>
#include <linux/preempt.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>

#include "../drivers/alloc/alloc.h"
#include <mmlab/compat.h>

/*
 * Cleanup: every allocation a test keeps is registered with
 * kunit_add_action_or_reset() as soon as it is made, so that a failed
 * KUNIT_ASSERT, which ends the test at once, leaks nothing. Only the
 * frees that a test is about are its own.
 */
KUNIT_DEFINE_ACTION_WRAPPER(kfree_action, kfree, const void *);
KUNIT_DEFINE_ACTION_WRAPPER(kvfree_action, kvfree, const void *);
KUNIT_DEFINE_ACTION_WRAPPER(vfree_action, vfree, const void *);
KUNIT_DEFINE_ACTION_WRAPPER(vunmap_action, vunmap, const void *);
KUNIT_DEFINE_ACTION_WRAPPER(free_page_action, free_page, unsigned long);
KUNIT_DEFINE_ACTION_WRAPPER(cache_destroy_action, kmem_cache_destroy,
			    struct kmem_cache *);

/* Have @free(@p) called when the test ends; nothing if @p is NULL. */
static void free_at_end(struct kunit *test, kunit_action_t *free, void *p)
{
	if (p)
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free, p), 0);
}

struct pages_ref {
	struct page *page;
	unsigned int order;
};

static void free_pages_action(void *data)
{
	struct pages_ref *ref = data;

	__free_pages(ref->page, ref->order);
}

/* alloc_pages(), freed when the test ends; NULL if it fails. */
static struct page *test_alloc_pages(struct kunit *test, gfp_t gfp,
				     unsigned int order)
{
	struct pages_ref *ref = kunit_kzalloc(test, sizeof(*ref), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ref);
	ref->page = alloc_pages(gfp, order);
	ref->order = order;
	if (ref->page)
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_pages_action,
								ref), 0);
	return ref->page;
}

/* KFENCE serves the odd allocation from its own pool: sizes differ there. */
static void *kmalloc_not_kfence(size_t size, gfp_t gfp)
{
	void *p;
	int tries;

	for (tries = 0; tries < 8; tries++) {
		p = kmalloc(size, gfp);
		if (!p || !is_kfence_address(p))
			return p;
		kfree(p);
	}
	return NULL;
}

/* kzalloc() zeroes; kmalloc() rounds up to its kmalloc-N bucket. */
static void kmalloc_sizes_test(struct kunit *test)
{
	static const size_t sizes[] = { 1, 8, 100, 1000, 4096, 5000 };
	u8 *p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		p = kmalloc_not_kfence(sizes[i], GFP_KERNEL | __GFP_ZERO);
		KUNIT_ASSERT_NOT_NULL(test, p);
		free_at_end(test, kfree_action, p);
		KUNIT_EXPECT_EQ(test, ksize(p), kmalloc_size_roundup(sizes[i]));
		KUNIT_EXPECT_GE(test, ksize(p), sizes[i]);
		KUNIT_EXPECT_NULL(test, memchr_inv(p, 0, sizes[i]));
	}
	KUNIT_EXPECT_EQ(test, kmalloc_size_roundup(100), 128);
}

/* A multi-page kmalloc() is physically contiguous, page after page. */
static void kmalloc_contiguous_test(struct kunit *test)
{
	size_t size = 5 * PAGE_SIZE + 123;
	void *p = kmalloc(size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	free_at_end(test, kfree_action, p);
	KUNIT_EXPECT_TRUE(test, mmlab_phys_contiguous(p, size));
	KUNIT_EXPECT_EQ(test, virt_to_phys(p + size - 1) - virt_to_phys(p),
			size - 1);
}

/* Overflowing or oversized requests fail cleanly, with NULL. */
static void kmalloc_failures_test(struct kunit *test)
{
	void *p;

	/* Should one succeed after all, it is freed at the end. */
	p = kcalloc(SIZE_MAX / 2, 4, GFP_KERNEL);
	free_at_end(test, kfree_action, p);
	KUNIT_EXPECT_NULL(test, p);
	p = kmalloc_array(SIZE_MAX / 8 + 1, 8, GFP_KERNEL);
	free_at_end(test, kfree_action, p);
	KUNIT_EXPECT_NULL(test, p);
	p = kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL | __GFP_NOWARN);
	free_at_end(test, kfree_action, p);
	KUNIT_EXPECT_NULL(test, p);
}

/*
 * KMALLOC_MAX_SIZE itself is one MAX_PAGE_ORDER block, whole. A fragmented
 * machine may have no such block free: that is a skip, not a failure, and
 * a case of its own, since kunit_skip() would hide a failure before it.
 */
static void kmalloc_max_size_test(struct kunit *test)
{
	void *p = kmalloc(KMALLOC_MAX_SIZE, GFP_KERNEL | __GFP_NOWARN);

	if (!p)
		kunit_skip(test, "no free order-%d block: memory fragmented",
			   get_order(KMALLOC_MAX_SIZE));
	free_at_end(test, kfree_action, p);
	KUNIT_EXPECT_EQ(test, ksize(p), KMALLOC_MAX_SIZE);
}

/* krealloc() keeps the old bytes when it moves the object. */
static void krealloc_keeps_data_test(struct kunit *test)
{
	u8 *p = kmalloc(64, GFP_KERNEL), *q;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < 64; i++)
		p[i] = i;
	q = krealloc(p, 8192, GFP_KERNEL);
	/* On failure krealloc() leaves @p allocated; on success it is @q. */
	free_at_end(test, kfree_action, q ? q : p);
	KUNIT_ASSERT_NOT_NULL(test, q);
	for (i = 0; i < 64; i++)
		KUNIT_EXPECT_EQ(test, q[i], i);
	KUNIT_EXPECT_GE(test, ksize(q), 8192);
}

static struct kunit_case kmalloc_cases[] = {
	KUNIT_CASE(kmalloc_sizes_test),
	KUNIT_CASE(kmalloc_contiguous_test),
	KUNIT_CASE(kmalloc_failures_test),
	KUNIT_CASE(kmalloc_max_size_test),
	KUNIT_CASE(krealloc_keeps_data_test),
	{}
};

static struct kunit_suite kmalloc_suite = {
	.name = "mmlab_kmalloc",
	.test_cases = kmalloc_cases,
};

static struct kmem_cache *test_cache(struct kunit *test)
{
	struct kmem_cache *cache = mmlab_slab_cache_create("mmlab_kunit_obj");

	KUNIT_ASSERT_NOT_NULL(test, cache);
	free_at_end(test, cache_destroy_action, cache);
	return cache;
}

struct cache_obj {
	struct kmem_cache *cache;
	void *obj;
};

static void cache_free_action(void *data)
{
	struct cache_obj *o = data;

	kmem_cache_free(o->cache, o->obj);
}

/*
 * An object of @cache, freed when the test ends, before the cache: KUnit
 * runs the actions in the reverse order of their registration.
 */
static void *test_cache_alloc(struct kunit *test, struct kmem_cache *cache)
{
	struct cache_obj *o = kunit_kzalloc(test, sizeof(*o), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, o);
	o->cache = cache;
	o->obj = kmem_cache_alloc(cache, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, o->obj);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, cache_free_action,
							o), 0);
	return o->obj;
}

/*
 * Objects are aligned to the cache's alignment and, with
 * SLAB_HWCACHE_ALIGN, to the cache line; the constructor has run on each.
 */
static void slab_align_ctor_test(struct kunit *test)
{
	struct kmem_cache *cache = test_cache(test);
	unsigned long align = max_t(unsigned long, MMLAB_SLAB_ALIGN,
				    cache_line_size());
	void *obj[16];
	int i;

	KUNIT_EXPECT_GE(test, kmem_cache_size(cache), MMLAB_SLAB_OBJ_SIZE);
	for (i = 0; i < ARRAY_SIZE(obj); i++) {
		obj[i] = test_cache_alloc(test, cache);
		KUNIT_EXPECT_EQ_MSG(test, (unsigned long)obj[i] % align, 0,
				    "object %d at offset %#lx", i,
				    offset_in_page(obj[i]));
		KUNIT_EXPECT_NULL(test, memchr_inv(obj[i], MMLAB_SLAB_CTOR_BYTE,
						   MMLAB_SLAB_OBJ_SIZE));
	}
}

/*
 * A freed object is handed out again: SLUB's per-CPU freelist is LIFO.
 * Only on one CPU, hence migrate_disable() (GFP_KERNEL may sleep, so not
 * preempt_disable()); the cache is ours alone (a constructor keeps it from
 * being merged), so no other task takes the object in between.
 *
 * Generic KASAN puts each freed object in its quarantine to catch
 * use-after-free (kasan_quarantine_put()), and hands it out again only
 * once it leaves that, much later: no reuse to test. The tag-based modes
 * have no quarantine, but retag the object, so compare untagged addresses.
 * KFENCE serves the odd allocation from its own pool, never reused at once.
 */
static void slab_reuse_test(struct kunit *test)
{
	struct kmem_cache *cache = test_cache(test);
	void *obj, *again = NULL;
	bool kfence;

	if (IS_ENABLED(CONFIG_KASAN_GENERIC))
		kunit_skip(test, "KASAN's quarantine delays reuse");
	/* No assertion in here: it would end the test with migration off. */
	migrate_disable();
	obj = kmem_cache_alloc(cache, GFP_KERNEL);
	if (obj) {
		kmem_cache_free(cache, obj);
		again = kmem_cache_alloc(cache, GFP_KERNEL);
	}
	migrate_enable();
	KUNIT_ASSERT_NOT_NULL(test, obj);
	KUNIT_ASSERT_NOT_NULL(test, again);
	/* Only the addresses are compared: @obj is not dereferenced. */
	kfence = is_kfence_address(obj) || is_kfence_address(again);
	kmem_cache_free(cache, again);
	if (kfence)
		kunit_skip(test, "a KFENCE object");
	KUNIT_EXPECT_PTR_EQ(test, kasan_reset_tag(again), kasan_reset_tag(obj));
}

static struct kunit_case slab_cases[] = {
	KUNIT_CASE(slab_align_ctor_test),
	KUNIT_CASE(slab_reuse_test),
	{}
};

static struct kunit_suite slab_suite = {
	.name = "mmlab_slab",
	.test_cases = slab_cases,
};

/*
 * Every order from 0 to the largest that allocates: the block is naturally
 * aligned, and with __GFP_COMP it is a folio of that order.
 */
static void buddy_orders_test(struct kunit *test)
{
	unsigned int order, max = mmlab_buddy_max_order();
	struct page *page;

	kunit_info(test, "largest order that allocates: %u (MAX_PAGE_ORDER %u)",
		   max, MAX_PAGE_ORDER);
	KUNIT_EXPECT_GE(test, max, 3);
	/*
	 * Each block is freed before the next order is asked for, as when
	 * mmlab_buddy_max_order() found @max: no assertion in between.
	 */
	for (order = 0; order <= max; order++) {
		page = alloc_pages(GFP_KERNEL | __GFP_COMP | __GFP_NOWARN, order);
		if (!page)
			continue;
		KUNIT_EXPECT_EQ_MSG(test, page_to_pfn(page) & ((1UL << order) - 1), 0,
				    "order %u", order);
		KUNIT_EXPECT_TRUE_MSG(test, mmlab_buddy_compound_ok(page, order),
				      "order %u", order);
		__free_pages(page, order);
	}
	/* Without __GFP_COMP, no compound page. */
	page = test_alloc_pages(test, GFP_KERNEL, 2);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_EXPECT_FALSE(test, PageCompound(page));
}

/* The page <-> virtual <-> physical conversions agree with each other. */
static void buddy_conversions_test(struct kunit *test)
{
	struct page *page = test_alloc_pages(test, GFP_KERNEL, 2);
	unsigned long addr, pfn;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, page);
	addr = (unsigned long)page_address(page);
	KUNIT_EXPECT_PTR_EQ(test, virt_to_page((void *)addr), page);
	pfn = page_to_pfn(page);
	for (i = 0; i < 4; i++) {
		void *va = (void *)addr + i * PAGE_SIZE;

		KUNIT_EXPECT_PTR_EQ(test, virt_to_page(va), nth_page(page, i));
		KUNIT_EXPECT_PTR_EQ(test, page_address(nth_page(page, i)), va);
		KUNIT_EXPECT_PTR_EQ(test, page_to_virt(nth_page(page, i)), va);
		KUNIT_EXPECT_PTR_EQ(test, pfn_to_page(pfn + i), nth_page(page, i));
		KUNIT_EXPECT_EQ(test, virt_to_phys(va), PFN_PHYS(pfn + i));
		KUNIT_EXPECT_PTR_EQ(test, phys_to_virt(PFN_PHYS(pfn + i)), va);
	}
}

/*
 * get_zeroed_page() zeroes even a page that was just dirtied and freed.
 * That proves something only if it hands out the dirtied page: the per-CPU
 * page list is LIFO, so it does when both run on one CPU and nothing else
 * took the page in between; when it does not, the test is skipped. Under
 * init_on_free the page is zeroed when freed: nothing to prove either.
 */
static void buddy_zeroed_test(struct kunit *test)
{
	unsigned long addr, again = 0;

	if (want_init_on_free())
		kunit_skip(test, "init_on_free zeroes every freed page");
	migrate_disable();
	addr = __get_free_page(GFP_KERNEL);
	if (addr) {
		memset((void *)addr, 0xff, PAGE_SIZE);
		free_page(addr);
		again = get_zeroed_page(GFP_KERNEL);
	}
	migrate_enable();
	free_at_end(test, free_page_action, (void *)again);
	KUNIT_ASSERT_NE(test, addr, 0);
	KUNIT_ASSERT_NE(test, again, 0);
	if (virt_to_page((void *)again) != virt_to_page((void *)addr))
		kunit_skip(test, "another page came back: nothing to prove");
	KUNIT_EXPECT_NULL(test, memchr_inv((void *)again, 0, PAGE_SIZE));
}

static struct kunit_case buddy_cases[] = {
	KUNIT_CASE(buddy_orders_test),
	KUNIT_CASE(buddy_conversions_test),
	KUNIT_CASE(buddy_zeroed_test),
	{}
};

static struct kunit_suite buddy_suite = {
	.name = "mmlab_buddy",
	.test_cases = buddy_cases,
};

#define VPAGES	64

/*
 * vmalloc() memory lies in the vmalloc area, is zeroed by vzalloc(), and
 * each of its pages is found by vmalloc_to_page() and vmalloc_to_pfn().
 */
static void vmalloc_area_test(struct kunit *test)
{
	struct page **pages = kunit_kcalloc(test, VPAGES, sizeof(*pages),
					    GFP_KERNEL);
	u8 *addr = vzalloc(VPAGES * PAGE_SIZE);
	unsigned long i;

	free_at_end(test, vfree_action, addr);
	KUNIT_ASSERT_NOT_NULL(test, pages);
	KUNIT_ASSERT_NOT_NULL(test, addr);
	KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(addr));
	KUNIT_EXPECT_GE(test, (unsigned long)addr, VMALLOC_START);
	KUNIT_EXPECT_LT(test, (unsigned long)addr + VPAGES * PAGE_SIZE - 1,
			VMALLOC_END);
	KUNIT_EXPECT_FALSE(test, virt_addr_valid(addr));
	KUNIT_EXPECT_NULL(test, memchr_inv(addr, 0, VPAGES * PAGE_SIZE));
	KUNIT_ASSERT_EQ(test, mmlab_vmalloc_pages(addr, VPAGES, pages), 0);
	for (i = 0; i < VPAGES; i++) {
		u8 *direct = page_address(pages[i]);

		KUNIT_EXPECT_EQ(test, vmalloc_to_pfn(addr + i * PAGE_SIZE),
				page_to_pfn(pages[i]));
		/* The same byte through the vmalloc and the direct mapping. */
		addr[i * PAGE_SIZE + 7] = i;
		KUNIT_EXPECT_EQ(test, direct[7], (u8)i);
	}
	kunit_info(test, "%lu physical breaks in %d vmalloc'd pages",
		   mmlab_phys_breaks(pages, VPAGES), VPAGES);
}

/*
 * vmap() of pages that are certainly not contiguous (the first page of each
 * of eight order-1 blocks) gives one contiguous virtual range over them.
 */
static void vmap_scattered_test(struct kunit *test)
{
	struct page *pages[8], *found[8];
	u8 *addr;
	int i;

	for (i = 0; i < 8; i++) {
		pages[i] = test_alloc_pages(test, GFP_KERNEL, 1);
		KUNIT_ASSERT_NOT_NULL(test, pages[i]);
	}
	KUNIT_EXPECT_EQ(test, mmlab_phys_breaks(pages, 8), 7);
	addr = vmap(pages, 8, VM_MAP, PAGE_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, addr);
	/* Registered after the pages: unmapped before they are freed. */
	free_at_end(test, vunmap_action, addr);
	KUNIT_EXPECT_EQ(test, mmlab_vmalloc_pages(addr, 8, found), 0);
	for (i = 0; i < 8; i++) {
		KUNIT_EXPECT_PTR_EQ(test, found[i], pages[i]);
		addr[i * PAGE_SIZE] = 0x30 + i;
		KUNIT_EXPECT_EQ(test, *(u8 *)page_address(pages[i]), 0x30 + i);
	}
}

/* kvmalloc(): kmalloc() for small sizes, vmalloc() beyond its reach. */
static void kvmalloc_fallback_test(struct kunit *test)
{
	void *small = kvmalloc(64, GFP_KERNEL);
	void *large = kvmalloc(2 * KMALLOC_MAX_SIZE, GFP_KERNEL);

	free_at_end(test, kvfree_action, small);
	free_at_end(test, kvfree_action, large);
	KUNIT_ASSERT_NOT_NULL(test, small);
	KUNIT_ASSERT_NOT_NULL(test, large);
	KUNIT_EXPECT_FALSE(test, is_vmalloc_addr(small));
	KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(large));
}

static struct kunit_case vmalloc_cases[] = {
	KUNIT_CASE(vmalloc_area_test),
	KUNIT_CASE(vmap_scattered_test),
	KUNIT_CASE(kvmalloc_fallback_test),
	{}
};

static struct kunit_suite vmalloc_suite = {
	.name = "mmlab_vmalloc",
	.test_cases = vmalloc_cases,
};

/*
 * Nested kmap_local_page() mappings, undone in reverse order, copy between
 * pages; on a kernel without highmem every form of kmap returns the
 * page's direct-map address.
 */
static void kmap_local_nested_test(struct kunit *test)
{
	struct page *src = test_alloc_pages(test, GFP_KERNEL, 0);
	struct page *dst = test_alloc_pages(test, GFP_KERNEL, 0);
	void *a, *b;

	KUNIT_ASSERT_NOT_NULL(test, src);
	KUNIT_ASSERT_NOT_NULL(test, dst);
	memset(page_address(src), 0x11, PAGE_SIZE);
	memset(page_address(dst), 0, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, mmlab_kmap_copy(dst, src, 100, 200), 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(page_address(dst) + 100, 0x11, 200));
	KUNIT_EXPECT_NULL(test, memchr_inv(page_address(dst), 0, 100));
	KUNIT_EXPECT_EQ(test, mmlab_kmap_copy(dst, src, PAGE_SIZE - 1, 2),
			-EINVAL);

	if (!IS_ENABLED(CONFIG_HIGHMEM)) {
		a = kmap_local_page(src);
		b = kmap_local_page(dst);
		KUNIT_EXPECT_PTR_EQ(test, a, page_address(src));
		KUNIT_EXPECT_PTR_EQ(test, b, page_address(dst));
		kunmap_local(b);
		kunmap_local(a);
		KUNIT_EXPECT_PTR_EQ(test, kmap(src), page_address(src));
		kunmap(src);
		a = kmap_atomic(src);
		KUNIT_EXPECT_PTR_EQ(test, a, page_address(src));
		kunmap_atomic(a);
	}
}

static struct kunit_case kmap_cases[] = {
	KUNIT_CASE(kmap_local_nested_test),
	{}
};

static struct kunit_suite kmap_suite = {
	.name = "mmlab_kmap",
	.test_cases = kmap_cases,
};

/*
 * GFP_ATOMIC allocates with a spinlock held, without the sleeping-in-atomic
 * report that GFP_KERNEL there would trigger (CONFIG_DEBUG_ATOMIC_SLEEP).
 */
static void gfp_atomic_test(struct kunit *test)
{
	struct pages_ref *ref = kunit_kzalloc(test, sizeof(*ref), GFP_KERNEL);
	struct page *page;

	KUNIT_ASSERT_NOT_NULL(test, ref);
	page = mmlab_alloc_atomic_locked();
	KUNIT_ASSERT_NOT_NULL(test, page);
	ref->page = page;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_pages_action,
							ref), 0);
}

/* GFP_DMA32 memory lies below 4 GiB, in ZONE_DMA32 or ZONE_DMA. */
static void gfp_dma32_test(struct kunit *test)
{
	struct page *page = test_alloc_pages(test, GFP_KERNEL | GFP_DMA32, 0);

	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_EXPECT_LT(test, page_to_phys(page) + PAGE_SIZE - 1, SZ_4G);
	KUNIT_EXPECT_LE(test, page_zonenum(page), ZONE_DMA32);
}

/*
 * __GFP_ZERO zeroes a page that was just dirtied and freed, when it is
 * that page that comes back: see buddy_zeroed_test().
 */
static void gfp_zero_test(struct kunit *test)
{
	struct pages_ref *ref = kunit_kzalloc(test, sizeof(*ref), GFP_KERNEL);
	struct page *page;

	if (want_init_on_free())
		kunit_skip(test, "init_on_free zeroes every freed page");
	KUNIT_ASSERT_NOT_NULL(test, ref);
	/* No assertion in here: it would end the test with migration off. */
	migrate_disable();
	page = alloc_page(GFP_KERNEL);
	if (page) {
		memset(page_address(page), 0xee, PAGE_SIZE);
		__free_page(page);
		ref->page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	}
	migrate_enable();
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_NOT_NULL(test, ref->page);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_pages_action,
							ref), 0);
	if (ref->page != page)
		kunit_skip(test, "another page came back: nothing to prove");
	KUNIT_EXPECT_NULL(test, memchr_inv(page_address(ref->page), 0,
					   PAGE_SIZE));
}

static struct kunit_case gfp_cases[] = {
	KUNIT_CASE(gfp_atomic_test),
	KUNIT_CASE(gfp_dma32_test),
	KUNIT_CASE(gfp_zero_test),
	{}
};

static struct kunit_suite gfp_suite = {
	.name = "mmlab_gfp",
	.test_cases = gfp_cases,
};

kunit_test_suites(&kmalloc_suite, &slab_suite, &buddy_suite, &vmalloc_suite,
		  &kmap_suite, &gfp_suite);
