// SPDX-License-Identifier: GPL-2.0
/*
 * pci_lifecycle_test: the life of mmlab_pci's devices (drivers/pci/), for
 * both drivers: what unbinding releases (the kernel's own lists:
 * /proc/iomem, /proc/interrupts, sysfs, /dev), what happens to a live
 * mapping then, what users racing the unbind see, and rmmod.
 *
 * kselftest harness: fixture "mmlab_pci", whose setup finds QEMU's edu and
 * ivshmem-plain devices in sysfs; each test in a process of its own. Every
 * test leaves mmlab_pci loaded with both devices bound again: the
 * fixture's teardown, which runs in the test's parent process once the
 * test has ended, however it ended (a failed ASSERT, a signal), loads and
 * binds whatever the test left otherwise. The rmmod test, and the
 * teardown, load $MMLAB_PCI_MODULE, else /lib/mmlab/mmlab_pci.ko. Run as
 * root in the test VM with mmlab_pci loaded and, for the page-table walks,
 * mmlab.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/futex.h>
#include <linux/mmlab.h>
#include <linux/mmlab_mm.h>

#include "harness.h"

#include "mmlab_dev.h"
#include "pci_dev.h"
#include "probe.h"

#define DEFAULT_MODULE	"/lib/mmlab/mmlab_pci.ko"

static struct pci_target *const targets[] = { &edu_target, &ivshmem_target };

/* mmlab_pci.ko, for the rmmod test and the teardown to load. */
static const char *module_path(void)
{
	const char *path = getenv("MMLAB_PCI_MODULE");

	return path && *path ? path : DEFAULT_MODULE;
}

static bool module_loaded(void)
{
	return !access("/sys/module/mmlab_pci", F_OK);
}

/* insmod with @params: false, with errno set, when it does not load. */
static bool load_module_params(const char *path, const char *params)
{
	int ko = open(path, O_RDONLY | O_CLOEXEC);
	bool ok;
	int err;

	if (ko < 0)
		return false;
	ok = !syscall(SYS_finit_module, ko, params, 0);
	err = errno;
	close(ko);
	errno = err;
	return ok;
}

static bool load_module(const char *path)
{
	return load_module_params(path, "");
}

/*
 * What the guest had before the test: mmlab_pci loaded, and the first @n
 * of @t bound to their mmlab drivers. Load and bind whatever is not; each
 * change on stderr. False if that fails.
 */
static bool restore_bound(const struct pci_target *t, int n)
{
	const char *path = module_path();
	bool ok = true;
	char drv[64];

	if (!module_loaded()) {
		diag("mmlab_pci is not loaded: loading %s", path);
		if (!load_module(path)) {
			diag("insmod %s: %s", path, strerror(errno));
			ok = false;
		}
	}
	for (int i = 0; i < n; i++) {
		if (*pci_driver_of(&t[i], drv, sizeof(drv)))
			continue;
		diag("%s is unbound: binding it to %s", t[i].bdf, t[i].driver);
		if (!pci_bind(&t[i])) {
			diag("bind %s: %s", t[i].bdf, strerror(errno));
			ok = false;
		}
	}
	return ok;
}

/*
 * The harness kills a test that runs out of time, teardown and all, and
 * the next test's setup restores what it left; after the last test there
 * is none, so the harness's own process restores it as it exits. Only
 * that process: the tests' children inherit the handler too.
 */
static pid_t harness_pid;

static void restore_at_exit(void)
{
	struct pci_target t[] = { edu_target, ivshmem_target };

	if (getpid() == harness_pid && pci_find(&t[0]) && pci_find(&t[1]))
		restore_bound(t, ARRAY_SIZE(t));
}

static void __attribute__((constructor)) restore_registered(void)
{
	harness_pid = getpid();
	atexit(restore_at_exit);
}

/*
 * Setup finds both devices (QEMU always provides them in the test VM:
 * missing is a failure) and restores what an earlier test could not: the
 * harness kills a test that runs out of time, teardown and all. The
 * teardown runs in the test's parent, which does not see the globals that
 * setup filled in the test's process: it restores the copies in @dev.
 */
FIXTURE(mmlab_pci) {
	struct pci_target dev[2];	/* edu, ivshmem, as setup found them */
};

FIXTURE_SETUP(mmlab_pci)
{
	ASSERT_TRUE(pci_find(&edu_target))
		TH_LOG("no edu device with a BAR0: QEMU needs -device edu");
	ASSERT_TRUE(pci_find(&ivshmem_target))
		TH_LOG("no ivshmem device with a BAR2: QEMU needs -device ivshmem-plain");
	self->dev[0] = edu_target;
	self->dev[1] = ivshmem_target;
	ASSERT_TRUE(restore_bound(self->dev, ARRAY_SIZE(self->dev)))
		TH_LOG("could not load mmlab_pci and bind both devices");
}

FIXTURE_TEARDOWN_PARENT(mmlab_pci)
{
	EXPECT_TRUE(restore_bound(self->dev, ARRAY_SIZE(self->dev)))
		TH_LOG("could not load mmlab_pci and bind both devices again");
}

/*
 * On the debug kernel under TCG a bind or an unbind of edu takes about
 * 25 s (in pci_enable_device() and pci_disable_device(): see
 * Documentation/test-runner.rst): a test's timeout allows BIND_S for each
 * one it makes, and a minute for the rest. The teardown runs within it.
 */
#define BIND_S			60
#define BINDS_TIMEOUT(n)	((n) * BIND_S + 60)

