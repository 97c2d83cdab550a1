// SPDX-License-Identifier: GPL-2.0
/*
 * mmap_swap_test: the pages of /dev/mmlab-shmem go out to swap and come
 * back intact (drivers/mmap/shmem.c).
 *
 * The buffer is a shmem file whose pages the driver does not hold, so
 * reclaim may take a page nobody uses: MADV_PAGEOUT asks for exactly that,
 * for the pages of a range. The truths: the swap device itself, read past
 * the page cache, where each page of the buffer must then be found;
 * /proc/meminfo's SwapFree; smaps' Rss and Swap of the mapping, which
 * reads the shmem file's own count of its swapped pages; pagemap; the
 * driver's fault count; and the bytes, written by write() before and read
 * after through the mapping or read().
 *
 * SwapFree is not exact: freed swap slots wait in a per-CPU cache, and
 * slots are taken from the device a batch at a time, so the probe asks
 * only that it dropped by at least the buffer's size.
 *
 * A page of a shared file mapping leaves no trace in the page table when
 * it goes: the PTE is cleared, and the swap entry is kept by shmem, in the
 * file. pagemap's swap bit shows swap entries in page tables, which only
 * anonymous pages have, such as the copies a private mapping makes on
 * write: private_copies_swap shows those.
 *
 * kselftest harness: fixture "swap", whose setup writes a swap header on
 * the RAM disk /dev/ram1 (brd) and turns it on, and whose teardown, in
 * the parent, turns it off, which reads every page still out back in.
 * Run as root in the test VM with mmlab loaded and nothing else swapping.
 */
#define _GNU_SOURCE	/* O_DIRECT */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/swap.h>
#include <unistd.h>

#include "harness.h"

#include "mmlab_dev.h"
#include "procfs.h"

#define SHMEM_NODE	"/dev/mmlab-shmem"
#define SWAP_DEV	"/dev/ram1"
#define SEED		0x73776170
#define PRIVATE_SEED	0x70726976

/*
 * A version 1 swap header, as mkswap writes it (union swap_header in
 * include/linux/swap.h): the usable pages after a 1 KiB boot block, and
 * the magic in the last ten bytes of the first page. The rest of the
 * device is zeroed, so that no page an earlier run swapped is found there.
 */
static bool make_swap(const char *dev, long psize)
{
	int fd = open(dev, O_RDWR);
	uint32_t info[3];
	uint8_t *page;
	off_t size;
	bool ok;

	if (fd < 0)
		return false;
	size = lseek(fd, 0, SEEK_END);
	page = calloc(1, psize);
	if (!page || size < 2 * psize) {
		free(page);
		close(fd);
		return false;
	}
	ok = true;
	for (off_t off = psize; ok && off < size; off += psize)
		ok = pwrite(fd, page, psize, off) == psize;
	info[0] = 1;				/* version */
	info[1] = size / psize - 1;		/* last_page */
	info[2] = 0;				/* nr_badpages */
	memcpy(page + 1024, info, sizeof(info));
	memcpy(page + psize - 10, "SWAPSPACE2", 10);
	ok = ok && pwrite(fd, page, psize, 0) == psize && !fsync(fd);
	free(page);
	close(fd);
	return ok;
}

/*
 * How many pages of the buffer, the SEED pattern at their own offsets,
 * are on the swap device: its pages read with O_DIRECT, past the block
 * device's page cache, each compared with every page of the buffer (a
 * few bytes first, which tell the pages apart). -1 on error.
 */
static long pages_on_swap(size_t pages, long psize)
{
	int fd = open(SWAP_DEV, O_RDONLY | O_DIRECT);
	bool *found = calloc(pages, sizeof(*found));
	void *page = NULL;
	long n = -1;

	if (fd < 0 || !found || posix_memalign(&page, psize, psize))
		goto out;
	n = 0;
	/* Page 0 is the header. */
	for (off_t off = psize; pread(fd, page, psize, off) == psize;
	     off += psize) {
		for (size_t i = 0; i < pages; i++) {
			if (found[i] ||
			    pattern_check(page, 16, SEED, i * psize) != -1 ||
			    pattern_check(page, psize, SEED, i * psize) != -1)
				continue;
			found[i] = true;
			n++;
			break;
		}
	}
out:
	free(page);
	free(found);
	if (fd >= 0)
		close(fd);
	return n;
}

