// SPDX-License-Identifier: GPL-2.0
/*
 * mmap_huge_test: /dev/mmlab-huge maps each 2 MiB block of its buffer with
 * one PMD (drivers/mmap/huge.c) where the kernel lets it, and page by page
 * where it does not; the bytes are the same either way.
 *
 * Whether the kernel may is its own word: smaps' THPeligible line says
 * whether the core would call the vma's ->huge_fault. What happened is
 * read from the kernel too: its count of minor faults (getrusage()), the
 * page tables (MMLAB_MM_IOC_WALK: a 2 MiB leaf at the PMD level or 4 KiB
 * PTEs) and the frames they hold against the driver's
 * (MMLAB_IOC_PAGE_PFN). The driver's own counters (faults, huge_faults in
 * debugfs) must agree with them.
 *
 * One variant per way of mapping: the whole buffer where the kernel puts
 * it (its ->get_unmapped_area aligns it), one block at an offset, the whole
 * buffer a page off a PMD boundary (MAP_FIXED), and less than a PMD. The
 * general rules (bounds, MAP_PRIVATE, mremap, MADV_DONTNEED refused as in
 * any VM_PFNMAP vma, lifetime) are checked for this mode with every other,
 * by the "huge" variant of mmap_semantics_test and mmap_faults_test.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "probe.h"
#include "procfs.h"
#include <linux/mmlab_mm.h>

#define PMD_BYTES	(2UL << 20)

/* How a variant maps the buffer. */
enum place {
	WHERE_KERNEL_PUTS_IT,	/* mmap(NULL, ...): ->get_unmapped_area */
	PAGE_OFF_PMD,		/* MAP_FIXED one page past a PMD boundary */
};

/* A mapping of the device, as the helpers below look at it. */
struct huge_map {
	int fd, mm;		/* the device, /dev/mmlab-mm */
	char *p;
	size_t len;
	off_t off;		/* of the mapping in the buffer */
	bool eligible;		/* smaps: THPeligible 1 */
};

FIXTURE(huge) {
	struct huge_map m;
	size_t bufsize;		/* the device's buffer */
	size_t blocks;		/* blocks whose PMD lies in the mapping */
};

FIXTURE_VARIANT(huge) {
	enum place place;
	long blocks;		/* blocks mapped; -1: all; 0: half a block */
	long first_block;	/* the offset, in blocks */
};

FIXTURE_VARIANT_ADD(huge, whole) {
	.place = WHERE_KERNEL_PUTS_IT, .blocks = -1,
};

FIXTURE_VARIANT_ADD(huge, second_block) {
	.place = WHERE_KERNEL_PUTS_IT, .blocks = 1, .first_block = 1,
};

FIXTURE_VARIANT_ADD(huge, page_off_pmd) {
	.place = PAGE_OFF_PMD, .blocks = -1,
};

FIXTURE_VARIANT_ADD(huge, half_block) {
	.place = WHERE_KERNEL_PUTS_IT, .blocks = 0,
};

/*
 * Does a PMD fit around page @i of the mapping: inside it, over one whole
 * block of the buffer? (The driver's mmlab_pmd_fits(), computed here.)
 */
static bool pmd_fits(const struct huge_map *m, size_t i)
{
	uintptr_t start = (uintptr_t)m->p;
	uintptr_t pmd = (start + i * psize) & ~(PMD_BYTES - 1);

	return pmd >= start && pmd + PMD_BYTES <= start + m->len &&
	       (m->off + (pmd - start)) % PMD_BYTES == 0;
}

