// SPDX-License-Identifier: GPL-2.0
/*
 * mmap_bench --smoke: the counts behind the benchmark's figures, checked
 * exactly on one short read of each subject, as KTAP, one test per subject.
 * No time is checked: under TCG times mean little, counts are exact.
 *
 * What a read of N pages must cost, by the kernel's count of minor faults
 * (getrusage(), which counts every fault once, whoever resolved it) and by
 * the driver's (MMLAB_IOC_INFO), which must agree with each other:
 *
 *   lazy modes         one ->fault per page, mapped at offset 0
 *   faultaround        mapped on a fault_around_bytes boundary: one
 *                      ->map_pages per window of that many bytes, no
 *                      ->fault
 *   prefaulted modes   nothing: every PTE was written at mmap() time
 *   huge               where smaps' THPeligible is 1 for the mapping, one
 *                      ->fault (a PMD) per 2 MiB of a 2 MiB-aligned
 *                      mapping; elsewhere one per page
 *   anon, zero,        one per page (the zero page, a new page-cache page)
 *   memfd-first
 *   anon-thp           written, not read: one per THP that smaps'
 *                      AnonHugePages counts after, one per other page
 *   memfd, tmpfs       aligned, one per fault-around window of pages that
 *                      exist, or more: a page fault-around cannot lock at
 *                      once (compaction may be moving it) faults alone
 *   tmpfs-populate     none; MAP_POPULATE faulted inside mmap(), as many
 *                      times as memfd's read would
 *
 * The mmlab modes' counts are exact; their pages never move. Reads call no
 * ->page_mkwrite. Exits 0 only when every test passes (or is
 * skipped because its node does not exist).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest.h"
#include "bench.h"
#include "procfs.h"

/* Enough to cover several fault-around windows, little enough to be quick. */
#define SMOKE_BYTES	MIB

static long div_round_up(long n, long d)
{
	return (n + d - 1) / d;
}

/* Pages fault-around maps at once: the core's setting, or its default. */
static size_t window_pages(void)
{
	long bytes = read_number("/sys/kernel/debug/fault_around_bytes");

	if (bytes <= 0) {
		ksft_print_msg("no fault_around_bytes in debugfs: assuming the default, 64 KiB\n");
		bytes = 64 * KIB;
	}
	return bytes / page_size;
}

/*
 * Fault in the stack that the checks below will use, and the code they
 * run, before any count is taken: a new stack page is a minor fault too.
 */
static void warm_up(void)
{
	static char page[4 * 4096];

	warm_up_counts();
	touch(page, sizeof(page) / page_size, false, 0);
}

/* The THPeligible line of smaps for the vma at @p: 1, 0, or -1. */
static int thp_eligible(const void *p)
{
	char val[16];

	if (!smaps_field(p, "THPeligible", val, sizeof(val)))
		return -1;
	return atoi(val);
}

struct expect {
	size_t len, align;
	bool write;		/* touch by writing, not reading */
	long minflt;		/* in the touch, at least ... */
	long minflt_max;	/* ... and at most */
	long mmap_minflt;	/* in mmap(), at least; -1: not checked */
	long mmap_minflt_max;
	long faults, map_pages;	/* the driver's; modes only */
	const char *rule;
};

