// SPDX-License-Identifier: GPL-2.0
/*
 * mmap_bench: what each mmlab mode costs, measured in the same run and the
 * same loop as the kernel's own mappings (bench_subject.c), so that every
 * figure can be read as a ratio to one of them, "memfd": shared page-cache
 * pages that already exist, the closest the core comes to a driver that
 * maps pages it holds.
 *
 *   touch   map, touch one byte per page (read or write), unmap, the shape
 *           of will-it-scale's page_fault3: nanoseconds per page for the
 *           whole cycle, and for the touch alone; faults per page by the
 *           kernel's count (getrusage()) and by the driver's
 *   mmap    the mmap() call alone for 16 to 1024 pages, for the modes that
 *           write every PTE there: one vm_insert_pages() batch against a
 *           vm_insert_page() per page, remap_pfn_range(),
 *           remap_vmalloc_range(); and how linear each is in the pages
 *   scale   1 to (online CPUs) threads faulting disjoint parts of one
 *           mapping, and as many processes each with a mapping of its own
 *           (bench_scale.c)
 *
 * --smoke checks the fault counts alone, as KTAP (bench_smoke.c).
 *
 * Under TCG the times are far from native and move with the host's load:
 * compare within one run, as ratios; the counts are exact. Each record is
 * also printed as a line of JSON (JSON_PREFIX), which scripts/demo.sh
 * collects from the guest's console.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench.h"
#include "procfs.h"

/*
 * The defaults keep the whole run of make bench (TCG, 2 vCPUs) to a few
 * minutes: each repetition of a case touches about this many pages, in as
 * many rounds as that takes.
 */
#define DEF_REPS	9
#define DEF_PAGES	6144

#define PART_TOUCH	(1u << 0)
#define PART_MMAP	(1u << 1)
#define PART_SCALE	(1u << 2)

static int reps = DEF_REPS;
static long rep_pages = DEF_PAGES;

/* Rounds of @pages pages each that make up one repetition. */
static int rounds_for(size_t pages)
{
	long r = rep_pages / (long)pages;

	return r < 1 ? 1 : r;
}

/* One subject, one op, one size: what the repetitions gave. */
struct touch_stat {
	bool run;
	int err;		/* the subject refused: errno ... */
	const char *step;	/* ... of this call */
	double cycle[MAX_REPS];	/* ns per page, mmap + touch + munmap */
	double only[MAX_REPS];	/* ns per page, the touch alone */
	struct spread c, t;
	long minflt;
	uint64_t faults, map_pages, mkwrite;
	bool counted;		/* the driver's counters were read */
	uint64_t pages;		/* touched in all repetitions */
};

/*
 * @rounds of: prepare (untimed), map, touch, unmap. The cycle's time runs
 * from before mmap() to after munmap(); the touch's from after mmap() to
 * before munmap(). Two clock reads sit inside the cycle: clock_overhead()
 * prints what they cost.
 */
static int touch_rounds(const struct subject *s, size_t len, bool write,
			int rounds, uint64_t *cycle, uint64_t *only,
			const char **step)
{
	size_t pages = len / page_size;

	for (int r = 0; r < rounds; r++) {
		uint64_t t0, t1, t2, t3;
		char *p;
		int err;

		err = subject_prepare(s, len);
		if (err) {
			*step = "fallocate(FALLOC_FL_PUNCH_HOLE)";
			return err;
		}
		t0 = now_ns();
		p = subject_map(s, len, 0, 0);
		t1 = now_ns();
		if (p == MAP_FAILED) {
			*step = subject_step;
			return errno;
		}
		touch(p, pages, write, r);
		t2 = now_ns();
		err = munmap(p, len) ? errno : 0;
		t3 = now_ns();
		if (err) {
			*step = "munmap";
			return err;
		}
		*cycle += t3 - t0;
		*only += t2 - t1;
	}
	return 0;
}

