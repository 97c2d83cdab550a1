// SPDX-License-Identifier: GPL-2.0
/*
 * pci_dma_pin_test: edu's DMA straight into a user's pinned pages,
 * MMLAB_EDU_IOC_DMA_PIN (drivers/pci/edu_pin.c).
 *
 * The truths each test is checked against, none of them the driver's:
 * - the bytes, which only the device can have put there (it is filled
 *   with a pattern of this process's first, and the buffer with zeroes);
 * - the pages' physical addresses, from /proc/self/pagemap, against the
 *   DMA addresses the device was given: equal for a page edu's 28 address
 *   bits reach directly, different for one bounced through swiotlb;
 * - which pages swiotlb bounced, from the kernel's own trace event
 *   swiotlb:swiotlb_bounced (tracefs);
 * - the kernel's pin accounting, nr_foll_pin_acquired and
 *   nr_foll_pin_released in /proc/vmstat;
 * - the interrupts /proc/interrupts counted, one per DMA command;
 * - the errors mm/gup.c documents for pins it refuses.
 *
 * The test VM runs it twice per kernel (scripts/check.sh): on QEMU's pc
 * machine, without an IOMMU, where pages above 256 MiB are bounced, and on
 * q35 with its IOMMU on, where none is and the device sees the pages as
 * one contiguous range.
 *
 * kselftest harness: fixture "pin", whose setup opens edu's node and
 * fills the device's buffer; each test in a process of its own.
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
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/mmlab_pci.h>

#include "harness.h"

#include "edu_irqs.h"
#include "mmlab_dev.h"
#include "pci_dev.h"
#include "procfs.h"

/* edu drives 28 address bits (QEMU's docs/specs/edu.rst). */
#define EDU_LIMIT	(1ULL << 28)

/*
 * What a pin adds to a small page's reference count, GUP_PIN_COUNTING_BIAS
 * (Documentation/core-api/pin_user_pages.rst).
 */
#define PIN_BIAS	1024

#define EDU_BOUNCE	"/sys/module/mmlab_pci/parameters/edu_bounce"
#define TRACEFS		"/sys/kernel/tracing"
#define BOUNCED_EVENT	TRACEFS "/events/swiotlb/swiotlb_bounced/enable"

#define MAX_PAGES	(MMLAB_EDU_PIN_MAX / 4096 + 1)

static long page_size;

/* The pin accounting of /proc/vmstat, folded to exact values first. */
struct pins {
	long acquired;
	long released;
};

static void read_pins(struct __test_metadata *_metadata, struct pins *p)
{
	ASSERT_TRUE(sysfs_write("/proc/sys/vm/stat_refresh", "1"))
		TH_LOG("write /proc/sys/vm/stat_refresh: %m");
	p->acquired = read_vmstat("nr_foll_pin_acquired");
	p->released = read_vmstat("nr_foll_pin_released");
	ASSERT_LE(0, p->acquired) TH_LOG("no nr_foll_pin_acquired");
	ASSERT_LE(0, p->released) TH_LOG("no nr_foll_pin_released");
}

/*
 * No pin left behind since @before: as many given back as taken. A pin the
 * kernel refuses may still be taken and given back: the fast path pins a
 * page before it checks the vma, and drops the pin when it must not.
 */
static void pins_balance(struct __test_metadata *_metadata,
			 const struct pins *before)
{
	struct pins now;

	read_pins(_metadata, &now);
	EXPECT_EQ(now.acquired - before->acquired,
		  now.released - before->released)
		TH_LOG("pins taken but not given back (/proc/vmstat)");
}

/* Pins taken and given back since @before, by the kernel's count. */
static void pins_grew_by(struct __test_metadata *_metadata,
			 const struct pins *before, long taken, long back)
{
	struct pins now;

	read_pins(_metadata, &now);
	EXPECT_EQ(taken, now.acquired - before->acquired)
		TH_LOG("pins acquired (/proc/vmstat)");
	EXPECT_EQ(back, now.released - before->released)
		TH_LOG("pins released (/proc/vmstat)");
}