/* Before the mapping: its length, alignment and the rule that applies. */
static void plan(const struct subject *s, size_t window, struct expect *e)
{
	bool around = window > 1;

	memset(e, 0, sizeof(*e));
	e->mmap_minflt = -1;
	e->minflt_max = -1;	/* exact, unless a rule gives a range */
	e->len = s->max < SMOKE_BYTES ? s->max : SMOKE_BYTES;
	switch (s->kind) {
	case SUBJ_MODE:
		if (has(s->mode, M_HUGE)) {
			e->len = s->max;
			e->align = PMD_BYTES;
			e->rule = "one fault per PMD if THPeligible, else per page";
		} else if (has(s->mode, M_FAULTAROUND) && around) {
			e->align = window * page_size;
			e->rule = "one map_pages per fault-around window";
		} else if (lazy(s->mode)) {
			e->rule = "one fault per page";
		} else {
			e->rule = "no fault: prefaulted at mmap()";
		}
		break;
	case SUBJ_ANON_THP:
		e->len = 2 * PMD_BYTES;
		e->align = PMD_BYTES;
		e->write = true;
		e->rule = "one fault per THP smaps counts, one per other page";
		break;
	case SUBJ_MEMFD:
	case SUBJ_TMPFS:
		e->align = around ? window * page_size : 0;
		e->rule = "one fault per fault-around window, or per busy page";
		break;
	case SUBJ_TMPFS_POPULATE:
		e->align = around ? window * page_size : 0;
		e->rule = "no fault; mmap() faults once per window or busy page";
		break;
	default:
		e->rule = "one fault per page";
		break;
	}
}

/* Once mapped at @p: the counts the rule gives. */
static bool expect_counts(const struct subject *s, const char *p,
			  size_t window, struct expect *e)
{
	long pages = e->len / page_size, pmd = PMD_BYTES / page_size;
	long windows = window > 1 ? div_round_up(pages, window) : pages;
	int eligible;

	switch (s->kind) {
	case SUBJ_MODE:
		if (has(s->mode, M_HUGE)) {
			eligible = thp_eligible(p);
			if (eligible < 0)
				return false;
			ksft_print_msg("%s: THPeligible %d\n", s->name,
				       eligible);
			e->faults = eligible ? pages / pmd : pages;
		} else if (has(s->mode, M_FAULTAROUND) && window > 1) {
			e->map_pages = windows;
		} else if (lazy(s->mode)) {
			e->faults = pages;
		}
		e->minflt = e->faults + e->map_pages;
		return true;
	case SUBJ_ANON_THP:
		eligible = thp_eligible(p);
		if (eligible < 0)
			return false;
		ksft_print_msg("%s: THPeligible %d\n", s->name, eligible);
		/* Set by check_anon_thp(), from what smaps counts after. */
		return true;
	case SUBJ_MEMFD:
	case SUBJ_TMPFS:
		/*
		 * filemap_map_pages() skips a page it cannot lock at once
		 * (compaction migrating it, say), which then faults alone:
		 * shmem's pages are movable, mmlab's faultaround's are not.
		 */
		e->minflt = windows;
		e->minflt_max = pages;
		return true;
	case SUBJ_TMPFS_POPULATE:
		e->minflt = 0;
		e->mmap_minflt = windows;
		e->mmap_minflt_max = pages;
		return true;
	default:
		e->minflt = pages;
		return true;
	}
}

/*
 * anon-thp, written: each PMD that got a THP cost one fault, each page of
 * the rest one (a THP allocation may fail, and the fault falls back to a
 * page). smaps' AnonHugePages says how many it got.
 */
static void check_anon_thp(const char *p, struct expect *e)
{
	long pmd = PMD_BYTES / page_size, pages = e->len / page_size;
	long huge = smaps_kb(p, "AnonHugePages") / (PMD_BYTES / KIB);

	ksft_print_msg("anon-thp: %ld THP mapped\n", huge);
	e->minflt = huge + (pages - huge * pmd);
}

