// SPDX-License-Identifier: GPL-2.0
/*
 * torture_test: mmlab's own torture harness, for the races a fuzzer does
 * not reach: each needs a second thread doing the right thing at the wrong
 * time, and an oracle that knows what the outcome must be whatever the
 * interleaving. Run as root in the test VM, with mmlab loaded.
 *
 * kselftest harness: fixture "mode", with a variant per mode of modes.h
 * named as mode_fixture.h names them ('_' for '-': "-v vmalloc_fault"),
 * for fault_vs_unmap, mkwrite_no_lost_writes and map_touch_unmap_cycles;
 * its setup opens the variant's device and takes the baseline the test
 * must come back to. Then fixture "module", declared last so that it runs
 * after every per-mode test, for delete_module_vs_use, which unloads and
 * loads mmlab again; its teardown loads mmlab again if a test left it
 * unloaded. Each test in a process of its own. Environment:
 * MMLAB_MODULE, the mmlab.ko that delete_module_vs_use loads (default
 * /lib/mmlab/mmlab.ko); MMLAB_STRESS_SECONDS and MMLAB_FUZZ_SEED, below.
 * "-v <mode>" runs that mode's tests only, and module.delete_module_vs_use
 * only when named too ("-f module"); it uses every mode's device.
 *
 * fault_vs_unmap, each mode:
 *	Touchers read and write their own word of each page of a shared
 *	mapping while a mutator unmaps it and maps it again at the same
 *	address (MAP_FIXED_NOREPLACE), whole or in part, moves it away and
 *	back with mremap(), tries to grow it, write-protects part of it,
 *	drops its PTEs (MADV_DONTNEED) and fork()s children that touch it.
 *	It attacks ->fault and the populate paths racing the unmap, the
 *	vm_ops->open/close reference of each vma that a split, a move or a
 *	fork creates, and any PTE that ends up on the wrong page. Asserted:
 *	every word reads back what its toucher last stored (so every fault
 *	mapped the right page); a fault signal comes only from a state the
 *	mutator made (SIGSEGV while unmapped, moved or read-only; SIGBUS only
 *	in a hole MADV_DONTNEED left in a prefaulted mode); growth fails
 *	with EFAULT (VM_DONTEXPAND); live_vmas equals the pieces the mutator
 *	made after each step and the baseline at the end; the children see
 *	the parent's pages; pwrite()/pread() agree with a fresh mapping.
 *
 * mkwrite_no_lost_writes, mkwrite:
 *	Writers store sequence numbers in the pages they own, through two
 *	vmas each, while a cleaner calls MMLAB_IOC_DIRTY(CLEAN) in a loop and
 *	a third writer copies-on-write the remaining pages through a
 *	MAP_PRIVATE vma. It attacks the window between page_mkwrite setting
 *	a page's bit and the PTE becoming writable, which the driver closes
 *	with the folio lock, and folio_mkclean() finding every vma. The
 *	invariant is derived in the comment above mkw_check_round().
 *
 * map_touch_unmap_cycles, each mode:
 *	10,000 cycles of mmap() of a random part of the buffer, a read and a
 *	write of every page, munmap(); a quarter MAP_PRIVATE, refused with
 *	EINVAL by the modes that cannot copy on write. A leaked or doubly
 *	dropped vma reference shows in live_vmas; a freed buffer in the
 *	pages-allocated counts (ioctl and debugfs); a wrong vm_pgoff in the
 *	word read back by pread(); a private write reaching the device too.
 *
 * delete_module_vs_use, once:
 *	First, in lockstep, a thread holds a device by an open file, by a
 *	mapping alone, by both, or through a fork()ed child's mapping alone,
 *	and touches it while another calls delete_module(O_NONBLOCK), which
 *	must fail every time: EAGAIN, the kernel's "in use" (or EBUSY). It
 *	attacks a vma or file that does not pin the module, whose vm_ops
 *	would run from freed module text. Then mmlab is unloaded and loaded
 *	again with nothing held, which must work; then the two threads run
 *	free: every unload that succeeds is loaded again at once with
 *	finit_module(), and the user thread must see either a whole device
 *	or ENOENT/ENODEV at open(), never an unload while it holds one; then
 *	one more unload and load. After each load every device must be fresh
 *	(no counts, no vmas, every buffer allocated) and usable. Skipped
 *	after the lockstep part when MMLAB_MODULE cannot be opened or
 *	something else holds mmlab; it loads it again with its current
 *	buf_size and huge_size.
 *
 * Each case stops at a round count or after MMLAB_STRESS_SECONDS (make
 * stress) per case and mode, 2 s by default, whichever comes first
 * (delete_module_vs_use: half each for its lockstep and free-running
 * parts, at least 1 s); the counts are printed. By default all modes take
 * about 45 s; each test's timeout follows MMLAB_STRESS_SECONDS. Choices
 * come from rand_r() seeded from MMLAB_FUZZ_SEED, or the time, once for
 * the whole run and printed by each test: setting it replays the choices,
 * though not the threads' interleaving. No assertion depends on timing:
 * threads wait for each other's states, are joined, and only then are
 * outcomes checked.
 *
 * The harness's ASSERT works in the test's own thread only, and neither
 * it nor EXPECT stops the other threads. So what the worker threads
 * check, and what the test's thread checks while they run or inside a
 * case's rounds, goes to a struct verdict through fail(), which stops
 * every thread of the case and prints the first few failures; each test
 * ends with an EXPECT on it. What is checked once, before the threads
 * start or after they are joined, is the harness's ASSERT or EXPECT.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#include "mmlab_dev.h"
#include "modes.h"
#include "procfs.h"

#define DEFAULT_MODULE		"/lib/mmlab/mmlab.ko"
#define DEFAULT_SECONDS		2
/* Under make stress the seconds bound each case; rounds hardly do. */
#define STRESS_FACTOR		1000
/* A bound on waiting for a thread that never runs, not a guess at timing. */
#define WAIT_LIMIT		30
#define MAX_DIAGS		8
/*
 * A test's timeout, past twice its seconds (the round under way when they
 * run out, and the checks after): a debug kernel under TCG is slow, and a
 * wait bounded by WAIT_LIMIT must still end in its diagnostic.
 */
#define SLOW_GUEST_MARGIN	120
/* delete_module_vs_use unloads and loads mmlab again, slowly there too. */
#define DMU_MARGIN		180

#define FVU_ROUNDS		5000
#define FVU_PAGES		16
#define FVU_MAX_TOUCHERS	8
/* The word of each page that a fork()ed child writes (byte 2048). */
#define CHILD_WORD		512

#define MKW_ROUNDS		400
#define MKW_WRITERS		3
#define MKW_PASSES		8
#define MKW_NOT_WRITTEN		(~0UL)

#define CYCLES			10000
#define CYCLE_MAX_PAGES		16

#define DMU_ROUNDS		400
#define DMU_ATTEMPTS		100000
#define DMU_UNLOADS		25
#define DMU_PAGES		4

#define LOAD(p)		__atomic_load_n(p, __ATOMIC_ACQUIRE)
#define STORE(p, v)	__atomic_store_n(p, v, __ATOMIC_RELEASE)
#define BUMP(p)		__atomic_add_fetch(p, 1, __ATOMIC_SEQ_CST)

/* Set once, before the harness forks the first test; see torture_init(). */
static size_t psize;
static double seconds = DEFAULT_SECONDS;
static bool stress;
static unsigned int seed;
/* MMLAB_MODULE, set by the setup of delete_module_vs_use. */
static const char *ko_path = DEFAULT_MODULE;

/* A diagnostic line, "# ...", on stderr as the harness's own TH_LOG(). */
#define diag(fmt, ...)	fprintf(stderr, "# " fmt "\n", ##__VA_ARGS__)

/* MMLAB_STRESS_SECONDS, or 0 where it is not set to a positive number. */
static double stress_seconds(void)
{
	const char *s = getenv("MMLAB_STRESS_SECONDS");

	return s && atof(s) > 0 ? atof(s) : 0;
}

/*
 * The timeout of a test that runs for its seconds, in whole seconds: the
 * harness reads it before main(), from the environment as it is then.
 */
static int case_timeout(int margin)
{
	double secs = stress_seconds();
	double t = 2 * (secs ? secs : DEFAULT_SECONDS) + margin;

	return t < INT_MAX ? (int)t + 1 : INT_MAX;
}

/*
 * Once, in the harness's own process before it forks the first test:
 * every test inherits the one seed, which its setup prints.
 */
static void __attribute__((constructor)) torture_init(void)
{
	const char *fuzz = getenv("MMLAB_FUZZ_SEED");

	psize = sysconf(_SC_PAGESIZE);
	if (stress_seconds()) {
		seconds = stress_seconds();
		stress = true;
	}
	seed = fuzz ? strtoul(fuzz, NULL, 0) : (unsigned int)time(NULL);
}

