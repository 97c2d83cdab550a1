// SPDX-License-Identifier: GPL-2.0
/*
 * mmap_faults_test: when and how the PTEs of /dev/mmlab-<mode> appear:
 * which page each maps (pagemap against the driver's own PFNs), how many
 * faults it takes (exact counts from the driver's counters, against the
 * kernel's own count), fault-around, write-notify, MADV_DONTNEED, pinning
 * by O_DIRECT, concurrent faults and leaks.
 *
 * kselftest harness: a variant per mode (modes.h), each test in a process
 * of its own; "-v <mode>" runs one mode. Run as root in the test VM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "harness.h"

#include "mode_fixture.h"
#include "procfs.h"

#define NR_THREADS	8

/* Pages that fault-around maps at once, by the core's own setting. */
static size_t fault_around_pages(void)
{
	long bytes = read_number("/sys/kernel/debug/fault_around_bytes");

	if (bytes <= 0) {
		diag("no fault_around_bytes in debugfs; assuming 64 KiB");
		bytes = 65536;
	}
	return bytes / psize;
}

/*
 * Each PTE maps the driver's own page for that offset: /proc/self/pagemap
 * gives the PFN the page tables hold, MMLAB_IOC_PAGE_PFN the one the driver
 * allocated. Lazy modes map nothing before the first touch, and a touch
 * maps the page touched; VM_PFNMAP vmas are hidden from pagemap (the page
 * walker skips them), touched or not.
 */
TEST_F(mode, pagemap_matches_driver)
{
	size_t first = 2, n = bufsize / psize - first;
	int fd = dev_open(O_RDWR);
	char *p;

	if (n > 8)
		n = 8;
	ASSERT_LE(0, fd);
	p = map_shared(fd, n * psize, first * psize);
	ASSERT_NE(MAP_FAILED, p);
	for (size_t i = 0; i < n; i++) {
		int64_t want = has(cur, M_PREFAULT) && !has(cur, M_PFNMAP) ?
			       driver_pfn(fd, first + i) : 0;

		ASSERT_EQ(want, pagemap_pfn(p + i * psize))
			TH_LOG("untouched page %zu", i);
	}
	if (lazy(cur) && !has(cur, M_PFNMAP)) {
		touch_pages(p + psize, psize);
		ASSERT_EQ(driver_pfn(fd, first + 1), pagemap_pfn(p + psize))
			TH_LOG("touched page 1");
		/* Fault-around may map the neighbours; nothing else may. */
		if (!has(cur, M_FAULTAROUND)) {
			EXPECT_EQ(0, pagemap_pfn(p)) TH_LOG("page 0 of 1 touched");
			EXPECT_EQ(0, pagemap_pfn(p + 2 * psize))
				TH_LOG("page 2 of 1 touched");
		}
	}
	touch_pages(p, n * psize);
	for (size_t i = 0; i < n; i++) {
		int64_t want = has(cur, M_PFNMAP) ? 0 : driver_pfn(fd, first + i);

		ASSERT_EQ(want, pagemap_pfn(p + i * psize))
			TH_LOG("touched page %zu", i);
	}
}

/*
 * Reading N pages costs exactly N faults in a lazy mode and none when the
 * PTEs were written at mmap() time. With fault-around, and the mapping
 * aligned to the fault-around window, it costs one map_pages call per
 * window and no ->fault. Reading again costs nothing. The driver's counts
 * agree with the kernel's own (getrusage() minor faults).
 */
