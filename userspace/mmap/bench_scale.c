// SPDX-License-Identifier: GPL-2.0
/*
 * Scaling: T workers, from 1 to the number of online CPUs, each touching
 * one byte per page of its own part of a subject's buffer, all at once:
 *
 *   threads    one mapping, made by the main thread, shared by all: one
 *              mm, so the faults contend for its mmap lock (or per-vma
 *              lock) and page-table locks, as page_fault3's threads do
 *   processes  each worker maps its own part in its own mm: what they
 *              still share is the driver (its counters, its locks) and the
 *              pages
 *
 * Workers meet at barriers, never sleeps: all of them start touching when
 * the last one is ready, and the round ends when the last one is done. Each
 * times its own touch; the figure is pages per second per worker, which
 * stays flat where the path scales and falls where workers wait on each
 * other. Under TCG the vCPUs are host threads: with as many workers as
 * vCPUs, the host's other load shows too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define MAX_WORKERS	64

/* Shared by the workers, in memory that fork() shares too. */
struct scale_sync {
	pthread_barrier_t start, done;
	const struct subject *s;
	char *base;			/* threads: the round's mapping */
	size_t part;			/* bytes per worker */
	bool write;
	int rounds;
	uint64_t ns[MAX_REPS][MAX_WORKERS];	/* each worker's touch */
	long minflt[MAX_WORKERS];	/* each worker's faults in its touches */
	int err[MAX_WORKERS];		/* processes: errno of its mmap() */
};

struct worker {
	struct scale_sync *sync;
	int id;
};

/* One round of one worker, between the start and done barriers. */
/*
 * The faults this thread took: around its touches alone, so that neither
 * the main thread's mmap() nor a new process's own start-up counts.
 */
static long thread_minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_minflt;
}

/* One round of one worker, between the start and done barriers. */
static void worker_round(struct scale_sync *sync, int id, int r, char *p)
{
	uint64_t t0;
	long flt;

	pthread_barrier_wait(&sync->start);
	/* Threads: the mapping is the main thread's, set before the start. */
	if (!p && sync->base)
		p = sync->base + id * sync->part;
	flt = thread_minflt();
	t0 = now_ns();
	if (p)
		touch(p, sync->part / page_size, sync->write, id);
	sync->ns[r][id] = p ? now_ns() - t0 : 0;
	sync->minflt[id] += thread_minflt() - flt;
	pthread_barrier_wait(&sync->done);
}

static void *thread_worker(void *arg)
{
	struct worker *w = arg;

	for (int r = 0; r < w->sync->rounds; r++)
		worker_round(w->sync, w->id, r, NULL);
	return NULL;
}

/* A process of its own: its own mapping of its part, each round. */
static void process_worker(struct scale_sync *sync, int id)
{
	/*
	 * fork() copied no PTE of the shared anonymous @sync: fault in the
	 * slots this worker writes now, not in the middle of a count.
	 */
	for (int r = 0; r < sync->rounds; r++)
		sync->ns[r][id] = 0;
	sync->minflt[id] = 0;
	warm_up_counts();
	for (int r = 0; r < sync->rounds; r++) {
		char *p = subject_map(sync->s, sync->part, id * sync->part, 0);

		if (p == MAP_FAILED) {
			sync->err[id] = errno;
			p = NULL;
		}
		worker_round(sync, id, r, p);
		if (p)
			munmap(p, sync->part);
	}
	_exit(0);
}

struct scale_stat {
	bool run;
	int err;
	struct spread rate;	/* pages/s per worker, over rounds */
	double total;		/* pages/s of all workers, median round */
	long minflt;
	uint64_t faults;
	bool counted;
	uint64_t pages;		/* touched in all rounds */
};

static bool barriers_init(struct scale_sync *sync, int workers)
{
	pthread_barrierattr_t attr;
	bool ok;

	pthread_barrierattr_init(&attr);
	pthread_barrierattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	/* The workers and the main thread. */
	ok = !pthread_barrier_init(&sync->start, &attr, workers + 1) &&
	     !pthread_barrier_init(&sync->done, &attr, workers + 1);
	pthread_barrierattr_destroy(&attr);
	return ok;
}