FIXTURE(pin) {
	int fd;				/* edu's node */
	uint8_t period[MMLAB_EDU_PIN_PERIOD];	/* the device's buffer */
};

FIXTURE_SETUP(pin)
{
	struct mmlab_edu_dma d = {
		.buf = (uintptr_t)self->period, .len = sizeof(self->period),
	};

	page_size = sysconf(_SC_PAGESIZE);
	self->fd = -1;
	ASSERT_TRUE(pci_find(&edu_target))
		TH_LOG("no edu device in sysfs: QEMU needs -device edu");
	self->fd = pci_open(&edu_target, O_RDWR);
	ASSERT_LE(0, self->fd) TH_LOG("open mmlab-edu: %m");
	/* A pattern of this process's own: nothing left from another. */
	pattern_fill(self->period, sizeof(self->period), getpid(), 0);
	ASSERT_EQ(0, ioctl(self->fd, MMLAB_EDU_IOC_DMA_TO_DEV, &d))
		TH_LOG("fill the device's buffer: %m");
	/* The VM's swiotlb pool lies below 256 MiB (scripts/vm-run.sh). */
	ASSERT_TRUE(sysfs_write(EDU_BOUNCE, "Y")) TH_LOG("%s: %m", EDU_BOUNCE);
}

FIXTURE_TEARDOWN(pin)
{
	if (self->fd >= 0)
		close(self->fd);
}

static int pin_dma(int fd, void *buf, uint32_t len, uint64_t *dma_addrs,
		   struct mmlab_edu_pin_dma *arg)
{
	memset(arg, 0, sizeof(*arg));
	arg->buf = (uintptr_t)buf;
	arg->len = len;
	arg->dma_addrs = (uintptr_t)dma_addrs;
	return ioctl(fd, MMLAB_EDU_IOC_DMA_PIN, arg) ? -errno : 0;
}

/* Small anonymous pages, zeroed and faulted in, or MAP_FAILED. */
static uint8_t *anon_pages(size_t pages)
{
	size_t len = pages * page_size;
	uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return p;
	/* The pin bias is a small page's: no THP here. */
	madvise(p, len, MADV_NOHUGEPAGE);
	memset(p, 0, len);
	return p;
}

/* Byte @i of a filled buffer is byte i % period of the device's. */
static void bytes_arrived(struct __test_metadata *_metadata,
			  const uint8_t *period, const uint8_t *buf,
			  size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] != period[i % MMLAB_EDU_PIN_PERIOD]) {
			ASSERT_EQ(period[i % MMLAB_EDU_PIN_PERIOD], buf[i])
				TH_LOG("byte %zu of %zu is not the device's", i,
				       len);
		}
	}
}

static bool all_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

/*
 * The device's bytes arrive in an anonymous buffer, at any alignment and
 * length, and nowhere outside it; the pages are pinned, one pin each, and
 * given back.
 */
TEST_F(pin, bytes_arrive)
{
	static const struct { size_t off, len; } shapes[] = {
		{ 0, 4 * 4096 }, { 100, 3 * 4096 + 300 }, { 4095, 1 },
		{ 4000, 200 }, { 0, MMLAB_EDU_PIN_MAX },
	};
	struct mmlab_edu_pin_dma arg;
	struct pins before;

	for (size_t s = 0; s < ARRAY_SIZE(shapes); s++) {
		size_t off = shapes[s].off, len = shapes[s].len;
		size_t pages = (off + len + page_size - 1) / page_size;
		uint8_t *buf = anon_pages(pages + 1);

		ASSERT_NE(MAP_FAILED, buf);
		read_pins(_metadata, &before);
		ASSERT_EQ(0, pin_dma(self->fd, buf + off, len, NULL, &arg))
			TH_LOG("%zu bytes at offset %zu: %s", len, off,
			       strerror(errno));
		EXPECT_EQ(pages, arg.pages) TH_LOG("pages of %zu at %zu", len,
						   off);
		pins_grew_by(_metadata, &before, pages, pages);
		bytes_arrived(_metadata, self->period, buf + off, len);
		EXPECT_TRUE(all_zero(buf, off))
			TH_LOG("the device wrote before the buffer");
		EXPECT_TRUE(all_zero(buf + off + len,
				     (pages + 1) * page_size - off - len))
			TH_LOG("the device wrote past the buffer");
		munmap(buf, (pages + 1) * page_size);
	}
}

