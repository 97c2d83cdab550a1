// SPDX-License-Identifier: GPL-2.0
/*
 * pci_test's lifecycle cases, for both drivers: what unbinding releases
 * (the kernel's own lists: /proc/iomem, /proc/interrupts, sysfs, /dev),
 * what happens to a live mapping then, and rmmod. Every case leaves both
 * devices bound again.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/mmlab.h>

#include "mmlab_dev.h"
#include "pci_test.h"

static struct pci_target *const targets[] = { &edu_target, &ivshmem_target };

/* The resources a bound device holds, each checked in the kernel's lists. */
static bool holds_resources(const struct pci_target *t, const char *node,
			    bool held)
{
	char drv[64], path[96];
	bool claimed = iomem_claimed(t->bar_start, t->bar_start + t->bar_len - 1,
				     node);
	bool irq = irq_named(node);

	pci_driver_of(t, drv, sizeof(drv));
	snprintf(path, sizeof(path), "/dev/%s", node);
	if (!held)
		return KTAP_EXPECT(!*drv, "%s still bound to %s", t->bdf, drv) &&
		       KTAP_EXPECT(access(path, F_OK), "%s still there", path) &&
		       KTAP_EXPECT(!claimed, "BAR%d still claimed as %s",
				   t->bar, node) &&
		       KTAP_EXPECT(!irq, "%s still in /proc/interrupts", node);
	return KTAP_EXPECT(!strcmp(drv, t->driver), "%s bound to '%s'", t->bdf,
			   drv) &&
	       KTAP_EXPECT(!access(path, F_OK), "no %s", path) &&
	       KTAP_EXPECT(claimed, "BAR%d not claimed as %s in /proc/iomem",
			   t->bar, node) &&
	       /* Only edu has an interrupt. */
	       KTAP_EXPECT(irq == (t == &edu_target),
			   "%s in /proc/interrupts: %d", node, irq);
}

static bool counters_are(long bound, long nodes, long files, long vmas)
{
	long b = pci_counter("bound"), n = pci_counter("nodes");
	long f = pci_counter("files"), v = pci_counter("vmas");

	return KTAP_EXPECT(b == bound && n == nodes && f == files && v == vmas,
			   "bound/nodes/files/vmas: %ld %ld %ld %ld, want %ld %ld %ld %ld",
			   b, n, f, v, bound, nodes, files, vmas);
}

/* Bind @t again if a case left it unbound, whatever else failed. */
static bool rebind(const struct pci_target *t)
{
	char drv[64];

	if (*pci_driver_of(t, drv, sizeof(drv)))
		return true;
	return KTAP_EXPECT(pci_bind(t), "bind %s: %s", t->bdf, strerror(errno));
}

/* Unbind each device, see everything released, bind it, see it back. */
static int unbind_releases_everything(void)
{
	bool ok = counters_are(2, 2, 0, 0);

	for (size_t i = 0; ok && i < ARRAY_SIZE(targets); i++) {
		const struct pci_target *t = targets[i];
		char node[64];
		int fd;

		pci_node_of(t, node, sizeof(node));
		ok = holds_resources(t, node, true) &&
		     KTAP_EXPECT(pci_unbind(t), "unbind %s: %s", t->bdf,
				 strerror(errno)) &&
		     holds_resources(t, node, false) &&
		     counters_are(1, 1, 0, 0);
		ok = rebind(t) && ok && holds_resources(t, node, true) &&
		     counters_are(2, 2, 0, 0);
		fd = ok ? pci_open(t, O_RDWR) : -1;
		ok = ok && KTAP_EXPECT(fd >= 0, "open after rebinding: %s",
				       strerror(errno));
		close(fd);
	}
	return ok;
}

/*
 * Unbind with the BAR mapped and a file open: the PTEs are zapped, the next
 * access raises SIGBUS, the file fails with ENODEV, and the module stays
 * pinned until the last of them is gone.
 */
