// SPDX-License-Identifier: GPL-2.0
/*
 * pci_edu_test: QEMU's edu device and its driver, mmlab-edu
 * (drivers/pci/edu.c). The truth each test is checked against: the
 * device's datasheet (QEMU's docs/specs/edu.rst), values computed here,
 * sysfs, /proc/interrupts, /proc/self/smaps and the page tables (through
 * /dev/mmlab-mm: pagemap cannot see PFN maps).
 *
 * kselftest harness: fixture "edu", whose setup finds the device in sysfs
 * and opens its node; each test in a process of its own. Run as root in
 * the test VM with mmlab_pci loaded and, for the page-table test, mmlab.
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

#include "harness.h"

#include "edu_irqs.h"
#include "mmlab_dev.h"
#include "pci_dev.h"
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

/* Index of the first byte where @a and @b differ, or -1. */
static ssize_t first_difference(const void *a, const void *b, size_t len)
{
	const uint8_t *x = a, *y = b;

	for (size_t i = 0; i < len; i++)
		if (x[i] != y[i])
			return i;
	return -1;
}

/* QEMU always provides edu in the test VM: missing is a failure. */
FIXTURE(edu) {
	int fd;		/* its node, read-write */
};

FIXTURE_SETUP(edu)
{
	self->fd = -1;
	ASSERT_TRUE(pci_find(&edu_target))
		TH_LOG("no edu device with a BAR0 in sysfs: QEMU needs -device edu");
	self->fd = pci_open(&edu_target, O_RDWR);
	ASSERT_LE(0, self->fd) TH_LOG("open mmlab-edu: %m");
}

FIXTURE_TEARDOWN(edu)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* Bound by id, with a root-only character device named after the driver. */
TEST_F(edu, bound)
{
	char drv[64], node[64], path[96];
	struct stat st;

	pci_driver_of(&edu_target, drv, sizeof(drv));
	pci_node_of(&edu_target, node, sizeof(node));
	snprintf(path, sizeof(path), "/dev/%s", node);
	EXPECT_STREQ("mmlab-edu", drv)
		TH_LOG("the driver bound to %s", edu_target.bdf);
	EXPECT_EQ(0, strncmp(node, "mmlab-edu", 9)) TH_LOG("node '%s'", node);
	ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s: %m", path);
	EXPECT_TRUE(S_ISCHR(st.st_mode))
		TH_LOG("%s: not a character device (mode %o)", path, st.st_mode);
	EXPECT_EQ(0600, st.st_mode & 0777) TH_LOG("%s: permissions", path);
	EXPECT_EQ(0, st.st_uid) TH_LOG("%s: owner", path);
}

/* The identification register as edu.rst gives it; the rest as sysfs does. */
TEST_F(edu, info_matches_datasheet_and_sysfs)
{
	struct mmlab_edu_info info;
	char path[128];
	long sysfs_irq;

	ASSERT_EQ(0, ioctl(self->fd, MMLAB_EDU_IOC_INFO, &info))
		TH_LOG("MMLAB_EDU_IOC_INFO: %m");
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/irq",
		 edu_target.bdf);
	sysfs_irq = read_number(path);
	TH_LOG("ident %#x, %s interrupt %u, BAR0 %#llx bytes at %#llx",
	       info.ident, info.irq_mode == MMLAB_EDU_IRQ_MSI ? "MSI" : "INTx",
	       info.irq, (unsigned long long)info.bar0_size,
	       (unsigned long long)edu_target.bar_start);
	EXPECT_EQ(0x00ed, info.ident & 0xffff)
		TH_LOG("ident %#x is not 0xRRrr00ed", info.ident);
	EXPECT_NE(0, info.ident >> 24)
		TH_LOG("ident %#x is not 0xRRrr00ed", info.ident);
	EXPECT_EQ(edu_target.bar_len, info.bar0_size)
		TH_LOG("BAR0's size: sysfs's, the driver's");
	EXPECT_EQ(28, info.dma_mask_bits) TH_LOG("DMA mask bits");
	EXPECT_EQ(sysfs_irq, (long)info.irq)
		TH_LOG("the interrupt: %s's, the driver's", path);
	if (info.irq_mode != MMLAB_EDU_IRQ_MSI)
		return;
	/* The PCI core lists each MSI vector it allocated. */
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/msi_irqs/%u",
		 edu_target.bdf, info.irq);
	EXPECT_EQ(0, access(path, F_OK)) TH_LOG("%s: %m", path);
}

static const uint32_t live_values[] = {
	0, 1, 0x12345678, 0x80000000, 0xdeadbeef, 0xffffffff,
};