/*
 * While pinned, a small page's reference count is up by the pin bias: the
 * driver reads it during the pin and after the unpin.
 */
TEST_F(pin, pin_adds_the_bias)
{
	struct mmlab_edu_pin_dma arg;
	uint8_t *buf = anon_pages(2);

	ASSERT_NE(MAP_FAILED, buf);
	ASSERT_EQ(0, pin_dma(self->fd, buf, 2 * page_size, NULL, &arg));
	EXPECT_EQ(PIN_BIAS, arg.pin_refs);
}

/* A physically contiguous run of the buffer's pages: one DMA segment. */
struct run {
	uint64_t phys;		/* of the run's first byte in the buffer */
	uint64_t len;		/* bytes of the buffer in it */
	size_t first, pages;	/* which of the buffer's pages */
	int bounced;		/* swiotlb_bounced events that named it */
};

/*
 * The runs of physically contiguous pages of the @len bytes at @buf + @off
 * (@buf page-aligned), as sg_alloc_table_from_pages_segment() merges them:
 * none of more than @max bytes of pages.
 */
static size_t phys_runs(struct __test_metadata *_metadata, const uint8_t *buf,
			size_t off, size_t len, size_t max, struct run *runs)
{
	size_t pages = (off + len + page_size - 1) / page_size, n = 0;
	uint64_t prev = 0;

	for (size_t i = 0; i < pages; i++) {
		int64_t pfn = pagemap_pfn(buf + i * page_size);
		uint64_t phys = (uint64_t)pfn * page_size;
		size_t start = i ? 0 : off;
		size_t end = off + len - i * page_size;

		if (end > (size_t)page_size)
			end = page_size;
		EXPECT_LT(0, pfn) TH_LOG("page %zu: no PFN in pagemap", i);
		if (pfn <= 0)
			return 0;
		if (!n || phys != prev + page_size ||
		    (runs[n - 1].pages + 1) * page_size > max) {
			runs[n++] = (struct run){
				.phys = phys + start, .first = i,
			};
		}
		runs[n - 1].len += end - start;
		runs[n - 1].pages++;
		prev = phys;
	}
	return n;
}

/* Turn swiotlb's trace event on (true) or off, and empty the trace. */
static bool trace_bounces(bool on)
{
	int fd;

	if (access(TRACEFS "/trace", W_OK) &&
	    mount("nodev", TRACEFS, "tracefs", 0, NULL))
		return false;
	if (!sysfs_write(BOUNCED_EVENT, on ? "1" : "0"))
		return false;
	/* Opening the trace for writing with O_TRUNC empties it. */
	fd = open(TRACEFS "/trace", O_WRONLY | O_TRUNC);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/*
 * Count the swiotlb_bounced events of edu against @runs: each names the
 * bus address swiotlb was asked to map, the run's own physical address.
 * Returns the events of edu, or -1.
 */
static int read_bounces(struct run *runs, size_t n)
{
	FILE *f = fopen(TRACEFS "/trace", "r");
	char line[512];
	int events = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long addr, size;
		char *at = strstr(line, "dev_addr=");

		if (!strstr(line, "swiotlb_bounced") ||
		    !strstr(line, edu_target.bdf) || !at ||
		    sscanf(at, "dev_addr=%llx size=%llu", &addr, &size) != 2)
			continue;
		events++;
		for (size_t r = 0; r < n; r++)
			if (runs[r].phys == addr && runs[r].len == size)
				runs[r].bounced++;
	}
	fclose(f);
	return events;
}

/*
 * Where each page went, from the kernel's evidence. Without an IOMMU:
 * a run of pages below 2^28 is given to the device at its own physical
 * address (zero copy), a run above is bounced, once, through swiotlb, at an
 * address below 2^28 that is not its own; the segments are the runs. With
 * an IOMMU: nothing is bounced, and the device sees the pages, wherever
 * they lie, as one range below 2^28. A buffer that starts inside a page,
 * as a user's may.
 */
