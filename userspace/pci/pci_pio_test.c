// SPDX-License-Identifier: GPL-2.0
/*
 * pci_pio_test: port I/O and MMIO on QEMU's ISA pc-testdev and
 * isa-debugcon through /dev/mmlab-pio0 (drivers/pci/pio.c).
 *
 * The truths: QEMU's own sources (hw/misc/pc-testdev.c: one 32-bit
 * register at two ranges of ports, the second served a byte at a time,
 * and 64 KiB of RAM; hw/char/debugcon.c: a port that reads back 0xe9 and
 * sends what is written to the host), the kernel's resource tree in
 * /proc/ioports and /proc/iomem, a user mapping of the MMIO, and the
 * host's file behind debugcon, which scripts/debugcon.py checks after the
 * guest powers off.
 *
 * kselftest harness: fixture "pio" for the device as a whole, fixture
 * "access" with a variant per method and element width; each test in a
 * process of its own. Run as root in the test VM with mmlab_pci loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/mmlab_pio.h>

#include "harness.h"

#include "mmlab_dev.h"
#include "pci_dev.h"
#include "probe.h"

#define PIO_NODE	"/dev/mmlab-pio0"
#define PIO_NAME	"mmlab-pio0"
#define PIO_DRIVER	"/sys/bus/platform/drivers/mmlab-pio"
#define PIO_DEVICE	"mmlab-pio.0"

/* QEMU's debugcon_isa_properties: "readback" defaults to 0xe9. */
#define DEBUGCON_READBACK	0xe9

static int xfer(int fd, unsigned long cmd, int target, int method, int width,
		uint32_t offset, void *buf, uint32_t len)
{
	struct mmlab_pio_xfer x = {
		.buf = (uintptr_t)buf, .len = len, .offset = offset,
		.target = target, .method = method, .width = width,
	};

	return ioctl(fd, cmd, &x) ? errno : 0;
}

