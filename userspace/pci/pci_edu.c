// SPDX-License-Identifier: GPL-2.0
/*
 * pci_test's cases for QEMU's edu device and mmlab-edu. The truth each is
 * checked against: the device's datasheet (QEMU's docs/specs/edu.rst),
 * values computed here, sysfs, /proc/interrupts, /proc/self/smaps and the
 * page tables (through /dev/mmlab-mm: pagemap cannot see PFN maps).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/mmlab.h>
#include <linux/mmlab_mm.h>

#include "mmlab_dev.h"
#include "pci_test.h"
#include "procfs.h"

/* Registers, from edu.rst: offsets into BAR0. */
#define REG_IDENT	0x00
#define REG_LIVENESS	0x04
#define REG_FACTORIAL	0x08
#define REG_STATUS	0x20
#define STATUS_COMPUTING	0x01
#define IRQ_FACT	0x001
#define IRQ_DMA		0x100

/* x86's page-cache-disable bit, set in the PTE of an uncached mapping. */
#define X86_PTE_PCD	(1ULL << 4)

/* n!, truncated to 32 bits, as the device computes it. */
static uint32_t factorial32(uint32_t n)
{
	uint32_t r = 1;

	while (n)
		r *= n--;
	return r;
}

static int edu_open(void)
{
	int fd = pci_open(&edu_target, O_RDWR);

	if (fd < 0)
		ktap_diag("open mmlab-edu: %s", strerror(errno));
	return fd;
}

static bool edu_info(int fd, struct mmlab_edu_info *info)
{
	return KTAP_EXPECT(ioctl(fd, MMLAB_EDU_IOC_INFO, info) == 0,
			   "MMLAB_EDU_IOC_INFO: %s", strerror(errno));
}

/* Bound by id, with a root-only character device named after the driver. */
static int edu_bound(void)
{
	char drv[64], node[64], path[96];
	struct stat st;

	pci_driver_of(&edu_target, drv, sizeof(drv));
	pci_node_of(&edu_target, node, sizeof(node));
	snprintf(path, sizeof(path), "/dev/%s", node);
	return KTAP_EXPECT(!strcmp(drv, "mmlab-edu"), "%s bound to '%s'",
			   edu_target.bdf, drv) &&
	       KTAP_EXPECT(!strncmp(node, "mmlab-edu", 9), "node '%s'", node) &&
	       KTAP_EXPECT(stat(path, &st) == 0 && S_ISCHR(st.st_mode) &&
			   (st.st_mode & 0777) == 0600 && st.st_uid == 0,
			   "%s: mode %o uid %d", path, st.st_mode, st.st_uid);
}

/* The identification register as edu.rst gives it; the rest as sysfs does. */
static int edu_info_matches(void)
{
	struct mmlab_edu_info info;
	char path[128];
	long sysfs_irq;
	bool ok;
	int fd = edu_open();

	ok = fd >= 0 && edu_info(fd, &info);
	close(fd);
	if (!ok)
		return false;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/irq",
		 edu_target.bdf);
	sysfs_irq = read_number(path);
	ktap_diag("ident %#x, %s interrupt %u, BAR0 %#llx bytes at %#llx",
		  info.ident, info.irq_mode == MMLAB_EDU_IRQ_MSI ? "MSI" : "INTx",
		  info.irq, (unsigned long long)info.bar0_size,
		  (unsigned long long)edu_target.bar_start);
	ok = KTAP_EXPECT((info.ident & 0xffff) == 0x00ed && info.ident >> 24,
			 "ident %#x is not 0xRRrr00ed", info.ident) &&
	     KTAP_EXPECT(info.bar0_size == edu_target.bar_len,
			 "BAR0 %llu bytes, sysfs %llu",
			 (unsigned long long)info.bar0_size,
			 (unsigned long long)edu_target.bar_len) &&
	     KTAP_EXPECT(info.dma_mask_bits == 28, "DMA mask %u bits",
			 info.dma_mask_bits) &&
	     KTAP_EXPECT(sysfs_irq == (long long)info.irq, "irq %u, sysfs %ld",
			 info.irq, sysfs_irq);
	if (!ok || info.irq_mode != MMLAB_EDU_IRQ_MSI)
		return ok;
	/* The PCI core lists each MSI vector it allocated. */
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/msi_irqs/%u",
		 edu_target.bdf, info.irq);
	return KTAP_EXPECT(access(path, F_OK) == 0, "no %s", path);
}