TEST_F(pin, dma_addresses_show_the_path)
{
	const size_t pages = 8, off = 100, len = pages * 4096 - 2 * off;
	uint64_t dma[MAX_PAGES];
	struct run runs[MAX_PAGES];
	struct mmlab_edu_pin_dma arg;
	size_t n, high = 0, high_runs = 0;
	int events;
	uint8_t *buf = anon_pages(pages);

	ASSERT_NE(MAP_FAILED, buf);
	/* 64 KiB: the segment limit PCI sets (dma_get_max_seg_size()). */
	n = phys_runs(_metadata, buf, off, len, 65536, runs);
	ASSERT_LT(0, n);
	ASSERT_TRUE(trace_bounces(true))
		TH_LOG("no swiotlb:swiotlb_bounced trace event: %m");
	ASSERT_EQ(0, pin_dma(self->fd, buf + off, len, dma, &arg));
	events = read_bounces(runs, n);
	trace_bounces(false);
	bytes_arrived(_metadata, self->period, buf + off, len);
	ASSERT_LE(0, events);
	ASSERT_EQ(pages, arg.pages);

	for (size_t r = 0; r < n; r++) {
		if (runs[r].phys + runs[r].len > EDU_LIMIT) {
			high += runs[r].pages;
			high_runs++;
		}
	}
	for (size_t i = 0; i < pages; i++) {
		EXPECT_GE(EDU_LIMIT, dma[i] + page_size - (i ? 0 : off))
			TH_LOG("page %zu at DMA address %#llx: beyond 28 bits", i,
			       (unsigned long long)dma[i]);
	}
	ksft_print_msg("%s: %zu pages, %zu runs, %zu above 256 MiB; %u segments, %d bounced\n",
		       arg.translated ? "IOMMU" : "no IOMMU", pages, n, high,
		       arg.segments, events);

	if (arg.translated) {
		EXPECT_EQ(0, events) TH_LOG("bounced despite the IOMMU");
		EXPECT_EQ(1, arg.segments)
			TH_LOG("the IOMMU did not make the pages one range");
		for (size_t i = 1; i < pages; i++) {
			EXPECT_EQ(dma[0] - off + i * page_size, dma[i])
				TH_LOG("page %zu: not contiguous for the device",
				       i);
		}
		/* The IOMMU maps whole pages: offsets in a page stay. */
		for (size_t i = 0; i < pages; i++) {
			EXPECT_EQ(i ? 0 : off, dma[i] % page_size)
				TH_LOG("page %zu: DMA address %#llx", i,
				       (unsigned long long)dma[i]);
		}
		return;
	}
	EXPECT_EQ(n, arg.segments) TH_LOG("segments against physical runs");
	for (size_t r = 0; r < n; r++) {
		bool bounce = runs[r].phys + runs[r].len > EDU_LIMIT;
		uint64_t phys = runs[r].phys;

		EXPECT_EQ(bounce, runs[r].bounced)
			TH_LOG("run at %#llx: swiotlb_bounced events",
			       (unsigned long long)runs[r].phys);
		for (size_t i = runs[r].first;
		     i < runs[r].first + runs[r].pages; i++) {
			if (bounce) {
				EXPECT_NE(phys, dma[i])
					TH_LOG("page %zu: bounced yet given its own address",
					       i);
			} else {
				EXPECT_EQ(phys, dma[i])
					TH_LOG("page %zu: reachable yet not given its own address",
					       i);
			}
			phys = (phys | (page_size - 1)) + 1;
		}
	}
	/* And no event for any other address. */
	EXPECT_EQ((int)high_runs, events) TH_LOG("swiotlb_bounced events");
}

/*
 * Without edu_bounce, a page edu cannot reach is refused, before the
 * device is touched, rather than handed to swiotlb: EIO, nothing left
 * pinned. Through an IOMMU, or below 256 MiB, it needs no bounce.
 */