/* pc-testdev's register, read as four single bytes of its byte view. */
static uint32_t reg_read(int fd)
{
	uint8_t b[4];

	for (int i = 0; i < 4; i++)
		if (xfer(fd, MMLAB_PIO_IOC_READ, MMLAB_PIO_REG_BYTES,
			 MMLAB_PIO_SINGLE, 1, i, &b[i], 1))
			return 0xdeadbeef;
	return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

/* ... and written whole, with one outl() on the other view. */
static int reg_write(int fd, uint32_t v)
{
	return xfer(fd, MMLAB_PIO_IOC_WRITE, MMLAB_PIO_REG, MMLAB_PIO_SINGLE,
		    4, 0, &v, 4);
}

static bool pio_bound(void)
{
	return access(PIO_DRIVER "/" PIO_DEVICE, F_OK) == 0;
}

/*
 * Bind the device again if a test left it unbound: one killed by the
 * harness's timeout gets no teardown, and the next tests need it.
 */
static void rebind(struct __test_metadata *_metadata)
{
	if (pio_bound())
		return;
	TH_LOG("%s was left unbound: binding it again", PIO_DEVICE);
	ASSERT_TRUE(sysfs_write(PIO_DRIVER "/bind", PIO_DEVICE))
		TH_LOG("bind: %m");
}

/*
 * Are the four ranges of @in claimed under @name, as @claimed says? The
 * driver's claims are the node's name, the platform device's own entries
 * the resources' names.
 */
static void claims_are(struct __test_metadata *_metadata,
		       const struct mmlab_pio_info *in, bool claimed,
		       const char *name)
{
	bool bytes = !strcmp(name, "pc-testdev");

	EXPECT_EQ(claimed, ioports_claimed(in->reg_port, in->reg_port + 3,
					   name)) TH_LOG("%s: register", name);
	EXPECT_EQ(claimed, ioports_claimed(in->reg_bytes_port,
					   in->reg_bytes_port + 3,
					   bytes ? "pc-testdev-bytes" : name))
		TH_LOG("%s: byte register", name);
	EXPECT_EQ(claimed, ioports_claimed(in->debugcon_port,
					   in->debugcon_port,
					   bytes ? "isa-debugcon" : name))
		TH_LOG("%s: debugcon", name);
	EXPECT_EQ(claimed, iomem_claimed(in->iomem_start,
					 in->iomem_start + in->iomem_size - 1,
					 name)) TH_LOG("%s: memory", name);
}

/* QEMU always gives the test VM both devices: missing is a failure. */
FIXTURE(pio) {
	int fd;
	struct mmlab_pio_info info;
};

FIXTURE_SETUP(pio)
{
	rebind(_metadata);
	self->fd = open(PIO_NODE, O_RDWR);
	ASSERT_LE(0, self->fd)
		TH_LOG("open %s: %m (QEMU needs -device pc-testdev and isa-debugcon)",
		       PIO_NODE);
	ASSERT_EQ(0, ioctl(self->fd, MMLAB_PIO_IOC_INFO, &self->info))
		TH_LOG("MMLAB_PIO_IOC_INFO: %m");
}

/*
 * In the parent, after the test's process is gone with its files: a test
 * that unbinds the device and fails before it binds it leaves it bound.
 */
FIXTURE_TEARDOWN_PARENT(pio)
{
	rebind(_metadata);
}

/* The addresses the module parameters gave, claimed under the node's name. */
TEST_F(pio, claims_by_name)
{
	const struct mmlab_pio_info *in = &self->info;

	EXPECT_EQ(pci_module_param("testdev_port"), in->reg_port);
	EXPECT_EQ(pci_module_param("testdev_port") + 8, in->reg_bytes_port);
	EXPECT_EQ(pci_module_param("debugcon_port"), in->debugcon_port);
	EXPECT_EQ(pci_module_param("testdev_iomem"), in->iomem_start);
	EXPECT_EQ(0x10000, in->iomem_size) TH_LOG("pc-testdev's IOMEM_LEN");
	claims_are(_metadata, in, true, PIO_NAME);
	/* The platform device's own entries, which the claims nest in. */
	claims_are(_metadata, in, true, "pc-testdev");
}

/* Byte n of the register, whichever view and width wrote it. */
TEST_F(pio, views_share_one_register)
{
	uint16_t w = 0x5aa5;
	uint8_t b = 0x3c;

	ASSERT_EQ(0, reg_write(self->fd, 0x11223344));
	EXPECT_EQ(0x11223344, reg_read(self->fd));
	/* outw() at port 2 of the first view: bytes 2 and 3. */
	ASSERT_EQ(0, xfer(self->fd, MMLAB_PIO_IOC_WRITE, MMLAB_PIO_REG,
			  MMLAB_PIO_SINGLE, 2, 2, &w, 2));
	EXPECT_EQ(0x5aa53344, reg_read(self->fd));
	/* outb() at port 1 of the byte view. */
	ASSERT_EQ(0, xfer(self->fd, MMLAB_PIO_IOC_WRITE, MMLAB_PIO_REG_BYTES,
			  MMLAB_PIO_SINGLE, 1, 1, &b, 1));
	EXPECT_EQ(0x5aa53c44, reg_read(self->fd));
}

/*
 * A string write to one port leaves its last element there; a string
 * read gets the register's value in every element.
 */
TEST_F(pio, string_io_is_one_port)
{
	uint8_t out[16], in[16];

	for (int i = 0; i < 16; i++)
		out[i] = 0xa0 + i;
	ASSERT_EQ(0, reg_write(self->fd, 0x55555555));
	ASSERT_EQ(0, xfer(self->fd, MMLAB_PIO_IOC_WRITE, MMLAB_PIO_REG,
			  MMLAB_PIO_STRING, 1, 3, out, sizeof(out)));
	EXPECT_EQ(0xaf555555, reg_read(self->fd)) TH_LOG("outsb() to port 3");
	memset(in, 0, sizeof(in));
	ASSERT_EQ(0, xfer(self->fd, MMLAB_PIO_IOC_READ, MMLAB_PIO_REG_BYTES,
			  MMLAB_PIO_STRING, 1, 3, in, sizeof(in)));
	for (int i = 0; i < 16; i++) {
		EXPECT_EQ(0xaf, in[i])
			TH_LOG("insb() element %d", i);
	}
}

TEST_F(pio, debugcon_reads_back)
{
	uint8_t in[64];

	for (int m = MMLAB_PIO_SINGLE; m <= MMLAB_PIO_IOMAP; m++) {
		memset(in, 0, sizeof(in));
		ASSERT_EQ(0, xfer(self->fd, MMLAB_PIO_IOC_READ,
				  MMLAB_PIO_DEBUGCON, m, 1, 0, in, sizeof(in)));
		for (size_t i = 0; i < sizeof(in); i++) {
			ASSERT_EQ(DEBUGCON_READBACK, in[i])
				TH_LOG("method %d, byte %zu", m, i);
		}
	}
}

/*
 * The record scripts/debugcon.py expects in the host's file, once for
 * each run of this test: a third by each method.
 */
TEST_F(pio, debugcon_writes_host_file)
{
	uint8_t rec[DEBUGCON_RECORD];
	size_t third = sizeof(rec) / 3;

	pattern_fill(rec, sizeof(rec), DEBUGCON_SEED, 0);
	for (int m = MMLAB_PIO_SINGLE; m <= MMLAB_PIO_IOMAP; m++) {
		ASSERT_EQ(0, xfer(self->fd, MMLAB_PIO_IOC_WRITE,
				  MMLAB_PIO_DEBUGCON, m, 1, 0, rec + m * third,
				  third)) TH_LOG("method %d", m);
	}
}

/* The user mapping of pc-testdev's RAM and the driver's MMIO agree. */
TEST_F(pio, iomem_mapping_is_the_device)
{
	size_t len = self->info.iomem_size;
	uint8_t *p, *buf = malloc(len);

	ASSERT_NE(NULL, buf);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %m");
	pattern_fill(buf, 4096, 11, 0);
	ASSERT_EQ(0, xfer(self->fd, MMLAB_PIO_IOC_WRITE, MMLAB_PIO_IOMEM,
			  MMLAB_PIO_SINGLE, 4, 0, buf, 4096));
	EXPECT_EQ(-1, pattern_check(p, 4096, 11, 0))
		TH_LOG("the mapping differs from writel() at that byte");
	pattern_fill(p, len, 12, 0);
	memset(buf, 0, len);
	ASSERT_EQ(0, xfer(self->fd, MMLAB_PIO_IOC_READ, MMLAB_PIO_IOMEM,
			  MMLAB_PIO_IOMAP, 1, len - 4096, buf, 4096));
	EXPECT_EQ(-1, pattern_check(buf, 4096, 12, len - 4096))
		TH_LOG("ioread8() differs from the mapping at that byte");
	EXPECT_EQ(EINVAL, mmap_errno(self->fd, len + 4096, 0,
				     PROT_READ, MAP_SHARED)) TH_LOG("past the end");
	EXPECT_EQ(EINVAL, mmap_errno(self->fd, 4096, 0, PROT_READ,
				     MAP_PRIVATE)) TH_LOG("MAP_PRIVATE");
	munmap(p, len);
	free(buf);
}

/* Every malformed request: EINVAL, and the register untouched. */
TEST_F(pio, bad_requests_einval)
{
	static const struct {
		int target, method, width;
		uint32_t offset, len;
		const char *what;
	} bad[] = {
		{ 4, 0, 1, 0, 1, "unknown target" },
		{ 0, 3, 1, 0, 1, "unknown method" },
		{ 0, 0, 3, 0, 3, "width 3" },
		{ 0, 0, 8, 0, 8, "width 8" },
		{ 0, 0, 0, 0, 1, "width 0" },
		{ 0, 0, 1, 0, 0, "no bytes" },
		{ 0, 0, 1, 0, MMLAB_PIO_MAX_LEN + 1, "too many bytes" },
		{ 0, 0, 4, 0, 6, "length not whole elements" },
		{ 0, 0, 2, 1, 2, "misaligned port" },
		{ 0, 0, 1, 4, 1, "port past the register" },
		{ 1, 0, 1, 0xffffffff, 1, "port far past it" },
		{ 2, 0, 2, 0, 2, "debugcon takes bytes only" },
		{ 2, 0, 1, 1, 1, "debugcon has one port" },
		{ 3, 0, 4, 0x10000 - 4, 8, "past the end of the RAM" },
		{ 3, 2, 4, 0xfffffffc, 8, "wrapping around" },
		{ 3, 1, 4, 0x10000, 4, "string past the end" },
	};
	uint8_t buf[MMLAB_PIO_MAX_LEN + 8] = { 0 };

	ASSERT_EQ(0, reg_write(self->fd, 0x600df00d));
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(EINVAL, xfer(self->fd, MMLAB_PIO_IOC_WRITE,
				       bad[i].target, bad[i].method,
				       bad[i].width, bad[i].offset, buf,
				       bad[i].len)) TH_LOG("%s", bad[i].what);
	}
	{
		struct mmlab_pio_xfer x = {
			.buf = (uintptr_t)buf, .len = 4, .width = 4,
			.reserved = { [4] = 1 },
		};

		errno = 0;
		EXPECT_EQ(-1, ioctl(self->fd, MMLAB_PIO_IOC_WRITE, &x));
		EXPECT_EQ(EINVAL, errno) TH_LOG("a reserved byte set");
	}
	EXPECT_EQ(0x600df00d, reg_read(self->fd));
}

