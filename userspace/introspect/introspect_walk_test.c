// SPDX-License-Identifier: GPL-2.0
/*
 * introspect_walk_test: the page-table walk of /dev/mmlab-mm
 * (drivers/introspect/walk.c) against /proc/self/pagemap and the
 * drivers' own PFNs, for anonymous, file, huge and every mode's memory;
 * and the walk racing what frees page tables.
 *
 * kselftest harness: fixture "mm" (mm_fixture.h) for the walks, fixture
 * "mode" (mode_fixture.h) for the walk of each mode's mapping; each test
 * in a process of its own. Run as root in the test VM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#include "mm_fixture.h"
#include "mode_fixture.h"
#include "procfs.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif

#define HUGE_SIZE	(2UL << 20)

static bool walk(int fd, const void *addr, struct mmlab_walk *w)
{
	memset(w, 0, sizeof(*w));
	w->addr = (uintptr_t)addr;
	return ioctl(fd, MMLAB_MM_IOC_WALK, w) == 0;
}

/* The walk and /proc/self/pagemap agree on @addr, which is mapped. */
static void walk_matches_pagemap(struct __test_metadata *_metadata, int fd,
				 const void *addr, const char *what)
{
	struct mmlab_walk w;
	int64_t pfn = pagemap_pfn(addr);

	ASSERT_TRUE(walk(fd, addr, &w)) TH_LOG("%s: walk: %m", what);
	ASSERT_LT(0, pfn) TH_LOG("%s %p: pagemap", what, addr);
	ASSERT_TRUE(w.flags & MMLAB_PT_PRESENT) TH_LOG("%s %p", what, addr);
	ASSERT_EQ(pfn, w.pfn) TH_LOG("%s %p: walk against pagemap", what, addr);
}

/*
 * Is @flag in the "flags" line of /proc/cpuinfo? -1 if there is none.
 * The kernel clears la57 there unless it runs with 5-level paging
 * (early_identify_cpu()).
 */
static int cpuinfo_flag(const char *flag)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	static char line[8192];
	int found = -1;

	if (!f)
		return -1;
	while (found < 0 && fgets(line, sizeof(line), f)) {
		char *save, *tok;

		if (strncmp(line, "flags", 5))
			continue;
		found = 0;
		line[strcspn(line, "\n")] = '\0';
		strtok_r(line, ":", &save);
		for (tok = strtok_r(NULL, " ", &save); tok && !found;
		     tok = strtok_r(NULL, " ", &save))
			found = !strcmp(tok, flag);
	}
	fclose(f);
	return found;
}

/*
 * Anonymous memory: present at every level down to a 4 KiB PTE, which is
 * user, writable, dirty after a write, not executable; its PFN is
 * pagemap's. 5-level paging shows in /proc/cpuinfo's la57 flag, and, to a
 * 64-bit process, in mmap(): it can then place a mapping above 2^47 when
 * asked, which 4-level paging cannot. A 32-bit process has no address
 * above 4 GiB to ask for: cpuinfo is its only witness.
 */