/* The resources a bound device holds, each checked in the kernel's lists. */
static void holds_resources(struct __test_metadata *_metadata,
			    const struct pci_target *t, const char *node,
			    bool held)
{
	char drv[64], path[96];
	bool claimed = iomem_claimed(t->bar_start, t->bar_start + t->bar_len - 1,
				     node);
	bool irq = irq_named(node);

	pci_driver_of(t, drv, sizeof(drv));
	snprintf(path, sizeof(path), "/dev/%s", node);
	if (!held) {
		EXPECT_STREQ("", drv) TH_LOG("%s still bound", t->bdf);
		EXPECT_NE(0, access(path, F_OK)) TH_LOG("%s still there", path);
		EXPECT_FALSE(claimed)
			TH_LOG("BAR%d still claimed as %s", t->bar, node);
		EXPECT_FALSE(irq) TH_LOG("%s still in /proc/interrupts", node);
		return;
	}
	EXPECT_STREQ(t->driver, drv) TH_LOG("the driver of %s", t->bdf);
	EXPECT_EQ(0, access(path, F_OK)) TH_LOG("%s: %m", path);
	EXPECT_TRUE(claimed)
		TH_LOG("BAR%d not claimed as %s in /proc/iomem", t->bar, node);
	/* Only edu has an interrupt. */
	EXPECT_EQ(t == &edu_target, irq) TH_LOG("%s in /proc/interrupts", node);
}

/*
 * mmlab_pci's counters in debugfs, @when (for the log), for the PCI
 * devices; the ISA one (pci_pio_test.c), which these tests leave alone,
 * counts as bound with its node when its node exists.
 */
static void counters_are(struct __test_metadata *_metadata, long bound,
			 long nodes, long files, long vmas, const char *when)
{
	long isa = access("/dev/mmlab-pio0", F_OK) == 0;

	EXPECT_EQ(bound + isa, pci_counter("bound")) TH_LOG("%s", when);
	EXPECT_EQ(nodes + isa, pci_counter("nodes")) TH_LOG("%s", when);
	EXPECT_EQ(files, pci_counter("files")) TH_LOG("%s", when);
	EXPECT_EQ(vmas, pci_counter("vmas")) TH_LOG("%s", when);
}

/* Bind @t again if the test left it unbound, whatever else failed. */
static void rebind(struct __test_metadata *_metadata,
		   const struct pci_target *t)
{
	char drv[64];

	if (*pci_driver_of(t, drv, sizeof(drv)))
		return;
	ASSERT_TRUE(pci_bind(t)) TH_LOG("bind %s: %m", t->bdf);
}

/* Unbind each device, see everything released, bind it, see it back. */
TEST_F_TIMEOUT(mmlab_pci, unbind_releases_everything, BINDS_TIMEOUT(4))
{
	counters_are(_metadata, 2, 2, 0, 0, "both bound");
	for (size_t i = 0; i < ARRAY_SIZE(targets); i++) {
		const struct pci_target *t = targets[i];
		char node[64];
		int fd;

		pci_node_of(t, node, sizeof(node));
		ASSERT_NE(0, node[0]) TH_LOG("%s has no node", t->bdf);
		holds_resources(_metadata, t, node, true);
		ASSERT_TRUE(pci_unbind(t)) TH_LOG("unbind %s: %m", t->bdf);
		holds_resources(_metadata, t, node, false);
		counters_are(_metadata, 1, 1, 0, 0, "one unbound");
		rebind(_metadata, t);
		holds_resources(_metadata, t, node, true);
		counters_are(_metadata, 2, 2, 0, 0, "bound again");
		fd = pci_open(t, O_RDWR);
		EXPECT_LE(0, fd) TH_LOG("open %s after binding: %m", node);
		if (fd >= 0)
			close(fd);
	}
}

/*
 * Unbind with the BAR mapped and a file open: the PTEs are zapped, the next
 * access raises SIGBUS, the file fails with ENODEV, and the module stays
 * pinned until the last of them is gone.
 */
static void unbind_while_mapped(struct __test_metadata *_metadata,
				const struct pci_target *t)
{
	unsigned long info = t == &edu_target ? MMLAB_EDU_IOC_INFO :
						MMLAB_IVSHMEM_IOC_INFO;
	int fd = pci_open(t, O_RDWR), fd2 = pci_open(t, O_RDWR);
	struct mmlab_walk before = { 0 }, after = { 0 };
	int sig_before, sig_after;
	char buf[64];
	void *p;

	ASSERT_LE(0, fd) TH_LOG("open: %m");
	ASSERT_LE(0, fd2) TH_LOG("open: %m");
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %m");
	mmio_read32(p, 0);
	ASSERT_TRUE(pte_walk(p, &before)) TH_LOG("walk: %m");
	sig_before = child_read_signal(p);
	ASSERT_TRUE(pci_unbind(t)) TH_LOG("unbind %s: %m", t->bdf);
	EXPECT_TRUE(pte_walk(p, &after)) TH_LOG("walk after unbind: %m");
	sig_after = child_read_signal(p);

	EXPECT_EQ(t->bar_start / 4096, before.pfn) TH_LOG("PTE before unbind");
	EXPECT_NE(0, before.flags) TH_LOG("PTE before unbind");
	EXPECT_EQ(0, sig_before) TH_LOG("read before unbind: signal");
	EXPECT_EQ(0, after.flags)
		TH_LOG("PTE left after unbind: %#llx",
		       (unsigned long long)after.entry[MMLAB_PTE].raw);
	EXPECT_EQ(SIGBUS, sig_after) TH_LOG("read after unbind: signal");
	EXPECT_EQ(-1, ioctl(fd2, info, buf)) TH_LOG("ioctl after unbind");
	EXPECT_EQ(ENODEV, errno) TH_LOG("ioctl after unbind");
	EXPECT_EQ(ENODEV, mmap_errno(fd2, 4096, 0, PROT_READ, MAP_SHARED))
		TH_LOG("mmap after unbind");
	/* Two files: the mapping's and fd2; one node outlives its device. */
	counters_are(_metadata, 1, 2, 2, 1, "unbound, still mapped and open");
	EXPECT_EQ(-1, syscall(SYS_delete_module, "mmlab_pci", O_NONBLOCK))
		TH_LOG("rmmod with a file open");
	EXPECT_EQ(EWOULDBLOCK, errno) TH_LOG("rmmod with a file open");
	munmap(p, 4096);
	close(fd2);
	counters_are(_metadata, 1, 1, 0, 0, "unbound, unmapped and closed");
	rebind(_metadata, t);
	counters_are(_metadata, 2, 2, 0, 0, "bound again");
}

