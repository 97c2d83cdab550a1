// SPDX-License-Identifier: GPL-2.0
/*
 * mmlab_demo: a short, human-readable tour of the mmlab devices, printed
 * by "make demo". The probes (mmap_*_test) assert; this only shows.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/mmlab_mm.h>
#include <linux/mmlab_pio.h>

#include "mmlab_dev.h"
#include "modes.h"
#include "pci_dev.h"
#include "procfs.h"

#define PAGES	32

/* The VmFlags codes that tell the modes apart (Documentation/filesystems/proc.rst). */
static void interesting_flags(const char *all, char *out, size_t len)
{
	static const char * const codes[] = { "io", "pf", "mm", "dc", "de", "dd" };

	out[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(codes); i++)
		if (vmflags_has(all, codes[i]))
			snprintf(out + strlen(out), len - strlen(out), "%s ",
				 codes[i]);
}

static void show_mode(const struct mode *m, long psize)
{
	static const char msg[] = "hello through mmap()";
	struct mmlab_info before, after;
	char path[64], flags[256], some[32], back[sizeof(msg)] = "";
	const char *pagemap;
	size_t len = PAGES * psize;
	struct mmlab_page_pfn req = { .pgoff = 0 };
	unsigned int sum = 0;
	int64_t pfn;
	char *p;
	int fd;

	snprintf(path, sizeof(path), "/dev/mmlab-%s", m->name);
	fd = open(path, O_RDWR);
	if (fd < 0 || !mmlab_info(fd, &before)) {
		printf("%-14s %s\n", m->name, strerror(errno));
		return;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		printf("%-14s mmap: %s\n", m->name, strerror(errno));
		close(fd);
		return;
	}
	smaps_field(p, "VmFlags", flags, sizeof(flags));
	interesting_flags(flags, some, sizeof(some));
	for (size_t off = 0; off < len; off += psize)
		sum += __atomic_load_n(p + off, __ATOMIC_RELAXED);
	mmlab_info(fd, &after);

	pfn = pagemap_pfn(p);
	if (!pfn)
		pagemap = "hidden (VM_PFNMAP)";
	else if (ioctl(fd, MMLAB_IOC_PAGE_PFN, &req) == 0 && req.pfn == (uint64_t)pfn)
		pagemap = "driver's own page";
	else
		pagemap = "NOT the driver's";

	memcpy(p + psize, msg, sizeof(msg));
	pread(fd, back, sizeof(msg), psize);

	printf("%-14s %-16s %5llu %9llu   %-19s %s%s\n", m->name, some,
	       (unsigned long long)(after.faults - before.faults),
	       (unsigned long long)(after.map_pages_calls -
				    before.map_pages_calls),
	       pagemap, strcmp(back, msg) ? "DIFFERS" : "same bytes",
	       sum ? " (buffer not zeroed?)" : "");
	munmap(p, len);
	close(fd);
}

static void show_dirty_tracking(long psize)
{
	uint64_t bits[16] = { 0 };
	struct mmlab_dirty req = {
		.bitmap = (uintptr_t)bits,
		.nbits = sizeof(bits) * 8,
		.flags = MMLAB_DIRTY_CLEAN,
	};
	int fd = open("/dev/mmlab-mkwrite", O_RDWR);
	char *p;

	if (fd < 0)
		return;
	p = mmap(NULL, PAGES * psize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED || ioctl(fd, MMLAB_IOC_DIRTY, &req))
		goto out;
	p[3 * psize] = 1;
	p[17 * psize] = 1;
	p[17 * psize + 1] = 1;
	memset(bits, 0, sizeof(bits));
	if (ioctl(fd, MMLAB_IOC_DIRTY, &req))
		goto out;
	printf("\nmmlab-mkwrite: wrote to pages 3 and 17 (twice);\n");
	printf("  page_mkwrite reported %u dirty pages:", req.ndirty);
	for (int i = 0; i < PAGES; i++)
		if (bits[i / 64] >> (i % 64) & 1)
			printf(" %d", i);
	printf("\n  and re-protected them: the next write to each is reported again.\n");
	munmap(p, PAGES * psize);
out:
	close(fd);
}

