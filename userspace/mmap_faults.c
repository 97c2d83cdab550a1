// SPDX-License-Identifier: GPL-2.0
/*
 * mmap_modes_test cases about when and how PTEs appear: which page each
 * maps (pagemap against the driver's own PFNs), how many faults it takes
 * (exact counts from the driver's counters), fault-around, write-notify,
 * MADV_DONTNEED, pinning by O_DIRECT, concurrent faults and leaks.
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

#include "probe.h"
#include "procfs.h"

#define NR_THREADS	8

static bool not_faultaround(const struct mode *m)
{
	return !has(m, M_FAULTAROUND);
}

static bool is_mkwrite(const struct mode *m)
{
	return has(m, M_MKWRITE);
}

/* Pages that fault-around maps at once, by the core's own setting. */
static size_t fault_around_pages(void)
{
	long bytes = read_number("/sys/kernel/debug/fault_around_bytes");

	if (bytes <= 0) {
		ktap_diag("no fault_around_bytes in debugfs; assuming 64 KiB");
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
static int pagemap_matches_driver(void)
{
	size_t first = 2, n = bufsize / psize - first;
	int fd = dev_open(O_RDWR);
	bool ok = false;
	char *p;

	if (n > 8)
		n = 8;
	if (fd < 0)
		return false;
	p = map_shared(fd, n * psize, first * psize);
	if (p == MAP_FAILED)
		goto out;
	ok = true;
	for (size_t i = 0; ok && i < n; i++) {
		int64_t pfn = pagemap_pfn(p + i * psize);
		int64_t want = has(cur, M_PREFAULT) && !has(cur, M_PFNMAP) ?
			       driver_pfn(fd, first + i) : 0;

		ok = KTAP_EXPECT(pfn == want, "untouched page %zu: PFN %#llx, want %#llx",
				 i, (long long)pfn, (long long)want);
	}
	if (ok && lazy(cur) && !has(cur, M_PFNMAP)) {
		touch_pages(p + psize, psize);
		ok = KTAP_EXPECT(pagemap_pfn(p + psize) == driver_pfn(fd, first + 1),
				 "touched page 1: PFN %#llx, driver's %#llx",
				 (long long)pagemap_pfn(p + psize),
				 (long long)driver_pfn(fd, first + 1));
		/* Fault-around may map the neighbours; nothing else may. */
		if (!has(cur, M_FAULTAROUND))
			ok &= KTAP_EXPECT(pagemap_pfn(p) == 0 &&
					  pagemap_pfn(p + 2 * psize) == 0,
					  "a touch mapped its neighbours");
	}
	touch_pages(p, n * psize);
	for (size_t i = 0; ok && i < n; i++) {
		int64_t pfn = pagemap_pfn(p + i * psize);
		int64_t want = has(cur, M_PFNMAP) ? 0 : driver_pfn(fd, first + i);

		ok = KTAP_EXPECT(pfn == want, "touched page %zu: PFN %#llx, want %#llx",
				 i, (long long)pfn, (long long)want);
	}
	munmap(p, n * psize);
out:
	close(fd);
	return ok;
}

/*
 * Reading N pages costs exactly N faults in a lazy mode and none when the
 * PTEs were written at mmap() time. With fault-around, and the mapping
 * aligned to the fault-around window, it costs one map_pages call per
 * window and no ->fault. Reading again costs nothing. The driver's counts
 * agree with the kernel's own (getrusage() minor faults).
 */
static int fault_counts(void)
{
	size_t n = count_pages(), window = fault_around_pages();
	struct mmlab_info before, mid, after;
	struct rusage ru_before, ru_after;
	int fd = dev_open(O_RDWR);
	unsigned long long faults, calls, want_faults = 0, want_calls = 0;
	bool ok = false;
	long minflt;
	char *p;

	if (fd < 0)
		return false;
	if (has(cur, M_FAULTAROUND)) {
		p = map_shared_aligned(fd, n * psize, 0, window * psize);
		want_calls = (n + window - 1) / window;
	} else {
		p = map_shared(fd, n * psize, 0);
		want_faults = lazy(cur) ? n : 0;
	}
	if (p == MAP_FAILED || !mmlab_info(fd, &before))
		goto out;
	getrusage(RUSAGE_SELF, &ru_before);
	touch_pages(p, n * psize);
	getrusage(RUSAGE_SELF, &ru_after);
	mmlab_info(fd, &mid);
	touch_pages(p, n * psize);
	mmlab_info(fd, &after);

	faults = mid.faults - before.faults;
	calls = mid.map_pages_calls - before.map_pages_calls;
	minflt = ru_after.ru_minflt - ru_before.ru_minflt;
	ktap_diag("%s: reading %zu pages: %llu faults, %llu map_pages calls, %ld minor faults",
		  cur->name, n, faults, calls, minflt);
	ok = KTAP_EXPECT(faults == want_faults && calls == want_calls,
			 "want %llu faults, %llu map_pages calls (window %zu pages)",
			 want_faults, want_calls, window);
	/* Each fault entered the handler once, whoever resolved it. */
	ok &= KTAP_EXPECT(minflt == (long)(faults + calls),
			  "the kernel counted %ld faults", minflt);
	for (size_t i = 0; ok && has(cur, M_FAULTAROUND) && i < n; i++)
		ok = KTAP_EXPECT(pagemap_pfn(p + i * psize) == driver_pfn(fd, i),
				 "page %zu not mapped by fault-around", i);
	ok &= KTAP_EXPECT(after.faults == mid.faults &&
			  after.map_pages_calls == mid.map_pages_calls,
			  "reading mapped pages again faulted");
	munmap(p, n * psize);
out:
	close(fd);
	return ok;
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

/* Is the dirty bitmap exactly the pages i < n with i % 5 == 1 (or none)? */
static bool dirty_is(const uint64_t *bits, size_t n, bool some)
{
	for (size_t i = 0; i < n; i++) {
		bool set = bits[i / 64] >> (i % 64) & 1;

		if (set != (some && i % 5 == 1)) {
			ktap_diag("page %zu: dirty %d", i, set);
			return false;
		}
	}
	return true;
}

/*
 * page_mkwrite runs once per page on the first write after the page was
 * mapped or cleaned, never on reads; MMLAB_IOC_DIRTY reports exactly the
 * pages written, and cleaning write-protects them so that the next write
 * is reported again.
 */
static int mkwrite_tracks_dirty(void)
{
	size_t n = count_pages(), words = (bufsize / psize + 63) / 64;
	uint64_t *bits = calloc(words, sizeof(*bits));
	struct mmlab_info before, after;
	int fd = dev_open(O_RDWR);
	unsigned int ndirty, want = 0;
	bool ok = false;
	char *p;

	if (fd < 0 || !bits)
		goto out;
	for (size_t i = 1; i < n; i += 5)
		want++;
	p = map_shared(fd, n * psize, 0);
	if (p == MAP_FAILED ||
	    !KTAP_EXPECT(dirty_pages(fd, MMLAB_DIRTY_CLEAN, bits, words, &ndirty),
			 "MMLAB_IOC_DIRTY: %m"))
		goto out;

	mmlab_info(fd, &before);
	touch_pages(p, n * psize);
	mmlab_info(fd, &after);
	ok = KTAP_EXPECT(after.mkwrite_calls == before.mkwrite_calls,
			 "reads called page_mkwrite");

	for (int round = 0; round < 2; round++)
		for (size_t i = 1; i < n; i += 5)
			p[i * psize] = round;
	mmlab_info(fd, &after);
	ok &= KTAP_EXPECT(after.mkwrite_calls - before.mkwrite_calls == want,
			  "%u pages written twice: %llu page_mkwrite calls", want,
			  (unsigned long long)(after.mkwrite_calls -
					       before.mkwrite_calls));
	ok &= KTAP_EXPECT(dirty_pages(fd, MMLAB_DIRTY_CLEAN, bits, words, &ndirty) &&
			  ndirty == want && dirty_is(bits, n, true),
			  "reported %u dirty pages, want %u", ndirty, want);
	ok &= KTAP_EXPECT(dirty_pages(fd, 0, bits, words, &ndirty) &&
			  ndirty == 0 && dirty_is(bits, n, false),
			  "%u pages dirty after cleaning", ndirty);

	/* Cleaned pages are write-protected again: the next write reports. */
	mmlab_info(fd, &before);
	for (size_t i = 1; i < n; i += 5)
		p[i * psize] = 2;
	mmlab_info(fd, &after);
	ok &= KTAP_EXPECT(after.mkwrite_calls - before.mkwrite_calls == want,
			  "after cleaning, %llu page_mkwrite calls",
			  (unsigned long long)(after.mkwrite_calls -
					       before.mkwrite_calls));
	ok &= KTAP_EXPECT(dirty_pages(fd, 0, bits, words, &ndirty) &&
			  ndirty == want && dirty_is(bits, n, true),
			  "re-dirtied: %u, want %u", ndirty, want);
	ok &= KTAP_EXPECT(!dirty_pages(fd, 0, bits, 0, &ndirty) &&
			  errno == EINVAL, "a bitmap too small: %m");
	munmap(p, n * psize);
out:
	free(bits);
	close(fd);
	return ok;
}

/*
 * MADV_DONTNEED drops the PTEs (pagemap: not present), not the data: a
 * lazy mode faults the same bytes back in. A mode with no fault handler
 * cannot: the next touch is SIGBUS. VM_PFNMAP vmas refuse it (EINVAL).
 */
static int madvise_dontneed(void)
{
	size_t n = count_pages(), len = n * psize;
	struct mmlab_info before, after;
	int fd = dev_open(O_RDWR);
	char *buf = malloc(len);
	bool ok = false;
	char *p;

	if (fd < 0 || !buf)
		goto out;
	pattern_fill(buf, len, 30, 0);
	p = map_shared(fd, len, 0);
	if (p == MAP_FAILED || !pwrite_all(fd, buf, len, 0))
		goto out;
	touch_pages(p, len);
	if (has(cur, M_PFNMAP)) {
		ok = KTAP_EXPECT(madvise(p, len, MADV_DONTNEED) && errno == EINVAL,
				 "MADV_DONTNEED on VM_PFNMAP: %m");
		ok &= KTAP_EXPECT(pattern_check(p, len, 30, 0) < 0, "data lost");
		goto unmap;
	}
	ok = KTAP_EXPECT(!madvise(p, len, MADV_DONTNEED), "MADV_DONTNEED: %m");
	for (size_t i = 0; ok && i < n; i++)
		ok = KTAP_EXPECT(pagemap_pfn(p + i * psize) == 0,
				 "page %zu still mapped", i);
	if (!ok)
		goto unmap;
	if (has(cur, M_PREFAULT)) {
		int sig = child_touch_signal(p);

		ok = KTAP_EXPECT(sig == SIGBUS, "touch after MADV_DONTNEED: signal %d",
				 sig);
		ok &= KTAP_EXPECT(pread_all(fd, buf, len, 0) &&
				  pattern_check(buf, len, 30, 0) < 0,
				  "the device lost its data");
		goto unmap;
	}
	mmlab_info(fd, &before);
	ok = KTAP_EXPECT(pattern_check(p, len, 30, 0) < 0,
			 "refaulted data differs at byte %zd",
			 pattern_check(p, len, 30, 0));
	mmlab_info(fd, &after);
	if (!has(cur, M_FAULTAROUND))
		ok &= KTAP_EXPECT(after.faults - before.faults == n,
				  "refaulting %zu pages: %llu faults", n,
				  (unsigned long long)(after.faults - before.faults));
unmap:
	munmap(p, len);
out:
	free(buf);
	close(fd);
	return ok;
}

/*
 * O_DIRECT reads from a block device into the mapping: the block layer
 * pins the destination pages with GUP. Page-backed mappings allow it and
 * the driver sees the bytes; VM_PFNMAP ones refuse it with EFAULT.
 */
static int gup_o_direct(void)
{
	size_t len = 4 * psize;
	int rfd = open("/dev/ram0", O_RDWR | O_DIRECT);
	int fd = dev_open(O_RDWR);
	void *src = NULL;
	bool ok = false;
	char *buf = malloc(len);
	char *p;
	ssize_t n;

	if (rfd < 0) {
		ktap_diag("/dev/ram0: %m (brd not loaded)");
		close(fd);
		free(buf);
		return KTAP_SKIP;
	}
	if (fd < 0 || !buf || posix_memalign(&src, psize, len))
		goto out;
	pattern_fill(src, len, 40, 0);
	if (!KTAP_EXPECT(pwrite(rfd, src, len, 0) == (ssize_t)len,
			 "O_DIRECT write to /dev/ram0: %m"))
		goto out;
	p = map_shared(fd, len, 0);
	if (p == MAP_FAILED)
		goto out;
	n = pread(rfd, p, len, 0);
	if (has(cur, M_PFNMAP)) {
		ok = KTAP_EXPECT(n < 0 && errno == EFAULT,
				 "O_DIRECT into VM_PFNMAP: %zd, %m", n);
	} else {
		ok = KTAP_EXPECT(n == (ssize_t)len, "O_DIRECT read: %zd, %m", n);
		ok = ok && KTAP_EXPECT(pread_all(fd, buf, len, 0) &&
				       pattern_check(buf, len, 40, 0) < 0,
				       "the device does not have the bytes");
	}
	munmap(p, len);
out:
	free(src);
	free(buf);
	close(rfd);
	close(fd);
	return ok;
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
 * NR_THREADS threads fault concurrently. Each touching its own pages:
 * exactly one fault per page in a lazy mode. All touching the same pages:
 * each sees the device's bytes; two threads may race into ->fault for one
 * page (the loser's page is dropped), so the count lies between one and
 * NR_THREADS per page.
 */
static bool touch_concurrently(bool same_range)
{
	size_t n = count_pages() / NR_THREADS * NR_THREADS;
	struct toucher t[NR_THREADS];
	struct mmlab_info before, after;
	pthread_barrier_t start;
	int fd = dev_open(O_RDWR);
	char *buf = malloc(n * psize);
	unsigned long long faults;
	bool ok = false;
	char *p;

	if (fd < 0 || !buf || !n)
		goto out;
	pattern_fill(buf, n * psize, 50, 0);
	if (!pwrite_all(fd, buf, n * psize, 0))
		goto out;
	p = map_shared(fd, n * psize, 0);
	if (p == MAP_FAILED || !mmlab_info(fd, &before))
		goto out;
	pthread_barrier_init(&start, NULL, NR_THREADS);
	for (int i = 0; i < NR_THREADS; i++) {
		t[i] = (struct toucher) {
			.start = &start,
			.p = p,
			.first = same_range ? 0 : i * (n / NR_THREADS),
			.count = same_range ? n : n / NR_THREADS,
			.checked = same_range ? n : 0,
		};
		pthread_create(&t[i].thread, NULL, toucher_run, &t[i]);
	}
	ok = true;
	for (int i = 0; i < NR_THREADS; i++) {
		pthread_join(t[i].thread, NULL);
		if (same_range)
			ok &= KTAP_EXPECT(t[i].consistent, "thread %d saw other bytes", i);
	}
	pthread_barrier_destroy(&start);
	mmlab_info(fd, &after);
	faults = after.faults - before.faults;
	ktap_diag("%s: %d threads, %zu pages, %s: %llu faults", cur->name,
		  NR_THREADS, n, same_range ? "same pages" : "own pages", faults);
	if (!lazy(cur))
		ok &= KTAP_EXPECT(faults == 0, "want no faults");
	else if (!same_range)
		ok &= KTAP_EXPECT(faults == n, "want exactly %zu faults", n);
	else
		ok &= KTAP_EXPECT(faults >= n && faults <= NR_THREADS * n,
				  "want %zu..%zu faults", n, NR_THREADS * n);
	munmap(p, n * psize);
out:
	free(buf);
	close(fd);
	return ok;
}

static int threads_own_pages_exact(void)
{
	return touch_concurrently(false);
}

static int threads_same_pages_consistent(void)
{
	return touch_concurrently(true);
}

/*
 * Thousands of map, touch, unmap cycles leave nothing behind: no vma
 * reference, no buffer page, and no page lost by the kernel's count. Pages
 * that went to slab caches count as found: KASAN's quarantine keeps freed
 * vmas for a while (measured: 500 pages over 2000 cycles), and a slab
 * object leak is kmemleak's to report. A leaked page table or page is not
 * in a slab.
 */
static int map_unmap_cycles_leak_nothing(void)
{
	const int cycles = 2000;
	size_t len = (count_pages() < 16 ? count_pages() : 16) * psize;
	struct mmlab_info before, after;
	int fd = dev_open(O_RDWR);
	long free_before, free_after;
	bool ok = false;

	if (fd < 0 || !mmlab_info(fd, &before))
		goto out;
	free_before = free_pages() + slab_pages();
	for (int i = 0; i < cycles; i++) {
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			       fd, 0);

		if (!KTAP_EXPECT(p != MAP_FAILED, "cycle %d: mmap: %m", i))
			goto out;
		touch_pages(p, len);
		munmap(p, len);
	}
	free_after = free_pages() + slab_pages();
	mmlab_info(fd, &after);
	ktap_diag("%s: %d cycles of %zu pages: free and slab pages %ld -> %ld",
		  cur->name, cycles, len / psize, free_before, free_after);
	ok = KTAP_EXPECT(after.live_vmas == before.live_vmas,
			 "live vmas %u -> %u", before.live_vmas, after.live_vmas);
	ok &= KTAP_EXPECT(after.mmap_calls - before.mmap_calls == (unsigned int)cycles,
			  "mmap_calls grew by %llu",
			  (unsigned long long)(after.mmap_calls - before.mmap_calls));
	ok &= KTAP_EXPECT(after.pages_allocated == before.pages_allocated,
			  "buffer pages %llu -> %llu",
			  (unsigned long long)before.pages_allocated,
			  (unsigned long long)after.pages_allocated);
	/* A page lost per cycle would show as 2000; page tables come and go. */
	ok &= KTAP_EXPECT(free_before - free_after < cycles / 4,
			  "lost %ld free pages", free_before - free_after);
out:
	close(fd);
	return ok;
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

/* Read the current mode's debugfs counters: false unless all are there. */
static bool debugfs_read(unsigned long long vals[DBG_KEYS])
{
	char path[128], key[64];
	unsigned long long val;
	unsigned long found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/mmlab/%s", cur->name);
	f = fopen(path, "r");
	if (!KTAP_EXPECT(f, "%s: %m", path))
		return false;
	while (fscanf(f, "%63s %llu", key, &val) == 2)
		for (size_t i = 0; i < DBG_KEYS; i++)
			if (!strcmp(key, dbg_keys[i])) {
				vals[i] = val;
				found |= 1ul << i;
			}
	fclose(f);
	for (size_t i = 0; i < DBG_KEYS; i++)
		if (!KTAP_EXPECT(found >> i & 1, "%s: no %s line", path,
				 dbg_keys[i]))
			return false;
	return true;
}

/* The /proc/self/maps lines, each a vma, whose file is the device. */
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
		if (path && !strcmp(path, dev_path))
			n++;
	}
	fclose(f);
	return n;
}

/*
 * The debugfs counters move by what this case does, and agree with what
 * the kernel says apart from mmlab: three mmap() calls add three calls and
 * three live vmas, which are the device's vmas in /proc/self/maps (no
 * other process maps the device while the probes run); reading m pages of
 * one adds the faults fault_counts expects, which are the kernel's own
 * minor faults (getrusage()), and no page_mkwrite call or buffer page;
 * the size is the module's buf_size.
 */
static int debugfs_counters(void)
{
	size_t m = count_pages(), window = fault_around_pages();
	unsigned long long before[DBG_KEYS], after[DBG_KEYS], d[DBG_KEYS];
	unsigned long long want_faults = 0, want_calls = 0;
	long buf_size = read_number("/sys/module/mmlab/parameters/buf_size");
	struct rusage ru_before, ru_after;
	char *p[3] = { MAP_FAILED, MAP_FAILED, MAP_FAILED };
	int fd = dev_open(O_RDWR);
	long minflt = -1, maps = -1;
	bool ok = false;

	if (fd < 0)
		return false;
	if (!debugfs_read(before))
		goto out;
	/* As fault_counts: aligned, fault-around costs one call a window. */
	if (has(cur, M_FAULTAROUND))
		want_calls = (m + window - 1) / window;
	else
		want_faults = lazy(cur) ? m : 0;
	for (int i = 0; i < 3; i++) {
		p[i] = has(cur, M_FAULTAROUND) ?
		       map_shared_aligned(fd, m * psize, 0, window * psize) :
		       map_shared(fd, m * psize, 0);
		if (p[i] == MAP_FAILED)
			goto unmap;
	}
	/* Nothing but the touches between the two: no stdio, no malloc. */
	getrusage(RUSAGE_SELF, &ru_before);
	touch_pages(p[0], m * psize);
	getrusage(RUSAGE_SELF, &ru_after);
	minflt = ru_after.ru_minflt - ru_before.ru_minflt;
	maps = maps_lines_of_device();
	if (!debugfs_read(after))
		goto unmap;
	for (int i = 0; i < DBG_KEYS; i++)
		d[i] = after[i] - before[i];
	ktap_diag("%s: 3 mmaps: +%llu mmap_calls, +%llu live_vmas (now %llu, %ld in maps)",
		  cur->name, d[DBG_MMAP_CALLS], d[DBG_LIVE_VMAS],
		  after[DBG_LIVE_VMAS], maps);
	ktap_diag("%s: %zu pages read: +%llu faults, +%llu map_pages_calls, %ld minor faults",
		  cur->name, m, d[DBG_FAULTS], d[DBG_MAP_PAGES_CALLS], minflt);

	ok = KTAP_EXPECT(buf_size > 0 &&
			 after[DBG_SIZE] == (unsigned long long)buf_size,
			 "size %llu, buf_size parameter %ld", after[DBG_SIZE],
			 buf_size);
	ok &= KTAP_EXPECT(d[DBG_MMAP_CALLS] == 3, "mmap_calls +%llu after 3 mmaps",
			  d[DBG_MMAP_CALLS]);
	ok &= KTAP_EXPECT(d[DBG_LIVE_VMAS] == 3 &&
			  after[DBG_LIVE_VMAS] == (unsigned long long)maps,
			  "live_vmas %llu -> %llu, %ld vmas of %s in /proc/self/maps",
			  before[DBG_LIVE_VMAS], after[DBG_LIVE_VMAS], maps,
			  dev_path);
	ok &= KTAP_EXPECT(d[DBG_FAULTS] == want_faults &&
			  d[DBG_MAP_PAGES_CALLS] == want_calls,
			  "want +%llu faults, +%llu map_pages calls (window %zu pages)",
			  want_faults, want_calls, window);
	/* Each fault entered the handler once, whoever resolved it. */
	ok &= KTAP_EXPECT(minflt >= 0 &&
			  (unsigned long long)minflt ==
			  d[DBG_FAULTS] + d[DBG_MAP_PAGES_CALLS],
			  "the kernel counted %ld faults", minflt);
	ok &= KTAP_EXPECT(d[DBG_MKWRITE_CALLS] == 0 &&
			  d[DBG_PAGES_ALLOCATED] == 0,
			  "reads: +%llu mkwrite_calls, +%llu pages_allocated",
			  d[DBG_MKWRITE_CALLS], d[DBG_PAGES_ALLOCATED]);
unmap:
	for (int i = 0; i < 3; i++)
		if (p[i] != MAP_FAILED)
			munmap(p[i], m * psize);
out:
	close(fd);
	return ok;
}

const struct probe_case fault_cases[] = {
	{ "pagemap_matches_driver", pagemap_matches_driver },
	{ "fault_counts", fault_counts },
	{ "mkwrite_tracks_dirty", mkwrite_tracks_dirty, is_mkwrite },
	{ "madvise_dontneed", madvise_dontneed },
	{ "gup_o_direct", gup_o_direct },
	{ "threads_own_pages_exact", threads_own_pages_exact, not_faultaround },
	{ "threads_same_pages_consistent", threads_same_pages_consistent,
	  not_faultaround },
	{ "map_unmap_cycles_leak_nothing", map_unmap_cycles_leak_nothing },
	{ "debugfs_counters", debugfs_counters },
};

const size_t nr_fault_cases = ARRAY_SIZE(fault_cases);
