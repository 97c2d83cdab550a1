// SPDX-License-Identifier: GPL-2.0
/*
 * introspect_follow_test: MMLAB_MM_IOC_FOLLOW of /dev/mmlab-mm
 * (drivers/introspect/follow.c), the kernel's own lookup of the page
 * frame behind a user address in a PFN map (follow_pfnmap_start(), or
 * follow_pte() before 6.12), against what the driver that mapped it says
 * (MMLAB_IOC_PAGE_PFN), the BAR's physical address in sysfs, and mmlab's
 * own page-table walk; and its refusals: page-backed, anonymous and shmem
 * vmas (the API's EINVAL), an address in no vma (EFAULT).
 *
 * kselftest harness: fixture "mode" (mode_fixture.h), a variant per mode,
 * and fixture "mm" (mm_fixture.h); each test in a process of its own.
 * Run as root in the test VM, with mmlab_pci bound to edu and ivshmem.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"

#include "mm_fixture.h"
#include "mode_fixture.h"
#include "pci_dev.h"

/* x86-64: the PTE's physical address bits; the rest are its flags. */
#define PTE_PFN_MASK	0x000ffffffffff000ULL
/* x86: page-level cache disable, set by pgprot_noncached(). */
#define PTE_PCD		(1ULL << 4)

/* MMLAB_MM_IOC_FOLLOW of @addr into @f: 0 or the errno. */
static int follow(int mmfd, const void *addr, struct mmlab_follow *f)
{
	memset(f, 0, sizeof(*f));
	f->addr = (uintptr_t)addr;
	return ioctl(mmfd, MMLAB_MM_IOC_FOLLOW, f) ? errno : 0;
}

static bool walk(int mmfd, const void *addr, struct mmlab_walk *w)
{
	memset(w, 0, sizeof(*w));
	w->addr = (uintptr_t)addr;
	return ioctl(mmfd, MMLAB_MM_IOC_WALK, w) == 0;
}

/*
 * What follow found at @addr, present, is the entry mmlab's walk reads
 * there: the same page frame, writability, flag bits and special bit.
 */
static void follow_matches_walk(struct __test_metadata *_metadata, int mmfd,
				const void *addr, const struct mmlab_follow *f,
				const char *what)
{
	struct mmlab_walk w;

	ASSERT_TRUE(walk(mmfd, addr, &w)) TH_LOG("%s: walk: %m", what);
	ASSERT_TRUE(w.flags & MMLAB_PT_PRESENT) TH_LOG("%s: walk", what);
	EXPECT_EQ(w.pfn, f->pfn) TH_LOG("%s: pfn, walk against follow", what);
	EXPECT_EQ(w.entry[MMLAB_PTE].raw & ~PTE_PFN_MASK, f->prot)
		TH_LOG("%s: the PTE's flags, walk against follow", what);
	EXPECT_EQ(!!(w.flags & MMLAB_PT_WRITE),
		  !!(f->flags & MMLAB_FOLLOW_WRITE))
		TH_LOG("%s: writable, walk against follow", what);
	EXPECT_EQ(!!(w.flags & MMLAB_PT_SPECIAL),
		  !!(f->flags & MMLAB_FOLLOW_SPECIAL))
		TH_LOG("%s: special, walk against follow", what);
}

/*
 * Each mode. A PFN map (remap, pfn): each page is the driver's own frame
 * (MMLAB_IOC_PAGE_PFN), special, writable only where mapped so; a page of
 * the lazy pfn mode not yet touched is not present. Any other mode is
 * page-backed, with refcounted pages that must be pinned instead: the API
 * refuses it, touched or not.
 */
TEST_F(mode, follow_finds_driver_frames)
{
	int mmfd = open("/dev/mmlab-mm", O_RDWR);
	int fd = dev_open(O_RDWR);
	struct mmlab_follow f;
	char *p, *ro;

	ASSERT_LE(0, mmfd) TH_LOG("/dev/mmlab-mm: %m");
	ASSERT_LE(0, fd);
	p = map_shared(fd, 4 * psize, 2 * psize);
	ASSERT_NE(MAP_FAILED, p);
	ro = mmap(NULL, psize, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, ro) TH_LOG("mmap PROT_READ: %m");

	if (!has(cur, M_PFNMAP)) {
		EXPECT_EQ(EINVAL, follow(mmfd, p, &f)) TH_LOG("untouched");
		touch_pages(p, 4 * psize);
		EXPECT_EQ(EINVAL, follow(mmfd, p, &f)) TH_LOG("touched");
		return;
	}
	ASSERT_EQ(0, follow(mmfd, p + psize, &f)) TH_LOG("untouched");
	EXPECT_EQ(has(cur, M_PREFAULT), !!(f.flags & MMLAB_FOLLOW_PRESENT))
		TH_LOG("page 1 present before its first touch");
	touch_pages(p, 4 * psize);
	touch_pages(ro, psize);
	for (int i = 0; i < 4; i++) {
		ASSERT_EQ(0, follow(mmfd, p + i * psize, &f)) TH_LOG("page %d", i);
		ASSERT_TRUE(f.flags & MMLAB_FOLLOW_PRESENT) TH_LOG("page %d", i);
		EXPECT_EQ(driver_pfn(fd, 2 + i), f.pfn)
			TH_LOG("page %d: follow against the driver", i);
		EXPECT_TRUE(f.flags & MMLAB_FOLLOW_SPECIAL) TH_LOG("page %d", i);
		EXPECT_TRUE(f.flags & MMLAB_FOLLOW_WRITE) TH_LOG("page %d", i);
		follow_matches_walk(_metadata, mmfd, p + i * psize, &f,
				    cur->name);
	}
	ASSERT_EQ(0, follow(mmfd, ro, &f)) TH_LOG("read-only mapping");
	ASSERT_TRUE(f.flags & MMLAB_FOLLOW_PRESENT);
	EXPECT_EQ(driver_pfn(fd, 0), f.pfn) TH_LOG("read-only mapping");
	EXPECT_FALSE(f.flags & MMLAB_FOLLOW_WRITE) TH_LOG("read-only mapping");
	follow_matches_walk(_metadata, mmfd, ro, &f, "read-only");
}