static const uint32_t live_values[] = {
	0, 1, 0x12345678, 0x80000000, 0xdeadbeef, 0xffffffff,
};

static int edu_liveness(void)
{
	int fd = edu_open();
	bool ok = fd >= 0;

	for (size_t i = 0; ok && i < ARRAY_SIZE(live_values); i++) {
		struct mmlab_edu_liveness l = { .in = live_values[i] };

		ok = KTAP_EXPECT(ioctl(fd, MMLAB_EDU_IOC_LIVENESS, &l) == 0,
				 "ioctl: %s", strerror(errno)) &&
		     KTAP_EXPECT(l.out == ~l.in, "wrote %#x, read %#x", l.in,
				 l.out);
	}
	close(fd);
	return ok;
}

/* Interrupts as the driver and as /proc/interrupts count them. */
struct irq_counts {
	uint64_t driver;
	long proc;
};

static bool irq_counts(int fd, struct irq_counts *c)
{
	struct mmlab_edu_info info;
	char node[64];

	if (!edu_info(fd, &info))
		return false;
	c->driver = info.irqs;
	pci_node_of(&edu_target, node, sizeof(node));
	c->proc = irq_count(info.irq, node);
	return KTAP_EXPECT(c->proc >= 0, "irq %u '%s' not in /proc/interrupts",
			   info.irq, node);
}

/*
 * @n more interrupts in the driver's count, and in the kernel's: exactly
 * as many with MSI, at least as many on an INTx line that may be shared.
 */
static bool irqs_grew_by(int fd, const struct irq_counts *before, long n)
{
	struct mmlab_edu_info info;
	struct irq_counts after;

	if (!edu_info(fd, &info) || !irq_counts(fd, &after))
		return false;
	return KTAP_EXPECT(after.driver - before->driver == (uint64_t)n,
			   "driver counted %llu interrupts, expected %ld",
			   (unsigned long long)(after.driver - before->driver),
			   n) &&
	       KTAP_EXPECT(info.irq_mode == MMLAB_EDU_IRQ_MSI ?
			   after.proc - before->proc == n :
			   after.proc - before->proc >= n,
			   "/proc/interrupts counted %ld, expected %ld",
			   after.proc - before->proc, n);
}

static bool factorials(bool irq)
{
	struct irq_counts before;
	int fd = edu_open();
	long computed = 0;
	bool ok;

	ok = fd >= 0 && irq_counts(fd, &before);
	for (uint32_t n = 0; ok && n <= 40; n += n < 13 ? 1 : 9) {
		struct mmlab_edu_factorial f = {
			.n = n, .flags = irq ? MMLAB_EDU_FACT_IRQ : 0,
		};

		ok = KTAP_EXPECT(ioctl(fd, MMLAB_EDU_IOC_FACTORIAL, &f) == 0,
				 "%u!: %s", n, strerror(errno)) &&
		     KTAP_EXPECT(f.result == factorial32(n),
				 "%u! = %u, expected %u", n, f.result,
				 factorial32(n)) &&
		     KTAP_EXPECT(f.irq_status == (irq ? IRQ_FACT : 0),
				 "%u!: interrupt status %#x", n, f.irq_status);
		computed++;
	}
	ok = ok && irqs_grew_by(fd, &before, irq ? computed : 0);
	close(fd);
	return ok;
}

static int edu_factorial_polled(void)
{
	return factorials(false);
}

static int edu_factorial_irq(void)
{
	return factorials(true);
}

/* The handler reads the raised bits from the status and acknowledges them. */
static int edu_raise_irq(void)
{
	static const uint32_t values[] = { 0x2, 0x10000, 0x80000000 };
	struct irq_counts before;
	int fd = edu_open();
	bool ok;

	ok = fd >= 0 && irq_counts(fd, &before);
	for (size_t i = 0; ok && i < ARRAY_SIZE(values); i++) {
		struct mmlab_edu_raise r = { .value = values[i] };

		ok = KTAP_EXPECT(ioctl(fd, MMLAB_EDU_IOC_RAISE_IRQ, &r) == 0,
				 "raise %#x: %s", r.value, strerror(errno)) &&
		     KTAP_EXPECT(r.irq_status == r.value,
				 "raised %#x, handler saw %#x", r.value,
				 r.irq_status);
	}
	ok = ok && irqs_grew_by(fd, &before, ARRAY_SIZE(values));
	close(fd);
	return ok;
}