/* A mapping of @len bytes of the device one page past a PMD boundary. */
static char *map_page_off_pmd(int fd, size_t len, off_t off)
{
	char *area = mmap(NULL, len + 2 * PMD_BYTES, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uintptr_t at;

	if (area == MAP_FAILED)
		return MAP_FAILED;
	at = ((uintptr_t)area + PMD_BYTES - 1) / PMD_BYTES * PMD_BYTES + psize;
	return mmap((void *)at, len, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_FIXED, fd, off);
}

FIXTURE_SETUP(huge)
{
	struct mmlab_info info;
	char val[16], *pat;

	psize = sysconf(_SC_PAGESIZE);
	self->m.fd = open("/dev/mmlab-huge", O_RDWR);
	ASSERT_LE(0, self->m.fd) TH_LOG("/dev/mmlab-huge: %m");
	self->m.mm = open("/dev/mmlab-mm", O_RDWR);
	ASSERT_LE(0, self->m.mm) TH_LOG("/dev/mmlab-mm: %m");
	ASSERT_TRUE(mmlab_info(self->m.fd, &info));
	self->bufsize = info.size;
	ASSERT_EQ(0, self->bufsize % PMD_BYTES);
	ASSERT_LE(2 * PMD_BYTES, self->bufsize) TH_LOG("huge_size too small");

	self->m.off = variant->first_block * PMD_BYTES;
	if (variant->blocks < 0)
		self->m.len = self->bufsize - self->m.off;
	else if (variant->blocks == 0)
		self->m.len = PMD_BYTES / 2;
	else
		self->m.len = variant->blocks * PMD_BYTES;
	/* The buffer's bytes, known: the pattern, at each offset. */
	pat = malloc(self->bufsize);

	ASSERT_NE(NULL, pat);
	pattern_fill(pat, self->bufsize, 7, 0);
	ASSERT_TRUE(pwrite_all(self->m.fd, pat, self->bufsize, 0));
	free(pat);

	if (variant->place == PAGE_OFF_PMD)
		self->m.p = map_page_off_pmd(self->m.fd, self->m.len, self->m.off);
	else
		self->m.p = mmap(NULL, self->m.len, PROT_READ | PROT_WRITE,
				 MAP_SHARED, self->m.fd, self->m.off);
	ASSERT_NE(MAP_FAILED, self->m.p) TH_LOG("mmap: %m");
	/*
	 * thp_get_unmapped_area() aligns the mapping for a 64-bit caller,
	 * not for a 32-bit one (in_compat_syscall(): its address space is
	 * too small to spend on alignment), which gets what it gets; nor
	 * in a kernel without THP, where it is NULL (the default is used).
	 */
	if (variant->place == WHERE_KERNEL_PUTS_IT &&
	    self->m.len >= PMD_BYTES && sizeof(long) == 8 && kernel_has_thp())
		ASSERT_EQ(0, (uintptr_t)self->m.p % PMD_BYTES)
			TH_LOG("->get_unmapped_area gave %p", self->m.p);
	for (size_t i = 0; i < self->m.len / psize; i++)
		if (pmd_fits(&self->m, i) &&
		    (uintptr_t)(self->m.p + i * psize) % PMD_BYTES == 0)
			self->blocks++;
	ASSERT_TRUE(smaps_field(self->m.p, "THPeligible", val, sizeof(val)));
	self->m.eligible = atoi(val) == 1;
	/* A PMD the driver cannot fit is one the kernel must not offer. */
	if (!self->blocks)
		ASSERT_FALSE(self->m.eligible) TH_LOG("THPeligible %s", val);
}

FIXTURE_TEARDOWN(huge)
{
	if (self->m.p != MAP_FAILED)
		munmap(self->m.p, self->m.len);
	close(self->m.mm);
	close(self->m.fd);
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static bool walk(int mm, const void *addr, struct mmlab_walk *w)
{
	memset(w, 0, sizeof(*w));
	w->addr = (uintptr_t)addr;
	return !ioctl(mm, MMLAB_MM_IOC_WALK, w);
}

/* In expect_leaves(): a PMD where one fits and the kernel allows it. */
#define AS_PLACED	UINT64_MAX

/*
 * Page by page: mapped by an entry of @size bytes (0: not mapped) that
 * holds the driver's frame for it.
 */
static void expect_leaves(struct __test_metadata *_metadata,
			  const struct huge_map *m, size_t from, size_t to,
			  uint64_t want)
{
	for (size_t i = from; i < to; i++) {
		uint64_t size = want;
		struct mmlab_walk w;
		char *a = m->p + i * psize;

		if (want == AS_PLACED)
			size = m->eligible && pmd_fits(m, i) ? PMD_BYTES : psize;
		ASSERT_TRUE(walk(m->mm, a, &w)) TH_LOG("walk: %m");
		ASSERT_EQ(size, w.page_size) TH_LOG("page %zu", i);
		if (!size)
			continue;
		ASSERT_EQ(size == PMD_BYTES, w.entry[MMLAB_PMD].leaf)
			TH_LOG("page %zu: PMD leaf", i);
		/* Special: no struct page behind it for the core to use. */
		ASSERT_TRUE(w.flags & MMLAB_PT_SPECIAL) TH_LOG("page %zu", i);
		ASSERT_EQ(driver_pfn(m->fd, m->off / psize + i),
			  (int64_t)w.pfn) TH_LOG("page %zu", i);
	}
}

/*
 * Write the first byte of each page, with the value it holds: a write
 * fault, never a read fault first, and the bytes unchanged.
 */
static void touch(const struct huge_map *m, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		pattern_fill(m->p + i * psize, 1, 7, m->off + i * psize);
}

/*
 * The first touch of each block whose PMD fits costs one fault that maps
 * a PMD, where THPeligible says the core asks ->huge_fault, and the
 * block's 512 pages are then all mapped by it; every other page costs one
 * fault and a PTE. The kernel's count of minor faults and the driver's
 * agree.
 */
TEST_F(huge, first_touch_faults_and_leaves)
{
	struct mmlab_info before, after;
	size_t pages = self->m.len / psize;
	long huge = mmlab_debugfs_counter("huge", "huge_faults");
	long flt;

	ASSERT_LE(0, huge) TH_LOG("no huge_faults in debugfs");
	ASSERT_TRUE(mmlab_info(self->m.fd, &before));
	flt = minflt();
	touch(&self->m, 0, pages);
	flt = minflt() - flt;
	ASSERT_TRUE(mmlab_info(self->m.fd, &after));
	huge = mmlab_debugfs_counter("huge", "huge_faults") - huge;
	ksft_print_msg("%s: %zu pages, THPeligible %d: %ld faults, %ld PMDs\n",
		       _metadata->name, pages, self->m.eligible, flt, huge);
	if (self->m.eligible) {
		EXPECT_EQ((long)(pages - self->blocks * (PMD_BYTES / psize) +
				 self->blocks), flt);
		EXPECT_EQ((long)self->blocks, huge);
	} else {
		EXPECT_EQ((long)pages, flt);
		EXPECT_EQ(0, huge);
	}
	expect_leaves(_metadata, &self->m, 0, pages, AS_PLACED);
	EXPECT_EQ((unsigned long long)flt, after.faults - before.faults)
		TH_LOG("the driver's count against the kernel's");
	/* Mapped, touching again faults no more. */
	flt = minflt();
	touch(&self->m, 0, pages);
	EXPECT_EQ(0, minflt() - flt);
}

/* What the mapping reads is what pread() reads, and the reverse. */
TEST_F(huge, bytes_match_pread_pwrite)
{
	char *buf = malloc(self->m.len);

	ASSERT_NE(NULL, buf);
	EXPECT_EQ(-1, pattern_check(self->m.p, self->m.len, 7, self->m.off));
	pattern_fill(self->m.p, self->m.len, 8, self->m.off);
	ASSERT_TRUE(pread_all(self->m.fd, buf, self->m.len, self->m.off));
	EXPECT_EQ(-1, pattern_check(buf, self->m.len, 8, self->m.off));
	pattern_fill(buf, self->m.len, 9, self->m.off);
	ASSERT_TRUE(pwrite_all(self->m.fd, buf, self->m.len, self->m.off));
	EXPECT_EQ(-1, pattern_check(self->m.p, self->m.len, 9, self->m.off));
	free(buf);
}

/* A child's exit status for a fault it caught: 100 + the signal. */
static void exit_with_signal(int sig)
{
	_exit(100 + sig);
}

/*
 * The signal a child gets reading the byte at @addr, and writing it back
 * in place if @write, or 0: the buffer is shared with the child, so its
 * bytes must not change. The child catches the signal, so that the kernel
 * does not log an unhandled segfault, which the log verdict would take
 * for a failure.
 */
static int child_access_signal(char *addr, bool write)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		char c;

		signal(SIGSEGV, exit_with_signal);
		signal(SIGBUS, exit_with_signal);
		c = __atomic_load_n(addr, __ATOMIC_RELAXED);
		if (write)
			__atomic_store_n(addr, c, __ATOMIC_RELAXED);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status) ? WEXITSTATUS(status) - 100 : 0;
}