TEST_F(mode, fault_counts)
{
	size_t n = count_pages(), window = fault_around_pages();
	struct mmlab_info before, mid, after;
	struct rusage ru_before, ru_after;
	int fd = dev_open(O_RDWR);
	unsigned long long faults, calls, want_faults = 0, want_calls = 0;
	long minflt;
	char *p;

	ASSERT_LE(0, fd);
	if (has(cur, M_FAULTAROUND)) {
		p = map_shared_aligned(fd, n * psize, 0, window * psize);
		want_calls = (n + window - 1) / window;
	} else {
		p = map_shared(fd, n * psize, 0);
		want_faults = lazy(cur) ? n : 0;
	}
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_TRUE(mmlab_info(fd, &before)) TH_LOG("MMLAB_IOC_INFO: %m");
	getrusage(RUSAGE_SELF, &ru_before);
	touch_pages(p, n * psize);
	getrusage(RUSAGE_SELF, &ru_after);
	ASSERT_TRUE(mmlab_info(fd, &mid));
	touch_pages(p, n * psize);
	ASSERT_TRUE(mmlab_info(fd, &after));

	faults = mid.faults - before.faults;
	calls = mid.map_pages_calls - before.map_pages_calls;
	minflt = ru_after.ru_minflt - ru_before.ru_minflt;
	TH_LOG("%s: reading %zu pages: %llu faults, %llu map_pages calls, %ld minor faults",
	       cur->name, n, faults, calls, minflt);
	EXPECT_EQ(want_faults, faults);
	EXPECT_EQ(want_calls, calls) TH_LOG("window %zu pages", window);
	/* Each fault entered the handler once, whoever resolved it. */
	EXPECT_EQ((long)(faults + calls), minflt)
		TH_LOG("the kernel's count of minor faults");
	for (size_t i = 0; has(cur, M_FAULTAROUND) && i < n; i++) {
		ASSERT_EQ(driver_pfn(fd, i), pagemap_pfn(p + i * psize))
			TH_LOG("page %zu not mapped by fault-around", i);
	}
	EXPECT_EQ(mid.faults, after.faults) TH_LOG("reading again faulted");
	EXPECT_EQ(mid.map_pages_calls, after.map_pages_calls)
		TH_LOG("reading again faulted");
}

static bool dirty_pages(int fd, unsigned int flags, uint64_t *bits,
			size_t words, unsigned int *ndirty)
{
	struct mmlab_dirty req = {
		.bitmap = (uintptr_t)bits,
		.nbits = words * 64,
		.flags = flags,
	};

	memset(bits, 0, words * sizeof(*bits));
	if (ioctl(fd, MMLAB_IOC_DIRTY, &req))
		return false;
	*ndirty = req.ndirty;
	return true;
}

/*
 * The first page i < n whose dirty bit is not (some && i % 5 == 1): the
 * pages the test writes, or none; -1 if there is no such page.
 */
static long dirty_differs(const uint64_t *bits, size_t n, bool some)
{
	for (size_t i = 0; i < n; i++) {
		bool set = bits[i / 64] >> (i % 64) & 1;

		if (set != (some && i % 5 == 1))
			return i;
	}
	return -1;
}

/*
 * page_mkwrite runs once per page on the first write after the page was
 * mapped or cleaned, never on reads; MMLAB_IOC_DIRTY reports exactly the
 * pages written, and cleaning write-protects them so that the next write
 * is reported again.
 */