TEST_F(mm, walk_anonymous)
{
	char *p = mmap(NULL, 16 * psize, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct mmlab_walk w;
	int la57;

	ASSERT_NE(MAP_FAILED, p);
	memset(p, 1, 16 * psize);
	for (int i = 0; i < 16; i++)
		walk_matches_pagemap(_metadata, self->fd, p + i * psize,
				     "anonymous");
	ASSERT_TRUE(walk(self->fd, p, &w)) TH_LOG("walk: %m");
	for (int l = 0; l < MMLAB_LEVELS; l++) {
		EXPECT_TRUE(w.entry[l].present) TH_LOG("level %d", l);
		EXPECT_EQ(l == MMLAB_PTE, w.entry[l].leaf) TH_LOG("level %d", l);
	}
	EXPECT_EQ(psize, w.page_size);
	EXPECT_TRUE(w.flags & MMLAB_PT_USER) TH_LOG("flags %#x", w.flags);
	EXPECT_TRUE(w.flags & MMLAB_PT_WRITE) TH_LOG("flags %#x", w.flags);
	EXPECT_TRUE(w.flags & MMLAB_PT_DIRTY) TH_LOG("flags %#x", w.flags);
	EXPECT_TRUE(w.flags & MMLAB_PT_NX) TH_LOG("flags %#x", w.flags);
	EXPECT_FALSE(w.flags & (MMLAB_PT_SPECIAL | MMLAB_PT_HUGE))
		TH_LOG("flags %#x", w.flags);
	la57 = cpuinfo_flag("la57");
	ASSERT_LE(0, la57) TH_LOG("no flags line in /proc/cpuinfo");
	EXPECT_EQ(la57 ? 5u : 4u, w.levels) TH_LOG("/proc/cpuinfo la57: %d", la57);
#if UINTPTR_MAX > 0xffffffffu
	{
		void *high = mmap((void *)(1UL << 50), psize, PROT_READ,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		bool above = high != MAP_FAILED && (uintptr_t)high >= 1UL << 47;

		EXPECT_EQ(w.levels == 5, above)
			TH_LOG("%u levels, but a mapping asked at 2^50 landed at %p",
			       w.levels, high);
	}
#else
	TH_LOG("32-bit: no address above 4 GiB to map; levels checked by /proc/cpuinfo only");
#endif
	TH_LOG("%u-level paging; pgd %#llx ... pte %#llx -> PFN %#llx",
	       w.levels, (unsigned long long)w.entry[MMLAB_PGD].raw,
	       (unsigned long long)w.entry[MMLAB_PTE].raw,
	       (unsigned long long)w.pfn);
}

/*
 * Not yet touched, or unmapped: no leaf, no PFN; pagemap agrees. Outside
 * any vma the walk reads no entry at all, not even the PGD's: the tables
 * there may be being freed.
 */
TEST_F(mm, walk_not_present)
{
	char *p = mmap(NULL, 2 * psize, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct mmlab_walk w;

	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	ASSERT_TRUE(walk(self->fd, p + psize, &w)) TH_LOG("walk: %m");
	EXPECT_EQ(0, w.flags) TH_LOG("untouched page");
	EXPECT_EQ(0, w.pfn) TH_LOG("untouched page");
	EXPECT_EQ(0, pagemap_pfn(p + psize)) TH_LOG("untouched page");
	munmap(p, 2 * psize);
	ASSERT_TRUE(walk(self->fd, p, &w)) TH_LOG("walk: %m");
	EXPECT_EQ(0, w.flags) TH_LOG("unmapped page");
	EXPECT_EQ(0, w.pfn) TH_LOG("unmapped page");
	EXPECT_FALSE(w.entry[MMLAB_PGD].present) TH_LOG("unmapped page");
	EXPECT_EQ(0, w.entry[MMLAB_PGD].raw) TH_LOG("unmapped page");
}

/* A read-only file mapping: present, user, not writable, pagemap's PFN. */
TEST_F(mm, walk_file)
{
	int fd = open("/bin/busybox", O_RDONLY);
	struct mmlab_walk w;
	char *p;

	ASSERT_LE(0, fd) TH_LOG("/bin/busybox: %m");
	p = mmap(NULL, 4 * psize, PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	touch_pages(p, 4 * psize);
	for (int i = 0; i < 4; i++)
		walk_matches_pagemap(_metadata, self->fd, p + i * psize, "file");
	ASSERT_TRUE(walk(self->fd, p, &w)) TH_LOG("walk: %m");
	EXPECT_FALSE(w.flags & MMLAB_PT_WRITE)
		TH_LOG("a read-only file page is writable: %#x", w.flags);
}

/*
 * A transparent huge page: the walk stops at a PMD leaf of 2 MiB, and the
 * PFN of each 4 KiB inside it is pagemap's.
 */
TEST_F(mm, walk_thp)
{
	char *area = mmap(NULL, 2 * HUGE_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *p = (char *)(((uintptr_t)area + HUGE_SIZE - 1) & ~(HUGE_SIZE - 1));
	struct mmlab_walk w;
	long kb;

	ASSERT_NE(MAP_FAILED, area);
	if (madvise(p, HUGE_SIZE, MADV_HUGEPAGE))
		SKIP(return, "MADV_HUGEPAGE: %s (no THP in this kernel)",
		     strerror(errno));
	memset(p, 1, HUGE_SIZE);
	kb = smaps_kb(p, "AnonHugePages");
	if (kb < 2048)
		SKIP(return, "no huge page was allocated (AnonHugePages %ld kB)",
		     kb);
	for (size_t off = 0; off < HUGE_SIZE; off += 97 * psize)
		walk_matches_pagemap(_metadata, self->fd, p + off, "THP");
	ASSERT_TRUE(walk(self->fd, p + 5 * psize, &w)) TH_LOG("walk: %m");
	EXPECT_TRUE(w.entry[MMLAB_PMD].leaf);
	EXPECT_FALSE(w.entry[MMLAB_PTE].present);
	EXPECT_TRUE(w.flags & MMLAB_PT_HUGE) TH_LOG("flags %#x", w.flags);
	EXPECT_EQ(HUGE_SIZE, w.page_size);
}

/*
 * Each mode: the walk finds the driver's own page for each offset.
 * Pagemap agrees where it can see (it hides VM_PFNMAP vmas); PFN-mapped
 * PTEs are special, page-backed ones are not.
 */
TEST_F(mode, walk_finds_driver_pages)
{
	int mmfd = open("/dev/mmlab-mm", O_RDWR);
	int fd = dev_open(O_RDWR);
	struct mmlab_page_pfn req;
	struct mmlab_walk w;
	char *p;

	ASSERT_LE(0, mmfd) TH_LOG("/dev/mmlab-mm: %m");
	ASSERT_LE(0, fd);
	p = map_shared(fd, 4 * psize, 2 * psize);
	ASSERT_NE(MAP_FAILED, p);
	touch_pages(p, 4 * psize);
	for (int i = 0; i < 4; i++) {
		req.pgoff = 2 + i;
		ASSERT_EQ(0, ioctl(fd, MMLAB_IOC_PAGE_PFN, &req))
			TH_LOG("MMLAB_IOC_PAGE_PFN: %m");
		ASSERT_TRUE(walk(mmfd, p + i * psize, &w)) TH_LOG("walk: %m");
		EXPECT_EQ(req.pfn, w.pfn) TH_LOG("page %d: walk against driver", i);
		EXPECT_EQ(has(cur, M_PFNMAP), !!(w.flags & MMLAB_PT_SPECIAL))
			TH_LOG("page %d: special", i);
		if (!has(cur, M_PFNMAP))
			walk_matches_pagemap(_metadata, mmfd, p + i * psize,
					     cur->name);
	}
}

/*
 * The walk, and the vma list and user copies of /dev/mmlab-mm, racing
 * what frees page tables.
 *
 * Walkers, more threads than CPUs, walk two 2 MiB ranges over and over
 * while one thread unmaps and maps again the first (munmap() frees its PTE
 * table after downgrading to the mmap read lock) and another fills the
 * second, a shmem range, with 4 KiB pages and collapses them into a huge
 * page (MADV_COLLAPSE frees its PTE table with the read lock only, after
 * an RCU grace period). A walk that trusts a table it has not pinned takes
 * a lock in freed memory: KASAN reports it on the debug kernel, which
 * boots with preempt=full to widen the window.
 *
 * Bounded by rounds and by seconds (MMLAB_STRESS_SECONDS in the
 * environment, else 10: make stress sets it); the counts are printed, and
 * each side must have run for the test to count.
 */
#define RACE_ROUNDS	20000
#define RACE_SECONDS	10
#define STRESS_ROUNDS	100000000

struct race {
	int fd;			/* /dev/mmlab-mm */
	char *unmapped;		/* unmapped and mapped again */
	char *collapsed;	/* shmem, collapsed and punched again */
	int memfd;
	struct timespec deadline;
	unsigned long max_rounds;
	int stop;
	int failed;
	unsigned long walks, remaps, collapses, no_memory;
	int collapse_errno;	/* a refusal other than for want of memory */
	bool thp;		/* the kernel has THP: MADV_COLLAPSE works */
};

static int race_seconds(void)
{
	const char *stress = getenv("MMLAB_STRESS_SECONDS");

	return stress ? atoi(stress) : RACE_SECONDS;
}

static bool race_over(struct race *r, unsigned long round)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return round >= r->max_rounds || now.tv_sec >= r->deadline.tv_sec ||
	       __atomic_load_n(&r->failed, __ATOMIC_RELAXED);
}

static void race_fail(struct race *r, const char *what)
{
	diag("%s: %s", what, strerror(errno));
	__atomic_store_n(&r->failed, 1, __ATOMIC_RELAXED);
}

/*
 * Mostly walks; every eighth call lists the vmas, and every eighth a
 * copy from the racing range, which may fault: both read the mm while it
 * changes, under the same lock.
 */
static void *walker(void *arg)
{
	static __thread struct mmlab_vma vmas[64];
	struct race *r = arg;
	unsigned long n = 0;

	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		/* Both ranges, a different page of each table every time. */
		char *base = n & 1 ? r->collapsed : r->unmapped;
		uintptr_t addr = (uintptr_t)base + ((n * 7) & 511) * psize;
		struct mmlab_walk w = { .addr = addr };
		struct mmlab_vmas v = {
			.vmas = (uintptr_t)vmas, .count = ARRAY_SIZE(vmas),
		};
		struct mmlab_copy c = { .uaddr = addr, .len = 2 * psize };

		if (n % 8 == 3 && ioctl(r->fd, MMLAB_MM_IOC_VMAS, &v)) {
			race_fail(r, "vmas");
			break;
		}
		/* A copy from a range being unmapped may stop short. */
		if (n % 8 == 5 && ioctl(r->fd, MMLAB_MM_IOC_COPY, &c) &&
		    errno != EFAULT) {
			race_fail(r, "copy");
			break;
		}
		if (ioctl(r->fd, MMLAB_MM_IOC_WALK, &w)) {
			race_fail(r, "walk");
			break;
		}
		n++;
	}
	__atomic_fetch_add(&r->walks, n, __ATOMIC_RELAXED);
	return NULL;
}

/* munmap() frees the PTE table of a 2 MiB-aligned range it empties. */
static void *unmapper(void *arg)
{
	struct race *r = arg;
	unsigned long round;

	for (round = 0; !race_over(r, round); round++) {
		char *p;

		if (munmap(r->unmapped, HUGE_SIZE)) {
			race_fail(r, "munmap");
			break;
		}
		p = mmap(r->unmapped, HUGE_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			 -1, 0);
		if (p != r->unmapped) {
			race_fail(r, "mmap again");
			break;
		}
		/* One page in each half: a PTE table to free next time. */
		madvise(p, HUGE_SIZE, MADV_NOHUGEPAGE);
		p[0] = 1;
		p[HUGE_SIZE - psize] = 1;
	}
	r->remaps = round;
	return NULL;
}

/*
 * Punching the shmem range frees its pages (a huge one is zapped whole);
 * writing them again brings 4 KiB pages under a new PTE table, which
 * MADV_COLLAPSE replaces by a huge page, freeing the table. Every page:
 * with one page a round, most collapses were refused (ENOMEM, EAGAIN).
 */
static void *collapser(void *arg)
{
	struct race *r = arg;
	unsigned long round;

	/* Without THP (PREEMPT_RT kernels) there is nothing to collapse. */
	if (!r->thp)
		return NULL;
	for (round = 0; !race_over(r, round); round++) {
		if (fallocate(r->memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			      0, HUGE_SIZE)) {
			race_fail(r, "punch hole");
			break;
		}
		for (size_t off = 0; off < HUGE_SIZE; off += psize)
			r->collapsed[off] = 1;
		if (!madvise(r->collapsed, HUGE_SIZE, MADV_COLLAPSE))
			r->collapses++;
		else if (errno == ENOMEM || errno == EAGAIN)
			r->no_memory++;	/* no free 2 MiB block just now */
		else
			r->collapse_errno = errno;
	}
	return NULL;
}

/* A 2 MiB-aligned address with 2 MiB free there, found by mapping twice that. */
static char *aligned_hole(void)
{
	char *area = mmap(NULL, 2 * HUGE_SIZE, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (area == MAP_FAILED)
		return NULL;
	munmap(area, 2 * HUGE_SIZE);
	return (char *)(((uintptr_t)area + HUGE_SIZE - 1) & ~(HUGE_SIZE - 1));
}

/* Its seconds, and as many again for a slow kernel to finish the rounds. */
TEST_F_TIMEOUT(mm, walk_races_unmap_and_collapse, 2 * race_seconds() + 60)
{
	int nwalkers = 2 * sysconf(_SC_NPROCESSORS_ONLN) + 1;
	pthread_t walkers[nwalkers], unmap_thread, collapse_thread;
	struct race r = { .fd = self->fd, .thp = kernel_has_thp() };
	char *hole;

	r.memfd = memfd_create("mmlab-collapse", 0);
	ASSERT_LE(0, r.memfd) TH_LOG("memfd_create: %m");
	ASSERT_EQ(0, ftruncate(r.memfd, HUGE_SIZE)) TH_LOG("ftruncate: %m");
	hole = aligned_hole();
	ASSERT_NE(NULL, hole);
	r.collapsed = mmap(hole, HUGE_SIZE, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_FIXED_NOREPLACE, r.memfd, 0);
	ASSERT_EQ(hole, r.collapsed) TH_LOG("an aligned shmem mapping: %m");
	hole = aligned_hole();
	ASSERT_NE(NULL, hole);
	r.unmapped = mmap(hole, HUGE_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			  -1, 0);
	ASSERT_EQ(hole, r.unmapped) TH_LOG("an aligned mapping: %m");

	r.max_rounds = getenv("MMLAB_STRESS_SECONDS") ? STRESS_ROUNDS :
		       RACE_ROUNDS;
	clock_gettime(CLOCK_MONOTONIC, &r.deadline);
	r.deadline.tv_sec += race_seconds();
	for (int i = 0; i < nwalkers; i++) {
		ASSERT_EQ(0, pthread_create(&walkers[i], NULL, walker, &r))
			TH_LOG("walker %d", i);
	}
	ASSERT_EQ(0, pthread_create(&unmap_thread, NULL, unmapper, &r));
	ASSERT_EQ(0, pthread_create(&collapse_thread, NULL, collapser, &r));
	pthread_join(unmap_thread, NULL);
	pthread_join(collapse_thread, NULL);
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < nwalkers; i++)
		pthread_join(walkers[i], NULL);

	TH_LOG("%d walkers: %lu walks; %lu unmap+map rounds; %lu collapses, %lu without memory%s",
	       nwalkers, r.walks, r.remaps, r.collapses, r.no_memory,
	       r.thp ? "" : " (no THP in this kernel)");
	EXPECT_FALSE(r.failed) TH_LOG("a thread failed (see above)");
	/* The walk and the unmapping must both have run. */
	EXPECT_LT(0, r.walks);
	EXPECT_LT(0, r.remaps);
	EXPECT_EQ(0, r.collapse_errno)
		TH_LOG("MADV_COLLAPSE: %s", strerror(r.collapse_errno));
	/*
	 * Without THP in the kernel the unmapping races the walk alone; with
	 * it, a run without a collapse proves half of what it should: a
	 * skip, unless it failed.
	 */
	if (!r.failed && r.walks && r.remaps && !r.collapse_errno &&
	    !r.collapses && r.thp)
		SKIP(return, "THP, but no 2 MiB block was free for a collapse");
}

TEST_HARNESS_MAIN