/*
 * munmap() of one page inside a PMD-mapped block splits it: the page is
 * gone (SIGSEGV), the rest of its block faults back in as PTEs with the
 * right bytes, and the other blocks keep their PMDs.
 */
TEST_F(huge, partial_munmap_splits)
{
	const size_t hole = 100, pmd_pages = PMD_BYTES / psize;
	size_t pages = self->m.len / psize;

	if ((uintptr_t)self->m.p % PMD_BYTES || !self->blocks || !self->m.eligible)
		SKIP(return, "no PMD at the start of the mapping");
	touch(&self->m, 0, pages);
	ASSERT_EQ(0, munmap(self->m.p + hole * psize, psize));
	EXPECT_EQ(SIGSEGV, child_access_signal(self->m.p + hole * psize, false));
	expect_leaves(_metadata, &self->m, 0, hole, 0);
	expect_leaves(_metadata, &self->m, pmd_pages, pages, PMD_BYTES);
	EXPECT_EQ(-1, pattern_check(self->m.p, hole * psize, 7, self->m.off));
	EXPECT_EQ(-1, pattern_check(self->m.p + (hole + 1) * psize,
				    self->m.len - (hole + 1) * psize, 7,
				    self->m.off + (hole + 1) * psize));
	expect_leaves(_metadata, &self->m, 0, hole, psize);
	expect_leaves(_metadata, &self->m, hole + 1, pmd_pages, psize);
}