TEST_F(mode, mkwrite_tracks_dirty)
{
	size_t n = count_pages(), words = (bufsize / psize + 63) / 64;
	uint64_t *bits = calloc(words, sizeof(*bits));
	struct mmlab_info before, after;
	unsigned int ndirty, want = 0;
	int fd;
	char *p;

	if (!has(cur, M_MKWRITE))
		SKIP(return, "no page_mkwrite");
	fd = dev_open(O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, bits);
	for (size_t i = 1; i < n; i += 5)
		want++;
	p = map_shared(fd, n * psize, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_TRUE(dirty_pages(fd, MMLAB_DIRTY_CLEAN, bits, words, &ndirty))
		TH_LOG("MMLAB_IOC_DIRTY: %m");

	ASSERT_TRUE(mmlab_info(fd, &before));
	touch_pages(p, n * psize);
	ASSERT_TRUE(mmlab_info(fd, &after));
	EXPECT_EQ(before.mkwrite_calls, after.mkwrite_calls)
		TH_LOG("reads called page_mkwrite");

	for (int round = 0; round < 2; round++)
		for (size_t i = 1; i < n; i += 5)
			p[i * psize] = round;
	ASSERT_TRUE(mmlab_info(fd, &after));
	EXPECT_EQ(want, after.mkwrite_calls - before.mkwrite_calls)
		TH_LOG("page_mkwrite calls for %u pages written twice", want);
	ASSERT_TRUE(dirty_pages(fd, MMLAB_DIRTY_CLEAN, bits, words, &ndirty));
	EXPECT_EQ(want, ndirty) TH_LOG("pages reported dirty");
	EXPECT_EQ(-1, dirty_differs(bits, n, true)) TH_LOG("wrong dirty bit");
	ASSERT_TRUE(dirty_pages(fd, 0, bits, words, &ndirty));
	EXPECT_EQ(0, ndirty) TH_LOG("pages dirty after cleaning");
	EXPECT_EQ(-1, dirty_differs(bits, n, false)) TH_LOG("wrong dirty bit");

	/* Cleaned pages are write-protected again: the next write reports. */
	ASSERT_TRUE(mmlab_info(fd, &before));
	for (size_t i = 1; i < n; i += 5)
		p[i * psize] = 2;
	ASSERT_TRUE(mmlab_info(fd, &after));
	EXPECT_EQ(want, after.mkwrite_calls - before.mkwrite_calls)
		TH_LOG("page_mkwrite calls after cleaning");
	ASSERT_TRUE(dirty_pages(fd, 0, bits, words, &ndirty));
	EXPECT_EQ(want, ndirty) TH_LOG("re-dirtied pages");
	EXPECT_EQ(-1, dirty_differs(bits, n, true)) TH_LOG("wrong dirty bit");
	EXPECT_FALSE(dirty_pages(fd, 0, bits, 0, &ndirty))
		TH_LOG("a bitmap too small");
	EXPECT_EQ(EINVAL, errno);
}

/*
 * MADV_DONTNEED drops the PTEs (pagemap: not present), not the data: a
 * lazy mode faults the same bytes back in. A mode with no fault handler
 * cannot: the next touch is SIGBUS. VM_PFNMAP vmas refuse it (EINVAL).
 */
TEST_F(mode, madvise_dontneed)
{
	size_t n = count_pages(), len = n * psize;
	struct mmlab_info before, after;
	int fd = dev_open(O_RDWR);
	char *buf = malloc(len);
	char *p;

	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, buf);
	pattern_fill(buf, len, 30, 0);
	p = map_shared(fd, len, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_TRUE(pwrite_all(fd, buf, len, 0)) TH_LOG("pwrite: %m");
	touch_pages(p, len);
	if (has(cur, M_PFNMAP)) {
		EXPECT_EQ(-1, madvise(p, len, MADV_DONTNEED))
			TH_LOG("MADV_DONTNEED on VM_PFNMAP");
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(-1, pattern_check(p, len, 30, 0)) TH_LOG("data lost");
		return;
	}
	ASSERT_EQ(0, madvise(p, len, MADV_DONTNEED)) TH_LOG("MADV_DONTNEED: %m");
	for (size_t i = 0; i < n; i++) {
		ASSERT_EQ(0, pagemap_pfn(p + i * psize))
			TH_LOG("page %zu still mapped", i);
	}
	if (has(cur, M_PREFAULT)) {
		EXPECT_EQ(SIGBUS, child_touch_signal(p))
			TH_LOG("a touch after MADV_DONTNEED");
		ASSERT_TRUE(pread_all(fd, buf, len, 0)) TH_LOG("pread: %m");
		EXPECT_EQ(-1, pattern_check(buf, len, 30, 0))
			TH_LOG("the device lost its data");
		return;
	}
	ASSERT_TRUE(mmlab_info(fd, &before));
	EXPECT_EQ(-1, pattern_check(p, len, 30, 0))
		TH_LOG("the refaulted data differs");
	ASSERT_TRUE(mmlab_info(fd, &after));
	if (!has(cur, M_FAULTAROUND)) {
		EXPECT_EQ(n, after.faults - before.faults)
			TH_LOG("faults to refault %zu pages", n);
	}
}

/*
 * O_DIRECT reads from a block device into the mapping: the block layer
 * pins the destination pages with GUP. Page-backed mappings allow it and
 * the driver sees the bytes; VM_PFNMAP ones refuse it with EFAULT.
 */
TEST_F(mode, gup_o_direct)
{
	size_t len = 4 * psize;
	int rfd = open("/dev/ram0", O_RDWR | O_DIRECT);
	int fd = dev_open(O_RDWR);
	char *buf = malloc(len);
	void *src = NULL;
	char *p;

	if (rfd < 0)
		SKIP(return, "/dev/ram0: %s (brd not loaded)", strerror(errno));
	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, posix_memalign(&src, psize, len));
	pattern_fill(src, len, 40, 0);
	ASSERT_EQ((ssize_t)len, pwrite(rfd, src, len, 0))
		TH_LOG("O_DIRECT write to /dev/ram0: %m");
	p = map_shared(fd, len, 0);
	ASSERT_NE(MAP_FAILED, p);
	if (has(cur, M_PFNMAP)) {
		EXPECT_EQ(-1, pread(rfd, p, len, 0))
			TH_LOG("O_DIRECT into VM_PFNMAP");
		EXPECT_EQ(EFAULT, errno);
		return;
	}
	ASSERT_EQ((ssize_t)len, pread(rfd, p, len, 0)) TH_LOG("O_DIRECT read: %m");
	ASSERT_TRUE(pread_all(fd, buf, len, 0)) TH_LOG("pread: %m");
	EXPECT_EQ(-1, pattern_check(buf, len, 40, 0))
		TH_LOG("the device does not have the bytes");
}