static void print_seed(void)
{
	diag("seed %u (MMLAB_FUZZ_SEED=%u replays the choices); %g s per case and mode%s",
	     seed, seed, seconds, stress ? " (MMLAB_STRESS_SECONDS)" : "");
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct budget {
	double end;
	unsigned long rounds;
};

static void budget_init(struct budget *b, double secs, unsigned long rounds)
{
	b->end = now() + secs;
	b->rounds = stress ? rounds * STRESS_FACTOR : rounds;
}

static bool out_of_time(const struct budget *b)
{
	return now() >= b->end;
}

static bool budget_spent(const struct budget *b, unsigned long round)
{
	return round >= b->rounds || out_of_time(b);
}

/* A case's outcome, failed from any of its threads. */
struct verdict {
	int failed;
	int diags;
};

static bool failed(struct verdict *v)
{
	return __atomic_load_n(&v->failed, __ATOMIC_RELAXED);
}

/* How many checks failed, for the test's EXPECT once its threads are joined. */
static int failures(struct verdict *v)
{
	return __atomic_load_n(&v->diags, __ATOMIC_RELAXED);
}

static __printf(2, 3) void fail(struct verdict *v, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	__atomic_store_n(&v->failed, 1, __ATOMIC_RELAXED);
	if (__atomic_fetch_add(&v->diags, 1, __ATOMIC_RELAXED) >= MAX_DIAGS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag("%s", msg);
}

/* The seed of one case, mode and thread: all of them from the one printed. */
static unsigned int derive_seed(const char *name, const char *mode,
				unsigned int n)
{
	unsigned int h = seed ^ 2166136261u;
	const char *s;

	for (s = name; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	for (s = mode; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h ^ n * 0x9e3779b9u;
}

/*
 * Faults a case expects, caught per thread: a thread arms guard around
 * one access and learns the signal from guard_sig. A fault nobody armed
 * for kills the process, as it would have without the handler. SA_NODEFER
 * leaves the signal unblocked after siglongjmp(), so no mask needs saving.
 */
struct guard {
	sigjmp_buf env;
};

static __thread struct guard *guard;
static __thread int guard_sig;

static void guard_handler(int sig)
{
	struct guard *g = guard;

	if (!g) {
		/* The access faults again, and the default action ends us. */
		signal(sig, SIG_DFL);
		return;
	}
	guard = NULL;
	guard_sig = sig;
	siglongjmp(g->env, 1);
}

static bool install_guard(void)
{
	struct sigaction sa = {
		.sa_handler = guard_handler,
		.sa_flags = SA_NODEFER,
	};

	sigemptyset(&sa.sa_mask);
	return !sigaction(SIGSEGV, &sa, NULL) && !sigaction(SIGBUS, &sa, NULL);
}

/*
 * Run @access armed: 0, or the signal it raised (a store that raised one
 * did not land). sigsetjmp() must run in the frame that stays live while
 * the access may fault, hence a macro rather than a function. The fences
 * keep the compiler from moving the access out of the guard.
 */
#define GUARD_FENCE()	__atomic_signal_fence(__ATOMIC_SEQ_CST)
#define GUARDED(access)						\
	({							\
		struct guard __g;				\
		int __sig = 0;					\
								\
		if (sigsetjmp(__g.env, 0)) {			\
			__sig = guard_sig;			\
		} else {					\
			guard = &__g;				\
			GUARD_FENCE();				\
			access;					\
			GUARD_FENCE();				\
			guard = NULL;				\
		}						\
		__sig;						\
	})

static int guarded_load(const __u32 *p, __u32 *val)
{
	return GUARDED(*val = __atomic_load_n(p, __ATOMIC_RELAXED));
}

static int guarded_store(__u32 *p, __u32 val)
{
	return GUARDED(__atomic_store_n(p, val, __ATOMIC_RELAXED));
}

static int guarded_fill(void *p, size_t len, unsigned int pseed)
{
	return GUARDED(pattern_fill(p, len, pseed, 0));
}

/* pattern_check() into *@bad. */
static int guarded_check(const void *p, size_t len, unsigned int pseed,
			 ssize_t *bad)
{
	return GUARDED(*bad = pattern_check(p, len, pseed, 0));
}

static __u32 *word_at(char *base, size_t page, size_t word)
{
	return (__u32 *)(base + page * psize) + word;
}

static void dev_path(char *path, size_t len, const struct mode *m)
{
	snprintf(path, len, "/dev/mmlab-%s", m->name);
}

/*
 * Open @m's device and read its info: the fd, or -1 if it is unusable and
 * @why, of @len bytes, says why, for the caller to diagnose.
 */
static int open_checked(const struct mode *m, struct mmlab_info *info,
			char *why, size_t len)
{
	char path[64];
	int fd;

	dev_path(path, sizeof(path), m);
	fd = open(path, O_RDWR);
	if (fd < 0) {
		snprintf(why, len, "open %s: %s", path, strerror(errno));
		return -1;
	}
	if (!mmlab_info(fd, info)) {
		snprintf(why, len, "%s: MMLAB_IOC_INFO: %s", path,
			 strerror(errno));
		close(fd);
		return -1;
	}
	/* A 32-bit process could not map it, nor even hold its size. */
	if ((size_t)info->size != info->size || info->size < psize ||
	    info->page_size != psize) {
		snprintf(why, len, "%s: a buffer of %llu bytes, pages of %u, not %zu",
			 path, (unsigned long long)info->size,
			 info->page_size, psize);
		close(fd);
		return -1;
	}
	return fd;
}

/* open_checked(), where a failure is the verdict's. */
static int open_mode(const struct mode *m, struct mmlab_info *info,
		     struct verdict *v)
{
	char why[160];
	int fd = open_checked(m, info, why, sizeof(why));

	if (fd < 0)
		fail(v, "%s", why);
	return fd;
}

static long live_vmas(int fd)
{
	struct mmlab_info info;

	return mmlab_info(fd, &info) ? (long)info.live_vmas : -1;
}

/* What must be back as it was once a case has unmapped everything. */
struct baseline {
	long live;		/* MMLAB_IOC_INFO live_vmas */
	long pages;		/* MMLAB_IOC_INFO pages_allocated */
	long dbg_live;		/* the same in debugfs, or -1 without it */
	long dbg_pages;
};

static void take_baseline(struct __test_metadata *_metadata,
			  const struct mode *m, int fd, struct baseline *b)
{
	struct mmlab_info info;

	ASSERT_TRUE(mmlab_info(fd, &info))
		TH_LOG("%s: MMLAB_IOC_INFO: %m", m->name);
	b->live = info.live_vmas;
	b->pages = info.pages_allocated;
	b->dbg_live = mmlab_debugfs_counter(m->name, "live_vmas");
	b->dbg_pages = mmlab_debugfs_counter(m->name, "pages_allocated");
	if (b->dbg_pages < 0)
		diag("%s: no debugfs counters; MMLAB_IOC_INFO only", m->name);
}

/* Once every thread is joined and every mapping gone. */
static void expect_baseline(struct __test_metadata *_metadata,
			    const struct mode *m, int fd,
			    const struct baseline *b)
{
	struct baseline now;

	take_baseline(_metadata, m, fd, &now);
	EXPECT_EQ(b->live, now.live)
		TH_LOG("%s: live_vmas against the baseline", m->name);
	EXPECT_EQ(b->pages, now.pages)
		TH_LOG("%s: pages_allocated against the baseline", m->name);
	if (b->dbg_live >= 0) {
		EXPECT_EQ(b->dbg_live, now.dbg_live)
			TH_LOG("%s: debugfs live_vmas against the baseline",
			       m->name);
	}
	if (b->dbg_pages >= 0) {
		EXPECT_EQ(b->dbg_pages, now.dbg_pages)
			TH_LOG("%s: debugfs pages_allocated against the baseline",
			       m->name);
	}
}

static bool spawn(pthread_t *tid, void *(*fn)(void *), void *arg,
		  struct verdict *v)
{
	int err = pthread_create(tid, NULL, fn, arg);

	if (err)
		fail(v, "pthread_create: %s", strerror(err));
	return !err;
}

/* Wait, yielding, for *@p to reach @want; false after WAIT_LIMIT s. */
static bool wait_ulong(unsigned long *p, unsigned long want)
{
	double end = now() + WAIT_LIMIT;

	while (LOAD(p) < want) {
		if (now() >= end)
			return false;
		sched_yield();
	}
	return true;
}

static bool maps_private(const struct mode *m)
{
	return !has(m, M_PFNMAP);
}

/*
 * MADV_DONTNEED drops the PTEs of a prefaulted mode for good: with no
 * ->fault to bring them back, the next touch is SIGBUS. VM_PFNMAP vmas
 * refuse MADV_DONTNEED, and lazy modes fault the page back in.
 */
static bool dontneed_leaves_holes(const struct mode *m)
{
	return has(m, M_PREFAULT) && !has(m, M_PFNMAP);
}

/*
 * The per-mode tests: the variant's device, open, with the info and the
 * baseline as setup found them. The variants are mode_variants.h's, as
 * the mode probes have them, but this setup is the torture cases' own:
 * the fault guard, no minimum buffer size.
 */
FIXTURE(mode) {
	int fd;
	struct mmlab_info info;
	struct baseline before;
	double start;
};

#include "mode_variants.h"

FIXTURE_SETUP(mode)
{
	char why[160];

	self->start = now();
	print_seed();
	/* Signal handlers are per process: each test's, installed here. */
	ASSERT_TRUE(install_guard()) TH_LOG("sigaction: %m");
	self->fd = open_checked(variant->mode, &self->info, why, sizeof(why));
	ASSERT_LE(0, self->fd) TH_LOG("%s", why);
	take_baseline(_metadata, variant->mode, self->fd, &self->before);
}

FIXTURE_TEARDOWN(mode)
{
	close(self->fd);
	if (_metadata->exit_code != KSFT_SKIP)
		diag("%s.%s took %.1f s", variant->mode->name, _metadata->name,
		     now() - self->start);
}

/* fault_vs_unmap */

enum fvu_op {
	OP_REMAP,	/* munmap() the window and mmap() it again in place */
	OP_REMAP_PART,	/* the same for a part of it, splitting the vma */
	OP_MOVE,	/* mremap() it away and back */
	OP_GROW,	/* mremap() growth, which VM_DONTEXPAND refuses */
	OP_PROTECT,	/* PROT_READ and back, on all or part of it */
	OP_DONTNEED,	/* drop the PTEs of a part of it */
	OP_FORK,	/* a child touches every page and exits */
	NR_OPS,
};

static const char *const op_names[NR_OPS] = {
	"remap", "remap_part", "move", "grow", "protect", "dontneed", "fork",
};

struct fvu;

struct toucher {
	struct fvu *f;
	pthread_t tid;
	unsigned int idx;	/* its word in each page */
	unsigned int seed;
	unsigned long touches, segv, bus;
	__u32 last[FVU_PAGES];	/* what it last stored in each page */
};

struct fvu {
	const struct mode *m;
	struct verdict *v;
	struct budget b;
	int fd;
	char *base;		/* the window, always at this address */
	char *alt;		/* a PROT_NONE reservation to move it to */
	char *stray;		/* a mapping a wrongly successful growth made */
	size_t pages, len, stray_len;
	off_t off;		/* the window's offset in the buffer */
	unsigned int ntouchers;
	struct toucher t[FVU_MAX_TOUCHERS];
	/*
	 * The mutator's state as the touchers judge a fault by it. seq is
	 * odd while the window may be unmapped, moved or read-only;
	 * map_gen counts whole remaps, each of which writes every PTE of a
	 * prefaulted mode again; zap_gen is the map_gen of the latest
	 * MADV_DONTNEED.
	 */
	unsigned long seq, map_gen, zap_gen;
	unsigned long touches;	/* all touchers', for the mutator to wait on */
	int stop;
	/* The mutator's own. */
	unsigned int seed;
	bool cut[FVU_PAGES + 1];	/* a vma boundary before page i */
	bool zapped;		/* MADV_DONTNEED since the last whole remap */
	long base_live;
	unsigned long rounds, forks, ops[NR_OPS];
};

/*
 * Could the mutator have caused @sig for a touch that began with seq @s0
 * and map_gen @g0? SIGSEGV: only inside an odd seq window, or if one
 * began since. SIGBUS: only in a hole that a MADV_DONTNEED of this
 * incarnation of the window, or a later one, left.
 */
static bool fault_allowed(struct fvu *f, int sig, unsigned long s0,
			  unsigned long g0)
{
	if (sig == SIGSEGV)
		return (s0 & 1) || LOAD(&f->seq) != s0;
	if (sig == SIGBUS)
		return dontneed_leaves_holes(f->m) && LOAD(&f->zap_gen) >= g0;
	return false;
}

/*
 * Check that this thread's word of a random page still holds what it
 * stored there last, whatever was unmapped, moved or zapped in between,
 * then store a new value naming the thread and the page.
 */
static void *touch_loop(void *arg)
{
	struct toucher *t = arg;
	struct fvu *f = t->f;

	while (!LOAD(&f->stop) && !failed(f->v)) {
		size_t i = rand_r(&t->seed) % f->pages;
		__u32 *w = word_at(f->base, i, t->idx);
		__u32 val, next = t->idx << 28 | i << 20 |
				  (t->touches & 0xfffff);
		unsigned long s0 = LOAD(&f->seq), g0 = LOAD(&f->map_gen);
		int sig = guarded_load(w, &val);

		if (!sig && val != t->last[i])
			fail(f->v, "%s: toucher %u page %zu: read %#x, stored %#x",
			     f->m->name, t->idx, i, val, t->last[i]);
		if (!sig) {
			sig = guarded_store(w, next);
			if (!sig)
				t->last[i] = next;
		}
		if (sig == SIGSEGV)
			t->segv++;
		else if (sig == SIGBUS)
			t->bus++;
		if (sig && !fault_allowed(f, sig, s0, g0))
			fail(f->v, "%s: toucher %u page %zu: signal %d, seq %lu, gen %lu/%lu",
			     f->m->name, t->idx, i, sig, s0, g0,
			     LOAD(&f->zap_gen));
		t->touches++;
		__atomic_add_fetch(&f->touches, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/* Let every toucher run at least once more: pacing, not an assertion. */
static void fvu_let_touch(struct fvu *f)
{
	unsigned long since = LOAD(&f->touches);

	while (LOAD(&f->touches) - since < f->ntouchers && !failed(f->v) &&
	       !out_of_time(&f->b))
		sched_yield();
}

static void fvu_disturb(struct fvu *f)
{
	BUMP(&f->seq);
}

static long fvu_pieces(struct fvu *f)
{
	long n = 1;

	for (size_t i = 1; i < f->pages; i++)
		n += f->cut[i];
	return n;
}

/* A random range [*a, *b) of the window's pages, at least one page. */
static void fvu_range(struct fvu *f, size_t *a, size_t *b)
{
	*a = rand_r(&f->seed) % f->pages;
	*b = *a + 1 + rand_r(&f->seed) % (f->pages - *a);
}

static void op_remap(struct fvu *f, size_t a, size_t b)
{
	size_t len = (b - a) * psize;
	char *at = f->base + a * psize;
	void *p;

	fvu_disturb(f);
	if (munmap(at, len)) {
		fail(f->v, "%s: munmap: %s", f->m->name, strerror(errno));
		goto out;
	}
	p = mmap(at, len, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED_NOREPLACE, f->fd, f->off + a * psize);
	if (p != at) {
		fail(f->v, "%s: mmap pages %zu-%zu again in place: %s",
		     f->m->name, a, b, p == MAP_FAILED ? strerror(errno) :
		     "mapped elsewhere");
		if (p != MAP_FAILED)
			munmap(p, len);
		goto out;
	}
	if (a == 0 && b == f->pages) {
		memset(f->cut, 0, sizeof(f->cut));
		f->zapped = false;
		BUMP(&f->map_gen);
	} else {
		/* A new vma for [a, b); what it replaced is gone. */
		for (size_t i = a + 1; i < b; i++)
			f->cut[i] = false;
		f->cut[a] = true;
		f->cut[b] = true;
	}
out:
	fvu_disturb(f);
}

static void op_move(struct fvu *f)
{
	void *p;

	/* mremap() moves one vma: make the window one again. */
	if (fvu_pieces(f) > 1)
		op_remap(f, 0, f->pages);
	fvu_disturb(f);
	p = mremap(f->base, f->len, f->len, MREMAP_MAYMOVE | MREMAP_FIXED,
		   f->alt);
	if (p != f->alt) {
		fail(f->v, "%s: mremap away: %s", f->m->name,
		     p == MAP_FAILED ? strerror(errno) : "moved elsewhere");
		goto out;
	}
	/* The touchers find the window gone meanwhile. */
	fvu_let_touch(f);
	p = mremap(f->alt, f->len, f->len, MREMAP_MAYMOVE | MREMAP_FIXED,
		   f->base);
	if (p != f->base) {
		fail(f->v, "%s: mremap back: %s", f->m->name,
		     p == MAP_FAILED ? strerror(errno) : "moved elsewhere");
		goto out;
	}
	p = mmap(f->alt, f->len, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p != f->alt)
		fail(f->v, "reserving %p again: %s", (void *)f->alt,
		     p == MAP_FAILED ? strerror(errno) : "mapped elsewhere");
out:
	fvu_disturb(f);
}

static void expect_no_growth(struct fvu *f, char *at, size_t len, int flags)
{
	void *p = mremap(at, len, len + psize, flags);

	if (p == MAP_FAILED && errno == EFAULT)
		return;
	if (p == MAP_FAILED) {
		fail(f->v, "%s: mremap growth: %s, want EFAULT", f->m->name,
		     strerror(errno));
		return;
	}
	fail(f->v, "%s: mremap grew a VM_DONTEXPAND vma", f->m->name);
	/* Unmapped at the end; the window is no longer what we think. */
	f->stray = p;
	f->stray_len = len + psize;
}

/* The whole window in place, then its last page, free to move. */
static void op_grow(struct fvu *f)
{
	expect_no_growth(f, f->base, f->len, 0);
	if (!failed(f->v))
		expect_no_growth(f, f->base + f->len - psize, psize,
				 MREMAP_MAYMOVE);
}

static void op_protect(struct fvu *f)
{
	size_t a = 0, b = f->pages;

	if (rand_r(&f->seed) & 1)
		fvu_range(f, &a, &b);
	fvu_disturb(f);
	if (mprotect(f->base + a * psize, (b - a) * psize, PROT_READ)) {
		fail(f->v, "%s: mprotect(PROT_READ): %s", f->m->name,
		     strerror(errno));
		goto out;
	}
	/* No merging back: every mmlab vma is VM_SPECIAL (VM_DONTEXPAND). */
	f->cut[a] = true;
	f->cut[b] = true;
	/* Writes must fault with SIGSEGV now. */
	fvu_let_touch(f);
	if (mprotect(f->base + a * psize, (b - a) * psize,
		     PROT_READ | PROT_WRITE))
		fail(f->v, "%s: mprotect(PROT_READ | PROT_WRITE): %s",
		     f->m->name, strerror(errno));
out:
	fvu_disturb(f);
}

static void op_dontneed(struct fvu *f)
{
	size_t a, b;
	int ret;

	fvu_range(f, &a, &b);
	/* Before the PTEs go: a toucher's SIGBUS must find it set. */
	__atomic_store_n(&f->zap_gen, LOAD(&f->map_gen), __ATOMIC_SEQ_CST);
	ret = madvise(f->base + a * psize, (b - a) * psize, MADV_DONTNEED);
	if (has(f->m, M_PFNMAP)) {
		if (!ret || errno != EINVAL)
			fail(f->v, "%s: MADV_DONTNEED on VM_PFNMAP: %s",
			     f->m->name, ret ? strerror(errno) : "succeeded");
	} else if (ret) {
		fail(f->v, "%s: MADV_DONTNEED: %s", f->m->name,
		     strerror(errno));
	} else {
		f->zapped = true;
	}
}

static __u32 child_mark(unsigned long nfork, size_t page)
{
	return 0x80000000u | (nfork & 0xffff) << 8 | page;
}

/*
 * In a fork()ed child, with only async-signal-safe calls: store a mark in
 * CHILD_WORD of each page and read it back, and check that each toucher's
 * word names that toucher and that page (or is still 0). Returns bit 0 for
 * a wrong word, bit 1 for a SIGBUS, bit 2 for a SIGSEGV.
 */
static int fvu_child(struct fvu *f, unsigned long nfork)
{
	int bits = 0;

	for (size_t i = 0; i < f->pages; i++) {
		__u32 mark = child_mark(nfork, i), val = 0;
		int sig = guarded_store(word_at(f->base, i, CHILD_WORD), mark);

		if (!sig)
			sig = guarded_load(word_at(f->base, i, CHILD_WORD), &val);
		if (!sig && val != mark)
			bits |= 1;
		for (unsigned int t = 0; !sig && t < f->ntouchers; t++) {
			sig = guarded_load(word_at(f->base, i, t), &val);
			if (!sig && val &&
			    (val >> 28 != t || (val >> 20 & 0xff) != i))
				bits |= 1;
		}
		if (sig == SIGBUS)
			bits |= 2;
		else if (sig == SIGSEGV)
			bits |= 4;
	}
	return bits;
}

static void op_fork(struct fvu *f)
{
	unsigned long nfork = ++f->forks;
	int status, bits;
	pid_t pid;

	pid = fork();
	if (pid == 0)
		_exit(fvu_child(f, nfork));
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		fail(f->v, "%s: fork or wait: %s", f->m->name, strerror(errno));
		return;
	}
	if (!WIFEXITED(status)) {
		fail(f->v, "%s: fork()ed child ended with status %#x",
		     f->m->name, status);
		return;
	}
	bits = WEXITSTATUS(status);
	if (bits & 1)
		fail(f->v, "%s: a child read a word it or a toucher did not store there",
		     f->m->name);
	if ((bits & 2) && !(dontneed_leaves_holes(f->m) && f->zapped))
		fail(f->v, "%s: SIGBUS in a child, no hole to explain it",
		     f->m->name);
	if (!(bits & 4) != !has(f->m, M_DONTCOPY))
		fail(f->v, "%s: SIGSEGV in a child: %s, VM_DONTCOPY: %s",
		     f->m->name, bits & 4 ? "yes" : "no",
		     has(f->m, M_DONTCOPY) ? "yes" : "no");
	if (bits & 6)
		return;
	/* The child's stores reached the device's pages. */
	for (size_t i = 0; i < f->pages; i++) {
		__u32 val = 0;

		if (pread(f->fd, &val, sizeof(val), f->off + i * psize +
			  CHILD_WORD * sizeof(val)) != sizeof(val) ||
		    val != child_mark(nfork, i)) {
			fail(f->v, "%s: the child's mark in page %zu: pread %#x, want %#x",
			     f->m->name, i, val, child_mark(nfork, i));
			return;
		}
	}
}

/* The mutator: one step at a time, checking live_vmas after each. */
static void fvu_mutate(struct fvu *f)
{
	unsigned long round = 0;
	size_t a, b;

	do {
		enum fvu_op op = rand_r(&f->seed) % NR_OPS;
		long live, want;

		switch (op) {
		case OP_REMAP:
			op_remap(f, 0, f->pages);
			break;
		case OP_REMAP_PART:
			fvu_range(f, &a, &b);
			op_remap(f, a, b);
			break;
		case OP_MOVE:
			op_move(f);
			break;
		case OP_GROW:
			op_grow(f);
			break;
		case OP_PROTECT:
			op_protect(f);
			break;
		case OP_DONTNEED:
			op_dontneed(f);
			break;
		default:
			op_fork(f);
			break;
		}
		f->ops[op]++;
		/*
		 * One reference per vma, a split vma counting once per piece,
		 * and nobody else maps this device now: exact.
		 */
		live = live_vmas(f->fd);
		want = f->base_live + fvu_pieces(f);
		if (live != want)
			fail(f->v, "%s: after %s: live_vmas %ld, want %ld",
			     f->m->name, op_names[op], live, want);
		fvu_let_touch(f);
	} while (!budget_spent(&f->b, ++round) && !failed(f->v));
	f->rounds = round;
}

/* The first page whose word of toucher @t differs in @buf from its store, or -1. */
static ssize_t fvu_first_lost(struct fvu *f, char *buf, unsigned int t)
{
	for (size_t i = 0; i < f->pages; i++)
		if (*word_at(buf, i, t) != f->t[t].last[i])
			return i;
	return -1;
}

/* Every toucher's word reads, through pread(), what it stored last. */
static void fvu_check_words(struct __test_metadata *_metadata, struct fvu *f)
{
	char *buf = malloc(f->len);
	bool read_ok;

	ASSERT_NE(NULL, buf);
	read_ok = pread_all(f->fd, buf, f->len, f->off);
	EXPECT_TRUE(read_ok) TH_LOG("%s: pread: %m", f->m->name);
	for (unsigned int t = 0; read_ok && t < f->ntouchers; t++) {
		ssize_t i = fvu_first_lost(f, buf, t);

		EXPECT_EQ(-1, i)
			TH_LOG("%s: toucher %u page %zd: pread %#x, stored %#x",
			       f->m->name, t, i, *word_at(buf, i, t),
			       f->t[t].last[i]);
	}
	free(buf);
}

/* What pwrite() writes, a fresh mapping reads; what it writes, pread(). */
static void check_fresh_mapping(struct __test_metadata *_metadata,
				const struct mode *m, int fd, off_t off,
				size_t len, unsigned int pseed)
{
	char *buf = malloc(len);
	ssize_t bad = -1;
	char *p;
	int sig;

	ASSERT_NE(NULL, buf);
	pattern_fill(buf, len, pseed, 0);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("%s: a fresh mmap: %m", m->name);
	ASSERT_TRUE(pwrite_all(fd, buf, len, off))
		TH_LOG("%s: pwrite: %m", m->name);
	/* A signal leaves bad at -1: reported once, as the signal. */
	sig = guarded_check(p, len, pseed, &bad);
	EXPECT_EQ(0, sig)
		TH_LOG("%s: reading a fresh mapping after pwrite", m->name);
	EXPECT_EQ(-1, bad)
		TH_LOG("%s: a fresh mapping differs from pwrite at that byte",
		       m->name);
	sig = guarded_fill(p, len, pseed + 1);
	EXPECT_EQ(0, sig) TH_LOG("%s: writing a fresh mapping", m->name);
	if (!sig) {
		ASSERT_TRUE(pread_all(fd, buf, len, off))
			TH_LOG("%s: pread: %m", m->name);
		EXPECT_EQ(-1, pattern_check(buf, len, pseed + 1, 0))
			TH_LOG("%s: pread differs from a fresh mapping's stores at that byte",
			       m->name);
	}
	munmap(p, len);
	free(buf);
}

/* The counts, and the one check of them: the touchers ran. */
static void fvu_report(struct __test_metadata *_metadata, struct fvu *f)
{
	unsigned long touches = 0, segv = 0, bus = 0;
	char ops[256];
	int n = 0;

	for (unsigned int t = 0; t < f->ntouchers; t++) {
		touches += f->t[t].touches;
		segv += f->t[t].segv;
		bus += f->t[t].bus;
	}
	for (int op = 0; op < NR_OPS; op++)
		n += snprintf(ops + n, sizeof(ops) - n, " %s %lu",
			      op_names[op], f->ops[op]);
	diag("%s: %lu rounds:%s; %u touchers: %lu touches, %lu SIGSEGV, %lu SIGBUS",
	     f->m->name, f->rounds, ops, f->ntouchers, touches, segv, bus);
	EXPECT_LT(0, touches) TH_LOG("%s: the touchers never ran", f->m->name);
}

TEST_F_TIMEOUT(mode, fault_vs_unmap, case_timeout(SLOW_GUEST_MARGIN))
{
	const struct mode *m = variant->mode;
	size_t npages = self->info.size / psize;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct verdict v = { 0 };
	unsigned int started = 0;
	struct fvu *f;
	char *zero;

	f = calloc(1, sizeof(*f));
	ASSERT_NE(NULL, f);
	f->m = m;
	f->v = &v;
	f->fd = self->fd;
	f->pages = npages < FVU_PAGES ? npages : FVU_PAGES;
	f->len = f->pages * psize;
	f->seed = derive_seed("fault_vs_unmap", m->name, 0);
	f->off = (off_t)(rand_r(&f->seed) % (npages - f->pages + 1)) * psize;
	f->base_live = self->before.live;
	f->map_gen = 1;
	/* The toucher's words start at 0, as the child's check expects. */
	zero = calloc(1, f->len);
	ASSERT_NE(NULL, zero);
	ASSERT_TRUE(pwrite_all(f->fd, zero, f->len, f->off))
		TH_LOG("%s: zeroing the window: %m", m->name);
	free(zero);
	f->base = mmap(NULL, f->len, PROT_READ | PROT_WRITE, MAP_SHARED,
		       f->fd, f->off);
	ASSERT_NE(MAP_FAILED, f->base) TH_LOG("%s: mmap: %m", m->name);
	f->alt = mmap(NULL, f->len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1, 0);
	ASSERT_NE(MAP_FAILED, f->alt) TH_LOG("a reservation to move to: %m");

	/* More touchers than CPUs, so that some are preempted mid-fault. */
	f->ntouchers = cpus + 1 < 2 ? 2 : cpus + 1;
	if (f->ntouchers > FVU_MAX_TOUCHERS)
		f->ntouchers = FVU_MAX_TOUCHERS;
	budget_init(&f->b, seconds, FVU_ROUNDS);
	for (; started < f->ntouchers; started++) {
		struct toucher *t = &f->t[started];

		t->f = f;
		t->idx = started;
		t->seed = derive_seed("fault_vs_unmap", m->name, started + 1);
		if (!spawn(&t->tid, touch_loop, t, &v))
			break;
	}
	if (started == f->ntouchers &&
	    !wait_ulong(&f->touches, f->ntouchers))
		fail(&v, "%s: the touchers did not start", m->name);
	if (!failed(&v))
		fvu_mutate(f);
	STORE(&f->stop, 1);
	for (unsigned int t = 0; t < started; t++)
		pthread_join(f->t[t].tid, NULL);

	/* Only this thread is left: the harness's checks from here. */
	EXPECT_TRUE(wait_threads(1))
		TH_LOG("%s: the touchers did not exit", m->name);
	fvu_report(_metadata, f);
	if (!failed(&v) && !_metadata->exit_code)
		fvu_check_words(_metadata, f);
	munmap(f->base, f->len);
	munmap(f->alt, f->len);
	if (f->stray)
		munmap(f->stray, f->stray_len);
	EXPECT_EQ(self->before.live, live_vmas(f->fd))
		TH_LOG("%s: live_vmas after munmap, against the baseline",
		       m->name);
	check_fresh_mapping(_metadata, m, f->fd, f->off, f->len, f->seed);
	expect_baseline(_metadata, m, f->fd, &self->before);
	free(f);
	EXPECT_EQ(0, failures(&v))
		TH_LOG("%s: checks failed in its threads or rounds (the first %d above)",
		       m->name, MAX_DIAGS);
}

/* mkwrite_no_lost_writes */

struct mkw {
	const struct mode *m;
	struct verdict *v;
	struct budget b;
	int fd;
	size_t npages, len, nwords;
	/* Page p is writer p % (nwriters + 1)'s; the last class nobody's. */
	unsigned int nwriters;
	char *shared[MKW_WRITERS][2];	/* two vmas each: mkclean needs both */
	char *priv;			/* MAP_PRIVATE, for the nobody pages */
	__u64 *bits;
	char *snap;			/* a pread() of the whole buffer */
	char *init;			/* the buffer as the case began */
	__u32 *last;			/* word 0 of each page as last stored */
	/* The invariant's bookkeeping; see mkw_check_round(). */
	unsigned long *gen;
	unsigned long *reported_by;
	bool *reported;
	unsigned long cleans;		/* clean calls returned, published */
	unsigned long round_start;
	unsigned long reports;		/* pages reported this round */
	int stop;
	unsigned long rounds, writes, cow_writes, dontneeds, mkwrites;
	unsigned long total_cleans, total_reports;
};

struct mkw_writer {
	struct mkw *k;
	pthread_t tid;
	unsigned int idx;
	unsigned long writes;
};

static bool mkw_nobodys(struct mkw *k, size_t p)
{
	return p % (k->nwriters + 1) == k->nwriters;
}

/* MMLAB_IOC_DIRTY into k->bits: 0, or its errno. */
static int mkw_dirty_ioctl(struct mkw *k, __u32 flags, struct mmlab_dirty *d)
{
	memset(k->bits, 0, k->nwords * sizeof(*k->bits));
	memset(d, 0, sizeof(*d));
	d->bitmap = (uintptr_t)k->bits;
	d->nbits = k->nwords * 64;
	d->flags = flags;
	return ioctl(k->fd, MMLAB_IOC_DIRTY, d) ? errno : 0;
}

/* The same in the threads and the rounds: a failure is the verdict's. */
static bool mkw_dirty(struct mkw *k, __u32 flags, struct mmlab_dirty *d)
{
	int err = mkw_dirty_ioctl(k, flags, d);

	if (err)
		fail(k->v, "MMLAB_IOC_DIRTY(%#x): %s", flags, strerror(err));
	return !err;
}

/* Account the bitmap that clean call number @call returned in @d. */
static void mkw_record(struct mkw *k, const struct mmlab_dirty *d,
		       unsigned long call)
{
	unsigned long n = 0;

	for (size_t p = 0; p < k->nwords * 64; p++) {
		if (!(k->bits[p / 64] >> (p % 64) & 1))
			continue;
		n++;
		if (p >= k->npages) {
			fail(k->v, "dirty bit %zu past the buffer's %zu pages",
			     p, k->npages);
			continue;
		}
		if (mkw_nobodys(k, p))
			fail(k->v, "page %zu reported dirty: only MAP_PRIVATE writes went there",
			     p);
		k->reported_by[p] = call;
		k->reported[p] = true;
	}
	if (n != d->ndirty)
		fail(k->v, "ndirty %u, but %lu bits set", d->ndirty, n);
	k->reports += n;
}

/* Cleans in a loop; publishes each call's number once it is recorded. */
static void *mkw_cleaner(void *arg)
{
	struct mkw *k = arg;
	struct mmlab_dirty d;

	while (!LOAD(&k->stop) && !failed(k->v)) {
		unsigned long call = LOAD(&k->cleans) + 1;

		if (!mkw_dirty(k, MMLAB_DIRTY_CLEAN, &d))
			break;
		mkw_record(k, &d, call);
		STORE(&k->cleans, call);
	}
	return NULL;
}

/*
 * Each pass stores a new value in word 0 of every page this writer owns,
 * after checking the page still holds the previous one. Half the pages
 * alternate between the writer's two vmas, so that a clean that misses a
 * vma leaves a PTE writable; the other half always go through the same
 * vma, so that a PTE left writable with its bit clear stays that way and
 * the later stores that skip page_mkwrite show, rather than a fault
 * through the other vma reporting the page again. gen[] takes the number
 * of cleans returned before the store: an acquire load, so that the store
 * cannot come before it.
 */
static void *mkw_writer(void *arg)
{
	struct mkw_writer *w = arg;
	struct mkw *k = w->k;

	for (unsigned int pass = 0; !failed(k->v); pass++) {
		/* Enough passes, and cleans that ran under them. */
		if (pass >= MKW_PASSES &&
		    LOAD(&k->cleans) >= k->round_start + 2)
			break;
		if (pass && out_of_time(&k->b))
			break;
		for (size_t p = w->idx; p < k->npages; p += k->nwriters + 1) {
			size_t j = p / (k->nwriters + 1);
			char *map = k->shared[w->idx][j & 1 ? pass & 1 :
							  j / 2 & 1];
			__u32 *word = word_at(map, p, 0);
			__u32 val, next = (w->idx + 1) << 28 |
				     (++w->writes & 0x0fffffff);
			unsigned long gen = LOAD(&k->cleans);
			int sig = guarded_load(word, &val);

			if (!sig && val != k->last[p]) {
				fail(k->v, "page %zu: read %#x, stored %#x",
				     p, val, k->last[p]);
				return NULL;
			}
			k->gen[p] = gen;
			if (!sig)
				sig = guarded_store(word, next);
			if (sig) {
				fail(k->v, "writer %u: signal %d on page %zu",
				     w->idx, sig, p);
				return NULL;
			}
			k->last[p] = next;
		}
	}
	return NULL;
}

/*
 * Copy-on-write the nobody pages in a loop: a private copy keeps what was
 * stored in it, and dropping the copies (MADV_DONTNEED) shows the device's
 * page again, untouched. None of it may call page_mkwrite.
 */
static void *mkw_private(void *arg)
{
	struct mkw *k = arg;
	__u32 *mine = calloc(k->npages, sizeof(*mine));
	bool *copied = calloc(k->npages, sizeof(*copied));

	if (!mine || !copied) {
		fail(k->v, "out of memory");
		goto out;
	}
	/* An earlier round's copies are not in mine[]: drop them. */
	if (madvise(k->priv, k->len, MADV_DONTNEED)) {
		fail(k->v, "MADV_DONTNEED private: %s", strerror(errno));
		goto out;
	}
	for (unsigned int pass = 0; !LOAD(&k->stop) && !failed(k->v); pass++) {
		for (size_t p = k->nwriters; p < k->npages;
		     p += k->nwriters + 1) {
			__u32 *word = word_at(k->priv, p, 0);
			__u32 val, want = copied[p] ? mine[p] :
				     *word_at(k->init, p, 0);
			int sig = guarded_load(word, &val);

			if (!sig && val != want) {
				fail(k->v, "private page %zu: read %#x, want %#x",
				     p, val, want);
				goto out;
			}
			mine[p] = 0xc0000000u | pass;
			if (!sig)
				sig = guarded_store(word, mine[p]);
			if (sig) {
				fail(k->v, "private page %zu: signal %d", p,
				     sig);
				goto out;
			}
			copied[p] = true;
			k->cow_writes++;
		}
		if (pass % 4 == 3) {
			if (madvise(k->priv, k->len, MADV_DONTNEED)) {
				fail(k->v, "MADV_DONTNEED private: %s",
				     strerror(errno));
				goto out;
			}
			memset(copied, 0, k->npages * sizeof(*copied));
			k->dontneeds++;
		}
	}
out:
	free(mine);
	free(copied);
	return NULL;
}

/*
 * The invariant. Call C_k (k = 1, 2, ...) is the k-th MMLAB_IOC_DIRTY
 * with MMLAB_DIRTY_CLEAN; cleans is set to k only after C_k returned and
 * was recorded. For a store W to page p that completes at time w:
 *
 *  - The PTE W completes through was made writable by a write fault,
 *    which set p's bit in page_mkwrite and made the PTE writable under
 *    the folio lock (VM_FAULT_LOCKED). mmlab_clean() write-protects the
 *    page's PTEs in every vma (folio_mkclean()) and only then clears the
 *    bit, under the same lock. So at w the bit is set, and it is cleared
 *    only by a call that had p in its snapshot, reported p, and cleaned
 *    after w: a call that returned after w.
 *  - If no call clears it, the final clean, made after the writers were
 *    joined, finds it set and reports p.
 *
 * Either way a call returning after w reports p. The writer read gen =
 * cleans before W: every call numbered gen or less had returned before
 * W began. So some call numbered above gen reports p: reported_by[p],
 * the latest call that reported p, is above the gen of p's last store,
 * and of every earlier one. A lost write breaks this; so does a page
 * cleaned without its PTEs in both vmas write-protected, or a bit cleared
 * between page_mkwrite and the PTE becoming writable.
 *
 * Also exact: the round began with every bit clear and only shared
 * writes set bits, so a page reported this round was written this round,
 * and a nobody page never is; every report needs its own page_mkwrite
 * call, since each clean clears what it reports; after the final clean
 * with nothing writing, nothing is dirty.
 */
static void mkw_check_round(struct mkw *k, const struct mmlab_info *before,
			    const struct mmlab_info *after)
{
	unsigned long mkwrites = after->mkwrite_calls - before->mkwrite_calls;

	for (size_t p = 0; p < k->npages; p++) {
		bool written = k->gen[p] != MKW_NOT_WRITTEN;

		if (written && k->reported_by[p] <= k->gen[p])
			fail(k->v, "page %zu: lost write after clean %lu, last report %lu",
			     p, k->gen[p], k->reported_by[p]);
		if (!written && k->reported[p] && !mkw_nobodys(k, p))
			fail(k->v, "page %zu reported dirty, not written this round",
			     p);
	}
	if (mkwrites < k->reports)
		fail(k->v, "%lu pages reported dirty, %lu page_mkwrite calls",
		     k->reports, mkwrites);
	k->mkwrites += mkwrites;

	if (!pread_all(k->fd, k->snap, k->len, 0)) {
		fail(k->v, "pread: %s", strerror(errno));
		return;
	}
	for (size_t p = 0; p < k->npages; p++) {
		__u32 want = mkw_nobodys(k, p) ? *word_at(k->init, p, 0) :
			     k->last[p];

		if (*word_at(k->snap, p, 0) != want) {
			fail(k->v, "page %zu: pread %#x, want %#x", p,
			     *word_at(k->snap, p, 0), want);
			return;
		}
	}
}

static void mkw_round(struct mkw *k)
{
	struct mkw_writer w[MKW_WRITERS] = { 0 };
	struct mmlab_info before, after;
	unsigned int nwriters = 0;
	bool cleaner = false, priv = false;
	pthread_t ctid, ptid;
	struct mmlab_dirty d;

	k->round_start = k->cleans;
	k->reports = 0;
	for (size_t p = 0; p < k->npages; p++) {
		k->gen[p] = MKW_NOT_WRITTEN;
		k->reported[p] = false;
	}
	if (!mmlab_info(k->fd, &before)) {
		fail(k->v, "MMLAB_IOC_INFO: %s", strerror(errno));
		return;
	}
	STORE(&k->stop, 0);
	cleaner = spawn(&ctid, mkw_cleaner, k, k->v);
	priv = cleaner && spawn(&ptid, mkw_private, k, k->v);
	for (; priv && nwriters < k->nwriters; nwriters++) {
		w[nwriters].k = k;
		w[nwriters].idx = nwriters;
		if (!spawn(&w[nwriters].tid, mkw_writer, &w[nwriters], k->v))
			break;
	}
	for (unsigned int i = 0; i < nwriters; i++) {
		pthread_join(w[i].tid, NULL);
		k->writes += w[i].writes;
	}
	STORE(&k->stop, 1);
	if (cleaner)
		pthread_join(ctid, NULL);
	if (priv)
		pthread_join(ptid, NULL);
	if (failed(k->v))
		return;

	/* Nothing writes now: one more clean reports what is still dirty, */
	if (!mkw_dirty(k, MMLAB_DIRTY_CLEAN, &d))
		return;
	mkw_record(k, &d, k->cleans + 1);
	k->cleans++;
	/* and leaves nothing dirty. */
	if (mkw_dirty(k, 0, &d) && d.ndirty)
		fail(k->v, "%u pages dirty after the final clean", d.ndirty);
	if (!mmlab_info(k->fd, &after)) {
		fail(k->v, "MMLAB_IOC_INFO: %s", strerror(errno));
		return;
	}
	mkw_check_round(k, &before, &after);
	k->total_cleans += k->cleans - k->round_start;
	k->total_reports += k->reports;
}

/* Before the rounds: the buffer, its mappings, and no page dirty. */
static void mkw_setup(struct __test_metadata *_metadata, struct mkw *k,
		      unsigned int pseed)
{
	struct mmlab_dirty d;

	k->nwords = (k->npages + 63) / 64;
	k->bits = calloc(k->nwords, sizeof(*k->bits));
	k->snap = malloc(k->len);
	k->init = malloc(k->len);
	k->last = calloc(k->npages, sizeof(*k->last));
	k->gen = calloc(k->npages, sizeof(*k->gen));
	k->reported_by = calloc(k->npages, sizeof(*k->reported_by));
	k->reported = calloc(k->npages, sizeof(*k->reported));
	ASSERT_TRUE(k->bits && k->snap && k->init && k->last && k->gen &&
		    k->reported_by && k->reported) TH_LOG("out of memory");
	pattern_fill(k->init, k->len, pseed, 0);
	ASSERT_TRUE(pwrite_all(k->fd, k->init, k->len, 0)) TH_LOG("pwrite: %m");
	for (size_t p = 0; p < k->npages; p++)
		k->last[p] = *word_at(k->init, p, 0);

	for (unsigned int i = 0; i < k->nwriters; i++) {
		for (int j = 0; j < 2; j++) {
			k->shared[i][j] = mmap(NULL, k->len,
					       PROT_READ | PROT_WRITE,
					       MAP_SHARED, k->fd, 0);
			ASSERT_NE(MAP_FAILED, k->shared[i][j])
				TH_LOG("mmap: %m");
		}
	}
	k->priv = mmap(NULL, k->len, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		       k->fd, 0);
	ASSERT_NE(MAP_FAILED, k->priv) TH_LOG("mmap MAP_PRIVATE: %m");
	/* What earlier tests left dirty is not this test's: clean it. */
	ASSERT_EQ(0, mkw_dirty_ioctl(k, MMLAB_DIRTY_CLEAN, &d))
		TH_LOG("MMLAB_IOC_DIRTY(MMLAB_DIRTY_CLEAN): %m");
	ASSERT_EQ(0, mkw_dirty_ioctl(k, 0, &d)) TH_LOG("MMLAB_IOC_DIRTY: %m");
	ASSERT_EQ(0, d.ndirty) TH_LOG("pages dirty after a clean, nothing writing");
}

static void mkw_teardown(struct mkw *k)
{
	for (unsigned int i = 0; i < MKW_WRITERS; i++)
		for (int j = 0; j < 2; j++)
			if (k->shared[i][j] && k->shared[i][j] != MAP_FAILED)
				munmap(k->shared[i][j], k->len);
	if (k->priv && k->priv != MAP_FAILED)
		munmap(k->priv, k->len);
	free(k->bits);
	free(k->snap);
	free(k->init);
	free(k->last);
	free(k->gen);
	free(k->reported_by);
	free(k->reported);
}

/* Beyond word 0 of each page, the buffer is as the case wrote it. */
static void mkw_check_rest(struct __test_metadata *_metadata, struct mkw *k)
{
	bool read_ok = pread_all(k->fd, k->snap, k->len, 0);
	ssize_t changed = -1;

	EXPECT_TRUE(read_ok) TH_LOG("pread: %m");
	for (size_t p = 0; read_ok && changed < 0 && p < k->npages; p++) {
		size_t at = p * psize + sizeof(__u32);

		if (memcmp(k->snap + at, k->init + at, psize - sizeof(__u32)))
			changed = p;
	}
	EXPECT_EQ(-1, changed) TH_LOG("that page changed beyond word 0");
}

TEST_F_TIMEOUT(mode, mkwrite_no_lost_writes, case_timeout(SLOW_GUEST_MARGIN))
{
	const struct mode *m = variant->mode;
	unsigned int pseed = derive_seed("mkwrite_no_lost_writes", m->name, 0);
	struct verdict v = { 0 };
	struct mkw k = {
		.m = m,
		.v = &v,
		.fd = self->fd,
		.npages = self->info.size / psize,
		.len = self->info.size,
	};

	if (!has(m, M_MKWRITE))
		SKIP(return, "%s: no page_mkwrite: writes are not tracked",
		     m->name);
	if (k.npages < 2)
		SKIP(return, "%s: one page: no pages to share out", m->name);
	k.nwriters = k.npages - 1 < MKW_WRITERS ? k.npages - 1 : MKW_WRITERS;
	mkw_setup(_metadata, &k, pseed);
	budget_init(&k.b, seconds, MKW_ROUNDS);
	do {
		mkw_round(&k);
	} while (!budget_spent(&k.b, ++k.rounds) && !failed(&v));

	/* Every round joined its threads: the harness's checks from here. */
	EXPECT_TRUE(wait_threads(1)) TH_LOG("the writers did not exit");
	diag("%s: %lu rounds: %u writers, %lu stores, %lu mkwrites",
	     m->name, k.rounds, k.nwriters, k.writes, k.mkwrites);
	diag("%s: %lu cleans reported %lu pages; %lu private stores, %lu DONTNEED",
	     m->name, k.total_cleans, k.total_reports, k.cow_writes,
	     k.dontneeds);
	if (!failed(&v) && !_metadata->exit_code)
		mkw_check_rest(_metadata, &k);
	mkw_teardown(&k);
	expect_baseline(_metadata, m, k.fd, &self->before);
	EXPECT_EQ(0, failures(&v))
		TH_LOG("%s: checks failed in its threads or rounds (the first %d above)",
		       m->name, MAX_DIAGS);
}

/* map_touch_unmap_cycles */

struct cycles {
	const struct mode *m;
	struct verdict *v;
	int fd;
	size_t npages;
	unsigned int seed;
	unsigned long mapped, private, refused, pages;
};

static __u32 cycle_mark(unsigned long n, size_t page)
{
	return (__u32)n << 10 | page;
}

/*
 * Map a random part of the buffer, read and write a word of every page,
 * and check one page's word through pread(): a shared store must be
 * there, on the page vm_pgoff names; a private one must not.
 */
static void one_cycle(struct cycles *c, unsigned long n)
{
	size_t first = rand_r(&c->seed) % c->npages;
	size_t most = c->npages - first;
	size_t pages, j, len;
	bool private = rand_r(&c->seed) % 4 == 0;
	__u32 dev_word = 0, mine = 0, got = 0, val;
	int sig = 0;
	char *p;

	if (most > CYCLE_MAX_PAGES)
		most = CYCLE_MAX_PAGES;
	pages = 1 + rand_r(&c->seed) % most;
	j = rand_r(&c->seed) % pages;
	len = pages * psize;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 private ? MAP_PRIVATE : MAP_SHARED, c->fd, first * psize);
	if (private && !maps_private(c->m)) {
		if (p != MAP_FAILED || errno != EINVAL)
			fail(c->v, "%s: MAP_PRIVATE: %s, want EINVAL",
			     c->m->name, p == MAP_FAILED ? strerror(errno) :
			     "mapped");
		if (p != MAP_FAILED)
			munmap(p, len);
		c->refused++;
		return;
	}
	if (p == MAP_FAILED) {
		fail(c->v, "%s: mmap %zu pages at page %zu: %s", c->m->name,
		     pages, first, strerror(errno));
		return;
	}
	c->mapped++;
	c->private += private;
	for (size_t i = 0; i < pages && !sig; i++) {
		__u32 *w = word_at(p, i, 1);

		val = cycle_mark(n, first + i);
		sig = guarded_load(w, &got);
		if (i == j) {
			dev_word = got;
			mine = val;
		}
		if (!sig)
			sig = guarded_store(w, val);
	}
	if (sig) {
		fail(c->v, "%s: signal %d touching %zu pages at page %zu",
		     c->m->name, sig, pages, first);
	} else if (pread(c->fd, &got, sizeof(got), (first + j) * psize +
			 sizeof(got)) != sizeof(got) ||
		   got != (private ? dev_word : mine)) {
		fail(c->v, "%s: %s mapping, page %zu: pread %#x, want %#x",
		     c->m->name, private ? "private" : "shared", first + j,
		     got, private ? dev_word : mine);
	} else if (private && (guarded_load(word_at(p, j, 1), &got) ||
			       got != mine)) {
		fail(c->v, "%s: private page %zu lost its copy", c->m->name,
		     first + j);
	}
	c->pages += pages;
	if (munmap(p, len))
		fail(c->v, "%s: munmap: %s", c->m->name, strerror(errno));
}

TEST_F_TIMEOUT(mode, map_touch_unmap_cycles, case_timeout(SLOW_GUEST_MARGIN))
{
	const struct mode *m = variant->mode;
	struct verdict v = { 0 };
	struct mmlab_info after;
	struct cycles c = {
		.m = m,
		.v = &v,
		.fd = self->fd,
		.npages = self->info.size / psize,
		.seed = derive_seed("map_touch_unmap_cycles", m->name, 0),
	};
	struct budget b;
	unsigned long n = 0;

	budget_init(&b, seconds, CYCLES);
	do {
		one_cycle(&c, n);
		/* Every vma is gone once munmap() returns: exact. */
		if (n % 64 == 63 && live_vmas(c.fd) != self->before.live)
			fail(&v, "%s: cycle %lu: live_vmas %ld, baseline %ld",
			     m->name, n, live_vmas(c.fd), self->before.live);
	} while (!budget_spent(&b, ++n) && !failed(&v));

	ASSERT_TRUE(mmlab_info(c.fd, &after))
		TH_LOG("%s: MMLAB_IOC_INFO: %m", m->name);
	diag("%s: %lu cycles: %lu mapped, %lu private, %lu refused",
	     m->name, n, c.mapped, c.private, c.refused);
	diag("%s: %lu pages touched, %llu faults", m->name, c.pages,
	     (unsigned long long)(after.faults - self->info.faults));
	EXPECT_EQ(c.mapped, after.mmap_calls - self->info.mmap_calls)
		TH_LOG("%s: mmap() calls that succeeded, against mmap_calls",
		       m->name);
	expect_baseline(_metadata, m, c.fd, &self->before);
	EXPECT_EQ(0, failures(&v))
		TH_LOG("%s: checks failed in its cycles (the first %d above)",
		       m->name, MAX_DIAGS);
}

/* delete_module_vs_use */

enum { DMU_IDLE, DMU_HOLDING, DMU_TRIED };

/* How the user thread holds a device in lockstep rounds. */
enum { BY_FILE, BY_MAPPING, BY_BOTH, BY_CHILD, NR_HOLDS };

struct dmu {
	struct verdict *v;
	struct budget b;
	int kofd;
	char params[64];
	const struct mode *devs[ARRAY_SIZE(modes)];
	size_t ndevs;
	char *buf;
	/* Lockstep: the state, and refusals the refuser saw. */
	unsigned long state;
	int unsupported;		/* errno: no unloading here at all */
	unsigned long holds[NR_HOLDS], refusals;
	/* Free running. */
	unsigned long holding;		/* between open() and close() */
	unsigned long cycles, gone, attempts, refused, unloads;
	int stop;
};

static int delete_mmlab(void)
{
	return syscall(SYS_delete_module, "mmlab", O_NONBLOCK) ? errno : 0;
}

static int load_mmlab(struct dmu *d)
{
	return syscall(SYS_finit_module, d->kofd, d->params, 0) ? errno : 0;
}

static bool mmlab_loaded(void)
{
	return !access("/sys/module/mmlab", F_OK);
}

/* Holders of mmlab other than open files: modules that use it. */
static int mmlab_holders(void)
{
	DIR *dir = opendir("/sys/module/mmlab/holders");
	struct dirent *e;
	int n = 0;

	if (!dir)
		return 0;
	while ((e = readdir(dir)))
		n += e->d_name[0] != '.';
	closedir(dir);
	return n;
}

/*
 * The refuser: each time the user thread holds a device, delete_module()
 * must fail. In use, the kernel says EWOULDBLOCK (EAGAIN); EBUSY would
 * mean mmlab is still loading or already going, also a refusal.
 */
static void *dmu_refuser(void *arg)
{
	struct dmu *d = arg;

	while (!LOAD(&d->stop)) {
		int err;

		if (LOAD(&d->state) != DMU_HOLDING) {
			sched_yield();
			continue;
		}
		for (int i = 0; i < 2; i++) {
			err = delete_mmlab();
			if (err == EAGAIN || err == EBUSY) {
				d->refusals++;
			} else if (err == EPERM) {
				d->unsupported = err;
			} else if (!err) {
				fail(d->v, "delete_module succeeded while a device was held");
				if (load_mmlab(d))
					fail(d->v, "finit_module: %s",
					     strerror(errno));
			} else {
				fail(d->v, "delete_module: %s", strerror(err));
			}
		}
		if (!mmlab_loaded())
			fail(d->v, "mmlab left /sys/module while held");
		STORE(&d->state, DMU_TRIED);
	}
	return NULL;
}

/* The user's side of one lockstep round. */
static void dmu_hold(struct dmu *d, unsigned long r)
{
	const struct mode *m = d->devs[r % d->ndevs];
	int how = r / d->ndevs % NR_HOLDS, pipes[2][2] = { { -1, -1 },
							     { -1, -1 } };
	unsigned int pseed = derive_seed("delete_module_vs_use", m->name, r);
	struct mmlab_info info;
	pid_t child = -1;
	ssize_t bad = 0;
	size_t len;
	char token;
	double end;
	char *p;
	int fd, sig;

	/* A child holds nothing where fork() does not copy the vma. */
	if (how == BY_CHILD && has(m, M_DONTCOPY))
		how = BY_BOTH;
	fd = open_mode(m, &info, d->v);
	if (fd < 0)
		return;
	len = info.size < DMU_PAGES * psize ? info.size : DMU_PAGES * psize;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		fail(d->v, "%s: mmap: %s", m->name, strerror(errno));
		close(fd);
		return;
	}
	sig = guarded_fill(p, len, pseed);
	if (sig)
		fail(d->v, "%s: signal %d filling a new mapping", m->name, sig);

	/* pipes[0]: child to parent, "ready"; pipes[1]: parent to child, "go". */
	if (how == BY_CHILD) {
		if (pipe(pipes[0]) || pipe(pipes[1])) {
			fail(d->v, "pipe: %s", strerror(errno));
			how = BY_BOTH;
		} else {
			child = fork();
		}
		if (child == 0) {
			/* Only this child's mapping holds mmlab now. */
			close(fd);
			close(pipes[0][0]);
			close(pipes[1][1]);
			if (write(pipes[0][1], "r", 1) != 1 ||
			    read(pipes[1][0], &token, 1) != 1)
				_exit(2);
			sig = guarded_check(p, len, pseed, &bad);
			_exit(sig || bad >= 0);
		}
		if (child < 0 && how == BY_CHILD) {
			fail(d->v, "fork: %s", strerror(errno));
			how = BY_BOTH;
		}
		/* Ends the other side holds: EOF, not a hang, if it dies. */
		for (int i = 0; child > 0 && i < 2; i++) {
			close(pipes[i][!i]);
			pipes[i][!i] = -1;
		}
	}
	d->holds[how]++;
	if (how == BY_FILE || how == BY_CHILD) {
		munmap(p, len);
		p = NULL;
	}
	if (how == BY_MAPPING || how == BY_CHILD) {
		close(fd);
		fd = -1;
	}
	if (how == BY_CHILD && read(pipes[0][0], &token, 1) != 1) {
		/* Nothing holds mmlab: the refuser must not try now. */
		fail(d->v, "the child holding mmlab died");
		goto release;
	}

	/* Touch what we hold while the refuser tries to unload. */
	STORE(&d->state, DMU_HOLDING);
	end = now() + WAIT_LIMIT;
	while (LOAD(&d->state) != DMU_TRIED) {
		if (now() >= end) {
			fail(d->v, "the refuser never answered");
			break;
		}
		if (!p) {
			sched_yield();
			continue;
		}
		sig = guarded_check(p, len, pseed, &bad);
		if (sig || bad >= 0) {
			fail(d->v, "%s: held mapping: signal %d, byte %zd differs",
			     m->name, sig, bad);
			break;
		}
	}
	if (fd >= 0 && (!pread_all(fd, d->buf, len, 0) ||
			pattern_check(d->buf, len, pseed, 0) >= 0))
		fail(d->v, "%s: pread from the held file differs", m->name);
release:
	if (child > 0) {
		int status;

		if (write(pipes[1][1], "g", 1) != 1 ||
		    waitpid(child, &status, 0) != child ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			fail(d->v, "%s: the child's mapping lost its bytes",
			     m->name);
	}
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++)
			if (pipes[i][j] >= 0)
				close(pipes[i][j]);
	if (p)
		munmap(p, len);
	if (fd >= 0)
		close(fd);
	STORE(&d->state, DMU_IDLE);
}

/* Lockstep: every delete_module() fails while a device is held. */
static void dmu_lockstep(struct dmu *d, double secs)
{
	unsigned long r = 0;
	pthread_t tid;

	STORE(&d->stop, 0);
	if (!spawn(&tid, dmu_refuser, d, d->v))
		return;
	budget_init(&d->b, secs, DMU_ROUNDS);
	do {
		dmu_hold(d, r);
	} while (!budget_spent(&d->b, ++r) && !failed(d->v) &&
		 !d->unsupported);
	STORE(&d->stop, 1);
	pthread_join(tid, NULL);
	if (!wait_threads(1))
		fail(d->v, "the refuser did not exit");
	diag("lockstep: %lu rounds, %lu delete_module calls refused", r,
	     d->refusals);
	diag("held by file %lu, mapping %lu, both %lu, child's mapping %lu",
	     d->holds[BY_FILE], d->holds[BY_MAPPING], d->holds[BY_BOTH],
	     d->holds[BY_CHILD]);
}

/*
 * One use of a device in the free-running part: either open() fails
 * because mmlab is not there (ENOENT: no node; ENODEV: node, no driver;
 * ENXIO: no device), or the device works from open() to close().
 */
static void dmu_use(struct dmu *d, const struct mode *m, unsigned int pseed)
{
	struct mmlab_info info;
	char path[64];
	size_t len;
	char *p;
	int fd, sig;

	dev_path(path, sizeof(path), m);
	fd = open(path, O_RDWR);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
			d->gone++;
		else
			fail(d->v, "open %s: %s", path, strerror(errno));
		return;
	}
	STORE(&d->holding, 1);
	if (!mmlab_info(fd, &info)) {
		fail(d->v, "%s: MMLAB_IOC_INFO: %s", m->name, strerror(errno));
		goto out;
	}
	len = info.size < DMU_PAGES * psize ? info.size : DMU_PAGES * psize;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		fail(d->v, "%s: mmap: %s", m->name, strerror(errno));
		goto out;
	}
	sig = guarded_fill(p, len, pseed);
	if (sig || !pread_all(fd, d->buf, len, 0) ||
	    pattern_check(d->buf, len, pseed, 0) >= 0)
		fail(d->v, "%s: signal %d, or pread differs from the mapping",
		     m->name, sig);
	munmap(p, len);
out:
	/* Cleared before close(): from here only fd holds mmlab. */
	STORE(&d->holding, 0);
	close(fd);
}

static void *dmu_user(void *arg)
{
	struct dmu *d = arg;
	unsigned int s = derive_seed("delete_module_vs_use", "user", 0);

	while (!LOAD(&d->stop) && !failed(d->v)) {
		dmu_use(d, d->devs[rand_r(&s) % d->ndevs], rand_r(&s));
		__atomic_add_fetch(&d->cycles, 1, __ATOMIC_RELEASE);
		/* Nothing held: a window for the unloader on a small guest. */
		sched_yield();
	}
	return NULL;
}

/*
 * Free running: unload whenever delete_module() lets us, and load again
 * at once. A successful delete_module() means mmlab's count was zero:
 * then the user thread cannot be between open() and close().
 */
static void dmu_free_run(struct dmu *d, double secs)
{
	unsigned long n = 0, most = stress ? DMU_UNLOADS * STRESS_FACTOR :
						DMU_UNLOADS;
	pthread_t tid;

	STORE(&d->stop, 0);
	if (!spawn(&tid, dmu_user, d, d->v))
		return;
	if (!wait_ulong(&d->cycles, 1))
		fail(d->v, "the user thread did not start");
	budget_init(&d->b, secs, DMU_ATTEMPTS);
	while (!budget_spent(&d->b, n++) && !failed(d->v) &&
	       d->unloads < most) {
		int err = delete_mmlab();
		unsigned long since;

		d->attempts++;
		if (err == EAGAIN || err == EBUSY) {
			d->refused++;
			sched_yield();
			continue;
		}
		if (err) {
			fail(d->v, "delete_module: %s", strerror(err));
			break;
		}
		d->unloads++;
		if (LOAD(&d->holding))
			fail(d->v, "delete_module succeeded while a device was open");
		if (mmlab_loaded())
			fail(d->v, "mmlab still in /sys/module after unloading");
		err = load_mmlab(d);
		if (err) {
			fail(d->v, "finit_module %s: %s", ko_path,
			     strerror(err));
			break;
		}
		/* Let the user find the new module: pacing only. */
		since = LOAD(&d->cycles);
		while (LOAD(&d->cycles) < since + 2 && !out_of_time(&d->b) &&
		       !failed(d->v))
			sched_yield();
	}
	STORE(&d->stop, 1);
	pthread_join(tid, NULL);
	diag("free running: %lu delete_module calls, %lu refused, %lu reloads",
	     d->attempts, d->refused, d->unloads);
	diag("free running: %lu uses, %lu found no device", d->cycles, d->gone);
}

/* The pages of every device's buffer, from the module's parameters. */
static unsigned long all_buffer_pages(void)
{
	unsigned long pages = 0;

	for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
		pages += read_number(size_param(&modes[i])) / psize;
	return pages;
}

/*
 * A module just loaded: each device opens, has counted nothing, holds its
 * pages, and maps, every page reaching the buffer.
 */
static void dmu_fresh(struct __test_metadata *_metadata, const char *when)
{
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		const struct mode *m = &modes[i];
		struct mmlab_info info;
		ssize_t unwritten = -1;
		size_t npages, len;
		char why[160], *p, *buf;
		bool read_ok = false;
		int fd, sig = 0;

		fd = open_checked(m, &info, why, sizeof(why));
		EXPECT_LE(0, fd) TH_LOG("%s: %s", when, why);
		if (fd < 0)
			continue;
		npages = info.size / psize;
		len = info.size;
		EXPECT_EQ(0, info.mmap_calls) TH_LOG("%s: %s", when, m->name);
		EXPECT_EQ(0, info.faults) TH_LOG("%s: %s", when, m->name);
		EXPECT_EQ(0, info.map_pages_calls) TH_LOG("%s: %s", when, m->name);
		EXPECT_EQ(0, info.mkwrite_calls) TH_LOG("%s: %s", when, m->name);
		EXPECT_EQ(0, info.live_vmas) TH_LOG("%s: %s", when, m->name);
		/* pages_allocated counts the buffers of every device. */
		EXPECT_EQ(all_buffer_pages(), info.pages_allocated)
			TH_LOG("%s: %s", when, m->name);
		buf = malloc(len);
		ASSERT_NE(NULL, buf);
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		EXPECT_NE(MAP_FAILED, p) TH_LOG("%s: %s: mmap: %m", when, m->name);
		if (p != MAP_FAILED) {
			for (size_t pg = 0; pg < npages && !sig; pg++)
				sig = guarded_store(word_at(p, pg, 0),
						    cycle_mark(i, pg));
			EXPECT_EQ(0, sig)
				TH_LOG("%s: %s: storing through the mapping",
				       when, m->name);
			read_ok = pread_all(fd, buf, len, 0);
			EXPECT_TRUE(read_ok)
				TH_LOG("%s: %s: pread: %m", when, m->name);
			munmap(p, len);
		}
		for (size_t pg = 0; read_ok && !sig && unwritten < 0 && pg < npages;
		     pg++)
			if (*word_at(buf, pg, 0) != cycle_mark(i, pg))
				unwritten = pg;
		EXPECT_EQ(-1, unwritten)
			TH_LOG("%s: %s: that page: pread %#x, stored %#x", when,
			       m->name, *word_at(buf, unwritten, 0),
			       cycle_mark(i, unwritten));
		free(buf);
		EXPECT_EQ(0, live_vmas(fd))
			TH_LOG("%s: %s: after munmap", when, m->name);
		close(fd);
	}
}

/* Unload with nothing held, which must work, and load again. */
static void dmu_reload(struct __test_metadata *_metadata, struct dmu *d,
		       const char *when)
{
	int err;

	ASSERT_EQ(0, read_number("/sys/module/mmlab/refcnt"))
		TH_LOG("%s: mmlab's refcnt with nothing open", when);
	err = delete_mmlab();
	ASSERT_EQ(0, err)
		TH_LOG("%s: delete_module with nothing open: %s", when,
		       strerror(err));
	EXPECT_FALSE(mmlab_loaded())
		TH_LOG("%s: mmlab still in /sys/module after unloading", when);
	err = load_mmlab(d);
	ASSERT_EQ(0, err)
		TH_LOG("%s: finit_module %s: %s", when, ko_path, strerror(err));
	dmu_fresh(_metadata, when);
}

/* Can we unload and load mmlab here? If not, why (for the diagnostic). */
static const char *dmu_why_not(struct dmu *d)
{
	long size = read_number("/sys/module/mmlab/parameters/buf_size");
	long huge = read_number("/sys/module/mmlab/parameters/huge_size");

	if (size <= 0 || huge <= 0)
		return "cannot read mmlab's buf_size and huge_size";
	/* Load it again as it is now, not with the defaults. */
	snprintf(d->params, sizeof(d->params), "buf_size=%ld huge_size=%ld",
		 size, huge);
	if (d->kofd < 0)
		return "cannot open the module file";
	if (read_number("/sys/module/mmlab/refcnt") != 0)
		return "something else holds mmlab";
	if (mmlab_holders())
		return "modules depending on mmlab are loaded";
	return NULL;
}

/*
 * Declared after fixture "mode", so that it runs after all of its tests:
 * it unloads the module they use. The teardown loads mmlab again if the
 * test, a failed ASSERT or a signal left it unloaded.
 */
FIXTURE(module) {
	struct verdict v;
	struct dmu d;
	bool was_loaded;
	double start;
};

/* mmlab.ko, for delete_module_vs_use and whoever loads it again. */
static const char *module_path(void)
{
	const char *ko = getenv("MMLAB_MODULE");

	return ko && *ko ? ko : DEFAULT_MODULE;
}

/* Load mmlab from module_path() with @params; 0 or an errno. */
static int reload_mmlab(const char *params)
{
	int fd = open(module_path(), O_RDONLY | O_CLOEXEC);
	int err;

	if (fd < 0)
		return errno;
	err = syscall(SYS_finit_module, fd, params, 0) ? errno : 0;
	close(fd);
	return err;
}

FIXTURE_SETUP(module)
{
	self->start = now();
	print_seed();
	/* Signal handlers are per process: each test's, installed here. */
	ASSERT_TRUE(install_guard()) TH_LOG("sigaction: %m");
	ko_path = module_path();
	self->d.v = &self->v;
	self->d.kofd = open(ko_path, O_RDONLY | O_CLOEXEC);
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
		self->d.devs[self->d.ndevs++] = &modes[i];
	self->d.buf = malloc(DMU_PAGES * psize);
	ASSERT_NE(NULL, self->d.buf);
	self->was_loaded = mmlab_loaded();
}

/*
 * In the test's parent, after the test's process has ended, however it
 * ended: a fault nobody armed for between an unload and its load kills
 * the test, not this. @self is shared with the test, but its file
 * descriptor and buffer were the test's own.
 */
FIXTURE_TEARDOWN_PARENT(module)
{
	if (self->was_loaded && !mmlab_loaded()) {
		int err = reload_mmlab(self->d.params);

		TH_LOG("teardown: mmlab was left unloaded; loading %s again",
		       module_path());
		EXPECT_EQ(0, err)
			TH_LOG("finit_module %s: %s", module_path(),
			       strerror(err));
	}
	if (_metadata->exit_code != KSFT_SKIP)
		diag("%s took %.1f s", _metadata->name, now() - self->start);
}

/*
 * A test that runs out of time is killed with its parent, teardown and
 * all: the harness's own process loads mmlab again as it exits, with the
 * defaults, if it was loaded when the program started. Only that process:
 * the tests' children inherit the handler too.
 */
static pid_t harness_pid;
static bool loaded_at_start;

static void reload_at_exit(void)
{
	if (getpid() == harness_pid && loaded_at_start && !mmlab_loaded())
		reload_mmlab("");
}

static void __attribute__((constructor)) reload_registered(void)
{
	harness_pid = getpid();
	loaded_at_start = mmlab_loaded();
	atexit(reload_at_exit);
}

TEST_F_TIMEOUT(module, delete_module_vs_use, case_timeout(DMU_MARGIN))
{
	double secs = seconds / 2 < 1 ? 1 : seconds / 2;
	struct dmu *d = &self->d;
	const char *why_not;
	int err;

	ASSERT_TRUE(self->was_loaded) TH_LOG("mmlab is not loaded");
	/* Without CONFIG_MODULE_UNLOAD there is no refcnt, and no unloading. */
	if (access("/sys/module/mmlab/refcnt", F_OK))
		SKIP(return, "no /sys/module/mmlab/refcnt: modules cannot unload");
	why_not = dmu_why_not(d);

	dmu_lockstep(d, secs);
	/* Its threads are joined: the lockstep part's verdict. */
	ASSERT_EQ(0, failures(&self->v))
		TH_LOG("lockstep: checks failed (the first %d above)",
		       MAX_DIAGS);
	if (d->unsupported) {
		diag("delete_module: %s: no unloading here",
		     strerror(d->unsupported));
		why_not = "delete_module is not allowed";
	}
	if (why_not) {
		/* A skip, unless a check above failed. */
		if (!_metadata->exit_code)
			SKIP(return, "free running and reloading: %s (%s)",
			     why_not, ko_path);
		return;
	}

	/* Unloading and loading work at all, and the devices come back. */
	dmu_reload(_metadata, d, "before the race");
	if (_metadata->exit_code)
		return;
	dmu_free_run(d, secs);
	EXPECT_TRUE(wait_threads(1)) TH_LOG("the user thread did not exit");
	/* The free run loads again each module it unloads. */
	EXPECT_TRUE(mmlab_loaded()) TH_LOG("mmlab not loaded after the race");
	if (!mmlab_loaded()) {
		err = load_mmlab(d);
		ASSERT_EQ(0, err)
			TH_LOG("finit_module %s: %s", ko_path, strerror(err));
	}
	dmu_reload(_metadata, d, "after the race");
	EXPECT_EQ(0, failures(&self->v))
		TH_LOG("free running: checks failed (the first %d above)",
		       MAX_DIAGS);
}

TEST_HARNESS_MAIN
