// SPDX-License-Identifier: GPL-2.0
/*
 * pci_ivshmem_test: QEMU's ivshmem-plain device and its driver,
 * mmlab-ivshmem (drivers/pci/ivshmem.c). The truth here is the host's file
 * behind BAR2: the host filled its first half before the boot, and checks
 * the second half, which the guest fills, after it (scripts/ivshmem.py).
 *
 * kselftest harness: fixture "ivshmem", whose setup finds the device in
 * sysfs and opens its node; each test in a process of its own. Run as root
 * in the test VM with mmlab_pci loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"

#include "mmlab_dev.h"
#include "pci_dev.h"

/* QEMU always provides ivshmem-plain in the test VM: missing is a failure. */
FIXTURE(ivshmem) {
	int fd;		/* its node, read-write */
};

FIXTURE_SETUP(ivshmem)
{
	self->fd = -1;
	ASSERT_TRUE(pci_find(&ivshmem_target))
		TH_LOG("no ivshmem device with a BAR2: QEMU needs -device ivshmem-plain");
	self->fd = pci_open(&ivshmem_target, O_RDWR);
	ASSERT_LE(0, self->fd) TH_LOG("open mmlab-ivshmem: %m");
}

FIXTURE_TEARDOWN(ivshmem)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(ivshmem, bound)
{
	char drv[64], node[64];

	pci_driver_of(&ivshmem_target, drv, sizeof(drv));
	pci_node_of(&ivshmem_target, node, sizeof(node));
	EXPECT_STREQ("mmlab-ivshmem", drv)
		TH_LOG("the driver of %s", ivshmem_target.bdf);
	EXPECT_EQ(0, strncmp(node, "mmlab-ivshmem", 13)) TH_LOG("node '%s'", node);
}

TEST_F(ivshmem, size_matches_bar2)
{
	struct mmlab_ivshmem_info info;

	ASSERT_EQ(0, ioctl(self->fd, MMLAB_IVSHMEM_IOC_INFO, &info))
		TH_LOG("MMLAB_IVSHMEM_IOC_INFO: %m");
	EXPECT_EQ(ivshmem_target.bar_len, info.size)
		TH_LOG("the size of BAR2 in sysfs, and the driver's");
}

/* The host's half, through the mapping and through read(), the kernel's. */
TEST_F(ivshmem, reads_host_file)
{
	size_t half = ivshmem_target.bar_len / 2;
	uint8_t *p, *copy = malloc(half);

	ASSERT_NE(NULL, copy);
	p = mmap(NULL, half, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %m");
	EXPECT_EQ(-1, pattern_check(p, half, IVSHMEM_HOST_SEED, 0))
		TH_LOG("the mapping differs from the host's file at that byte");
	ASSERT_TRUE(pread_all(self->fd, copy, half, 0)) TH_LOG("pread: %m");
	EXPECT_EQ(-1, pattern_check(copy, half, IVSHMEM_HOST_SEED, 0))
		TH_LOG("read() differs from the host's file at that byte");
	munmap(p, half);
	free(copy);
}

/*
 * The guest's half: a first part by write(), seen through the mapping;
 * then all of it through the mapping, seen by read(). What stays is for
 * the host to check.
 */
TEST_F(ivshmem, writes_guest_half)
{
	size_t half = ivshmem_target.bar_len / 2;
	uint8_t *p, *buf = malloc(half);

	ASSERT_NE(NULL, buf);
	p = mmap(NULL, half, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 half);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %m");
	/* An unrelated pattern by write(), then the reply over it. */
	pattern_fill(buf, 65536, 7, 0);
	EXPECT_TRUE(pwrite_all(self->fd, buf, 65536, half)) TH_LOG("pwrite: %m");
	EXPECT_EQ(-1, pattern_check(p, 65536, 7, 0))
		TH_LOG("the mapping differs from write() at that byte");
	pattern_fill(p, half, IVSHMEM_GUEST_SEED, half);
	ASSERT_TRUE(pread_all(self->fd, buf, half, half)) TH_LOG("pread: %m");
	EXPECT_EQ(-1, pattern_check(buf, half, IVSHMEM_GUEST_SEED, half))
		TH_LOG("read() differs from the mapping at that byte");
	munmap(p, half);
	free(buf);
}

TEST_F(ivshmem, bounds)
{
	size_t size = ivshmem_target.bar_len;
	int fd = self->fd;
	char buf[16] = { 0 };

	EXPECT_EQ(0, pread(fd, buf, sizeof(buf), size)) TH_LOG("read at the end");
	EXPECT_EQ(4, pread(fd, buf, sizeof(buf), size - 4))
		TH_LOG("read across the end: short");
	EXPECT_EQ(-1, pwrite(fd, buf, sizeof(buf), size)) TH_LOG("write at the end");
	EXPECT_EQ(ENOSPC, errno) TH_LOG("write at the end");
	EXPECT_EQ(0, pwrite(fd, buf, 0, 0)) TH_LOG("empty write: %m");
	EXPECT_EQ(EINVAL, mmap_errno(fd, size + 4096, 0, PROT_READ, MAP_SHARED))
		TH_LOG("longer than BAR2");
	EXPECT_EQ(EINVAL, mmap_errno(fd, 4096, 0, PROT_READ, MAP_PRIVATE))
		TH_LOG("MAP_PRIVATE");
}

TEST_HARNESS_MAIN