static bool dma(int fd, unsigned long cmd, void *buf, uint32_t len,
		uint32_t offset)
{
	struct mmlab_edu_dma d = {
		.buf = (uintptr_t)buf, .len = len, .offset = offset,
	};

	return KTAP_EXPECT(ioctl(fd, cmd, &d) == 0, "DMA %s %u bytes at %u: %s",
			   cmd == MMLAB_EDU_IOC_DMA_TO_DEV ? "to" : "from", len,
			   offset, strerror(errno));
}

/*
 * RAM -> device -> RAM: all the buffer a transfer may reach (all but its
 * last byte, see mmlab_pci.h), then a patch at an offset, read back whole
 * and in part, each completion signalled by an interrupt.
 */
static int edu_dma_round_trip(void)
{
	static uint8_t sent[MMLAB_EDU_DMA_SIZE - 1], got[MMLAB_EDU_DMA_SIZE - 1];
	uint8_t patch[100], part[10];
	struct irq_counts before;
	int fd = edu_open();
	bool ok;

	pattern_fill(sent, sizeof(sent), 1, 0);
	pattern_fill(patch, sizeof(patch), 2, 0);
	ok = fd >= 0 && irq_counts(fd, &before) &&
	     dma(fd, MMLAB_EDU_IOC_DMA_TO_DEV, sent, sizeof(sent), 0) &&
	     dma(fd, MMLAB_EDU_IOC_DMA_FROM_DEV, got, sizeof(got), 0) &&
	     KTAP_EXPECT(!memcmp(sent, got, sizeof(got)),
			 "the buffer came back different") &&
	     dma(fd, MMLAB_EDU_IOC_DMA_TO_DEV, patch, sizeof(patch), 1000) &&
	     dma(fd, MMLAB_EDU_IOC_DMA_FROM_DEV, got, sizeof(got), 0);
	memcpy(sent + 1000, patch, sizeof(patch));
	ok = ok && KTAP_EXPECT(!memcmp(sent, got, sizeof(got)),
			       "the patch at 1000 did not land there") &&
	     dma(fd, MMLAB_EDU_IOC_DMA_FROM_DEV, part, sizeof(part), 1095) &&
	     KTAP_EXPECT(!memcmp(part, sent + 1095, sizeof(part)),
			 "bytes 1095 to 1104 came back different") &&
	     irqs_grew_by(fd, &before, 5);
	close(fd);
	return ok;
}

/*
 * Bad ranges are refused before the device is touched: it would abort on
 * them. Bad pointers fail with EFAULT, before or after the operation.
 */