TEST_F(edu, liveness)
{
	for (size_t i = 0; i < ARRAY_SIZE(live_values); i++) {
		struct mmlab_edu_liveness l = { .in = live_values[i] };

		ASSERT_EQ(0, ioctl(self->fd, MMLAB_EDU_IOC_LIVENESS, &l))
			TH_LOG("write %#x: %m", l.in);
		EXPECT_EQ(~l.in, l.out) TH_LOG("wrote %#x", l.in);
	}
}

static void factorials(struct __test_metadata *_metadata, int fd, bool irq)
{
	struct irq_counts before;
	long computed = 0;

	irq_counts(_metadata, fd, &before);
	for (uint32_t n = 0; n <= 40; n += n < 13 ? 1 : 9) {
		struct mmlab_edu_factorial f = {
			.n = n, .flags = irq ? MMLAB_EDU_FACT_IRQ : 0,
		};

		ASSERT_EQ(0, ioctl(fd, MMLAB_EDU_IOC_FACTORIAL, &f))
			TH_LOG("%u!: %m", n);
		EXPECT_EQ(factorial32(n), f.result) TH_LOG("%u!", n);
		EXPECT_EQ(irq ? IRQ_FACT : 0, f.irq_status)
			TH_LOG("%u!: interrupt status", n);
		computed++;
	}
	irqs_grew_by(_metadata, fd, &before, irq ? computed : 0);
}

TEST_F(edu, factorial_polled)
{
	factorials(_metadata, self->fd, false);
}

TEST_F(edu, factorial_irq)
{
	factorials(_metadata, self->fd, true);
}

/* The handler reads the raised bits from the status and acknowledges them. */
TEST_F(edu, raise_irq)
{
	static const uint32_t values[] = { 0x2, 0x10000, 0x80000000 };
	struct irq_counts before;

	irq_counts(_metadata, self->fd, &before);
	for (size_t i = 0; i < ARRAY_SIZE(values); i++) {
		struct mmlab_edu_raise r = { .value = values[i] };

		ASSERT_EQ(0, ioctl(self->fd, MMLAB_EDU_IOC_RAISE_IRQ, &r))
			TH_LOG("raise %#x: %m", r.value);
		EXPECT_EQ(r.value, r.irq_status)
			TH_LOG("raised %#x: the handler saw other bits", r.value);
	}
	irqs_grew_by(_metadata, self->fd, &before, ARRAY_SIZE(values));
}

static void dma(struct __test_metadata *_metadata, int fd, unsigned long cmd,
		void *buf, uint32_t len, uint32_t offset)
{
	struct mmlab_edu_dma d = {
		.buf = (uintptr_t)buf, .len = len, .offset = offset,
	};

	ASSERT_EQ(0, ioctl(fd, cmd, &d))
		TH_LOG("DMA %s %u bytes at %u: %m",
		       cmd == MMLAB_EDU_IOC_DMA_TO_DEV ? "to" : "from", len,
		       offset);
}

/*
 * RAM -> device -> RAM: all the buffer a transfer may reach (all but its
 * last byte, see mmlab_pci.h), then a patch at an offset, read back whole
 * and in part, each completion signalled by an interrupt.
 */
TEST_F(edu, dma_round_trip)
{
	static uint8_t sent[MMLAB_EDU_DMA_SIZE - 1];
	static uint8_t got[MMLAB_EDU_DMA_SIZE - 1];
	uint8_t patch[100], part[10];
	struct irq_counts before;
	int fd = self->fd;

	pattern_fill(sent, sizeof(sent), 1, 0);
	pattern_fill(patch, sizeof(patch), 2, 0);
	irq_counts(_metadata, fd, &before);
	dma(_metadata, fd, MMLAB_EDU_IOC_DMA_TO_DEV, sent, sizeof(sent), 0);
	dma(_metadata, fd, MMLAB_EDU_IOC_DMA_FROM_DEV, got, sizeof(got), 0);
	EXPECT_EQ(-1, first_difference(sent, got, sizeof(got)))
		TH_LOG("the buffer came back different at that byte");
	dma(_metadata, fd, MMLAB_EDU_IOC_DMA_TO_DEV, patch, sizeof(patch),
	    1000);
	dma(_metadata, fd, MMLAB_EDU_IOC_DMA_FROM_DEV, got, sizeof(got), 0);
	memcpy(sent + 1000, patch, sizeof(patch));
	EXPECT_EQ(-1, first_difference(sent, got, sizeof(got)))
		TH_LOG("the patch at 1000 did not land there: byte differs");
	dma(_metadata, fd, MMLAB_EDU_IOC_DMA_FROM_DEV, part, sizeof(part),
	    1095);
	EXPECT_EQ(-1, first_difference(sent + 1095, part, sizeof(part)))
		TH_LOG("bytes 1095 to 1104 came back different");
	irqs_grew_by(_metadata, fd, &before, 5);
}