struct toucher {
	pthread_t thread;
	pthread_barrier_t *start;
	const char *p;
	size_t first, count, checked;
	bool consistent;
};

static void *toucher_run(void *arg)
{
	struct toucher *t = arg;

	pthread_barrier_wait(t->start);
	touch_pages(t->p + t->first * psize, t->count * psize);
	if (t->checked)
		t->consistent = pattern_check(t->p, t->checked * psize, 50, 0) < 0;
	return NULL;
}

/*
 * NR_THREADS threads fault concurrently, released at once by a barrier.
 * Returns the faults the driver counted; @t[i].consistent says whether
 * thread i saw the device's bytes, where @same_range.
 */
static unsigned long long touch_concurrently(struct __test_metadata *_metadata,
					     bool same_range, size_t n,
					     struct toucher t[NR_THREADS])
{
	struct mmlab_info before, after;
	pthread_barrier_t start;
	int fd = dev_open(O_RDWR);
	char *buf = malloc(n * psize);
	char *p;

	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, buf);
	ASSERT_LT(0, n);
	pattern_fill(buf, n * psize, 50, 0);
	ASSERT_TRUE(pwrite_all(fd, buf, n * psize, 0)) TH_LOG("pwrite: %m");
	p = map_shared(fd, n * psize, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_TRUE(mmlab_info(fd, &before));
	pthread_barrier_init(&start, NULL, NR_THREADS);
	for (int i = 0; i < NR_THREADS; i++) {
		t[i] = (struct toucher) {
			.start = &start,
			.p = p,
			.first = same_range ? 0 : i * (n / NR_THREADS),
			.count = same_range ? n : n / NR_THREADS,
			.checked = same_range ? n : 0,
		};
		ASSERT_EQ(0, pthread_create(&t[i].thread, NULL, toucher_run,
					    &t[i]));
	}
	for (int i = 0; i < NR_THREADS; i++)
		pthread_join(t[i].thread, NULL);
	pthread_barrier_destroy(&start);
	ASSERT_TRUE(mmlab_info(fd, &after));
	TH_LOG("%s: %d threads, %zu pages, %s: %llu faults", cur->name,
	       NR_THREADS, n, same_range ? "same pages" : "own pages",
	       (unsigned long long)(after.faults - before.faults));
	return after.faults - before.faults;
}

/* Each thread touching its own pages: exactly one fault per page. */
TEST_F(mode, threads_own_pages_exact)
{
	size_t n = count_pages() / NR_THREADS * NR_THREADS;
	struct toucher t[NR_THREADS];
	unsigned long long faults;

	if (has(cur, M_FAULTAROUND))
		SKIP(return, "fault-around maps neighbours of other threads");
	faults = touch_concurrently(_metadata, false, n, t);
	EXPECT_EQ(lazy(cur) ? n : 0, faults);
}

/*
 * All threads touching the same pages: each sees the device's bytes; two
 * threads may race into ->fault for one page (the loser's page is
 * dropped), so the count lies between one and NR_THREADS per page.
 */