/* Memory that is not a PFN map: the API's own EINVAL, nothing written. */
TEST_F(mm, follow_refuses_anonymous_and_shmem)
{
	char *anon = mmap(NULL, psize, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int memfd = memfd_create("mmlab-follow", 0);
	struct mmlab_follow f;
	char *shm;

	ASSERT_NE(MAP_FAILED, anon);
	ASSERT_LE(0, memfd) TH_LOG("memfd_create: %m");
	ASSERT_EQ(0, ftruncate(memfd, psize));
	shm = mmap(NULL, psize, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	ASSERT_NE(MAP_FAILED, shm);
	anon[0] = 1;
	shm[0] = 1;
	EXPECT_EQ(EINVAL, follow(self->fd, anon, &f)) TH_LOG("anonymous");
	EXPECT_EQ(EINVAL, follow(self->fd, shm, &f)) TH_LOG("shmem");
	EXPECT_EQ(EINVAL, follow(self->fd, &f, &f)) TH_LOG("the stack");
}

/* In no vma, where no page table may be trusted: EFAULT. */
TEST_F(mm, follow_outside_vmas_efault)
{
	static const uint64_t kernel = 0xffffffff81000000ULL;
	struct mmlab_follow f = { .addr = kernel };
	char *hole = mmap(NULL, psize, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);

	ASSERT_NE(MAP_FAILED, hole);
	ASSERT_EQ(0, munmap(hole, psize));
	EXPECT_EQ(EFAULT, follow(self->fd, hole, &f)) TH_LOG("unmapped");
	EXPECT_EQ(EFAULT, follow(self->fd, NULL, &f)) TH_LOG("NULL");
	f.addr = kernel;
	EXPECT_EQ(-1, ioctl(self->fd, MMLAB_MM_IOC_FOLLOW, &f));
	EXPECT_EQ(EFAULT, errno) TH_LOG("a kernel address");
}

/*
 * A PCI BAR mapped by mmlab_pci (drivers/pci/node.c): nothing before the
 * first access, then, page by page, the BAR's own frames, as sysfs gives
 * its address; uncached (PCD), special.
 */
static void follow_bar(struct __test_metadata *_metadata, int mmfd,
		       struct pci_target *t)
{
	struct mmlab_follow f;
	uint8_t *p;
	int fd;

	ASSERT_TRUE(pci_find(t)) TH_LOG("no %s device", t->driver);
	fd = pci_open(t, O_RDWR);
	ASSERT_LE(0, fd) TH_LOG("%s's node: %m", t->driver);
	p = mmap(NULL, 2 * psize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %m");
	ASSERT_EQ(0, follow(mmfd, p + psize, &f));
	EXPECT_FALSE(f.flags & MMLAB_FOLLOW_PRESENT) TH_LOG("before a touch");
	for (int i = 0; i < 2; i++) {
		mmio_read32(p + i * psize, 0);
		ASSERT_EQ(0, follow(mmfd, p + i * psize, &f)) TH_LOG("page %d", i);
		ASSERT_TRUE(f.flags & MMLAB_FOLLOW_PRESENT) TH_LOG("page %d", i);
		EXPECT_EQ(t->bar_start / psize + i, f.pfn)
			TH_LOG("page %d: follow against sysfs' BAR%d", i, t->bar);
		EXPECT_TRUE(f.prot & PTE_PCD)
			TH_LOG("page %d: prot %#llx, not uncached", i,
			       (unsigned long long)f.prot);
		EXPECT_TRUE(f.flags & MMLAB_FOLLOW_SPECIAL) TH_LOG("page %d", i);
		follow_matches_walk(_metadata, mmfd, p + i * psize, &f,
				    t->driver);
	}
	munmap(p, 2 * psize);
	close(fd);
}

TEST_F(mm, follow_edu_bar0)
{
	follow_bar(_metadata, self->fd, &edu_target);
}

TEST_F(mm, follow_ivshmem_bar2)
{
	follow_bar(_metadata, self->fd, &ivshmem_target);
}

TEST_HARNESS_MAIN
