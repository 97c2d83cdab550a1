// SPDX-License-Identifier: GPL-2.0
/*
 * introspect_test: probes for /dev/mmlab-mm (drivers/introspect/). Each
 * compares what mmlab reads from the kernel's structures with what the
 * kernel itself publishes: /proc/self/{pagemap,maps,stat,status},
 * /proc/kallsyms, /proc/kpagecount. Prints KTAP; run as root.
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
#include <sys/wait.h>
#include <unistd.h>

#include "ktap.h"
#include "mmlab_dev.h"
#include "procfs.h"

#include "introspect.h"

long psize;
int mmfd = -1;

void touch_pages_ro(const char *p, size_t len)
{
	for (size_t off = 0; off < len; off += psize)
		__atomic_load_n(p + off, __ATOMIC_RELAXED);
}

static bool walk(const void *addr, struct mmlab_walk *w)
{
	memset(w, 0, sizeof(*w));
	w->addr = (uintptr_t)addr;
	return ioctl(mmfd, MMLAB_MM_IOC_WALK, w) == 0;
}

/* The walk and /proc/self/pagemap agree on @addr, which is mapped. */
static bool walk_matches_pagemap(const void *addr, const char *what)
{
	struct mmlab_walk w;
	int64_t pfn = pagemap_pfn(addr);

	if (!KTAP_EXPECT(walk(addr, &w), "%s: walk: %m", what))
		return false;
	return KTAP_EXPECT(pfn > 0 && (w.flags & MMLAB_PT_PRESENT) &&
			   w.pfn == (uint64_t)pfn,
			   "%s: walk PFN %#llx flags %#x, pagemap %#llx", what,
			   (unsigned long long)w.pfn, w.flags, (long long)pfn);
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
static int walk_anonymous(void)
{
	char *p = mmap(NULL, 16 * psize, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct mmlab_walk w;
	bool ok = true;
	int la57;

	if (p == MAP_FAILED)
		return false;
	memset(p, 1, 16 * psize);
	for (int i = 0; ok && i < 16; i++)
		ok = walk_matches_pagemap(p + i * psize, "anonymous");
	ok = ok && KTAP_EXPECT(walk(p, &w), "walk: %m");
	for (int l = 0; ok && l < MMLAB_LEVELS; l++)
		ok = KTAP_EXPECT(w.entry[l].present &&
				 w.entry[l].leaf == (l == MMLAB_PTE),
				 "level %d: present %u leaf %u", l,
				 w.entry[l].present, w.entry[l].leaf);
	ok = ok && KTAP_EXPECT(w.page_size == (uint64_t)psize &&
			       (w.flags & MMLAB_PT_USER) &&
			       (w.flags & MMLAB_PT_WRITE) &&
			       (w.flags & MMLAB_PT_DIRTY) &&
			       (w.flags & MMLAB_PT_NX) &&
			       !(w.flags & (MMLAB_PT_SPECIAL | MMLAB_PT_HUGE)),
			       "flags %#x, page size %llu", w.flags,
			       (unsigned long long)w.page_size);
	la57 = cpuinfo_flag("la57");
	ok &= KTAP_EXPECT(la57 >= 0 && w.levels == (la57 ? 5u : 4u),
			  "%u levels, but /proc/cpuinfo la57: %d", w.levels, la57);
#if UINTPTR_MAX > 0xffffffffu
	{
		void *high = mmap((void *)(1UL << 50), psize, PROT_READ,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		ok &= KTAP_EXPECT((w.levels == 5) ==
				  (high != MAP_FAILED &&
				   (uintptr_t)high >= 1UL << 47),
				  "%u levels, but a mapping asked at 2^50 landed at %p",
				  w.levels, high);
		if (high != MAP_FAILED)
			munmap(high, psize);
	}
#else
	ktap_diag("32-bit: no address above 4 GiB to map; levels checked by /proc/cpuinfo only");
#endif
	ktap_diag("%u-level paging; pgd %#llx ... pte %#llx -> PFN %#llx",
		  w.levels, (unsigned long long)w.entry[MMLAB_PGD].raw,
		  (unsigned long long)w.entry[MMLAB_PTE].raw,
		  (unsigned long long)w.pfn);
	munmap(p, 16 * psize);
	return ok;
}

/*
 * Not yet touched, or unmapped: no leaf, no PFN; pagemap agrees. Outside
 * any vma the walk reads no entry at all, not even the PGD's: the tables
 * there may be being freed.
 */
static int walk_not_present(void)
{
	char *p = mmap(NULL, 2 * psize, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct mmlab_walk w;
	bool ok;

	if (p == MAP_FAILED)
		return false;
	p[0] = 1;
	ok = KTAP_EXPECT(walk(p + psize, &w) && !w.flags && !w.pfn &&
			 pagemap_pfn(p + psize) == 0,
			 "untouched page: flags %#x PFN %#llx", w.flags,
			 (unsigned long long)w.pfn);
	munmap(p, 2 * psize);
	ok &= KTAP_EXPECT(walk(p, &w) && !w.flags && !w.pfn &&
			  !w.entry[MMLAB_PGD].present && !w.entry[MMLAB_PGD].raw,
			  "unmapped page: flags %#x, PGD entry %#llx", w.flags,
			  (unsigned long long)w.entry[MMLAB_PGD].raw);
	return ok;
}

/* A read-only file mapping: present, user, not writable, pagemap's PFN. */
static int walk_file(void)
{
	int fd = open("/bin/busybox", O_RDONLY);
	struct mmlab_walk w;
	bool ok;
	char *p;

	if (fd < 0)
		return false;
	p = mmap(NULL, 4 * psize, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return false;
	touch_pages_ro(p, 4 * psize);
	ok = true;
	for (int i = 0; ok && i < 4; i++)
		ok = walk_matches_pagemap(p + i * psize, "file");
	ok = ok && KTAP_EXPECT(walk(p, &w) && !(w.flags & MMLAB_PT_WRITE),
			       "read-only file page is writable: %#x", w.flags);
	munmap(p, 4 * psize);
	return ok;
}

/*
 * A transparent huge page: the walk stops at a PMD leaf of 2 MiB, and the
 * PFN of each 4 KiB inside it is pagemap's.
 */
static int walk_thp(void)
{
	size_t huge = 2UL << 20;
	char *area = mmap(NULL, 2 * huge, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *p = (char *)(((uintptr_t)area + huge - 1) & ~(huge - 1));
	struct mmlab_walk w;
	bool ok = true;
	long kb;

	if (area == MAP_FAILED)
		return false;
	if (madvise(p, huge, MADV_HUGEPAGE)) {
		ktap_diag("MADV_HUGEPAGE: %m (no THP in this kernel)");
		munmap(area, 2 * huge);
		return KTAP_SKIP;
	}
	memset(p, 1, huge);
	kb = smaps_kb(p, "AnonHugePages");
	if (kb < 2048) {
		ktap_diag("no huge page was allocated (AnonHugePages %ld kB)", kb);
		munmap(area, 2 * huge);
		return KTAP_SKIP;
	}
	for (size_t off = 0; ok && off < huge; off += 97 * psize)
		ok = walk_matches_pagemap(p + off, "THP");
	ok = ok && KTAP_EXPECT(walk(p + 5 * psize, &w) &&
			       w.entry[MMLAB_PMD].leaf &&
			       !w.entry[MMLAB_PTE].present &&
			       (w.flags & MMLAB_PT_HUGE) && w.page_size == huge,
			       "PMD leaf %u, flags %#x, page size %llu",
			       w.entry[MMLAB_PMD].leaf, w.flags,
			       (unsigned long long)w.page_size);
	munmap(area, 2 * huge);
	return ok;
}

/*
 * Each mmlab mode: the walk finds the driver's own page for each offset.
 * Pagemap agrees where it can see (it hides VM_PFNMAP vmas); PFN-mapped
 * PTEs are special, page-backed ones are not.
 */
static int walk_mmlab_modes(void)
{
	static const char * const names[] = {
		"remap", "fault", "faultaround", "mkwrite", "pfn", "mixed",
		"vmalloc", "vmalloc-fault", "insert", "insert-page",
	};
	bool ok = true;

	for (size_t m = 0; ok && m < ARRAY_SIZE(names); m++) {
		bool pfnmap = !strcmp(names[m], "remap") || !strcmp(names[m], "pfn");
		struct mmlab_page_pfn req;
		struct mmlab_walk w;
		char path[64];
		char *p;
		int fd;

		snprintf(path, sizeof(path), "/dev/mmlab-%s", names[m]);
		fd = open(path, O_RDWR);
		p = mmap(NULL, 4 * psize, PROT_READ | PROT_WRITE, MAP_SHARED,
			 fd, 2 * psize);
		if (!KTAP_EXPECT(fd >= 0 && p != MAP_FAILED, "%s: %m", path)) {
			ok = false;
			break;
		}
		touch_pages_ro(p, 4 * psize);
		for (int i = 0; ok && i < 4; i++) {
			req.pgoff = 2 + i;
			ok = KTAP_EXPECT(!ioctl(fd, MMLAB_IOC_PAGE_PFN, &req) &&
					 walk(p + i * psize, &w) &&
					 w.pfn == req.pfn,
					 "%s page %d: walk %#llx, driver %#llx",
					 names[m], i, (unsigned long long)w.pfn,
					 (unsigned long long)req.pfn);
			ok = ok && KTAP_EXPECT(!!(w.flags & MMLAB_PT_SPECIAL) == pfnmap,
					       "%s: special %d", names[m],
					       !!(w.flags & MMLAB_PT_SPECIAL));
			if (ok && !pfnmap)
				ok = walk_matches_pagemap(p + i * psize, names[m]);
		}
		munmap(p, 4 * psize);
		close(fd);
	}
	return ok;
}

static const struct ktap_case cases[] = {
	{ "walk_anonymous", walk_anonymous },
	{ "walk_not_present", walk_not_present },
	{ "walk_file", walk_file },
	{ "walk_thp", walk_thp },
	{ "walk_mmlab_modes", walk_mmlab_modes },
	{ "walk_races_unmap_and_collapse", walk_races_unmap_and_collapse },
	{ "vmas_match_maps", vmas_match_maps },
	{ "vmas_over_the_cap", vmas_over_the_cap },
	{ "mm_stat_matches_proc", mm_stat_matches_proc },
	{ "mm_users_threads_and_fork", mm_users_threads_and_fork },
	{ "rmap_counts_follow_sharing", rmap_counts_follow_sharing },
	{ "layout_live_addresses", layout_live_addresses },
	{ "layout_honours_kptr_restrict", layout_honours_kptr_restrict },
	{ "copy_fault_fixup", copy_fault_fixup },
	{ "root_only", root_only },
};

int main(void)
{
	psize = sysconf(_SC_PAGESIZE);
	mmfd = open("/dev/mmlab-mm", O_RDWR);
	if (mmfd < 0) {
		printf("KTAP version 1\n1..0 # SKIP /dev/mmlab-mm: %s\n",
		       strerror(errno));
		return 4;
	}
	return ktap_run(cases, ARRAY_SIZE(cases));
}