static int edu_bad_arguments(void)
{
	static const struct { uint32_t len, offset; } bad[] = {
		{ 0, 0 }, { 4096, 0 }, { 200, 4000 }, { 1, 4095 }, { 1, 4096 },
		{ 16, 0xfffffff8 }, { 0xffffffff, 1 },
	};
	struct mmlab_edu_factorial f = { .n = 3, .flags = 2 };
	struct mmlab_edu_raise r = { .value = 0 };
	struct mmlab_edu_liveness l = { .in = 7 };
	uint8_t buf[64];
	void *ro;
	int fd = edu_open();
	bool ok = fd >= 0;

	for (size_t i = 0; ok && i < ARRAY_SIZE(bad); i++) {
		struct mmlab_edu_dma d = {
			.buf = (uintptr_t)buf, .len = bad[i].len,
			.offset = bad[i].offset,
		};

		ok = KTAP_EXPECT(ioctl(fd, MMLAB_EDU_IOC_DMA_TO_DEV, &d) < 0 &&
				 errno == EINVAL, "to: len %u offset %u: %s",
				 d.len, d.offset, strerror(errno)) &&
		     KTAP_EXPECT(ioctl(fd, MMLAB_EDU_IOC_DMA_FROM_DEV, &d) < 0 &&
				 errno == EINVAL, "from: len %u offset %u: %s",
				 d.len, d.offset, strerror(errno));
	}
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	{
		struct mmlab_edu_dma null = { .buf = 0, .len = 16 };
		struct mmlab_edu_dma rodst = { .buf = (uintptr_t)ro, .len = 16 };

		ok = ok && ro != MAP_FAILED &&
		     KTAP_EXPECT(ioctl(fd, MMLAB_EDU_IOC_DMA_TO_DEV, &null) < 0 &&
				 errno == EFAULT, "from NULL: %s", strerror(errno)) &&
		     KTAP_EXPECT(ioctl(fd, MMLAB_EDU_IOC_DMA_FROM_DEV, &null) < 0 &&
				 errno == EFAULT, "to NULL: %s", strerror(errno)) &&
		     KTAP_EXPECT(ioctl(fd, MMLAB_EDU_IOC_DMA_FROM_DEV, &rodst) < 0 &&
				 errno == EFAULT, "to read-only: %s",
				 strerror(errno));
	}
	munmap(ro, 4096);
	ok = ok &&
	     KTAP_EXPECT(ioctl(fd, MMLAB_EDU_IOC_FACTORIAL, &f) < 0 &&
			 errno == EINVAL, "factorial flags 2: %s", strerror(errno)) &&
	     KTAP_EXPECT(ioctl(fd, MMLAB_EDU_IOC_RAISE_IRQ, &r) < 0 &&
			 errno == EINVAL, "raise 0: %s", strerror(errno)) &&
	     KTAP_EXPECT(ioctl(fd, MMLAB_EDU_IOC_INFO, NULL) < 0 &&
			 errno == EFAULT, "info to NULL: %s", strerror(errno)) &&
	     KTAP_EXPECT(ioctl(fd, _IO(MMLAB_PCI_IOC_MAGIC, 0x7f)) < 0 &&
			 errno == ENOTTY, "unknown ioctl: %s", strerror(errno)) &&
	     KTAP_EXPECT(ioctl(fd, MMLAB_IVSHMEM_IOC_INFO, buf) < 0 &&
			 errno == ENOTTY, "ivshmem's ioctl: %s", strerror(errno)) &&
	     /* And the device still works. */
	     KTAP_EXPECT(ioctl(fd, MMLAB_EDU_IOC_LIVENESS, &l) == 0 &&
			 l.out == ~7u, "liveness afterwards: %#x", l.out);
	close(fd);
	return ok;
}

/* Registers through the mapping, with no system call in between. */
static int edu_mmio_from_userspace(void)
{
	struct mmlab_edu_info info;
	uint32_t ident, live, fact;
	void *r;
	int spins = 0;
	int fd = edu_open();
	bool ok;

	ok = fd >= 0 && edu_info(fd, &info);
	r = ok ? mmap(NULL, info.bar0_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      fd, 0) : MAP_FAILED;
	close(fd);
	if (!ok)
		return false;
	if (!KTAP_EXPECT(r != MAP_FAILED, "mmap: %s", strerror(errno)))
		return false;
	ident = mmio_read32(r, REG_IDENT);
	mmio_write32(r, REG_LIVENESS, 0x0badf00d);
	live = mmio_read32(r, REG_LIVENESS);
	mmio_write32(r, REG_STATUS, 0);
	mmio_write32(r, REG_FACTORIAL, 12);
	while ((mmio_read32(r, REG_STATUS) & STATUS_COMPUTING) &&
	       spins < 100000000)
		spins++;
	fact = mmio_read32(r, REG_FACTORIAL);
	munmap(r, info.bar0_size);
	return KTAP_EXPECT(ident == info.ident, "ident %#x, ioctl %#x", ident,
			   info.ident) &&
	       KTAP_EXPECT(live == ~0x0badf00du, "liveness read %#x", live) &&
	       KTAP_EXPECT(fact == factorial32(12), "12! = %u", fact);
}

/*
 * The mapping, as /proc/self and the page tables show it: a VM_IO |
 * VM_PFNMAP vma of the device node, one PTE per touched page, mapping the
 * BAR's own page frames, special (no struct page behind) and uncached.
 */