FIXTURE(swap) {
	int fd;
	long psize;
	size_t size;	/* of the buffer */
	long size_kb;
	uint8_t *copy;	/* size bytes, for read() */
};

FIXTURE_SETUP(swap)
{
	struct mmlab_info info;
	cpu_set_t cpus;

	self->psize = sysconf(_SC_PAGESIZE);
	self->fd = open(SHMEM_NODE, O_RDWR);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %m", SHMEM_NODE);
	ASSERT_TRUE(mmlab_info(self->fd, &info)) TH_LOG("MMLAB_IOC_INFO: %m");
	self->size = info.size;
	self->size_kb = info.size / 1024;
	self->copy = malloc(self->size);
	ASSERT_NE(NULL, self->copy);
	ASSERT_TRUE(make_swap(SWAP_DEV, self->psize))
		TH_LOG("a swap header on %s: %m (brd with rd_nr=2?)", SWAP_DEV);
	ASSERT_EQ(0, swapon(SWAP_DEV, 0)) TH_LOG("swapon %s: %m", SWAP_DEV);
	/*
	 * On one CPU, whose LRU batch MADV_PAGEOUT drains: a page still in
	 * another CPU's batch is not on the LRU, and cannot be taken.
	 */
	CPU_ZERO(&cpus);
	CPU_SET(sched_getcpu(), &cpus);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpus), &cpus))
		TH_LOG("sched_setaffinity: %m");
	/* Every page written, so dirty: reclaim must write it, not drop it. */
	pattern_fill(self->copy, self->size, SEED, 0);
	ASSERT_TRUE(pwrite_all(self->fd, self->copy, self->size, 0))
		TH_LOG("write: %m");
}

/*
 * In the parent, after the test's process is gone with its file and
 * memory, even when it failed half-way.
 */
FIXTURE_TEARDOWN_PARENT(swap)
{
	if (swapoff(SWAP_DEV) && errno != EINVAL)
		TH_LOG("swapoff %s: %m", SWAP_DEV);
}

/*
 * MADV_PAGEOUT on [p, p + len) until none of it is mapped: a page that
 * reclaim could not take this time (locked, or busy) is asked for again.
 * Returns the Rss left, in kB.
 */
static long pageout(uint8_t *p, size_t len)
{
	long rss = smaps_kb(p, "Rss");

	/* A bound for a page that never goes, not a guess at how long. */
	for (int i = 0; rss > 0 && i < 1000; i++) {
		if (madvise(p, len, MADV_PAGEOUT))
			return -1;
		rss = smaps_kb(p, "Rss");
		if (rss > 0)
			usleep(1000);
	}
	return rss;
}

static uint64_t faults(int fd)
{
	struct mmlab_info info;

	return mmlab_info(fd, &info) ? info.faults : 0;
}

/*
 * Paged out: no longer mapped, every page on the swap device; then back
 * through the mapping, one fault of the driver per page, every byte as
 * written.
 */