/* A buffer that cannot be read, or written: EFAULT, the device untouched. */
TEST_F(pio, bad_buffers_efault)
{
	uint32_t *ro = mmap(NULL, 4096, PROT_READ,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_EQ(0, reg_write(self->fd, 0x0badcafe));
	EXPECT_EQ(EFAULT, xfer(self->fd, MMLAB_PIO_IOC_WRITE, MMLAB_PIO_REG,
			       MMLAB_PIO_SINGLE, 4, 0, NULL, 4));
	EXPECT_EQ(EFAULT, xfer(self->fd, MMLAB_PIO_IOC_READ, MMLAB_PIO_REG,
			       MMLAB_PIO_SINGLE, 4, 0, ro, 4));
	EXPECT_EQ(EFAULT, ioctl(self->fd, MMLAB_PIO_IOC_INFO, ro) ? errno : 0);
	EXPECT_EQ(EFAULT, ioctl(self->fd, MMLAB_PIO_IOC_WRITE, NULL) ?
			  errno : 0);
	EXPECT_EQ(0x0badcafe, reg_read(self->fd));
	munmap(ro, 4096);
}

/*
 * Unbinding releases every claim and revokes the node: calls fail with
 * ENODEV, the mapping raises SIGBUS; binding again claims them anew.
 */
TEST_F(pio, unbind_releases_claims)
{
	const struct mmlab_pio_info *in = &self->info;
	char *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd, 0);
	struct mmlab_pio_info again;
	int fd;

	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %m");
	EXPECT_EQ(0, child_touch_signal(p));
	ASSERT_TRUE(sysfs_write(PIO_DRIVER "/unbind", PIO_DEVICE))
		TH_LOG("unbind: %m");
	claims_are(_metadata, in, false, PIO_NAME);
	claims_are(_metadata, in, true, "pc-testdev");
	EXPECT_EQ(ENODEV, ioctl(self->fd, MMLAB_PIO_IOC_INFO, &again) ?
			  errno : 0);
	EXPECT_EQ(SIGBUS, child_touch_signal(p));
	EXPECT_EQ(-1, access(PIO_NODE, F_OK)) TH_LOG("the node outlived it");

	ASSERT_TRUE(sysfs_write(PIO_DRIVER "/bind", PIO_DEVICE))
		TH_LOG("bind: %m");
	claims_are(_metadata, in, true, PIO_NAME);
	fd = open(PIO_NODE, O_RDWR);
	ASSERT_LE(0, fd) TH_LOG("open after binding again: %m");
	EXPECT_EQ(0, ioctl(fd, MMLAB_PIO_IOC_INFO, &again));
	EXPECT_EQ(ENODEV, ioctl(self->fd, MMLAB_PIO_IOC_INFO, &again) ?
			  errno : 0) TH_LOG("the old file, after binding again");
	close(fd);
	munmap(p, 4096);
}