TEST_F(pin, no_bounce_without_edu_bounce)
{
	const size_t pages = 8;
	struct run runs[MAX_PAGES];
	struct mmlab_edu_pin_dma arg;
	struct pins before;
	size_t n;
	bool high = false;
	int ret;
	uint8_t *buf = anon_pages(pages);

	ASSERT_NE(MAP_FAILED, buf);
	n = phys_runs(_metadata, buf, 0, pages * page_size, 65536, runs);
	ASSERT_LT(0, n);
	for (size_t r = 0; r < n; r++)
		high |= runs[r].phys + runs[r].len > EDU_LIMIT;
	ASSERT_TRUE(sysfs_write(EDU_BOUNCE, "N"));
	read_pins(_metadata, &before);
	ret = pin_dma(self->fd, buf, pages * page_size, NULL, &arg);
	ASSERT_TRUE(sysfs_write(EDU_BOUNCE, "Y"));
	pins_balance(_metadata, &before);
	EXPECT_EQ(0, pci_counter("pinned"));
	if (ret) {
		EXPECT_EQ(-EIO, ret);
		EXPECT_TRUE(high) TH_LOG("refused pages edu reaches");
		EXPECT_TRUE(all_zero(buf, pages * page_size))
			TH_LOG("the device wrote a refused buffer");
	} else {
		EXPECT_TRUE(arg.translated || !high)
			TH_LOG("pages beyond 28 bits taken without a bounce");
		bytes_arrived(_metadata, self->period, buf, pages * page_size);
	}
	ksft_print_msg("%s, %s 256 MiB: %s\n",
		       arg.translated ? "IOMMU" : "no IOMMU",
		       high ? "pages above" : "all below",
		       ret ? strerror(-ret) : "done");
}

/*
 * One device command per piece of the buffer that neither crosses a
 * period of the device's buffer nor a DMA segment, each ending in an
 * interrupt that /proc/interrupts counts. The segments: the physical runs
 * without an IOMMU, one range with it.
 */
TEST_F(pin, one_interrupt_per_command)
{
	const size_t pages = 4, off = 1000, len = pages * 4096 - 2000;
	struct run runs[MAX_PAGES];
	struct mmlab_edu_pin_dma arg;
	struct irq_counts before;
	long commands = 1;
	size_t n, r = 1;
	uint8_t *buf = anon_pages(pages);

	ASSERT_NE(MAP_FAILED, buf);
	n = phys_runs(_metadata, buf, off, len, 65536, runs);
	ASSERT_LT(0, n);
	irq_counts(_metadata, self->fd, &before);
	ASSERT_EQ(0, pin_dma(self->fd, buf + off, len, NULL, &arg));
	if (arg.translated) {
		ASSERT_EQ(1, arg.segments);
		n = 1;
	}
	/* Cut at every period, and where the next run starts. */
	for (size_t pos = 1; pos < len; pos++) {
		bool run_starts = r < n && off + pos == runs[r].first * 4096;

		if (pos % MMLAB_EDU_PIN_PERIOD == 0 || run_starts)
			commands++;
		if (run_starts)
			r++;
	}
	ksft_print_msg("%zu bytes in %zu segments: %ld commands\n", len, n,
		       commands);
	irqs_grew_by(_metadata, self->fd, &before, commands);
}

/* A read-only mapping cannot be written by the device: EFAULT, no pin. */
TEST_F(pin, read_only_mapping_efault)
{
	struct mmlab_edu_pin_dma arg;
	struct pins before;
	uint8_t *buf = anon_pages(2);

	ASSERT_NE(MAP_FAILED, buf);
	ASSERT_EQ(0, mprotect(buf, 2 * page_size, PROT_READ));
	read_pins(_metadata, &before);
	EXPECT_EQ(-EFAULT, pin_dma(self->fd, buf, 2 * page_size, NULL, &arg));
	pins_grew_by(_metadata, &before, 0, 0);
	EXPECT_EQ(0, pci_counter("pinned"));
	EXPECT_TRUE(all_zero(buf, 2 * page_size));
}

/*
 * A buffer over an unmapped hole: pin_user_pages_fast() pins the pages
 * before it, which the driver gives back: EFAULT, nothing left pinned, the
 * device never started.
 */