static void scale_one(struct scale_sync *sync, const struct subject *s,
		      bool processes, int workers, bool write, int rounds,
		      struct scale_stat *st)
{
	size_t pages = (s->max < BASE_MAX ? s->max : BASE_MAX) / page_size;
	size_t part_pages = pages / workers;
	pthread_t tid[MAX_WORKERS];
	struct worker w[MAX_WORKERS];
	pid_t pid[MAX_WORKERS];
	double rate[MAX_REPS], total[MAX_REPS];
	struct mmlab_info before, after;
	struct spread tsp;
	int started = 0;

	memset(st, 0, sizeof(*st));
	memset(sync, 0, sizeof(*sync));
	if (!part_pages) {
		st->err = EINVAL;
		return;
	}
	sync->s = s;
	sync->part = part_pages * page_size;
	sync->write = write;
	sync->rounds = rounds;
	if (!barriers_init(sync, workers)) {
		st->err = EAGAIN;
		return;
	}
	st->counted = subject_info(s, &before);
	/* No buffered output for the children to print again. */
	fflush(stdout);
	for (; started < workers; started++) {
		w[started] = (struct worker){ .sync = sync, .id = started };
		if (processes) {
			pid[started] = fork();
			if (!pid[started])
				process_worker(sync, started);
			if (pid[started] < 0)
				break;
		} else if (pthread_create(&tid[started], NULL, thread_worker,
					  &w[started])) {
			break;
		}
	}
	if (started < workers) {
		/*
		 * Too few to pass a barrier: the ones started wait at the
		 * start for good. Tell, and end them.
		 */
		printf("scale: could not start worker %d of %d\n", started + 1,
		       workers);
		exit(1);
	}
	for (int r = 0; r < rounds; r++) {
		if (!processes) {
			sync->base = subject_map(s, workers * sync->part, 0, 0);
			if (sync->base == MAP_FAILED) {
				st->err = errno;
				sync->base = NULL;
			}
		}
		pthread_barrier_wait(&sync->start);
		pthread_barrier_wait(&sync->done);
		if (sync->base)
			munmap(sync->base, workers * sync->part);
	}
	for (int i = 0; i < workers; i++) {
		if (processes)
			waitpid(pid[i], NULL, 0);
		else
			pthread_join(tid[i], NULL);
		if (sync->err[i])
			st->err = sync->err[i];
	}
	for (int i = 0; i < workers; i++)
		st->minflt += sync->minflt[i];
	if (st->counted && subject_info(s, &after))
		st->faults = after.faults - before.faults;
	else
		st->counted = false;
	pthread_barrier_destroy(&sync->start);
	pthread_barrier_destroy(&sync->done);
	if (st->err)
		return;
	for (int r = 0; r < rounds; r++) {
		rate[r] = 0;
		total[r] = 0;
		for (int i = 0; i < workers; i++) {
			double pps = sync->ns[r][i] ?
				     part_pages * 1e9 / sync->ns[r][i] : NAN;

			rate[r] += pps / workers;
			total[r] += pps;
		}
	}
	spread_of(rate, rounds, &st->rate);
	spread_of(total, rounds, &tsp);
	st->total = tsp.med;
	st->pages = (uint64_t)rounds * workers * part_pages;
	st->run = true;
}

static void scale_json(const struct subject *s, const struct scale_stat *x,
		       const struct scale_stat *one,
		       const struct scale_stat *ref, bool write,
		       bool processes, int workers, int rounds)
{
	size_t pages = (s->max < BASE_MAX ? s->max : BASE_MAX) / page_size;
	struct json j;

	pages = pages / workers * workers;
	json_begin(&j, "scale");
	json_str(&j, "subject", s->name);
	json_bool(&j, "baseline", s->kind != SUBJ_MODE);
	json_str(&j, "op", write ? "write" : "read");
	json_str(&j, "timing", processes ? "processes" : "threads");
	json_int(&j, "size_bytes", pages * page_size);
	json_int(&j, "pages", pages);
	json_int(&j, "threads", workers);
	json_int(&j, "reps", rounds);
	json_int(&j, "rounds", rounds);
	if (!x->run) {
		json_str(&j, "refused", strerror(x->err));
		json_end(&j);
		return;
	}
	json_num(&j, "pages_per_s_per_worker_median", x->rate.med);
	json_num(&j, "pages_per_s_per_worker_min", x->rate.min);
	json_num(&j, "pages_per_s_per_worker_max", x->rate.max);
	json_num(&j, "pages_per_s_total_median", x->total);
	/* ns per page as one worker sees it: the inverse of its rate. */
	json_num(&j, "ns_per_page_median", 1e9 / x->rate.med);
	json_num(&j, "ns_per_page_min", 1e9 / x->rate.max);
	json_num(&j, "ns_per_page_max", 1e9 / x->rate.min);
	json_int(&j, "pages_total", x->pages);
	json_int(&j, "minflt_total", x->minflt);
	json_num(&j, "minflt_per_page", (double)x->minflt / x->pages);
	json_num(&j, "driver_faults_per_page",
		 x->counted ? (double)x->faults / x->pages : NAN);
	json_num(&j, "per_worker_vs_1_worker",
		 one && one->run ? x->rate.med / one->rate.med : NAN);
	json_num(&j, "ratio_to_memfd",
		 ref && ref->run ? ref->rate.med / x->rate.med : NAN);
	json_end(&j);
}

