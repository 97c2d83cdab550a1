/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the parts of mmap_bench share: the subjects it measures (each mmlab
 * mode, and the kernel's own mappings a driver's mmap() is compared with),
 * the touch loop, the clock, the statistics and the JSON records that the
 * host collects from the guest's console.
 */
#ifndef MMLAB_BENCH_H
#define MMLAB_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mmlab_dev.h"
#include "modes.h"

#define KIB		((size_t)1024)
#define MIB		(1024 * KIB)
#define PMD_BYTES	(2 * MIB)
/* The baselines' largest mapping: as large as a mode's with buf_size=4 MiB. */
#define BASE_MAX	(4 * MIB)

/* Repetitions of a measurement: the median and spread are over these. */
#define MAX_REPS	31

/* Each record goes to the console as one line with this prefix. */
#define JSON_PREFIX	"MMLAB-BENCH-JSON "

enum subject_kind {
	SUBJ_MODE,		/* /dev/mmlab-<mode>, MAP_SHARED */
	SUBJ_ANON,		/* MAP_PRIVATE | MAP_ANONYMOUS, MADV_NOHUGEPAGE */
	SUBJ_ANON_THP,		/* the same 2 MiB-aligned, MADV_HUGEPAGE */
	SUBJ_MEMFD_FIRST,	/* memfd, MAP_SHARED, its pages punched out */
	SUBJ_MEMFD,		/* memfd, MAP_SHARED, its pages in the cache */
	SUBJ_TMPFS,		/* a tmpfs file, MAP_SHARED, pages present */
	SUBJ_TMPFS_POPULATE,	/* the same with MAP_POPULATE */
	SUBJ_ZERO,		/* /dev/zero, MAP_PRIVATE */
};

struct subject {
	const char *name;
	enum subject_kind kind;
	const struct mode *mode;	/* SUBJ_MODE only */
	int fd;				/* -1: anonymous */
	size_t max;			/* the largest mapping it allows */
};

#define NR_BASELINES	7
#define MAX_SUBJECTS	(MODE_COUNT + NR_BASELINES)
extern const char *const baseline_names[NR_BASELINES];

extern size_t page_size;

/*
 * Open every subject that exists into @s: the mode nodes first, in the
 * order of modes.h, then the baselines. Each one missing or failing is
 * reported on stdout, as a line starting with @note (the KTAP of --smoke
 * wants "# "). Returns how many were opened.
 */
int subjects_open(struct subject *s, const char *note);
void subjects_close(struct subject *s, int n);
const struct subject *subject_find(const struct subject *s, int n,
				   const char *name);

/*
 * Map @len bytes of @s at file offset @off as its kind is mapped; at an
 * address aligned to @align when it is not 0. MAP_FAILED with errno set
 * and subject_step naming the call that failed.
 */
void *subject_map(const struct subject *s, size_t len, off_t off,
		  size_t align);
extern const char *subject_step;

/*
 * Before each round: memfd-first drops its pages, so that the next touch
 * allocates them again. 0 or an errno.
 */
int subject_prepare(const struct subject *s, size_t len);

/* The driver's counters; false for a baseline, which has none. */
bool subject_info(const struct subject *s, struct mmlab_info *info);

/*
 * One byte of each of @pages pages from @p, a load or a store: relaxed
 * atomics, which the compiler must issue, each one, where a plain load of
 * a value never used could be dropped.
 */
static inline void touch(char *p, size_t pages, bool write, char val)
{
	size_t i;

	if (write) {
		for (i = 0; i < pages; i++)
			__atomic_store_n(p + i * page_size, val,
					 __ATOMIC_RELAXED);
	} else {
		for (i = 0; i < pages; i++)
			__atomic_load_n(p + i * page_size, __ATOMIC_RELAXED);
	}
}

uint64_t now_ns(void);
long minflt_self(void);

/*
 * Fault in what the calls of a count use, so that they take no fault of
 * their own inside it: the next 64 KiB of stack (a new stack page, or the
 * first write to one after fork(), is a minor fault too), and the vDSO's
 * data that now_ns() reads, which a new process faults in on first use.
 */
void warm_up_counts(void);

/* The median, smallest and largest of @n values. */
struct spread {
	double med, min, max;
};

void spread_of(const double *v, int n, struct spread *out);

/* Least-squares line y = intercept + slope * x, and its R². */
struct fit {
	double slope, intercept, r2;
};

void fit_line(const double *x, const double *y, int n, struct fit *out);

/* The first line of a file, without its newline; false if unreadable. */
bool read_line(const char *path, char *buf, size_t len);

/* One JSON object, built up key by key and printed as one line. */
struct json {
	char buf[2048];
	size_t len;
};

void json_begin(struct json *j, const char *kind);
/* NULL: null */
void json_str(struct json *j, const char *key, const char *val);
/* Not finite (NAN): null */
void json_num(struct json *j, const char *key, double val);
void json_int(struct json *j, const char *key, long long val);
void json_bool(struct json *j, const char *key, bool val);
void json_end(struct json *j);

/* The parts of mmap_bench that live in their own files. */
int smoke_main(void);
void scale_run(const struct subject *s, int n, int rounds);

#endif /* MMLAB_BENCH_H */