/* Each method and width, on the register and on the RAM. */
FIXTURE(access) {
	int fd;
	uint32_t mem_offset;
};

FIXTURE_VARIANT(access) {
	int method;
	int width;
};

FIXTURE_VARIANT_ADD(access, SINGLE_1) { MMLAB_PIO_SINGLE, 1 };
FIXTURE_VARIANT_ADD(access, SINGLE_2) { MMLAB_PIO_SINGLE, 2 };
FIXTURE_VARIANT_ADD(access, SINGLE_4) { MMLAB_PIO_SINGLE, 4 };
FIXTURE_VARIANT_ADD(access, STRING_1) { MMLAB_PIO_STRING, 1 };
FIXTURE_VARIANT_ADD(access, STRING_2) { MMLAB_PIO_STRING, 2 };
FIXTURE_VARIANT_ADD(access, STRING_4) { MMLAB_PIO_STRING, 4 };
FIXTURE_VARIANT_ADD(access, IOMAP_1) { MMLAB_PIO_IOMAP, 1 };
FIXTURE_VARIANT_ADD(access, IOMAP_2) { MMLAB_PIO_IOMAP, 2 };
FIXTURE_VARIANT_ADD(access, IOMAP_4) { MMLAB_PIO_IOMAP, 4 };

FIXTURE_SETUP(access)
{
	rebind(_metadata);
	self->fd = open(PIO_NODE, O_RDWR);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %m", PIO_NODE);
	/* A page of the RAM of its own for each variant. */
	self->mem_offset = (variant->method * 3 +
			    __builtin_ctz(variant->width)) * 4096;
}