/*
 * Is @s measured at @len? At 64 KiB, 1 MiB and its largest; memfd, the
 * reference, at every size any subject is measured at.
 */
static bool measured_at(const struct subject *s, size_t len)
{
	return len <= s->max &&
	       (len == 64 * KIB || len == MIB || len == s->max ||
		s->kind == SUBJ_MEMFD);
}

static void touch_measure(const struct subject *subj, int n, bool write,
			  size_t len, struct touch_stat *st)
{
	size_t pages = len / page_size;
	int rounds = rounds_for(pages);

	/*
	 * One untimed round first: it finds out whether the subject takes
	 * this size and op at all, and pays the one-time costs (a shmem
	 * page's first allocation, the huge zero page) outside the figures.
	 */
	for (int i = 0; i < n; i++) {
		uint64_t c = 0, t = 0;

		memset(&st[i], 0, sizeof(st[i]));
		if (!measured_at(&subj[i], len))
			continue;
		st[i].err = touch_rounds(&subj[i], len, write, 1, &c, &t,
					 &st[i].step);
		st[i].run = !st[i].err;
	}
	/*
	 * Repetitions outermost, subjects inside, each repetition starting
	 * one subject further: a slow spell of the host falls on every
	 * subject alike, not on whichever came last.
	 */
	for (int rep = 0; rep < reps; rep++) {
		for (int k = 0; k < n; k++) {
			int i = (k + rep) % n;
			struct touch_stat *x = &st[i];
			struct mmlab_info before, after;
			uint64_t c = 0, t = 0;
			long flt;
			int err;

			if (!x->run)
				continue;
			x->counted = subject_info(&subj[i], &before);
			flt = minflt_self();
			err = touch_rounds(&subj[i], len, write, rounds, &c,
					   &t, &x->step);
			x->minflt += minflt_self() - flt;
			if (err) {
				x->err = err;
				x->run = false;
				continue;
			}
			if (x->counted && subject_info(&subj[i], &after)) {
				x->faults += after.faults - before.faults;
				x->map_pages += after.map_pages_calls -
						before.map_pages_calls;
				x->mkwrite += after.mkwrite_calls -
					      before.mkwrite_calls;
			} else {
				x->counted = false;
			}
			x->pages += (uint64_t)rounds * pages;
			x->cycle[rep] = (double)c / rounds / pages;
			x->only[rep] = (double)t / rounds / pages;
		}
	}
	for (int i = 0; i < n; i++) {
		if (!st[i].run)
			continue;
		spread_of(st[i].cycle, reps, &st[i].c);
		spread_of(st[i].only, reps, &st[i].t);
	}
}

static void size_name(size_t len, char *buf, size_t n)
{
	if (len % MIB == 0)
		snprintf(buf, n, "%zu MiB", len / MIB);
	else
		snprintf(buf, n, "%zu KiB", len / KIB);
}

static double per_page(uint64_t count, uint64_t pages)
{
	return pages ? (double)count / pages : NAN;
}

static void touch_json(const struct subject *s, const struct touch_stat *x,
		       bool write, size_t len, int rounds, bool cycle,
		       const struct spread *ref)
{
	const struct spread *sp = cycle ? &x->c : &x->t;
	struct json j;

	json_begin(&j, "touch");
	json_str(&j, "subject", s->name);
	json_bool(&j, "baseline", s->kind != SUBJ_MODE);
	json_str(&j, "op", write ? "write" : "read");
	json_str(&j, "timing", cycle ? "cycle" : "touch");
	json_int(&j, "size_bytes", len);
	json_int(&j, "pages", len / page_size);
	json_bool(&j, "largest", len == s->max);
	json_int(&j, "threads", 1);
	json_int(&j, "reps", reps);
	json_int(&j, "rounds", rounds);
	if (!x->run) {
		char why[128];

		snprintf(why, sizeof(why), "%s: %s", x->step,
			 strerror(x->err));
		json_str(&j, "refused", why);
		json_end(&j);
		return;
	}
	json_num(&j, "ns_per_page_median", sp->med);
	json_num(&j, "ns_per_page_min", sp->min);
	json_num(&j, "ns_per_page_max", sp->max);
	json_int(&j, "pages_total", x->pages);
	json_int(&j, "minflt_total", x->minflt);
	json_num(&j, "minflt_per_page", per_page(x->minflt, x->pages));
	json_num(&j, "driver_faults_per_page",
		 x->counted ? per_page(x->faults, x->pages) : NAN);
	json_num(&j, "driver_map_pages_per_page",
		 x->counted ? per_page(x->map_pages, x->pages) : NAN);
	json_num(&j, "driver_mkwrite_per_page",
		 x->counted ? per_page(x->mkwrite, x->pages) : NAN);
	json_num(&j, "ratio_to_memfd", ref ? sp->med / ref->med : NAN);
	json_end(&j);
}