/*
 * Bad ranges are refused before the device is touched: it would abort on
 * them. Bad pointers fail with EFAULT, before or after the operation.
 */
TEST_F(edu, bad_arguments)
{
	static const struct { uint32_t len, offset; } bad[] = {
		{ 0, 0 }, { 4096, 0 }, { 200, 4000 }, { 1, 4095 }, { 1, 4096 },
		{ 16, 0xfffffff8 }, { 0xffffffff, 1 },
	};
	struct mmlab_edu_factorial f = { .n = 3, .flags = 2 };
	struct mmlab_edu_dma null = { .buf = 0, .len = 16 };
	struct mmlab_edu_raise r = { .value = 0 };
	struct mmlab_edu_liveness l = { .in = 7 };
	struct mmlab_edu_dma rodst;
	int fd = self->fd;
	uint8_t buf[64];
	void *ro;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct mmlab_edu_dma d = {
			.buf = (uintptr_t)buf, .len = bad[i].len,
			.offset = bad[i].offset,
		};

		EXPECT_EQ(-1, ioctl(fd, MMLAB_EDU_IOC_DMA_TO_DEV, &d))
			TH_LOG("to: len %u offset %u", d.len, d.offset);
		EXPECT_EQ(EINVAL, errno)
			TH_LOG("to: len %u offset %u", d.len, d.offset);
		EXPECT_EQ(-1, ioctl(fd, MMLAB_EDU_IOC_DMA_FROM_DEV, &d))
			TH_LOG("from: len %u offset %u", d.len, d.offset);
		EXPECT_EQ(EINVAL, errno)
			TH_LOG("from: len %u offset %u", d.len, d.offset);
	}
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro) TH_LOG("mmap: %m");
	rodst = (struct mmlab_edu_dma){ .buf = (uintptr_t)ro, .len = 16 };
	EXPECT_EQ(-1, ioctl(fd, MMLAB_EDU_IOC_DMA_TO_DEV, &null))
		TH_LOG("from NULL");
	EXPECT_EQ(EFAULT, errno) TH_LOG("from NULL");
	EXPECT_EQ(-1, ioctl(fd, MMLAB_EDU_IOC_DMA_FROM_DEV, &null))
		TH_LOG("to NULL");
	EXPECT_EQ(EFAULT, errno) TH_LOG("to NULL");
	EXPECT_EQ(-1, ioctl(fd, MMLAB_EDU_IOC_DMA_FROM_DEV, &rodst))
		TH_LOG("to read-only memory");
	EXPECT_EQ(EFAULT, errno) TH_LOG("to read-only memory");
	munmap(ro, 4096);

	EXPECT_EQ(-1, ioctl(fd, MMLAB_EDU_IOC_FACTORIAL, &f))
		TH_LOG("factorial flags 2");
	EXPECT_EQ(EINVAL, errno) TH_LOG("factorial flags 2");
	EXPECT_EQ(-1, ioctl(fd, MMLAB_EDU_IOC_RAISE_IRQ, &r)) TH_LOG("raise 0");
	EXPECT_EQ(EINVAL, errno) TH_LOG("raise 0");
	EXPECT_EQ(-1, ioctl(fd, MMLAB_EDU_IOC_INFO, NULL))
		TH_LOG("INFO to NULL");
	EXPECT_EQ(EFAULT, errno) TH_LOG("INFO to NULL");
	EXPECT_EQ(-1, ioctl(fd, _IO(MMLAB_PCI_IOC_MAGIC, 0x7f)))
		TH_LOG("unknown ioctl");
	EXPECT_EQ(ENOTTY, errno) TH_LOG("unknown ioctl");
	EXPECT_EQ(-1, ioctl(fd, MMLAB_IVSHMEM_IOC_INFO, buf))
		TH_LOG("ivshmem's ioctl");
	EXPECT_EQ(ENOTTY, errno) TH_LOG("ivshmem's ioctl");
	/* And the device still works. */
	ASSERT_EQ(0, ioctl(fd, MMLAB_EDU_IOC_LIVENESS, &l))
		TH_LOG("liveness afterwards: %m");
	EXPECT_EQ(~7u, l.out) TH_LOG("liveness afterwards");
}

/* Registers through the mapping, with no system call in between. */
TEST_F(edu, mmio_from_userspace)
{
	struct mmlab_edu_info info;
	uint32_t ident, live, fact;
	int spins = 0;
	void *r;

	ASSERT_EQ(0, ioctl(self->fd, MMLAB_EDU_IOC_INFO, &info))
		TH_LOG("MMLAB_EDU_IOC_INFO: %m");
	r = mmap(NULL, info.bar0_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->fd, 0);
	ASSERT_NE(MAP_FAILED, r) TH_LOG("mmap: %m");
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
	EXPECT_EQ(info.ident, ident) TH_LOG("ident: the ioctl's, the mapping's");
	EXPECT_EQ(~0x0badf00du, live) TH_LOG("liveness read back");
	EXPECT_EQ(factorial32(12), fact) TH_LOG("12!, after %d spins", spins);
}