static void smoke_one(const struct subject *s, size_t window)
{
	struct mmlab_info before, after;
	uint64_t faults = 0, map_pages = 0, mkwrite = 0;
	long flt, mmap_flt;
	struct expect e;
	bool driver, ok;
	char *p;
	int err;

	plan(s, window, &e);
	err = subject_prepare(s, e.len);
	if (err) {
		ksft_test_result_fail("%s: fallocate: %s\n", s->name,
				      strerror(err));
		return;
	}
	mmap_flt = minflt_self();
	p = subject_map(s, e.len, 0, e.align);
	mmap_flt = minflt_self() - mmap_flt;
	if (p == MAP_FAILED) {
		ksft_test_result_fail("%s: %s of %zu bytes: %s\n", s->name,
				      subject_step, e.len, strerror(errno));
		return;
	}
	if (!expect_counts(s, p, window, &e)) {
		munmap(p, e.len);
		ksft_test_result_fail("%s: no THPeligible in smaps\n", s->name);
		return;
	}

	driver = subject_info(s, &before);
	flt = minflt_self();
	touch(p, e.len / page_size, e.write, 0);
	flt = minflt_self() - flt;
	if (driver && subject_info(s, &after)) {
		faults = after.faults - before.faults;
		map_pages = after.map_pages_calls - before.map_pages_calls;
		mkwrite = after.mkwrite_calls - before.mkwrite_calls;
	}
	if (s->kind == SUBJ_ANON_THP)
		check_anon_thp(p, &e);
	if (e.minflt_max < 0)
		e.minflt_max = e.minflt;
	munmap(p, e.len);

	ksft_print_msg("%s: %s %zu pages (%s): minflt %ld (want %ld to %ld)%s\n",
		       s->name, e.write ? "wrote" : "read", e.len / page_size,
		       e.rule, flt, e.minflt, e.minflt_max,
		       s->kind == SUBJ_MODE ? "" : ", a baseline: no driver");
	ok = flt >= e.minflt && flt <= e.minflt_max;
	if (e.mmap_minflt >= 0) {
		ksft_print_msg("%s: minflt in mmap() %ld (want %ld to %ld)\n",
			       s->name, mmap_flt, e.mmap_minflt,
			       e.mmap_minflt_max);
		ok &= mmap_flt >= e.mmap_minflt &&
		      mmap_flt <= e.mmap_minflt_max;
	}
	if (s->kind == SUBJ_MODE) {
		ksft_print_msg("%s: ->fault %llu (want %ld), ->map_pages %llu (want %ld)\n",
			       s->name, (unsigned long long)faults, e.faults,
			       (unsigned long long)map_pages, e.map_pages);
		ksft_print_msg("%s: ->page_mkwrite %llu (want 0)\n", s->name,
			       (unsigned long long)mkwrite);
		if (!driver)
			ksft_print_msg("%s: MMLAB_IOC_INFO: %s\n", s->name,
				       strerror(errno));
		ok &= driver && faults == (uint64_t)e.faults &&
		      map_pages == (uint64_t)e.map_pages && mkwrite == 0;
		/* The kernel's count and the driver's, independently. */
		if ((uint64_t)flt != faults + map_pages) {
			ksft_print_msg("%s: minflt %ld but the driver saw %llu\n",
				       s->name, flt,
				       (unsigned long long)(faults + map_pages));
			ok = false;
		}
	}
	ksft_test_result(ok, "%s\n", s->name);
}

int smoke_main(void)
{
	struct subject subj[MAX_SUBJECTS];
	int n, found = 0;
	size_t window;

	ksft_print_header();
	ksft_set_plan(MODE_COUNT + NR_BASELINES);
	n = subjects_open(subj, "# ");
	window = window_pages();
	ksft_print_msg("fault-around window: %zu pages\n", window);
	warm_up();
	for (int i = 0; i < MODE_COUNT; i++) {
		const struct subject *s = subject_find(subj, n, modes[i].name);

		if (!s) {
			ksft_test_result_skip("%s: no /dev/mmlab-%s\n",
					      modes[i].name, modes[i].name);
			continue;
		}
		found++;
		smoke_one(s, window);
	}
	for (int i = 0; i < NR_BASELINES; i++) {
		const struct subject *s = subject_find(subj, n,
						       baseline_names[i]);

		if (!s) {
			ksft_test_result_fail("%s: could not be set up\n",
					      baseline_names[i]);
			continue;
		}
		smoke_one(s, window);
	}
	subjects_close(subj, n);
	if (!found)
		ksft_exit_fail_msg("no /dev/mmlab-<mode> node: is mmlab loaded?\n");
	ksft_finished();
}