TEST_F(swap, pageout_and_back_through_mapping)
{
	size_t pages = self->size / self->psize;
	long swap_free, on_swap;
	uint64_t before;
	uint8_t *p;

	p = mmap(NULL, self->size, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %m");
	ASSERT_EQ(-1, pattern_check(p, self->size, SEED, 0))
		TH_LOG("the mapping differs from write() at that byte");
	EXPECT_EQ(self->size_kb, smaps_kb(p, "Rss"));
	EXPECT_EQ(0, pages_on_swap(pages, self->psize)) TH_LOG("before");
	swap_free = meminfo_kb("SwapFree:");

	ASSERT_EQ(0, pageout(p, self->size)) TH_LOG("kB still mapped");
	on_swap = pages_on_swap(pages, self->psize);
	TH_LOG("paged out: %ld of %zu pages on %s, SwapFree %ld -> %ld kB",
	       on_swap, pages, SWAP_DEV, swap_free, meminfo_kb("SwapFree:"));
	EXPECT_EQ(pages, on_swap) TH_LOG("pages of the buffer on %s", SWAP_DEV);
	EXPECT_GE(swap_free - self->size_kb, meminfo_kb("SwapFree:"))
		TH_LOG("SwapFree was %ld kB", swap_free);
	EXPECT_EQ(self->size_kb, smaps_kb(p, "Swap"))
		TH_LOG("the shmem file's swapped pages, as smaps counts them");
	for (size_t i = 0; i < pages; i++) {
		int64_t e = pagemap_entry(p + i * self->psize);

		ASSERT_EQ(0, e & (PM_PRESENT | PM_SWAP))
			TH_LOG("page %zu: pagemap %#llx", i, (unsigned long long)e);
	}

	before = faults(self->fd);
	EXPECT_EQ(-1, pattern_check(p, self->size, SEED, 0))
		TH_LOG("the mapping differs after swap-in at that byte");
	TH_LOG("back through the mapping: %llu driver faults",
	       (unsigned long long)(faults(self->fd) - before));
	EXPECT_EQ(pages, faults(self->fd) - before)
		TH_LOG("driver faults to bring the pages back");
	munmap(p, self->size);
}

/* Paged out, then read back by read(), which faults nothing. */
TEST_F(swap, pageout_and_back_through_read)
{
	uint64_t before;
	long swap_free;
	uint8_t *p;

	p = mmap(NULL, self->size, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %m");
	ASSERT_EQ(-1, pattern_check(p, self->size, SEED, 0));
	swap_free = meminfo_kb("SwapFree:");
	ASSERT_EQ(0, pageout(p, self->size)) TH_LOG("kB still mapped");
	EXPECT_EQ(self->size / self->psize,
		  pages_on_swap(self->size / self->psize, self->psize));
	EXPECT_GE(swap_free - self->size_kb, meminfo_kb("SwapFree:"))
		TH_LOG("SwapFree was %ld kB", swap_free);
	munmap(p, self->size);

	before = faults(self->fd);
	memset(self->copy, 0, self->size);
	ASSERT_TRUE(pread_all(self->fd, self->copy, self->size, 0))
		TH_LOG("read: %m");
	EXPECT_EQ(-1, pattern_check(self->copy, self->size, SEED, 0))
		TH_LOG("read() differs after swap-in at that byte");
	EXPECT_EQ(before, faults(self->fd)) TH_LOG("read() went through a fault");
}

/*
 * The copies a private mapping makes on write are anonymous: they swap
 * with a swap entry in the PTE, which pagemap and smaps report, and come
 * back as written, while the buffer keeps its own bytes.
 */
TEST_F(swap, private_copies_swap)
{
	size_t pages = self->size / self->psize;
	uint8_t *q;

	q = mmap(NULL, self->size, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		 self->fd, 0);
	ASSERT_NE(MAP_FAILED, q) TH_LOG("mmap: %m");
	pattern_fill(q, self->size, PRIVATE_SEED, 0);
	EXPECT_EQ(self->size_kb, smaps_kb(q, "Anonymous"));

	ASSERT_EQ(0, pageout(q, self->size)) TH_LOG("kB still mapped");
	EXPECT_EQ(self->size_kb, smaps_kb(q, "Swap"));
	for (size_t i = 0; i < pages; i++) {
		int64_t e = pagemap_entry(q + i * self->psize);

		ASSERT_EQ(PM_SWAP, e & (PM_PRESENT | PM_SWAP))
			TH_LOG("page %zu: pagemap %#llx", i, (unsigned long long)e);
	}
	EXPECT_EQ(-1, pattern_check(q, self->size, PRIVATE_SEED, 0))
		TH_LOG("the private copy differs after swap-in at that byte");
	ASSERT_TRUE(pread_all(self->fd, self->copy, self->size, 0));
	EXPECT_EQ(-1, pattern_check(self->copy, self->size, SEED, 0))
		TH_LOG("the buffer changed under a private mapping");
	munmap(q, self->size);
}

TEST_HARNESS_MAIN