TEST_F(pin, hole_efault_nothing_pinned)
{
	struct mmlab_edu_pin_dma arg;
	struct pins before;
	uint8_t *buf = anon_pages(3);

	ASSERT_NE(MAP_FAILED, buf);
	ASSERT_EQ(0, munmap(buf + page_size, page_size));
	read_pins(_metadata, &before);
	EXPECT_EQ(-EFAULT, pin_dma(self->fd, buf, 3 * page_size, NULL, &arg));
	pins_balance(_metadata, &before);
	EXPECT_EQ(0, pci_counter("pinned"));
	EXPECT_TRUE(all_zero(buf, page_size));
	EXPECT_TRUE(all_zero(buf + 2 * page_size, page_size));
}

/* Arguments refused before anything is pinned. */
TEST_F(pin, bad_arguments)
{
	struct mmlab_edu_pin_dma arg = { 0 };
	struct pins before;
	uint8_t *buf = anon_pages(1);
	void *ro = mmap(NULL, page_size, PROT_READ,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, buf);
	ASSERT_NE(MAP_FAILED, ro);
	read_pins(_metadata, &before);
	EXPECT_EQ(-EINVAL, pin_dma(self->fd, buf, 0, NULL, &arg));
	EXPECT_EQ(-EINVAL, pin_dma(self->fd, buf, MMLAB_EDU_PIN_MAX + 1, NULL,
				   &arg));
	arg = (struct mmlab_edu_pin_dma){
		.buf = (uintptr_t)buf, .len = 1, .flags = 1,
	};
	EXPECT_EQ(-1, ioctl(self->fd, MMLAB_EDU_IOC_DMA_PIN, &arg));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-EFAULT, pin_dma(self->fd, NULL, 1, NULL, &arg));
	EXPECT_EQ(-EFAULT, pin_dma(self->fd, (void *)(uintptr_t)-4096, 4096,
				   NULL, &arg));
	/* A DMA address array that cannot be written: EFAULT, no pin. */
	EXPECT_EQ(-EFAULT, pin_dma(self->fd, buf, 1, (uint64_t *)ro, &arg));
	EXPECT_EQ(-EFAULT, pin_dma(self->fd, buf, 1, (uint64_t *)8, &arg));
	EXPECT_EQ(-1, ioctl(self->fd, MMLAB_EDU_IOC_DMA_PIN, NULL));
	EXPECT_EQ(EFAULT, errno);
	pins_grew_by(_metadata, &before, 0, 0);
	EXPECT_TRUE(all_zero(buf, page_size));
}

/*
 * FOLL_LONGTERM on mappings mm/gup.c refuses: a PFN map (VM_IO |
 * VM_PFNMAP, check_vma_flags(): EFAULT, on every kernel), and a shared
 * writable file mapping whose writes the file tracks, here through
 * ->page_mkwrite (writable_file_mapping_allowed(): EFAULT since Linux
 * 6.5, "mm/gup: disallow FOLL_LONGTERM GUP-nonfast writing to file-backed
 * mappings"; allowed before).
 */
TEST_F(pin, longterm_refused)
{
	static const struct {
		const char *mode;
		bool refused_before_6_5;
	} maps[] = { { "remap", true }, { "mkwrite", false } };
	struct mmlab_edu_pin_dma arg;
	struct utsname u;
	unsigned int major, minor;
	bool since_6_5;
	struct pins before;
	int ret;

	ASSERT_EQ(0, uname(&u));
	ret = sscanf(u.release, "%u.%u", &major, &minor);
	ASSERT_EQ(2, ret);
	since_6_5 = major > 6 || (major == 6 && minor >= 5);
	for (size_t m = 0; m < ARRAY_SIZE(maps); m++) {
		bool refused = since_6_5 || maps[m].refused_before_6_5;
		char path[64];
		int fd;
		uint8_t *p;

		snprintf(path, sizeof(path), "/dev/mmlab-%s", maps[m].mode);
		fd = open(path, O_RDWR);
		ASSERT_LE(0, fd) TH_LOG("open %s: %m", path);
		p = mmap(NULL, 2 * page_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, fd, 0);
		ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap mmlab-%s", maps[m].mode);
		p[0] = 1;
		read_pins(_metadata, &before);
		ret = pin_dma(self->fd, p, 2 * page_size, NULL, &arg);
		EXPECT_EQ(refused ? -EFAULT : 0, ret)
			TH_LOG("mmlab-%s on %s: %s", maps[m].mode, u.release,
			       strerror(-ret));
		if (refused) {
			pins_balance(_metadata, &before);
		} else {
			pins_grew_by(_metadata, &before, 2, 2);
			bytes_arrived(_metadata, self->period, p,
				      2 * page_size);
		}
		munmap(p, 2 * page_size);
		close(fd);
	}
}