/*
 * mprotect() of one page inside a PMD-mapped block splits it too: that
 * page is read-only (a write gets SIGSEGV), its neighbours stay writable,
 * and every byte reads as before.
 */
TEST_F(huge, partial_mprotect_splits)
{
	const size_t ro = 300, pmd_pages = PMD_BYTES / psize;
	size_t pages = self->m.len / psize;

	if ((uintptr_t)self->m.p % PMD_BYTES || !self->blocks || !self->m.eligible)
		SKIP(return, "no PMD at the start of the mapping");
	touch(&self->m, 0, pages);
	ASSERT_EQ(0, mprotect(self->m.p + ro * psize, psize, PROT_READ));
	EXPECT_EQ(SIGSEGV, child_access_signal(self->m.p + ro * psize, true));
	EXPECT_EQ(0, child_access_signal(self->m.p + (ro + 1) * psize, true));
	EXPECT_EQ(0, child_access_signal(self->m.p + (ro - 1) * psize, true));
	EXPECT_EQ(-1, pattern_check(self->m.p, self->m.len, 7, self->m.off));
	expect_leaves(_metadata, &self->m, 0, pmd_pages, psize);
	expect_leaves(_metadata, &self->m, pmd_pages, pages, PMD_BYTES);
}

/*
 * A child of fork() reads the parent's bytes through the inherited vma,
 * whether it got the PMDs or faults them in again.
 */
TEST_F(huge, fork_child_reads_bytes)
{
	int status;
	pid_t pid;

	touch(&self->m, 0, self->m.len / psize);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(pattern_check(self->m.p, self->m.len, 7, self->m.off) == -1 ?
		      0 : 1);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST_HARNESS_MAIN