TEST_F_TIMEOUT(mmlab_pci, edu_unbind_while_mapped, BINDS_TIMEOUT(2))
{
	unbind_while_mapped(_metadata, &edu_target);
}

TEST_F_TIMEOUT(mmlab_pci, ivshmem_unbind_while_mapped, BINDS_TIMEOUT(2))
{
	unbind_while_mapped(_metadata, &ivshmem_target);
}

struct dma_race {
	int fd;
	int ret;
	int err;
};

static void *dma_thread(void *arg)
{
	static unsigned char buf[2048];
	struct dma_race *r = arg;
	struct mmlab_edu_dma d = { .buf = (uintptr_t)buf, .len = sizeof(buf) };

	r->ret = ioctl(r->fd, MMLAB_EDU_IOC_DMA_TO_DEV, &d);
	r->err = errno;
	return NULL;
}

/*
 * Unbind while a DMA ioctl may be waiting for its interrupt (the device
 * takes 100 ms): the unbind waits for an ioctl inside the driver, so the
 * ioctl either completes or, reaching the driver after the unbind began,
 * fails with ENODEV; never a timeout from an interrupt freed under it, nor
 * another error. Which of the two happened depends on the scheduler, so
 * both are accepted and the log says which; the 20 ms head start only
 * makes the overlap likely, no assertion depends on it.
 */
TEST_F_TIMEOUT(mmlab_pci, edu_unbind_during_dma, BINDS_TIMEOUT(2))
{
	struct dma_race r = { .fd = pci_open(&edu_target, O_RDWR) };
	struct timespec head_start = { 0, 20 * 1000 * 1000 };
	int unbind_err;
	bool unbound;
	pthread_t tid;

	ASSERT_LE(0, r.fd) TH_LOG("open: %m");
	ASSERT_EQ(0, pthread_create(&tid, NULL, dma_thread, &r));
	nanosleep(&head_start, NULL);
	unbound = pci_unbind(&edu_target);
	unbind_err = errno;
	pthread_join(tid, NULL);
	close(r.fd);
	TH_LOG("the DMA ioctl %s", r.ret ? strerror(r.err) : "completed");
	ASSERT_TRUE(unbound) TH_LOG("unbind: %s", strerror(unbind_err));
	if (r.ret) {
		EXPECT_EQ(ENODEV, r.err) TH_LOG("the DMA ioctl failed: %s",
						strerror(r.err));
	}
	rebind(_metadata, &edu_target);
	counters_are(_metadata, 2, 2, 0, 0, "bound again");
}

/*
 * unbind_races_users: unbind each device while five users hammer it
 * through every door its node has, and check that each of them sees only
 * what include/uapi/linux/mmlab_pci.h promises: success before the unbind,
 * ENODEV after it, SIGBUS through a mapping it zapped; never another errno,
 * a wrong value or a hang. It attacks the class of CVE-2020-12888, where
 * vfio-pci let userspace reach a BAR, through its mmap() or read() and
 * write(), while the device could not take the access (its memory space
 * disabled), fixed by zapping the mappings and faulting them back on
 * demand, as node.c does: here the device is removed while it is mapped,
 * faulted on, remapped, reopened and inside ioctls, so that the revocation
 * of node.c (misc_deregister(), the write side of the node's lock,
 * unmap_mapping_range()) meets each of them mid-flight. After
 * the users are gone the counters must be back to one bound device, and,
 * bound again, the device must work.
 *
 * The users, each with a file of its own:
 *	fault	a child that maps one page of the BAR, closes the file, and
 *		reads the page's first word over and over (SIGBUS caught with
 *		sigsetjmp());
 *	mmap	a child that maps the page, reads it and unmaps it;
 *	ioctl	edu: liveness and factorial, polled and by interrupt;
 *		ivshmem: MMLAB_IVSHMEM_IOC_INFO;
 *	dma/rw	edu: DMA to the device and back; ivshmem: pread() of the
 *		host's half and pwrite() of the guest's (the bytes already
 *		there: see pci_ivshmem_test.c);
 *	reopen	open(), INFO, close().
 *
 * No sleep orders anything: the unbind starts once every user has succeeded
 * at least once (a counter each, and a futex to wait on), and the users are
 * stopped once every one of them has run an operation that began after the
 * unbind returned. An operation is judged by the phase read before it and
 * after it: one that ended before the unbind began must have succeeded, one
 * that began after it returned must have failed as revoked, and one that
 * overlapped may have done either; once a user has seen the device revoked,
 * it may never succeed again (revocation is for good: the node is gone and
 * its files forgot the device). A user that has seen it waits on the phase
 * futex for the unbind to return rather than spin through the rest of it,
 * and one that has run after the unbind waits to be stopped.
 * The rounds: one per device, or as many as MMLAB_STRESS_SECONDS allows.
 */

/* The longest any wait for the users may take: far beyond a hung one. */
#define RACE_WAIT_S	60
#define RACE_DMA_LEN	256
#define RACE_USERS	5

enum race_phase { RACE_BEFORE, RACE_DURING, RACE_AFTER };

enum race_outcome {
	RACE_OK,	/* the call succeeded with the right value */
	RACE_REVOKED,	/* ENODEV (ENOENT too, for open()) */
	RACE_SIGBUS,	/* an access through the mapping */
	RACE_WRONG,	/* success, with a wrong value */
	RACE_ERRNO,	/* any other error */
};

struct race;

/**
 * struct race_user - one user of the device, and what it saw
 * @r: the race
 * @name: for the report
 * @run: its loop
 * @child: run in a child process (where SIGBUS is expected), not a thread
 * @pid: the child
 * @tid: the thread
 * @ok: operations that succeeded
 * @revoked: that failed with ENODEV (or ENOENT, the node gone, for open())
 * @sigbus: accesses through a mapping that raised SIGBUS
 * @after: operations begun after the unbind returned
 * @bad: operations whose outcome the uapi does not allow
 * @done: out of its loop
 * @why: the first bad one
 *
 * Counters are written by the user only and read by the main thread.
 */