/*
 * The DMA addresses are bus addresses, physical ones without an IOMMU:
 * like pagemap's PFNs, only for CAP_SYS_ADMIN (EPERM, nothing pinned).
 * The DMA itself needs no capability: the node's mode is the check.
 */
TEST_F(pin, dma_addrs_need_cap_sys_admin)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2] = { 0 };
	struct mmlab_edu_pin_dma arg;
	uint64_t dma[1];
	uint8_t *buf = anon_pages(1);

	ASSERT_NE(MAP_FAILED, buf);
	/* This test's own process: every capability dropped, for good. */
	ASSERT_EQ(0, syscall(SYS_capset, &h, d)) TH_LOG("capset: %m");
	EXPECT_EQ(-EPERM, pin_dma(self->fd, buf, 16, dma, &arg));
	EXPECT_TRUE(all_zero(buf, page_size));
	EXPECT_EQ(0, pin_dma(self->fd, buf, 16, NULL, &arg));
	bytes_arrived(_metadata, self->period, buf, 16);
}

struct unmapper {
	uint8_t *buf;
	size_t len;
	long pinned;		/* the driver's count before the munmap */
	long still;		/* and after it */
	int ret;
};

/*
 * Wait until the driver holds the pages pinned, which it does only while
 * it maps and runs the DMA, then unmap them under it.
 */
static void *unmap_in_flight(void *data)
{
	struct unmapper *u = data;

	/* A bound for a driver that never pins, not a guess at a time. */
	for (int i = 0; i < 1000000; i++) {
		u->pinned = pci_counter("pinned");
		if (u->pinned > 0)
			break;
		usleep(10);
	}
	u->ret = munmap(u->buf, u->len);
	u->still = pci_counter("pinned");
	return NULL;
}

/*
 * Another thread unmaps the buffer while the device writes it: the pin
 * keeps the pages until the device is done and the driver unpins them.
 * Nothing leaks (the kernel's pin count balances, the driver holds no
 * page), and on the debug kernel KASAN and page poisoning see no write
 * to a freed page. The munmap must fall inside the pin, as the driver's
 * count seen before and after it shows: a run where the DMA ended first
 * proves nothing and is done again.
 */
TEST_F(pin, munmap_during_dma)
{
	const size_t pages = 8;
	struct mmlab_edu_pin_dma arg;
	struct unmapper u;
	struct pins before;
	int attempt, ret;
	pthread_t t;

	for (attempt = 1; attempt <= 5; attempt++) {
		u = (struct unmapper){ .len = pages * page_size };
		u.buf = anon_pages(pages);
		ASSERT_NE(MAP_FAILED, u.buf);
		read_pins(_metadata, &before);
		ASSERT_EQ(0, pthread_create(&t, NULL, unmap_in_flight, &u));
		ret = pin_dma(self->fd, u.buf, u.len, NULL, &arg);
		ASSERT_EQ(0, pthread_join(t, NULL));
		EXPECT_EQ(0, ret) TH_LOG("the DMA: %s", strerror(-ret));
		EXPECT_EQ(0, u.ret) TH_LOG("munmap while pinned: %m");
		pins_grew_by(_metadata, &before, pages, pages);
		EXPECT_EQ(0, pci_counter("pinned"));
		if (u.pinned == (long)pages && u.still == (long)pages)
			break;
		ksft_print_msg("attempt %d: pinned %ld before munmap, %ld after\n",
			       attempt, u.pinned, u.still);
	}
	EXPECT_GE(5, attempt) TH_LOG("the munmap never fell inside the pin");
}

TEST_HARNESS_MAIN