static void scale_row(const struct subject *s, const struct scale_stat *x,
		      const struct scale_stat *one,
		      const struct scale_stat *ref, int workers)
{
	char range[32], f[16] = "-";

	if (!x->run) {
		printf("%-15s %3d refused: %s\n", s->name, workers,
		       strerror(x->err));
		return;
	}
	snprintf(range, sizeof(range), "[%.0f..%.0f]", x->rate.min,
		 x->rate.max);
	if (x->counted)
		snprintf(f, sizeof(f), "%.3f", (double)x->faults / x->pages);
	printf("%-15s %3d %10.0f %23s %11.0f %7.2f %7.2f %7.3f %7s\n",
	       s->name, workers, x->rate.med, range, x->total,
	       one->run ? x->rate.med / one->rate.med : NAN,
	       ref && ref->run ? ref->rate.med / x->rate.med : NAN,
	       (double)x->minflt / x->pages, f);
}

void scale_run(const struct subject *subj, int n, int rounds)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	const struct subject *s[MAX_SUBJECTS];
	struct scale_stat *st;
	struct scale_sync *sync;
	int m = 0, ref = -1;

	if (cpus < 1)
		cpus = 1;
	if (cpus > MAX_WORKERS)
		cpus = MAX_WORKERS;
	for (int i = 0; i < n; i++) {
		if (subj[i].kind == SUBJ_MEMFD)
			ref = m;
		if (subj[i].kind == SUBJ_MODE || subj[i].kind == SUBJ_MEMFD)
			s[m++] = &subj[i];
	}
	sync = mmap(NULL, sizeof(*sync), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	st = calloc((size_t)m * cpus, sizeof(*st));
	if (sync == MAP_FAILED || !st) {
		printf("scale: out of memory\n");
		if (sync != MAP_FAILED)
			munmap(sync, sizeof(*sync));
		free(st);
		return;
	}
	printf("\n== scaling: T workers at once, each on its part of one buffer ==\n");
	printf("%d rounds; pages/s per worker: median [min..max] of the rounds\n",
	       rounds);
	for (int write = 1; write >= 0; write--) {
		for (int processes = 0; processes < 2; processes++) {
			printf("\n%s-touch, %s\n", write ? "write" : "read",
			       processes ? "processes, each with its own mapping of its part" :
			       "threads sharing one mapping");
			printf("%-15s %3s %10s %23s %11s %7s %7s %7s %7s\n",
			       "subject", "T", "pages/s/w", "[min..max]",
			       "total/s", "vs T=1", "x memfd", "minflt",
			       "fault");
			for (int t = 1; t <= cpus; t++)
				for (int i = 0; i < m; i++)
					scale_one(sync, s[i], processes, t,
						  write, rounds,
						  &st[i * cpus + t - 1]);
			for (int i = 0; i < m; i++)
				for (int t = 1; t <= cpus; t++)
					scale_row(s[i], &st[i * cpus + t - 1],
						  &st[i * cpus],
						  ref < 0 ? NULL :
						  &st[ref * cpus + t - 1], t);
			for (int i = 0; i < m; i++)
				for (int t = 1; t <= cpus; t++)
					scale_json(s[i], &st[i * cpus + t - 1],
						   &st[i * cpus],
						   ref < 0 ? NULL :
						   &st[ref * cpus + t - 1],
						   write, processes, t, rounds);
		}
	}
	free(st);
	munmap(sync, sizeof(*sync));
}
