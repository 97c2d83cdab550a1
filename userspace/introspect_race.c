// SPDX-License-Identifier: GPL-2.0
/*
 * introspect_test: the page-table walk, and the vma list and user copies
 * of /dev/mmlab-mm, racing what frees page tables.
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
 * each side must have run for the case to count.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "introspect.h"
#include "ktap.h"
#include "mmlab_dev.h"
#include "procfs.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif

#define HUGE_SIZE	(2UL << 20)
#define RACE_ROUNDS	20000
#define RACE_SECONDS	10
#define STRESS_ROUNDS	100000000

struct race {
	char *unmapped;		/* unmapped and mapped again */
	char *collapsed;	/* shmem, collapsed and punched again */
	int memfd;
	struct timespec deadline;
	unsigned long max_rounds;
	int stop;
	int failed;
	unsigned long walks, remaps, collapses, no_memory;
	int collapse_errno;	/* a refusal other than for want of memory */
};

static bool race_over(struct race *r, unsigned long round)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return round >= r->max_rounds || now.tv_sec >= r->deadline.tv_sec ||
	       __atomic_load_n(&r->failed, __ATOMIC_RELAXED);
}

static void race_fail(struct race *r, const char *what)
{
	ktap_diag("%s: %s", what, strerror(errno));
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

		if (n % 8 == 3 && ioctl(mmfd, MMLAB_MM_IOC_VMAS, &v)) {
			race_fail(r, "vmas");
			break;
		}
		/* A copy from a range being unmapped may stop short. */
		if (n % 8 == 5 && ioctl(mmfd, MMLAB_MM_IOC_COPY, &c) &&
		    errno != EFAULT) {
			race_fail(r, "copy");
			break;
		}
		if (ioctl(mmfd, MMLAB_MM_IOC_WALK, &w)) {
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

int walk_races_unmap_and_collapse(void)
{
	int nwalkers = 2 * sysconf(_SC_NPROCESSORS_ONLN) + 1;
	pthread_t walkers[nwalkers], unmap_thread, collapse_thread;
	struct race r = { .memfd = -1 };
	bool ok = true, skip = false;
	const char *stress;
	char *hole;
	int seconds;

	r.memfd = memfd_create("mmlab-collapse", 0);
	if (!KTAP_EXPECT(r.memfd >= 0 && !ftruncate(r.memfd, HUGE_SIZE),
			 "memfd: %m"))
		return false;
	hole = aligned_hole();
	r.collapsed = hole ? mmap(hole, HUGE_SIZE, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_FIXED_NOREPLACE, r.memfd, 0) :
			     MAP_FAILED;
	hole = aligned_hole();
	r.unmapped = hole ? mmap(hole, HUGE_SIZE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS |
				 MAP_FIXED_NOREPLACE, -1, 0) : MAP_FAILED;
	if (!KTAP_EXPECT(r.collapsed != MAP_FAILED && r.unmapped != MAP_FAILED,
			 "aligned mappings: %m")) {
		close(r.memfd);
		return false;
	}

	stress = getenv("MMLAB_STRESS_SECONDS");
	seconds = stress ? atoi(stress) : RACE_SECONDS;
	r.max_rounds = stress ? STRESS_ROUNDS : RACE_ROUNDS;
	clock_gettime(CLOCK_MONOTONIC, &r.deadline);
	r.deadline.tv_sec += seconds;
	for (int i = 0; i < nwalkers; i++)
		pthread_create(&walkers[i], NULL, walker, &r);
	pthread_create(&unmap_thread, NULL, unmapper, &r);
	pthread_create(&collapse_thread, NULL, collapser, &r);
	pthread_join(unmap_thread, NULL);
	pthread_join(collapse_thread, NULL);
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < nwalkers; i++)
		pthread_join(walkers[i], NULL);

	ktap_diag("%d walkers: %lu walks; %lu unmap+map rounds; %lu collapses, %lu without memory",
		  nwalkers, r.walks, r.remaps, r.collapses, r.no_memory);
	ok &= KTAP_EXPECT(!r.failed, "a thread failed (see above)");
	ok &= KTAP_EXPECT(r.walks > 0 && r.remaps > 0,
			  "the walk and the unmapping must both have run");
	ok &= KTAP_EXPECT(!r.collapse_errno, "MADV_COLLAPSE: %s",
			  strerror(r.collapse_errno));
	/* Without THP in the kernel there is nothing to collapse. */
	if (!r.collapses && !access("/sys/kernel/mm/transparent_hugepage", F_OK)) {
		ktap_diag("THP, but no 2 MiB block was free for a collapse");
		skip = true;
	}
	/* The next cases count this mm's users: let the threads leave it. */
	ok &= KTAP_EXPECT(wait_threads(1), "the racing threads did not exit");
	munmap(r.unmapped, HUGE_SIZE);
	munmap(r.collapsed, HUGE_SIZE);
	close(r.memfd);
	return ok && skip ? KTAP_SKIP : ok;
}