static void print_walk(int mmfd, const char *what, const char *p)
{
	static const char * const level[] = { "pgd", "p4d", "pud", "pmd", "pte" };
	struct mmlab_walk w = { .addr = (uintptr_t)p };

	if (ioctl(mmfd, MMLAB_MM_IOC_WALK, &w))
		return;
	printf("\n%s at %p (%u-level paging):\n", what, p, w.levels);
	for (int l = 0; l < MMLAB_LEVELS && w.entry[l].present; l++)
		printf("  %s  %016llx%s\n", level[l],
		       (unsigned long long)w.entry[l].raw,
		       w.entry[l].leaf ? "  leaf" : "");
	printf("  -> PFN %#llx, %llu-byte page, flags:%s%s%s%s%s%s%s\n",
	       (unsigned long long)w.pfn, (unsigned long long)w.page_size,
	       w.flags & MMLAB_PT_WRITE ? " write" : "",
	       w.flags & MMLAB_PT_USER ? " user" : "",
	       w.flags & MMLAB_PT_DIRTY ? " dirty" : "",
	       w.flags & MMLAB_PT_ACCESSED ? " accessed" : "",
	       w.flags & MMLAB_PT_NX ? " nx" : "",
	       w.flags & MMLAB_PT_SPECIAL ? " special" : "",
	       w.flags & MMLAB_PT_HUGE ? " huge" : "");
	printf("  /proc/self/pagemap says PFN %#llx\n",
	       (long long)pagemap_pfn(p));
}