/*
 * The mapping, as /proc/self and the page tables show it: a VM_IO |
 * VM_PFNMAP vma of the device node, one PTE per touched page, mapping the
 * BAR's own page frames, special (no struct page behind) and uncached.
 */
TEST_F(edu, mapping_is_io_pfnmap_uncached)
{
	static const char * const vm_flags[] = { "io", "pf", "dd", "de" };
	uint64_t bar_pfn = edu_target.bar_start / 4096;
	struct mmlab_walk before, after, next;
	char flags[128], line[256], node[64];
	char *r;

	r = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 0);
	ASSERT_NE(MAP_FAILED, r) TH_LOG("mmap: %m");
	ASSERT_TRUE(pte_walk(r, &before)) TH_LOG("walk: %m");
	mmio_read32(r, REG_IDENT);
	pci_node_of(&edu_target, node, sizeof(node));
	ASSERT_TRUE(pte_walk(r, &after)) TH_LOG("walk: %m");
	ASSERT_TRUE(pte_walk(r + 4096, &next)) TH_LOG("walk: %m");
	EXPECT_EQ(0, before.flags) TH_LOG("PTE present before the first touch");
	EXPECT_EQ(bar_pfn, after.pfn) TH_LOG("PFN: BAR0's in sysfs, the PTE's");
	EXPECT_EQ(0, next.flags) TH_LOG("the next page was mapped too");
	EXPECT_TRUE(after.flags & MMLAB_PT_SPECIAL)
		TH_LOG("PTE flags %#x: not special", after.flags);
	EXPECT_TRUE(after.entry[MMLAB_PTE].raw & X86_PTE_PCD)
		TH_LOG("PTE %#llx is cached",
		       (unsigned long long)after.entry[MMLAB_PTE].raw);
	ASSERT_TRUE(smaps_field(r, "VmFlags", flags, sizeof(flags)));
	for (size_t i = 0; i < ARRAY_SIZE(vm_flags); i++) {
		EXPECT_TRUE(vmflags_has(flags, vm_flags[i]))
			TH_LOG("no %s in VmFlags:%s", vm_flags[i], flags);
	}
	ASSERT_TRUE(maps_line(r, line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, node))
		TH_LOG("%s not in maps: %s", node, line);
	if (!_metadata->exit_code)
		TH_LOG("PTE %#llx: PFN %#llx, special, uncached (PCD)",
		       (unsigned long long)after.entry[MMLAB_PTE].raw,
		       (unsigned long long)after.pfn);
	munmap(r, 4 * 4096);
}

/*
 * The errno of a mmap() of @fd by a child without CAP_SYS_RAWIO (0 if it
 * succeeds); 100 if the child could not drop it, -1 if it died.
 */
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

TEST_F(edu, mmap_refused)
{
	size_t len = edu_target.bar_len;
	int fd = self->fd;
	int rofd = pci_open(&edu_target, O_RDONLY);
	void *p, *q;

	ASSERT_LE(0, rofd) TH_LOG("open mmlab-edu read-only: %m");
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %m");
	q = mremap(p, 4096, 8192, MREMAP_MAYMOVE);
	EXPECT_EQ(MAP_FAILED, q) TH_LOG("mremap() grew the mapping");
	EXPECT_EQ(EINVAL, mmap_errno(fd, len + 4096, 0, PROT_READ, MAP_SHARED))
		TH_LOG("longer than BAR0");
	EXPECT_EQ(EINVAL, mmap_errno(fd, 4096, len, PROT_READ, MAP_SHARED))
		TH_LOG("offset at the end of BAR0");
	EXPECT_EQ(EINVAL, mmap_errno(fd, 8192, len - 4096, PROT_READ,
				     MAP_SHARED))
		TH_LOG("across the end of BAR0");
	EXPECT_EQ(EINVAL, mmap_errno(fd, 4096, 0, PROT_READ, MAP_PRIVATE))
		TH_LOG("MAP_PRIVATE");
	EXPECT_EQ(EACCES, mmap_errno(rofd, 4096, 0, PROT_READ | PROT_WRITE,
				     MAP_SHARED))
		TH_LOG("writable mapping of a read-only file");
	EXPECT_EQ(EPERM, drop_rawio_then_mmap(fd))
		TH_LOG("mmap without CAP_SYS_RAWIO");
	if (q == MAP_FAILED)
		munmap(p, 4096);
	else
		munmap(q, 8192);
	close(rofd);
}

TEST_HARNESS_MAIN