FIXTURE_TEARDOWN(access)
{
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * The register written an element at a time at each port it has, on
 * either view, reads back whole as the little-endian sum of them.
 */
TEST_F(access, register_round_trip)
{
	int w = variant->width, m = variant->method;

	for (int view = MMLAB_PIO_REG; view <= MMLAB_PIO_REG_BYTES; view++) {
		uint32_t want = 0x8badf00d ^ (view * 0x01010101);
		uint32_t got = 0;

		ASSERT_EQ(0, reg_write(self->fd, ~want));
		for (int port = 0; port < 4; port += w) {
			ASSERT_EQ(0, xfer(self->fd, MMLAB_PIO_IOC_WRITE, view,
					  m, w, port,
					  (uint8_t *)&want + port, w))
				TH_LOG("view %d, port %d", view, port);
		}
		EXPECT_EQ(want, reg_read(self->fd)) TH_LOG("view %d", view);
		for (int port = 0; port < 4; port += w) {
			ASSERT_EQ(0, xfer(self->fd, MMLAB_PIO_IOC_READ, view,
					  m, w, port, (uint8_t *)&got + port,
					  w));
		}
		EXPECT_EQ(want, got) TH_LOG("view %d, read by the method", view);
	}
}

/*
 * The RAM: a page written by the method reads back through the user
 * mapping. A string transfer is at one address: its last element stays.
 */
TEST_F(access, iomem_round_trip)
{
	int w = variant->width, m = variant->method;
	uint32_t off = self->mem_offset;
	uint8_t buf[4096], *p;

	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 off);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %m");
	memset(p, 0, 4096);
	pattern_fill(buf, sizeof(buf), w * 16 + m, off);
	ASSERT_EQ(0, xfer(self->fd, MMLAB_PIO_IOC_WRITE, MMLAB_PIO_IOMEM, m, w,
			  off, buf, sizeof(buf)));
	if (m == MMLAB_PIO_STRING) {
		EXPECT_EQ(0, memcmp(p, buf + sizeof(buf) - w, w))
			TH_LOG("the last element at the one address");
		EXPECT_EQ(0, p[w]) TH_LOG("a byte past the one address");
	} else {
		EXPECT_EQ(-1, pattern_check(p, sizeof(buf), w * 16 + m, off))
			TH_LOG("the mapping differs at that byte");
	}

	pattern_fill(p, 4096, 99, off);
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(0, xfer(self->fd, MMLAB_PIO_IOC_READ, MMLAB_PIO_IOMEM, m, w,
			  off, buf, sizeof(buf)));
	if (m == MMLAB_PIO_STRING) {
		for (size_t i = 0; i < sizeof(buf); i += w) {
			ASSERT_EQ(0, memcmp(buf + i, p, w))
				TH_LOG("element at byte %zu", i);
		}
	} else {
		EXPECT_EQ(-1, pattern_check(buf, sizeof(buf), 99, off))
			TH_LOG("the method read something else at that byte");
	}
	munmap(p, 4096);
}

TEST_HARNESS_MAIN