static void touch_report(const struct subject *subj, int n, bool write,
			 size_t len, const struct touch_stat *st)
{
	size_t pages = len / page_size;
	int rounds = rounds_for(pages), ref = -1;
	char sz[32];

	for (int i = 0; i < n; i++)
		if (subj[i].kind == SUBJ_MEMFD && st[i].run)
			ref = i;
	size_name(len, sz, sizeof(sz));
	printf("\n%s-touch, %s (%zu pages) per round, %d rounds x %d reps\n",
	       write ? "write" : "read", sz, pages, rounds, reps);
	printf("%-15s %-34s %-34s %s\n", "", "cycle: mmap + touch + munmap",
	       "touch alone", "counts per page");
	printf("%-15s %8s %17s %7s %8s %17s %7s %7s %7s %7s %7s\n",
	       "subject", "ns/page", "[min..max]", "x memfd", "ns/page",
	       "[min..max]", "x memfd", "minflt", "fault", "mappgs",
	       "mkwrite");
	for (int i = 0; i < n; i++) {
		const struct touch_stat *x = &st[i];
		char cr[24], tr[24], f[3][16];
		uint64_t cnt[3] = { x->faults, x->map_pages, x->mkwrite };

		if (len > subj[i].max && (len == 64 * KIB || len == MIB)) {
			printf("%-15s not measured: its buffer is %zu bytes\n",
			       subj[i].name, subj[i].max);
			continue;
		}
		if (!measured_at(&subj[i], len))
			continue;
		if (!x->run) {
			printf("%-15s refused: %s: %s\n", subj[i].name,
			       x->step, strerror(x->err));
			continue;
		}
		snprintf(cr, sizeof(cr), "[%.0f..%.0f]", x->c.min, x->c.max);
		snprintf(tr, sizeof(tr), "[%.0f..%.0f]", x->t.min, x->t.max);
		for (int k = 0; k < 3; k++) {
			if (x->counted)
				snprintf(f[k], sizeof(f[k]), "%.3f",
					 per_page(cnt[k], x->pages));
			else
				snprintf(f[k], sizeof(f[k]), "-");
		}
		printf("%-15s %8.0f %17s %7.2f %8.0f %17s %7.2f %7.3f %7s %7s %7s\n",
		       subj[i].name, x->c.med, cr,
		       ref >= 0 ? x->c.med / st[ref].c.med : NAN, x->t.med, tr,
		       ref >= 0 ? x->t.med / st[ref].t.med : NAN,
		       per_page(x->minflt, x->pages), f[0], f[1], f[2]);
	}
	for (int i = 0; i < n; i++) {
		if (!measured_at(&subj[i], len))
			continue;
		for (int cycle = 1; cycle >= 0; cycle--)
			touch_json(&subj[i], &st[i], write, len, rounds, cycle,
				   ref < 0 ? NULL : cycle ? &st[ref].c :
				   &st[ref].t);
	}
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

static void touch_part(const struct subject *subj, int n)
{
	size_t sizes[MAX_SUBJECTS + 3] = { 64 * KIB, MIB, BASE_MAX };
	int nsizes = 3, k = 0;
	struct touch_stat *st = calloc(n, sizeof(*st));

	if (!st) {
		printf("touch: out of memory\n");
		return;
	}
	/* The sizes: 64 KiB, 1 MiB, and each subject's largest. */
	for (int i = 0; i < n; i++)
		sizes[nsizes++] = subj[i].max;
	qsort(sizes, nsizes, sizeof(*sizes), cmp_size);
	for (int i = 0; i < nsizes; i++)
		if (!k || sizes[i] != sizes[k - 1])
			sizes[k++] = sizes[i];
	printf("\n== touch: map, touch one byte per page, unmap ==\n");
	printf("ns per page: median [min..max] of the reps; x memfd: median / memfd's\n");
	printf("cycle: mmap + touch + munmap timed; touch alone: only the touch\n");
	for (int write = 0; write < 2; write++) {
		for (int i = 0; i < k; i++) {
			touch_measure(subj, n, write, sizes[i], st);
			touch_report(subj, n, write, sizes[i], st);
		}
	}
	free(st);
}

/* mmap() alone: the modes that write every PTE in it, and two references. */
static const char *const mmap_subjects[] = {
	"insert", "insert-page", "remap", "vmalloc",
	/* no PTE written: what the call costs by itself */
	"fault",
	/* the kernel's own prefault, faulting the pages in through GUP */
	"tmpfs-populate",
};

#define NR_MMAP_SUBJ	ARRAY_SIZE(mmap_subjects)
static const size_t mmap_pages[] = { 16, 64, 256, 1024 };
#define NR_MMAP_N	ARRAY_SIZE(mmap_pages)

struct mmap_stat {
	const struct subject *s;
	bool run[NR_MMAP_N];
	int err[NR_MMAP_N];
	double ns[NR_MMAP_N][MAX_REPS];		/* per mmap() */
	struct spread sp[NR_MMAP_N];
	long minflt[NR_MMAP_N];
	uint64_t faults[NR_MMAP_N];
	bool counted[NR_MMAP_N];
	struct fit fit;
	double linearity;	/* per page at the largest N / at the smallest */
	int first, last;	/* the N measured */
};

/* @rounds mmap() calls of @len bytes, each timed alone; munmap() is not. */
static int mmap_rounds(const struct subject *s, size_t len, int rounds,
		       uint64_t *ns)
{
	for (int r = 0; r < rounds; r++) {
		uint64_t t0 = now_ns();
		char *p = subject_map(s, len, 0, 0);

		*ns += now_ns() - t0;
		if (p == MAP_FAILED)
			return errno;
		munmap(p, len);
	}
	return 0;
}

static void mmap_measure(struct mmap_stat *st, int n)
{
	for (size_t k = 0; k < NR_MMAP_N; k++) {
		size_t len = mmap_pages[k] * page_size;
		int rounds = rounds_for(mmap_pages[k]);

		for (int i = 0; i < n; i++) {
			uint64_t ns = 0;

			st[i].run[k] = len <= st[i].s->max;
			if (st[i].run[k]) {
				/* Untimed: does it take this size at all? */
				st[i].err[k] = mmap_rounds(st[i].s, len, 1, &ns);
				st[i].run[k] = !st[i].err[k];
				st[i].counted[k] = true;
			}
		}
		for (int rep = 0; rep < reps; rep++) {
			for (int m = 0; m < n; m++) {
				struct mmap_stat *x = &st[(m + rep) % n];
				struct mmlab_info before, after;
				uint64_t ns = 0;
				long flt;
				bool info;

				if (!x->run[k])
					continue;
				info = subject_info(x->s, &before);
				flt = minflt_self();
				x->err[k] = mmap_rounds(x->s, len, rounds, &ns);
				x->minflt[k] += minflt_self() - flt;
				if (x->err[k]) {
					x->run[k] = false;
					continue;
				}
				if (info && subject_info(x->s, &after))
					x->faults[k] += after.faults -
							before.faults;
				else
					x->counted[k] = false;
				x->ns[k][rep] = (double)ns / rounds;
			}
		}
		for (int i = 0; i < n; i++)
			if (st[i].run[k])
				spread_of(st[i].ns[k], reps, &st[i].sp[k]);
	}
}

static void mmap_fit(struct mmap_stat *x)
{
	double nx[NR_MMAP_N], ny[NR_MMAP_N];
	int m = 0;

	x->first = -1;
	x->last = -1;
	for (size_t k = 0; k < NR_MMAP_N; k++) {
		if (!x->run[k])
			continue;
		if (x->first < 0)
			x->first = k;
		x->last = k;
		nx[m] = mmap_pages[k];
		ny[m++] = x->sp[k].med;
	}
	x->linearity = NAN;
	if (m < 2) {
		x->fit = (struct fit){ NAN, NAN, NAN };
		return;
	}
	fit_line(nx, ny, m, &x->fit);
	x->linearity = (x->sp[x->last].med / mmap_pages[x->last]) /
		       (x->sp[x->first].med / mmap_pages[x->first]);
}

static void mmap_json(const struct mmap_stat *x, size_t k, double ratio)
{
	size_t pages = mmap_pages[k];
	uint64_t total = (uint64_t)rounds_for(pages) * reps * pages;
	struct json j;

	json_begin(&j, "mmap");
	json_str(&j, "subject", x->s->name);
	json_bool(&j, "baseline", x->s->kind != SUBJ_MODE);
	json_str(&j, "op", "mmap");
	json_str(&j, "timing", "mmap");
	json_int(&j, "size_bytes", pages * page_size);
	json_int(&j, "pages", pages);
	json_int(&j, "threads", 1);
	json_int(&j, "reps", reps);
	json_int(&j, "rounds", rounds_for(pages));
	if (!x->run[k]) {
		json_str(&j, "refused", strerror(x->err[k]));
		json_end(&j);
		return;
	}
	json_num(&j, "ns_per_mmap_median", x->sp[k].med);
	json_num(&j, "ns_per_mmap_min", x->sp[k].min);
	json_num(&j, "ns_per_mmap_max", x->sp[k].max);
	json_num(&j, "ns_per_page_median", x->sp[k].med / pages);
	json_num(&j, "ns_per_page_min", x->sp[k].min / pages);
	json_num(&j, "ns_per_page_max", x->sp[k].max / pages);
	json_num(&j, "minflt_per_page", per_page(x->minflt[k], total));
	json_num(&j, "driver_faults_per_page",
		 x->counted[k] ? per_page(x->faults[k], total) : NAN);
	json_num(&j, "ratio_insert_page_to_insert", ratio);
	json_num(&j, "fit_slope_ns_per_page", x->fit.slope);
	json_num(&j, "fit_intercept_ns", x->fit.intercept);
	json_num(&j, "fit_r2", x->fit.r2);
	json_num(&j, "per_page_ratio_largest_to_smallest", x->linearity);
	json_num(&j, "ratio_to_memfd", NAN);
	json_end(&j);
}

static void mmap_part(const struct subject *subj, int n)
{
	struct mmap_stat *st = calloc(NR_MMAP_SUBJ, sizeof(*st));
	const struct mmap_stat *ins = NULL, *insp = NULL;
	int m = 0;

	if (!st) {
		printf("mmap: out of memory\n");
		return;
	}
	printf("\n== mmap() alone, of N pages at offset 0; munmap() untimed ==\n");
	printf("insert: one vm_insert_pages() batch; insert-page: vm_insert_page() per page\n");
	for (size_t i = 0; i < NR_MMAP_SUBJ; i++) {
		const struct subject *s = subject_find(subj, n,
						       mmap_subjects[i]);

		if (!s) {
			printf("%-15s not measured: no such subject\n",
			       mmap_subjects[i]);
			continue;
		}
		st[m++].s = s;
	}
	mmap_measure(st, m);
	printf("rounds per rep:");
	for (size_t k = 0; k < NR_MMAP_N; k++)
		printf(" N=%zu: %d", mmap_pages[k], rounds_for(mmap_pages[k]));
	printf("; %d reps\n", reps);
	printf("%-15s %5s %10s %21s %8s %7s %7s\n", "subject", "N",
	       "ns/mmap", "[min..max]", "ns/page", "minflt", "fault");
	for (int i = 0; i < m; i++) {
		struct mmap_stat *x = &st[i];

		if (!strcmp(x->s->name, "insert"))
			ins = x;
		if (!strcmp(x->s->name, "insert-page"))
			insp = x;
		mmap_fit(x);
		for (size_t k = 0; k < NR_MMAP_N; k++) {
			uint64_t total = (uint64_t)rounds_for(mmap_pages[k]) *
					 reps * mmap_pages[k];
			char r[32], f[16];

			if (mmap_pages[k] * page_size > x->s->max) {
				printf("%-15s %5zu not measured: its buffer is %zu bytes\n",
				       x->s->name, mmap_pages[k], x->s->max);
				continue;
			}
			if (!x->run[k]) {
				printf("%-15s %5zu refused: mmap: %s\n",
				       x->s->name, mmap_pages[k],
				       strerror(x->err[k]));
				continue;
			}
			snprintf(r, sizeof(r), "[%.0f..%.0f]", x->sp[k].min,
				 x->sp[k].max);
			snprintf(f, sizeof(f), "%s", "-");
			if (x->counted[k])
				snprintf(f, sizeof(f), "%.3f",
					 per_page(x->faults[k], total));
			printf("%-15s %5zu %10.0f %21s %8.1f %7.3f %7s\n",
			       x->s->name, mmap_pages[k], x->sp[k].med, r,
			       x->sp[k].med / mmap_pages[k],
			       per_page(x->minflt[k], total), f);
		}
	}
	if (ins && insp) {
		printf("insert-page / insert, ns per mmap():");
		for (size_t k = 0; k < NR_MMAP_N; k++)
			if (ins->run[k] && insp->run[k])
				printf("  N=%zu %.2f", mmap_pages[k],
				       insp->sp[k].med / ins->sp[k].med);
		printf("\n");
	}
	printf("linearity, least squares ns/mmap = a + b * N:\n");
	printf("%-15s %10s %10s %7s %22s\n", "subject", "b ns/page", "a ns",
	       "R^2", "ns/page N=max / N=min");
	for (int i = 0; i < m; i++) {
		const struct mmap_stat *x = &st[i];

		if (x->first < 0)
			continue;
		printf("%-15s %10.1f %10.0f %7.4f %22.3f\n", x->s->name,
		       x->fit.slope, x->fit.intercept, x->fit.r2,
		       x->linearity);
	}
	for (int i = 0; i < m; i++) {
		for (size_t k = 0; k < NR_MMAP_N; k++) {
			double ratio = NAN;

			if (st[i].s->max < mmap_pages[k] * page_size)
				continue;
			if (&st[i] == insp && ins && ins->run[k] &&
			    insp->run[k])
				ratio = insp->sp[k].med / ins->sp[k].med;
			mmap_json(&st[i], k, ratio);
		}
	}
	free(st);
}

/* What two back-to-back clock reads cost, the floor of every time here. */
static double clock_overhead(void)
{
	double v[MAX_REPS];
	struct spread sp;

	for (int r = 0; r < MAX_REPS; r++) {
		uint64_t t0 = now_ns(), t = 0;

		for (int i = 0; i < 1000; i++)
			t = now_ns();
		v[r] = (double)(t - t0) / 1000;
	}
	spread_of(v, MAX_REPS, &sp);
	return sp.med;
}

static void header(void)
{
	char thp[128] = "absent", zero[16] = "-";
	long fab = read_number("/sys/kernel/debug/fault_around_bytes");
	struct utsname u;
	struct json j;
	double clk = clock_overhead();

	uname(&u);
	read_line("/sys/kernel/mm/transparent_hugepage/enabled", thp,
		  sizeof(thp));
	read_line("/sys/kernel/mm/transparent_hugepage/use_zero_page", zero,
		  sizeof(zero));
	printf("mmap_bench: kernel %s, %ld online CPUs, %zu-byte pages\n",
	       u.release, sysconf(_SC_NPROCESSORS_ONLN), page_size);
	printf("fault_around_bytes %ld, THP %s, use_zero_page %s\n", fab, thp,
	       zero);
	printf("%d reps of each case, each touching about %ld pages\n", reps,
	       rep_pages);
	printf("a clock read costs %.0f ns\n", clk);
	json_begin(&j, "meta");
	json_str(&j, "kernel", u.release);
	json_int(&j, "cpus", sysconf(_SC_NPROCESSORS_ONLN));
	json_int(&j, "page_size", page_size);
	json_int(&j, "fault_around_bytes", fab);
	json_str(&j, "thp", thp);
	json_int(&j, "reps", reps);
	json_int(&j, "pages_per_rep", rep_pages);
	json_num(&j, "clock_read_ns", clk);
	json_int(&j, "word_bits", 8 * sizeof(long));
	json_end(&j);
}

static void print_usage(const char *prog)
{
	printf("usage: %s [--smoke] [--reps N] [--pages N] [--only touch|mmap|scale]...\n"
	       "  --smoke    check exact fault counts, print KTAP; exit 0 only if all pass\n"
	       "  --reps N   repetitions of each case (default %d, at most %d)\n"
	       "  --pages N  pages touched in each repetition (default %d)\n"
	       "  --only P   run that part alone; may be repeated\n",
	       prog, DEF_REPS, MAX_REPS, DEF_PAGES);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "smoke", no_argument, NULL, 's' },
		{ "reps", required_argument, NULL, 'r' },
		{ "pages", required_argument, NULL, 'p' },
		{ "only", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct subject subj[MAX_SUBJECTS];
	unsigned int parts = 0;
	bool smoke = false;
	uint64_t start;
	int c, n;

	/* Line by line: a guest that dies mid-run keeps what was printed. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	page_size = sysconf(_SC_PAGESIZE);
	while ((c = getopt_long(argc, argv, "sr:p:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			smoke = true;
			break;
		case 'r':
			reps = atoi(optarg);
			break;
		case 'p':
			rep_pages = atol(optarg);
			break;
		case 'o':
			parts |= !strcmp(optarg, "touch") ? PART_TOUCH :
				 !strcmp(optarg, "mmap") ? PART_MMAP :
				 !strcmp(optarg, "scale") ? PART_SCALE : ~0u;
			break;
		default:
			print_usage(argv[0]);
			return c == 'h' ? 0 : 2;
		}
	}
	if (optind < argc || reps < 1 || reps > MAX_REPS || rep_pages < 1 ||
	    parts == ~0u || (parts & ~(PART_TOUCH | PART_MMAP | PART_SCALE))) {
		print_usage(argv[0]);
		return 2;
	}
	if (smoke)
		return smoke_main();
	if (!parts)
		parts = PART_TOUCH | PART_MMAP | PART_SCALE;

	start = now_ns();
	header();
	n = subjects_open(subj, "note: ");
	if (parts & PART_TOUCH)
		touch_part(subj, n);
	if (parts & PART_MMAP)
		mmap_part(subj, n);
	if (parts & PART_SCALE)
		scale_run(subj, n, reps);
	subjects_close(subj, n);
	printf("\nmmap_bench: done in %.1f s\n", (now_ns() - start) / 1e9);
	return 0;
}