static int edu_mapping_is_io(void)
{
	uint64_t bar_pfn = edu_target.bar_start / 4096;
	struct mmlab_walk before, after, next;
	char flags[128], line[256], node[64];
	bool ok;
	char *r;
	int fd = edu_open();

	if (fd < 0)
		return false;
	r = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (!KTAP_EXPECT(r != MAP_FAILED, "mmap: %s", strerror(errno)))
		return false;
	ok = KTAP_EXPECT(pte_walk(r, &before), "walk: %s", strerror(errno));
	mmio_read32(r, REG_IDENT);
	pci_node_of(&edu_target, node, sizeof(node));
	ok = ok && pte_walk(r, &after) && pte_walk(r + 4096, &next) &&
	     KTAP_EXPECT(!before.flags, "PTE present before the first touch") &&
	     KTAP_EXPECT(after.pfn == bar_pfn, "PFN %#llx, BAR0 at PFN %#llx",
			 (unsigned long long)after.pfn,
			 (unsigned long long)bar_pfn) &&
	     KTAP_EXPECT(!next.flags, "the next page was mapped too") &&
	     KTAP_EXPECT(after.flags & MMLAB_PT_SPECIAL,
			 "PTE flags %#x: not special", after.flags) &&
	     KTAP_EXPECT(after.entry[MMLAB_PTE].raw & X86_PTE_PCD,
			 "PTE %#llx is cached",
			 (unsigned long long)after.entry[MMLAB_PTE].raw) &&
	     KTAP_EXPECT(smaps_field(r, "VmFlags", flags, sizeof(flags)) &&
			 vmflags_has(flags, "io") && vmflags_has(flags, "pf") &&
			 vmflags_has(flags, "dd") && vmflags_has(flags, "de"),
			 "VmFlags:%s", flags) &&
	     KTAP_EXPECT(maps_line(r, line, sizeof(line)) &&
			 strstr(line, node), "maps: %s", line);
	if (ok)
		ktap_diag("PTE %#llx: PFN %#llx, special, uncached (PCD)",
			  (unsigned long long)after.entry[MMLAB_PTE].raw,
			  (unsigned long long)after.pfn);
	munmap(r, 4 * 4096);
	return ok;
}

static int drop_rawio_then_mmap(int fd)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		/* A uid change from root drops every effective capability. */
		if (setresuid(65534, 65534, 65534))
			_exit(100);
		_exit(mmap_errno(fd, 4096, 0, PROT_READ, MAP_SHARED));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int edu_mmap_refused(void)
{
	size_t len = edu_target.bar_len;
	int fd = edu_open();
	int rofd = pci_open(&edu_target, O_RDONLY);
	void *p, *q;
	bool ok;
	int err;

	if (fd < 0 || rofd < 0) {
		close(fd);
		close(rofd);
		return false;
	}
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	q = mremap(p, 4096, 8192, MREMAP_MAYMOVE);
	err = errno;
	ok = KTAP_EXPECT(map_fails(fd, len + 4096, 0, PROT_READ, MAP_SHARED,
				   EINVAL), "longer than BAR0") &&
	     KTAP_EXPECT(map_fails(fd, 4096, len, PROT_READ, MAP_SHARED,
				   EINVAL), "offset at the end of BAR0") &&
	     KTAP_EXPECT(map_fails(fd, 8192, len - 4096, PROT_READ,
				   MAP_SHARED, EINVAL), "across the end") &&
	     KTAP_EXPECT(map_fails(fd, 4096, 0, PROT_READ, MAP_PRIVATE,
				   EINVAL), "MAP_PRIVATE") &&
	     KTAP_EXPECT(map_fails(rofd, 4096, 0, PROT_READ | PROT_WRITE,
				   MAP_SHARED, EACCES),
			 "writable mapping of a read-only file") &&
	     KTAP_EXPECT(drop_rawio_then_mmap(fd) == EPERM,
			 "mmap without CAP_SYS_RAWIO") &&
	     KTAP_EXPECT(p != MAP_FAILED && q == MAP_FAILED,
			 "mremap() grew the mapping (%s)", strerror(err));
	if (p != MAP_FAILED)
		munmap(p, 4096);
	close(rofd);
	close(fd);
	return ok;
}

const struct ktap_case edu_cases[] = {
	{ "edu_bound", edu_bound },
	{ "edu_info_matches_datasheet_and_sysfs", edu_info_matches },
	{ "edu_liveness", edu_liveness },
	{ "edu_factorial_polled", edu_factorial_polled },
	{ "edu_factorial_irq", edu_factorial_irq },
	{ "edu_raise_irq", edu_raise_irq },
	{ "edu_dma_round_trip", edu_dma_round_trip },
	{ "edu_bad_arguments", edu_bad_arguments },
	{ "edu_mmio_from_userspace", edu_mmio_from_userspace },
	{ "edu_mapping_is_io_pfnmap_uncached", edu_mapping_is_io },
	{ "edu_mmap_refused", edu_mmap_refused },
};

const size_t nr_edu_cases = ARRAY_SIZE(edu_cases);