TEST_F(mode, threads_same_pages_consistent)
{
	size_t n = count_pages() / NR_THREADS * NR_THREADS;
	struct toucher t[NR_THREADS];
	unsigned long long faults;

	if (has(cur, M_FAULTAROUND))
		SKIP(return, "fault-around maps a window per fault");
	faults = touch_concurrently(_metadata, true, n, t);
	for (int i = 0; i < NR_THREADS; i++) {
		EXPECT_TRUE(t[i].consistent)
			TH_LOG("thread %d saw other bytes", i);
	}
	if (lazy(cur)) {
		EXPECT_LE(n, faults);
		EXPECT_GE(NR_THREADS * n, faults);
	} else {
		EXPECT_EQ(0, faults);
	}
}

/*
 * Thousands of map, touch, unmap cycles leave nothing behind: no vma
 * reference, no buffer page, and no page lost by the kernel's count. Pages
 * that went to slab caches count as found: KASAN's quarantine keeps freed
 * vmas for a while (measured: 500 pages over 2000 cycles), and a slab
 * object leak is kmemleak's to report. A leaked page table or page is not
 * in a slab.
 */
TEST_F_TIMEOUT(mode, map_unmap_cycles_leak_nothing, 300)
{
	const int cycles = 2000;
	size_t len = (count_pages() < 16 ? count_pages() : 16) * psize;
	struct mmlab_info before, after;
	int fd = dev_open(O_RDWR);
	long free_before, free_after;
	int waited;

	ASSERT_LE(0, fd);
	ASSERT_TRUE(mmlab_info(fd, &before));
	free_before = free_pages() + slab_pages();
	for (int i = 0; i < cycles; i++) {
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			       fd, 0);

		ASSERT_NE(MAP_FAILED, p) TH_LOG("cycle %d: mmap: %m", i);
		touch_pages(p, len);
		munmap(p, len);
	}
	/*
	 * What the cycles freed need not count as free yet: page tables go
	 * after an RCU grace period, vmap areas in lazy batches. Wait for the
	 * count to come back, bounded, rather than read it once (seen: 1340
	 * pages short on the debug kernel, once). A page lost per cycle never
	 * comes back.
	 */
	for (waited = 0; waited < 3000; waited++) {
		free_after = free_pages() + slab_pages();
		if (free_before - free_after < cycles / 4)
			break;
		usleep(10000);
	}
	ASSERT_TRUE(mmlab_info(fd, &after));
	TH_LOG("%s: %d cycles of %zu pages: free and slab pages %ld -> %ld (waited %d ms)",
	       cur->name, cycles, len / psize, free_before, free_after,
	       waited * 10);
	EXPECT_EQ(before.live_vmas, after.live_vmas);
	EXPECT_EQ(cycles, after.mmap_calls - before.mmap_calls);
	EXPECT_EQ(before.pages_allocated, after.pages_allocated);
	/* A page lost per cycle would show as 2000; page tables come and go. */
	EXPECT_GT(cycles / 4, free_before - free_after) TH_LOG("free pages lost");
}

/* The counters of /sys/kernel/debug/mmlab/<mode>, a "name value" line each. */
enum {
	DBG_SIZE, DBG_MMAP_CALLS, DBG_FAULTS, DBG_MAP_PAGES_CALLS,
	DBG_MKWRITE_CALLS, DBG_LIVE_VMAS, DBG_PAGES_ALLOCATED, DBG_KEYS,
};

static const char * const dbg_keys[DBG_KEYS] = {
	"size", "mmap_calls", "faults", "map_pages_calls", "mkwrite_calls",
	"live_vmas", "pages_allocated",
};

/* Read the current mode's debugfs counters: each must be there. */
static void debugfs_read(struct __test_metadata *_metadata,
			 unsigned long long vals[DBG_KEYS])
{
	char path[128], key[64];
	unsigned long long val;
	unsigned long found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/mmlab/%s", cur->name);
	f = fopen(path, "r");
	ASSERT_NE(NULL, f) TH_LOG("%s: %m", path);
	while (fscanf(f, "%63s %llu", key, &val) == 2)
		for (size_t i = 0; i < DBG_KEYS; i++)
			if (!strcmp(key, dbg_keys[i])) {
				vals[i] = val;
				found |= 1ul << i;
			}
	fclose(f);
	for (size_t i = 0; i < DBG_KEYS; i++) {
		ASSERT_TRUE(found >> i & 1)
			TH_LOG("%s: no %s line", path, dbg_keys[i]);
	}
}