/* Virtual to physical, level by level, with /dev/mmlab-mm. */
static void show_walks(long psize)
{
	int mmfd = open("/dev/mmlab-mm", O_RDWR);
	int fd = open("/dev/mmlab-remap", O_RDWR);
	char *anon, *dev;

	if (mmfd < 0)
		return;
	anon = mmap(NULL, psize, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	dev = mmap(NULL, psize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (anon != MAP_FAILED) {
		anon[0] = 1;
		print_walk(mmfd, "an anonymous page", anon);
	}
	if (dev != MAP_FAILED)
		print_walk(mmfd, "page 0 of /dev/mmlab-remap", dev);
	close(fd);
	close(mmfd);
}

/*
 * The kernel's lookup of the frame behind a user address in a PFN map,
 * as VFIO makes it (MMLAB_MM_IOC_FOLLOW), against where sysfs puts it.
 */
static void show_follow(const void *p, uint64_t phys)
{
	struct mmlab_follow f = { .addr = (uintptr_t)p };
	int mmfd = open("/dev/mmlab-mm", O_RDWR);

	if (mmfd < 0 || ioctl(mmfd, MMLAB_MM_IOC_FOLLOW, &f))
		printf("  follow_pfnmap_start(): %s\n", strerror(errno));
	else
		printf("  follow_pfnmap_start() finds PFN %#llx behind it: %s\n",
		       (unsigned long long)f.pfn,
		       f.pfn == phys / 4096 ? "BAR0's first page, as sysfs says" :
					     "NOT BAR0's first page");
	if (mmfd >= 0)
		close(mmfd);
}

/*
 * Zero copy: edu's DMA straight into the pinned pages of an anonymous
 * buffer, each page given to the device at its own address, bounced
 * through swiotlb, or translated by an IOMMU. Its device buffer already
 * holds @msg at offset 0, and so does every 2 KiB of the user's.
 */
static void show_edu_pin(int fd)
{
	struct mmlab_edu_pin_dma p = { .len = 4 * 4096 };
	uint64_t dma[4];
	int own = 0, moved = 0;
	char *buf;

	buf = mmap(NULL, p.len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return;
	memset(buf, 0, p.len);
	/* The test VM's swiotlb pool is within edu's reach (vm-run.sh). */
	sysfs_write("/sys/module/mmlab_pci/parameters/edu_bounce", "Y");
	p.buf = (uintptr_t)buf;
	p.dma_addrs = (uintptr_t)dma;
	if (ioctl(fd, MMLAB_EDU_IOC_DMA_PIN, &p)) {
		printf("  DMA into pinned pages: %s\n", strerror(errno));
		munmap(buf, p.len);
		return;
	}
	for (int i = 0; i < 4; i++) {
		if ((uint64_t)pagemap_pfn(buf + i * 4096) * 4096 == dma[i])
			own++;
		else
			moved++;
	}
	printf("  DMA into 4 pinned anonymous pages: \"%s\" at every 2 KiB; %u segments,\n"
	       "    %d pages at their own address, %d %s; a pin held %u references\n",
	       buf + 2048, p.segments, own, moved,
	       p.translated ? "translated by the IOMMU" :
			      "bounced through swiotlb", p.pin_refs);
	munmap(buf, p.len);
}

/* QEMU's edu: registers, an interrupt, DMA, and BAR0 mapped to userspace. */
static void show_edu(void)
{
	static const char msg[64] = "RAM -> edu's DMA buffer -> RAM";
	struct mmlab_edu_factorial f = { .n = 10, .flags = MMLAB_EDU_FACT_IRQ };
	struct mmlab_edu_liveness l = { .in = 0x12345678 };
	struct mmlab_edu_dma d = { .len = sizeof(msg) };
	struct mmlab_edu_info info;
	char got[sizeof(msg)] = "";
	void *r;
	int fd;

	printf("\nQEMU's edu device %s, bound to mmlab-edu (drivers/pci/edu.c):\n",
	       edu_target.bdf);
	fd = pci_open(&edu_target, O_RDWR);
	if (fd < 0 || ioctl(fd, MMLAB_EDU_IOC_INFO, &info)) {
		printf("  %s\n", strerror(errno));
		return;
	}
	printf("  identification %#x, %s interrupt %u, BAR0 %llu KiB at %#llx\n",
	       info.ident, info.irq_mode == MMLAB_EDU_IRQ_MSI ? "MSI" : "INTx",
	       info.irq, (unsigned long long)info.bar0_size >> 10,
	       (unsigned long long)edu_target.bar_start);
	if (!ioctl(fd, MMLAB_EDU_IOC_LIVENESS, &l))
		printf("  liveness: wrote %#x, read back %#x\n", l.in, l.out);
	if (!ioctl(fd, MMLAB_EDU_IOC_FACTORIAL, &f))
		printf("  10! = %u, its completion signalled by an interrupt\n",
		       f.result);
	d.buf = (uintptr_t)msg;
	if (!ioctl(fd, MMLAB_EDU_IOC_DMA_TO_DEV, &d)) {
		d.buf = (uintptr_t)got;
		ioctl(fd, MMLAB_EDU_IOC_DMA_FROM_DEV, &d);
	}
	printf("  DMA: \"%s\"\n", got);
	show_edu_pin(fd);
	r = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (r != MAP_FAILED) {
		printf("  BAR0 mapped uncached; identification read by userspace: %#x\n",
		       mmio_read32(r, 0));
		show_follow(r, edu_target.bar_start);
		munmap(r, 4096);
	}
	close(fd);
}

/* QEMU's ivshmem: BAR2 is a file of the host's, filled before the boot. */
static void show_ivshmem(void)
{
	size_t half = ivshmem_target.bar_len / 2;
	uint8_t *p;
	int fd;

	printf("\nQEMU's ivshmem device %s, bound to mmlab-ivshmem (drivers/pci/ivshmem.c):\n",
	       ivshmem_target.bdf);
	fd = pci_open(&ivshmem_target, O_RDONLY);
	p = fd < 0 ? MAP_FAILED : mmap(NULL, half, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		printf("  %s\n", strerror(errno));
	} else {
		printf("  BAR2, %llu KiB at %#llx, mapped: the host's %zu KiB pattern %s\n",
		       (unsigned long long)ivshmem_target.bar_len >> 10,
		       (unsigned long long)ivshmem_target.bar_start, half >> 10,
		       pattern_check(p, half, IVSHMEM_HOST_SEED, 0) < 0 ?
		       "arrived intact" : "DIFFERS");
		munmap(p, half);
	}
	close(fd);
}

static int pio(int fd, unsigned long cmd, int target, int method, int width,
	       uint32_t offset, void *buf, uint32_t len)
{
	struct mmlab_pio_xfer x = {
		.buf = (uintptr_t)buf, .len = len, .offset = offset,
		.target = target, .method = method, .width = width,
	};

	return ioctl(fd, cmd, &x);
}

/*
 * QEMU's ISA pc-testdev: its one register written whole with outl() and
 * read back a byte at a time through its other ports; isa-debugcon's port
 * read back. The bytes the probe writes to debugcon go to a host file.
 */
static void show_pio(void)
{
	struct mmlab_pio_info info;
	uint32_t v = 0x6d6d6c62;
	uint8_t b[4], con;
	int fd = open("/dev/mmlab-pio0", O_RDWR);
	int err = fd < 0 || ioctl(fd, MMLAB_PIO_IOC_INFO, &info) ||
		  pio(fd, MMLAB_PIO_IOC_WRITE, MMLAB_PIO_REG, MMLAB_PIO_SINGLE,
		      4, 0, &v, 4) ||
		  pio(fd, MMLAB_PIO_IOC_READ, MMLAB_PIO_DEBUGCON,
		      MMLAB_PIO_SINGLE, 1, 0, &con, 1);

	for (int i = 0; !err && i < 4; i++)
		err = pio(fd, MMLAB_PIO_IOC_READ, MMLAB_PIO_REG_BYTES,
			  MMLAB_PIO_IOMAP, 1, i, &b[i], 1);
	printf("\nISA pc-testdev and isa-debugcon, bound to mmlab-pio (drivers/pci/pio.c):\n");
	if (err) {
		printf("  %s\n", strerror(errno));
	} else {
		printf("  outl(%#x) to port %#x, ioread8() of ports %#x-%#x: %02x %02x %02x %02x\n",
		       v, info.reg_port, info.reg_bytes_port,
		       info.reg_bytes_port + 3, b[0], b[1], b[2], b[3]);
		printf("  inb() of debugcon's port %#x: %#x; MMIO, %u KiB at %#llx, claimed\n",
		       info.debugcon_port, con, info.iomem_size >> 10,
		       (unsigned long long)info.iomem_start);
	}
	if (fd >= 0)
		close(fd);
}

int main(void)
{
	long psize = sysconf(_SC_PAGESIZE);
	struct utsname uts;
	void *p;
	int fd;

	uname(&uts);
	printf("mmlab demo on Linux %s: one device per way to implement mmap()\n\n",
	       uts.release);
	printf("Each row maps %d pages MAP_SHARED, reads one byte of each, then writes\n"
	       "through the mapping and reads the bytes back with read().\n\n", PAGES);
	printf("%-14s %-16s %5s %9s   %-19s %s\n", "/dev/mmlab-", "VmFlags", "faults",
	       "map_pages", "/proc/self/pagemap", "read() after a store");
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
		show_mode(&modes[i], psize);
	printf("\n(io VM_IO, pf VM_PFNMAP, mm VM_MIXEDMAP,\n"
	       " de VM_DONTEXPAND, dd VM_DONTDUMP)\n");

	show_dirty_tracking(psize);
	show_walks(psize);

	fd = open("/dev/mmlab-fault", O_RDWR);
	p = mmap(NULL, psize, PROT_READ, MAP_SHARED, fd, (off_t)1 << 40);
	printf("\nmmap at offset 1 TiB, past the buffer's end: %s\n",
	       p == MAP_FAILED ? strerror(errno) : "mapped (wrong!)");
	close(fd);

	if (pci_find(&edu_target))
		show_edu();
	if (pci_find(&ivshmem_target))
		show_ivshmem();
	if (access("/dev/mmlab-pio0", F_OK) == 0)
		show_pio();
	return 0;
}