static bool unbind_while_mapped(const struct pci_target *t)
{
	unsigned long info = t == &edu_target ? MMLAB_EDU_IOC_INFO :
						MMLAB_IVSHMEM_IOC_INFO;
	int fd = pci_open(t, O_RDWR), fd2 = pci_open(t, O_RDWR);
	struct mmlab_walk before = { 0 }, after = { 0 };
	int sig_before, sig_after;
	char buf[64];
	void *p;
	bool ok;

	if (!KTAP_EXPECT(fd >= 0 && fd2 >= 0, "open: %s", strerror(errno))) {
		close(fd);
		close(fd2);
		return false;
	}
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (!KTAP_EXPECT(p != MAP_FAILED, "mmap: %s", strerror(errno))) {
		close(fd2);
		return false;
	}
	mmio_read32(p, 0);
	ok = KTAP_EXPECT(pte_walk(p, &before), "walk: %s", strerror(errno));
	sig_before = child_read_signal(p);
	ok = KTAP_EXPECT(pci_unbind(t), "unbind: %s", strerror(errno)) && ok;
	ok = KTAP_EXPECT(pte_walk(p, &after), "walk: %s", strerror(errno)) &&
	     ok;
	sig_after = child_read_signal(p);

	ok = ok &&
	     KTAP_EXPECT(before.pfn == t->bar_start / 4096 && before.flags,
			 "PTE before unbind: PFN %#llx flags %#x",
			 (unsigned long long)before.pfn, before.flags) &&
	     KTAP_EXPECT(sig_before == 0, "read before unbind: signal %d",
			 sig_before) &&
	     KTAP_EXPECT(!after.flags, "PTE left after unbind: %#llx",
			 (unsigned long long)after.entry[MMLAB_PTE].raw) &&
	     KTAP_EXPECT(sig_after == SIGBUS, "read after unbind: signal %d",
			 sig_after) &&
	     KTAP_EXPECT(ioctl(fd2, info, buf) < 0 && errno == ENODEV,
			 "ioctl after unbind: %s", strerror(errno)) &&
	     KTAP_EXPECT(map_fails(fd2, 4096, 0, PROT_READ, MAP_SHARED, ENODEV),
			 "mmap after unbind") &&
	     /* Two files: the mapping's and fd2; one node outlives its device. */
	     counters_are(1, 2, 2, 1) &&
	     KTAP_EXPECT(syscall(SYS_delete_module, "mmlab_pci", O_NONBLOCK) < 0 &&
			 errno == EWOULDBLOCK, "rmmod with a file open: %s",
			 strerror(errno));
	munmap(p, 4096);
	close(fd2);
	ok = ok && counters_are(1, 1, 0, 0);
	return rebind(t) && ok && counters_are(2, 2, 0, 0);
}

static int edu_unbind_while_mapped(void)
{
	return unbind_while_mapped(&edu_target);
}

static int ivshmem_unbind_while_mapped(void)
{
	return unbind_while_mapped(&ivshmem_target);
}

struct dma_race {
	int fd;
	int ret;
	int err;
};

static void *dma_thread(void *arg)
{
	static uint8_t buf[2048];
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
 * both are accepted and the diagnostic says which; the 20 ms head start
 * only makes the overlap likely, no assertion depends on it.
 */
static int edu_unbind_during_dma(void)
{
	struct dma_race r = { .fd = pci_open(&edu_target, O_RDWR) };
	struct timespec head_start = { 0, 20 * 1000 * 1000 };
	pthread_t tid;
	bool ok;

	if (!KTAP_EXPECT(r.fd >= 0, "open: %s", strerror(errno)))
		return false;
	if (pthread_create(&tid, NULL, dma_thread, &r)) {
		close(r.fd);
		return false;
	}
	nanosleep(&head_start, NULL);
	ok = KTAP_EXPECT(pci_unbind(&edu_target), "unbind: %s", strerror(errno));
	pthread_join(tid, NULL);
	close(r.fd);
	ktap_diag("the DMA ioctl %s", r.ret ? strerror(r.err) : "completed");
	ok = ok && KTAP_EXPECT(r.ret == 0 || r.err == ENODEV,
			       "ioctl: %d (%s)", r.ret, strerror(r.err));
	return rebind(&edu_target) && ok && counters_are(2, 2, 0, 0);
}

/* rmmod is refused while a file is open; after, it releases everything. */
static int rmmod_releases_everything(void)
{
	char edu_node[64], ivs_node[64];
	int fd = pci_open(&edu_target, O_RDWR);
	int ko;
	bool ok;

	pci_node_of(&edu_target, edu_node, sizeof(edu_node));
	pci_node_of(&ivshmem_target, ivs_node, sizeof(ivs_node));
	ok = KTAP_EXPECT(fd >= 0, "open: %s", strerror(errno)) &&
	     KTAP_EXPECT(syscall(SYS_delete_module, "mmlab_pci", O_NONBLOCK) < 0 &&
			 errno == EWOULDBLOCK, "rmmod with a file open: %s",
			 strerror(errno));
	close(fd);
	ok = ok &&
	     KTAP_EXPECT(syscall(SYS_delete_module, "mmlab_pci", O_NONBLOCK) == 0,
			 "rmmod: %s", strerror(errno)) &&
	     KTAP_EXPECT(access("/sys/module/mmlab_pci", F_OK),
			 "/sys/module/mmlab_pci after rmmod") &&
	     holds_resources(&edu_target, edu_node, false) &&
	     holds_resources(&ivshmem_target, ivs_node, false);

	/* Load it again, for whatever runs next. */
	ko = open(pci_module_path, O_RDONLY | O_CLOEXEC);
	ok = KTAP_EXPECT(ko >= 0 && syscall(SYS_finit_module, ko, "", 0) == 0,
			 "insmod %s: %s", pci_module_path, strerror(errno)) &&
	     ok && holds_resources(&edu_target, edu_node, true) &&
	     holds_resources(&ivshmem_target, ivs_node, true) &&
	     counters_are(2, 2, 0, 0);
	if (ko >= 0)
		close(ko);
	return ok;
}

const struct ktap_case lifecycle_cases[] = {
	{ "unbind_releases_everything", unbind_releases_everything },
	{ "edu_unbind_while_mapped", edu_unbind_while_mapped },
	{ "ivshmem_unbind_while_mapped", ivshmem_unbind_while_mapped },
	{ "edu_unbind_during_dma", edu_unbind_during_dma },
	{ "rmmod_releases_everything", rmmod_releases_everything },
};

const size_t nr_lifecycle_cases = ARRAY_SIZE(lifecycle_cases);