/* The /proc/self/maps lines, each a vma, whose file is the mode's. */
static long maps_lines_of_device(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	long n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *path = strchr(line, '/');

		line[strcspn(line, "\n")] = '\0';
		/* Only the file name field holds a '/'; it runs to the end. */
		if (path && !strcmp(path, maps_path))
			n++;
	}
	fclose(f);
	return n;
}

/*
 * The debugfs counters move by what this test does, and agree with what
 * the kernel says apart from mmlab: three mmap() calls add three calls and
 * three live vmas, which are the device's vmas in /proc/self/maps (no
 * other process maps the device while the probes run); reading m pages of
 * one adds the faults fault_counts expects, which are the kernel's own
 * minor faults (getrusage()), and no page_mkwrite call or buffer page;
 * the size is the module's buf_size (huge_size for the huge mode).
 */
TEST_F(mode, debugfs_counters)
{
	size_t m = count_pages(), window = fault_around_pages();
	unsigned long long before[DBG_KEYS], after[DBG_KEYS], d[DBG_KEYS];
	unsigned long long want_faults = 0, want_calls = 0;
	long buf_size = read_number(size_param(cur));
	struct rusage ru_before, ru_after;
	int fd = dev_open(O_RDWR);
	long minflt, maps;
	char *p[3];

	ASSERT_LE(0, fd);
	debugfs_read(_metadata, before);
	/* As fault_counts: aligned, fault-around costs one call a window. */
	if (has(cur, M_FAULTAROUND))
		want_calls = (m + window - 1) / window;
	else
		want_faults = lazy(cur) ? m : 0;
	for (int i = 0; i < 3; i++) {
		p[i] = has(cur, M_FAULTAROUND) ?
		       map_shared_aligned(fd, m * psize, 0, window * psize) :
		       map_shared(fd, m * psize, 0);
		ASSERT_NE(MAP_FAILED, p[i]);
	}
	/* Nothing but the touches between the two: no stdio, no malloc. */
	getrusage(RUSAGE_SELF, &ru_before);
	touch_pages(p[0], m * psize);
	getrusage(RUSAGE_SELF, &ru_after);
	minflt = ru_after.ru_minflt - ru_before.ru_minflt;
	maps = maps_lines_of_device();
	debugfs_read(_metadata, after);
	for (int i = 0; i < DBG_KEYS; i++)
		d[i] = after[i] - before[i];
	TH_LOG("%s: 3 mmaps: +%llu mmap_calls, +%llu live_vmas (now %llu, %ld in maps)",
	       cur->name, d[DBG_MMAP_CALLS], d[DBG_LIVE_VMAS],
	       after[DBG_LIVE_VMAS], maps);
	TH_LOG("%s: %zu pages read: +%llu faults, +%llu map_pages_calls, %ld minor faults",
	       cur->name, m, d[DBG_FAULTS], d[DBG_MAP_PAGES_CALLS], minflt);

	ASSERT_LT(0, buf_size);
	EXPECT_EQ((unsigned long long)buf_size, after[DBG_SIZE])
		TH_LOG("size against the buf_size parameter");
	EXPECT_EQ(3, d[DBG_MMAP_CALLS]) TH_LOG("mmap_calls after 3 mmaps");
	EXPECT_EQ(3, d[DBG_LIVE_VMAS]) TH_LOG("live_vmas after 3 mmaps");
	EXPECT_EQ((unsigned long long)maps, after[DBG_LIVE_VMAS])
		TH_LOG("live_vmas against the vmas of %s in /proc/self/maps",
		       dev_path);
	EXPECT_EQ(want_faults, d[DBG_FAULTS]) TH_LOG("faults");
	EXPECT_EQ(want_calls, d[DBG_MAP_PAGES_CALLS])
		TH_LOG("map_pages calls (window %zu pages)", window);
	/* Each fault entered the handler once, whoever resolved it. */
	ASSERT_LE(0, minflt);
	EXPECT_EQ((unsigned long long)minflt,
		  d[DBG_FAULTS] + d[DBG_MAP_PAGES_CALLS])
		TH_LOG("the kernel's count of minor faults");
	EXPECT_EQ(0, d[DBG_MKWRITE_CALLS]) TH_LOG("mkwrite_calls after reads");
	EXPECT_EQ(0, d[DBG_PAGES_ALLOCATED]) TH_LOG("pages_allocated after reads");
}

TEST_HARNESS_MAIN