struct race_user {
	struct race *r;
	const char *name;
	void (*run)(struct race_user *u);
	bool child;
	pid_t pid;
	pthread_t tid;
	unsigned int ok, revoked, sigbus, after, bad;
	int done;
	char why[192];
};

/**
 * struct race - one round against one device, in memory shared with the
 *	child users
 * @t: the device
 * @path: its node
 * @word: the first word of the mapped BAR: edu's ident, ivshmem's pattern
 * @phase: &enum race_phase; a futex
 * @stop: set once every user has seen the unbind
 * @progress: a futex, bumped at each user's milestones
 * @u: the users
 */
struct race {
	const struct pci_target *t;
	char path[80];
	unsigned int word;
	int phase;
	int stop;
	int progress;
	struct race_user u[RACE_USERS];
};

static int race_load(const int *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

static void race_store(int *p, int v)
{
	__atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}

static unsigned int race_count(const unsigned int *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void race_inc(unsigned int *p)
{
	__atomic_store_n(p, *p + 1, __ATOMIC_RELAXED);
}

/* Shared futexes: the children reach them through a MAP_SHARED mapping. */
static void race_wake(int *p)
{
	syscall(SYS_futex, p, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

static void race_sleep(int *p, int val, const struct timespec *timeout)
{
#ifdef SYS_futex_time64
	/* A 32-bit program built with a 64-bit time_t. */
	if (sizeof(timeout->tv_sec) > sizeof(long)) {
		syscall(SYS_futex_time64, p, FUTEX_WAIT, val, timeout, NULL, 0);
		return;
	}
#endif
	syscall(SYS_futex, p, FUTEX_WAIT, val, timeout, NULL, 0);
}

static void race_progress(struct race *r)
{
	__atomic_fetch_add(&r->progress, 1, __ATOMIC_SEQ_CST);
	race_wake(&r->progress);
}

/*
 * Judge one operation of @u, begun in phase @p0; @got and @want are its
 * value and the right one, or, for RACE_ERRNO, errno and ENODEV.
 */
static void race_account(struct race_user *u, int p0, enum race_outcome o,
			 const char *op, long long got, long long want)
{
	struct race *r = u->r;
	int p1 = race_load(&r->phase);
	bool was_revoked = u->revoked || u->sigbus;
	bool milestone = false;
	const char *why = NULL;

	switch (o) {
	case RACE_OK:
		if (p0 == RACE_AFTER)
			why = "succeeded after the unbind";
		else if (was_revoked)
			why = "succeeded after the device was revoked";
		milestone = !u->ok;
		race_inc(&u->ok);
		break;
	case RACE_REVOKED:
	case RACE_SIGBUS:
		if (p1 == RACE_BEFORE)
			why = "failed before the unbind";
		race_inc(o == RACE_SIGBUS ? &u->sigbus : &u->revoked);
		break;
	case RACE_WRONG:
		why = "read a wrong value";
		break;
	case RACE_ERRNO:
		why = "failed with another error";
		break;
	}
	if (p0 == RACE_AFTER) {
		milestone |= !u->after;
		race_inc(&u->after);
	}
	if (why && !u->bad) {
		if (o == RACE_ERRNO)
			snprintf(u->why, sizeof(u->why),
				 "%s %s (phase %d to %d): %s", op, why, p0, p1,
				 strerror((int)got));
		else
			snprintf(u->why, sizeof(u->why),
				 "%s %s (phase %d to %d): got %#llx, want %#llx",
				 op, why, p0, p1, got, want);
	}
	if (why) {
		race_inc(&u->bad);
		milestone = true;
	}
	if (milestone)
		race_progress(r);
	/*
	 * Revoked for good: nothing new to see until the unbind returns;
	 * and once it has, nothing new at all.
	 */
	if (o == RACE_REVOKED || o == RACE_SIGBUS)
		while ((p1 = race_load(&r->phase)) != RACE_AFTER &&
		       !race_load(&r->stop))
			race_sleep(&r->phase, p1, NULL);
	if (p0 == RACE_AFTER)
		while (!race_load(&r->stop))
			race_sleep(&r->stop, 0, NULL);
}

/* The outcome of a call that returned @ret, whose value is @right. */
static enum race_outcome race_call(long ret, bool right)
{
	if (ret >= 0)
		return right ? RACE_OK : RACE_WRONG;
	return errno == ENODEV ? RACE_REVOKED : RACE_ERRNO;
}

static bool race_stopped(const struct race *r)
{
	return race_load(&r->stop);
}

static sigjmp_buf race_bus_jmp;

static void race_on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(race_bus_jmp, 1);
}

/* Read the first word of @p into @v: false when that raised SIGBUS. */
static bool race_map_read(const void *p, unsigned int *v)
{
	if (sigsetjmp(race_bus_jmp, 1))
		return false;
	*v = mmio_read32(p, 0);
	return true;
}

static enum race_outcome race_map_outcome(struct race *r, const void *p,
					  unsigned int *v)
{
	if (!race_map_read(p, v))
		return RACE_SIGBUS;
	return *v == r->word ? RACE_OK : RACE_WRONG;
}

static int race_open(struct race_user *u)
{
	int fd = open(u->r->path, O_RDWR | O_CLOEXEC);

	/* Every user starts before the unbind: this must work. */
	if (fd < 0)
		race_account(u, RACE_BEFORE, RACE_ERRNO, "open", errno, 0);
	return fd;
}

/* The node's INFO ioctl, checked against sysfs or the mapping. */
static enum race_outcome race_info(struct race *r, int fd, long long *got,
				   long long *want)
{
	struct mmlab_edu_info ei;
	struct mmlab_ivshmem_info ii;
	long ret;

	if (r->t == &edu_target) {
		ret = ioctl(fd, MMLAB_EDU_IOC_INFO, &ei);
		*got = ret ? errno : ei.ident;
		*want = ret ? ENODEV : r->word;
		return race_call(ret, ei.ident == r->word);
	}
	ret = ioctl(fd, MMLAB_IVSHMEM_IOC_INFO, &ii);
	*got = ret ? errno : (long long)ii.size;
	*want = ret ? ENODEV : (long long)r->t->bar_len;
	return race_call(ret, ii.size == r->t->bar_len);
}

static void race_fault_user(struct race_user *u)
{
	struct race *r = u->r;
	int fd = race_open(u);
	unsigned int v = 0;
	void *p;

	if (fd < 0)
		return;
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	/* The mapping holds the file: the fault path alone is left. */
	close(fd);
	if (p == MAP_FAILED) {
		race_account(u, RACE_BEFORE, RACE_ERRNO, "mmap", errno, 0);
		return;
	}
	while (!race_stopped(r)) {
		int p0 = race_load(&r->phase);
		enum race_outcome o = race_map_outcome(r, p, &v);

		race_account(u, p0, o, "read", v, r->word);
	}
	munmap(p, 4096);
}

static void race_mmap_user(struct race_user *u)
{
	struct race *r = u->r;
	int fd = race_open(u);
	unsigned int v = 0;

	if (fd < 0)
		return;
	while (!race_stopped(r)) {
		int p0 = race_load(&r->phase);
		void *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
		enum race_outcome o;

		if (p == MAP_FAILED) {
			race_account(u, p0, race_call(-1, false), "mmap", errno,
				     ENODEV);
			continue;
		}
		o = race_map_outcome(r, p, &v);
		munmap(p, 4096);
		race_account(u, p0, o, "mmap and read", v, r->word);
	}
	close(fd);
}

static void race_reopen_user(struct race_user *u)
{
	struct race *r = u->r;
	long long got, want;

	while (!race_stopped(r)) {
		int p0 = race_load(&r->phase);
		int fd = open(r->path, O_RDWR | O_CLOEXEC);
		enum race_outcome o;

		if (fd < 0) {
			/* The node is gone, or going under the open. */
			o = errno == ENOENT || errno == ENODEV ? RACE_REVOKED :
								 RACE_ERRNO;
			race_account(u, p0, o, "open", errno, ENOENT);
			continue;
		}
		o = race_info(r, fd, &got, &want);
		close(fd);
		race_account(u, p0, o, "open and INFO", got, want);
	}
}

/* n!, truncated to 32 bits, as the device computes it. */
static unsigned int race_factorial(unsigned int n)
{
	unsigned int f = 1;

	while (n)
		f *= n--;
	return f;
}

static void race_edu_ioctl_user(struct race_user *u)
{
	struct race *r = u->r;
	int fd = race_open(u);

	if (fd < 0)
		return;
	for (unsigned int i = 0; !race_stopped(r); i++) {
		int p0 = race_load(&r->phase);
		struct mmlab_edu_liveness l = { .in = i * 0x9e3779b9u };
		struct mmlab_edu_factorial f = {
			.n = i % 13,
			.flags = i % 4 == 1 ? MMLAB_EDU_FACT_IRQ : 0,
		};
		unsigned int want_status = f.flags ? 0x1 : 0;
		long ret;

		if (i % 2 == 0) {
			ret = ioctl(fd, MMLAB_EDU_IOC_LIVENESS, &l);
			race_account(u, p0, race_call(ret, l.out == ~l.in),
				     "liveness", ret ? errno : l.out,
				     ret ? ENODEV : ~l.in);
			continue;
		}
		ret = ioctl(fd, MMLAB_EDU_IOC_FACTORIAL, &f);
		race_account(u, p0,
			     race_call(ret, f.result == race_factorial(f.n) &&
				       f.irq_status == want_status),
			     f.flags ? "factorial by interrupt" :
				       "polled factorial",
			     ret ? errno : f.result,
			     ret ? ENODEV : race_factorial(f.n));
	}
	close(fd);
}

/*
 * DMA to the device and back: what comes back is what last went, for no
 * one else uses the device's buffer during the race.
 */
static void race_edu_dma_user(struct race_user *u)
{
	unsigned char out[RACE_DMA_LEN], in[RACE_DMA_LEN];
	struct race *r = u->r;
	int fd = race_open(u);
	bool sent = false;
	unsigned int seed = 0;

	if (fd < 0)
		return;
	for (unsigned int i = 0; !race_stopped(r); i++) {
		int p0 = race_load(&r->phase);
		struct mmlab_edu_dma d = { .len = RACE_DMA_LEN };
		ssize_t bad = -1;
		long ret;

		if (i % 2 == 0 || !sent) {
			pattern_fill(out, sizeof(out), i, 0);
			d.buf = (uintptr_t)out;
			ret = ioctl(fd, MMLAB_EDU_IOC_DMA_TO_DEV, &d);
			sent = !ret;
			seed = i;
			race_account(u, p0, race_call(ret, true),
				     "DMA to the device", ret ? errno : 0,
				     ret ? ENODEV : 0);
			continue;
		}
		memset(in, 0, sizeof(in));
		d.buf = (uintptr_t)in;
		ret = ioctl(fd, MMLAB_EDU_IOC_DMA_FROM_DEV, &d);
		if (!ret)
			bad = pattern_check(in, sizeof(in), seed, 0);
		race_account(u, p0, race_call(ret, bad < 0),
			     "DMA from the device (first wrong byte)",
			     ret ? errno : bad, ret ? ENODEV : -1);
	}
	close(fd);
}

static void race_ivshmem_info_user(struct race_user *u)
{
	struct race *r = u->r;
	int fd = race_open(u);
	long long got, want;

	if (fd < 0)
		return;
	while (!race_stopped(r)) {
		int p0 = race_load(&r->phase);
		enum race_outcome o = race_info(r, fd, &got, &want);

		race_account(u, p0, o, "INFO", got, want);
	}
	close(fd);
}

/*
 * read() of a word of the host's half, write() of a word of the guest's:
 * the guest's own pattern, already there, so the host's check after the
 * boot still holds.
 */
static void race_ivshmem_rw_user(struct race_user *u)
{
	struct race *r = u->r;
	off_t half = r->t->bar_len / 2;
	unsigned char buf[4];
	int fd = race_open(u);

	if (fd < 0)
		return;
	for (unsigned int i = 0; !race_stopped(r); i++) {
		int p0 = race_load(&r->phase);
		off_t off = ((off_t)i * 4100 % (half - 4)) & ~(off_t)3;
		ssize_t ret, bad = -1;

		if (i % 2 == 0) {
			ret = pread(fd, buf, sizeof(buf), off);
			if (ret == sizeof(buf))
				bad = pattern_check(buf, sizeof(buf),
						    IVSHMEM_HOST_SEED, off);
			if (ret >= 0 && ret != sizeof(buf))
				race_account(u, p0, RACE_WRONG,
					     "pread (bytes)", ret, sizeof(buf));
			else
				race_account(u, p0, race_call(ret, bad < 0),
					     "pread (first wrong byte)",
					     ret < 0 ? errno : bad,
					     ret < 0 ? ENODEV : -1);
			continue;
		}
		pattern_fill(buf, sizeof(buf), IVSHMEM_GUEST_SEED, half + off);
		ret = pwrite(fd, buf, sizeof(buf), half + off);
		race_account(u, p0, race_call(ret, ret == sizeof(buf)),
			     "pwrite (bytes)", ret < 0 ? errno : ret,
			     ret < 0 ? ENODEV : (long long)sizeof(buf));
	}
	close(fd);
}

struct race_user_def {
	const char *name;
	void (*run)(struct race_user *u);
	bool child;
};

static const struct race_user_def race_edu_users[RACE_USERS] = {
	{ "fault", race_fault_user, true },
	{ "mmap", race_mmap_user, true },
	{ "ioctl", race_edu_ioctl_user },
	{ "dma", race_edu_dma_user },
	{ "reopen", race_reopen_user },
};

static const struct race_user_def race_ivshmem_users[RACE_USERS] = {
	{ "fault", race_fault_user, true },
	{ "mmap", race_mmap_user, true },
	{ "info", race_ivshmem_info_user },
	{ "rw", race_ivshmem_rw_user },
	{ "reopen", race_reopen_user },
};

static void race_user_done(struct race_user *u)
{
	race_store(&u->done, 1);
	race_progress(u->r);
}

static void *race_thread(void *arg)
{
	struct race_user *u = arg;

	u->run(u);
	race_user_done(u);
	return NULL;
}

/* Start @u: false (and nothing started) when that fails. */
static bool race_start(struct race_user *u)
{
	struct sigaction sa = { .sa_handler = race_on_sigbus };
	pid_t pid;

	if (!u->child) {
		errno = pthread_create(&u->tid, NULL, race_thread, u);
		return !errno;
	}
	/*
	 * @u is shared: only the parent may write the pid there. The child
	 * dies with the test, should the test end before it stops.
	 */
	pid = fork_bound();
	if (pid) {
		u->pid = pid;
		return pid > 0;
	}
	sigaction(SIGBUS, &sa, NULL);
	u->run(u);
	race_user_done(u);
	_exit(0);
}

/* Has every user succeeded, and is every one still at it? */
static bool race_ready(const struct race *r, int n)
{
	for (int i = 0; i < n; i++)
		if (!race_count(&r->u[i].ok) || race_load(&r->u[i].done))
			return false;
	return true;
}

/* Ready, or never to be: a user that left early will not succeed. */
static bool race_ready_or_left(const struct race *r, int n)
{
	for (int i = 0; i < n; i++)
		if (race_load(&r->u[i].done))
			return true;
	return race_ready(r, n);
}

static bool race_all_after(const struct race *r, int n)
{
	for (int i = 0; i < n; i++)
		if (!race_count(&r->u[i].after) && !race_load(&r->u[i].done))
			return false;
	return true;
}

static bool race_all_done(const struct race *r, int n)
{
	for (int i = 0; i < n; i++)
		if (!race_load(&r->u[i].done))
			return false;
	return true;
}

/* Wait until @cond holds for the first @n users: false after RACE_WAIT_S. */
static bool race_wait(struct race *r, int n,
		      bool (*cond)(const struct race *r, int n))
{
	struct timespec end, now, left;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += RACE_WAIT_S;
	for (;;) {
		int seq = race_load(&r->progress);

		if (cond(r, n))
			return true;
		clock_gettime(CLOCK_MONOTONIC, &now);
		left.tv_sec = end.tv_sec - now.tv_sec;
		left.tv_nsec = end.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_sec--;
			left.tv_nsec += 1000000000;
		}
		if (left.tv_sec < 0)
			return false;
		race_sleep(&r->progress, seq, &left);
	}
}

/* Everything the users did, a line each. */
static void race_report(const struct race *r, int n, int round)
{
	for (int i = 0; i < n; i++) {
		const struct race_user *u = &r->u[i];

		diag("%s %d %s: %u ok, %u ENODEV/ENOENT, %u SIGBUS, %u bad; %u after unbind",
		     r->t->driver, round, u->name, u->ok, u->revoked, u->sigbus,
		     u->bad, u->after);
		if (u->bad)
			diag("  the first bad one: %s", u->why);
	}
}

/* A child's end: it exited by itself, with no signal it did not catch. */
static void race_reap(struct __test_metadata *_metadata, struct race_user *u)
{
	int status = 0;
	pid_t pid;

	pid = waitpid(u->pid, &status, 0);
	EXPECT_EQ(u->pid, pid) TH_LOG("%s user: waitpid: %m", u->name);
	if (pid == u->pid) {
		EXPECT_EQ(0, status)
			TH_LOG("%s user: status %#x (signal %d)", u->name,
			       status, WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	}
}

/* What each user must have seen, once all of them have stopped. */
static void race_judge(struct __test_metadata *_metadata,
		       const struct race *r, int n)
{
	for (int i = 0; i < n; i++) {
		const struct race_user *u = &r->u[i];

		EXPECT_EQ(0, u->bad)
			TH_LOG("%s user: the first bad one: %s", u->name, u->why);
		EXPECT_LT(0, u->ok) TH_LOG("%s user: successes", u->name);
		EXPECT_LT(0, u->after)
			TH_LOG("%s user: operations begun after the unbind",
			       u->name);
		/* What began after the unbind failed as revoked. */
		EXPECT_LE(u->after, u->revoked + u->sigbus)
			TH_LOG("%s user: operations after the unbind, and revoked",
			       u->name);
	}
	/* The fault user's mapping was zapped under it. */
	EXPECT_LT(0, r->u[0].sigbus) TH_LOG("%s user: SIGBUS", r->u[0].name);
}

/* Bound again: a new file, and each door the users came through. */
static void race_device_works(struct __test_metadata *_metadata,
			      struct race *r)
{
	int fd = open(r->path, O_RDWR | O_CLOEXEC);
	struct mmlab_edu_factorial f = { .n = 10, .flags = MMLAB_EDU_FACT_IRQ };
	unsigned char out[RACE_DMA_LEN], in[RACE_DMA_LEN] = { 0 };
	struct mmlab_edu_dma d = { .len = RACE_DMA_LEN };
	long long got = 0, want = 0;
	unsigned int v = 0;
	void *p;

	ASSERT_LE(0, fd) TH_LOG("open %s after binding: %m", r->path);
	EXPECT_EQ(RACE_OK, race_info(r, fd, &got, &want))
		TH_LOG("INFO after binding: %#llx, want %#llx", got, want);
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	EXPECT_NE(MAP_FAILED, p) TH_LOG("mmap after binding: %m");
	if (p != MAP_FAILED) {
		int sig = child_read_signal(p);

		/* Read here too only once a child has read it unharmed. */
		if (!sig)
			v = mmio_read32(p, 0);
		munmap(p, 4096);
		EXPECT_EQ(0, sig) TH_LOG("a read of the mapping after binding");
		EXPECT_EQ(r->word, v) TH_LOG("the mapping after binding");
	}
	if (r->t == &edu_target) {
		long ret;

		ret = ioctl(fd, MMLAB_EDU_IOC_FACTORIAL, &f);
		EXPECT_EQ(0, ret) TH_LOG("10! after binding: %m");
		EXPECT_EQ(3628800, f.result) TH_LOG("10! after binding");
		pattern_fill(out, sizeof(out), 0x5eed, 0);
		d.buf = (uintptr_t)out;
		ret = ioctl(fd, MMLAB_EDU_IOC_DMA_TO_DEV, &d);
		EXPECT_EQ(0, ret) TH_LOG("DMA to the device after binding: %m");
		if (!ret) {
			d.buf = (uintptr_t)in;
			ret = ioctl(fd, MMLAB_EDU_IOC_DMA_FROM_DEV, &d);
			EXPECT_EQ(0, ret)
				TH_LOG("DMA from the device after binding: %m");
		}
		if (!ret) {
			EXPECT_EQ(-1, pattern_check(in, sizeof(in), 0x5eed, 0))
				TH_LOG("DMA after binding: the first wrong byte");
		}
	} else {
		EXPECT_EQ(4, pread(fd, in, 4, 0)) TH_LOG("pread after binding: %m");
		EXPECT_EQ(-1, pattern_check(in, 4, IVSHMEM_HOST_SEED, 0))
			TH_LOG("pread after binding: the first wrong byte");
	}
	close(fd);
}

/* The first word of @t's mapped BAR, which every read must find. */
static void race_word(struct __test_metadata *_metadata, struct race *r)
{
	unsigned char pat[4];
	long long got, want;
	int fd;

	if (r->t != &edu_target) {
		pattern_fill(pat, sizeof(pat), IVSHMEM_HOST_SEED, 0);
		memcpy(&r->word, pat, sizeof(pat));
		return;
	}
	/* edu's ident, 0xRRrr00ed: the INFO ioctl reads the register. */
	fd = open(r->path, O_RDWR | O_CLOEXEC);
	r->word = 0;
	race_info(r, fd, &got, &want);
	close(fd);
	r->word = got;
	ASSERT_EQ(0xed, r->word & 0xffff) TH_LOG("edu ident %#x", r->word);
}

/*
 * One round against @t: start the users, unbind, stop them, bind. A round
 * runs only while every check of the test has passed: what needs the
 * steps before it to have worked asks _metadata->exit_code. Nothing may
 * end the test while the users run: ASSERTs only before they start, and
 * once they have stopped.
 */
static void race_round(struct __test_metadata *_metadata,
		       const struct pci_target *t,
		       const struct race_user_def *defs, int round)
{
	struct race *r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	bool unbound = false, all_done;
	char node[64];
	int n = 0;

	ASSERT_NE(MAP_FAILED, r) TH_LOG("mmap: %m");
	r->t = t;
	snprintf(r->path, sizeof(r->path), "/dev/%s",
		 pci_node_of(t, node, sizeof(node)));
	ASSERT_NE(0, node[0]) TH_LOG("%s has no node", t->bdf);
	race_word(_metadata, r);
	/* The children first, while this process has no other thread. */
	for (int i = 0; i < RACE_USERS && !_metadata->exit_code; i++) {
		bool started;

		r->u[i] = (struct race_user){
			.r = r, .name = defs[i].name, .run = defs[i].run,
			.child = defs[i].child,
		};
		started = race_start(&r->u[i]);
		EXPECT_TRUE(started) TH_LOG("start %s user: %m", defs[i].name);
		n += started;
	}
	if (!_metadata->exit_code) {
		EXPECT_TRUE(race_wait(r, n, race_ready_or_left) &&
			    race_ready(r, n))
			TH_LOG("not every user succeeded before the unbind");
	}
	if (!_metadata->exit_code) {
		race_store(&r->phase, RACE_DURING);
		unbound = pci_unbind(t);
		EXPECT_TRUE(unbound) TH_LOG("unbind %s: %m", t->bdf);
	}
	race_store(&r->phase, RACE_AFTER);
	race_wake(&r->phase);
	if (!_metadata->exit_code) {
		EXPECT_TRUE(race_wait(r, n, race_all_after))
			TH_LOG("not every user ran after the unbind");
	}
	race_store(&r->stop, 1);
	race_wake(&r->phase);
	race_wake(&r->stop);
	all_done = race_wait(r, n, race_all_done);
	EXPECT_TRUE(all_done) TH_LOG("a user hung: stuck in the kernel?");
	for (int i = 0; i < n; i++) {
		struct race_user *u = &r->u[i];

		if (!race_load(&u->done))
			diag("the %s user never stopped", u->name);
		if (u->child && !all_done)
			kill(u->pid, SIGKILL);
		if (u->child)
			race_reap(_metadata, u);
		else if (all_done)
			pthread_join(u->tid, NULL);
	}
	race_report(r, n, round);
	if (!_metadata->exit_code)
		race_judge(_metadata, r, n);
	/* Every file and mapping of the users is gone with the users. */
	if (unbound)
		counters_are(_metadata, 1, 1, 0, 0, "unbound, the users gone");
	rebind(_metadata, t);
	if (!_metadata->exit_code) {
		counters_are(_metadata, 2, 2, 0, 0, "bound again");
		race_device_works(_metadata, r);
		counters_are(_metadata, 2, 2, 0, 0, "bound again, used");
	}
	/* A thread still inside may use it: leave it to the process's end. */
	if (all_done)
		munmap(r, sizeof(*r));
}

/* Seconds of rounds per device: MMLAB_STRESS_SECONDS (make stress), or 0. */
static double race_seconds(void)
{
	const char *s = getenv("MMLAB_STRESS_SECONDS");

	return s ? atof(s) : 0;
}

/*
 * Each round binds and unbinds its device once, and may wait for the users
 * thrice; the last round starts before race_seconds() is over.
 */
#define RACE_ROUND_S	(2 * BIND_S + 3 * RACE_WAIT_S)

TEST_F_TIMEOUT(mmlab_pci, unbind_races_users,
	       2 * ((int)race_seconds() + RACE_ROUND_S) + 60)
{
	static const struct race_user_def *const defs[] = {
		race_edu_users, race_ivshmem_users,
	};
	double seconds = race_seconds();

	counters_are(_metadata, 2, 2, 0, 0, "both bound");
	for (size_t i = 0; i < ARRAY_SIZE(targets) && !_metadata->exit_code;
	     i++) {
		struct timespec start, now;
		int round = 0;

		clock_gettime(CLOCK_MONOTONIC, &start);
		do {
			race_round(_metadata, targets[i], defs[i], ++round);
			clock_gettime(CLOCK_MONOTONIC, &now);
		} while (!_metadata->exit_code &&
			 now.tv_sec - start.tv_sec +
			 (now.tv_nsec - start.tv_nsec) / 1e9 < seconds);
		TH_LOG("%s: %d round%s in %ld s", targets[i]->driver, round,
		       round == 1 ? "" : "s", (long)(now.tv_sec - start.tv_sec));
	}
}

/*
 * rmmod is refused while a file is open; after, it releases everything,
 * the ISA device's ports too; parameters that name impossible ISA ranges
 * fail the load with EINVAL; and loading the module again binds both
 * devices, which get all of it back.
 */
TEST_F_TIMEOUT(mmlab_pci, rmmod_releases_everything, BINDS_TIMEOUT(4))
{
	static const char *const bad_params[] = {
		"testdev_port=0xfff8",		/* its ports past 0xffff */
		"debugcon_port=0xe9",		/* inside pc-testdev's ports */
		"testdev_iomem=0xff000800",	/* not page-aligned */
		"testdev_iomem=0xfffffffffffff000", /* past the end */
	};
	unsigned long port = pci_module_param("testdev_port");
	const char *path = module_path();
	char edu_node[64], ivs_node[64];
	int fd = pci_open(&edu_target, O_RDWR);
	bool isa = access("/dev/mmlab-pio0", F_OK) == 0;

	pci_node_of(&edu_target, edu_node, sizeof(edu_node));
	pci_node_of(&ivshmem_target, ivs_node, sizeof(ivs_node));
	ASSERT_LE(0, fd) TH_LOG("open: %m");
	EXPECT_EQ(-1, syscall(SYS_delete_module, "mmlab_pci", O_NONBLOCK))
		TH_LOG("rmmod with a file open");
	EXPECT_EQ(EWOULDBLOCK, errno) TH_LOG("rmmod with a file open");
	close(fd);
	ASSERT_EQ(0, syscall(SYS_delete_module, "mmlab_pci", O_NONBLOCK))
		TH_LOG("rmmod: %m");
	EXPECT_FALSE(module_loaded()) TH_LOG("/sys/module/mmlab_pci after rmmod");
	holds_resources(_metadata, &edu_target, edu_node, false);
	holds_resources(_metadata, &ivshmem_target, ivs_node, false);
	EXPECT_FALSE(ioports_claimed(port, port + 3, "mmlab-pio0"))
		TH_LOG("pc-testdev's ports still claimed after rmmod");

	for (size_t i = 0; i < ARRAY_SIZE(bad_params); i++) {
		errno = 0;
		EXPECT_FALSE(load_module_params(path, bad_params[i]))
			TH_LOG("insmod with %s", bad_params[i]);
		EXPECT_EQ(EINVAL, errno)
			TH_LOG("insmod with %s: %m", bad_params[i]);
		EXPECT_FALSE(module_loaded())
			TH_LOG("/sys/module/mmlab_pci after %s", bad_params[i]);
	}

	/*
	 * Load it again, for whatever runs next (the teardown would), and see
	 * it bind both devices, and the ISA one if it was there before.
	 */
	ASSERT_TRUE(load_module(path)) TH_LOG("insmod %s: %m", path);
	holds_resources(_metadata, &edu_target, edu_node, true);
	holds_resources(_metadata, &ivshmem_target, ivs_node, true);
	EXPECT_EQ(isa, ioports_claimed(port, port + 3, "mmlab-pio0"))
		TH_LOG("pc-testdev's ports after loading again");
	counters_are(_metadata, 2, 2, 0, 0, "loaded again");
}

TEST_HARNESS_MAIN
