// SPDX-License-Identifier: GPL-2.0
/*
 * pci_test's cases for QEMU's ivshmem-plain device and mmlab-ivshmem. The
 * truth here is the host's file behind BAR2: the host filled its first
 * half before the boot, and checks the second half, which the guest fills,
 * after it (scripts/ivshmem.py).
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

#include "mmlab_dev.h"
#include "pci_test.h"
#include "procfs.h"

static int ivshmem_open(void)
{
	int fd = pci_open(&ivshmem_target, O_RDWR);

	if (fd < 0)
		ktap_diag("open mmlab-ivshmem: %s", strerror(errno));
	return fd;
}

static int ivshmem_bound(void)
{
	char drv[64], node[64];

	pci_driver_of(&ivshmem_target, drv, sizeof(drv));
	pci_node_of(&ivshmem_target, node, sizeof(node));
	return KTAP_EXPECT(!strcmp(drv, "mmlab-ivshmem"), "%s bound to '%s'",
			   ivshmem_target.bdf, drv) &&
	       KTAP_EXPECT(!strncmp(node, "mmlab-ivshmem", 13), "node '%s'",
			   node);
}

static int ivshmem_size_matches_bar2(void)
{
	struct mmlab_ivshmem_info info;
	int fd = ivshmem_open();
	bool ok;

	ok = fd >= 0 &&
	     KTAP_EXPECT(ioctl(fd, MMLAB_IVSHMEM_IOC_INFO, &info) == 0,
			 "info: %s", strerror(errno)) &&
	     KTAP_EXPECT(info.size == ivshmem_target.bar_len,
			 "size %llu, sysfs BAR2 %llu",
			 (unsigned long long)info.size,
			 (unsigned long long)ivshmem_target.bar_len);
	close(fd);
	return ok;
}

/* The host's half, through the mapping and through read(), the kernel's. */
static int ivshmem_reads_host_file(void)
{
	size_t half = ivshmem_target.bar_len / 2;
	uint8_t *p, *copy = malloc(half);
	ssize_t bad_map, bad_read = -2;
	int fd = ivshmem_open();

	p = fd < 0 || !copy ? MAP_FAILED :
			      mmap(NULL, half, PROT_READ, MAP_SHARED, fd, 0);
	if (!KTAP_EXPECT(p != MAP_FAILED, "mmap: %s", strerror(errno))) {
		close(fd);
		free(copy);
		return false;
	}
	bad_map = pattern_check(p, half, IVSHMEM_HOST_SEED, 0);
	if (pread_all(fd, copy, half, 0))
		bad_read = pattern_check(copy, half, IVSHMEM_HOST_SEED, 0);
	munmap(p, half);
	close(fd);
	free(copy);
	return KTAP_EXPECT(bad_map == -1, "mapping: byte %zd differs", bad_map) &&
	       KTAP_EXPECT(bad_read == -1, "read(): byte %zd differs", bad_read);
}

/*
 * The guest's half: a first part by write(), seen through the mapping;
 * then all of it through the mapping, seen by read(). What stays is for
 * the host to check.
 */
static int ivshmem_writes_guest_half(void)
{
	size_t half = ivshmem_target.bar_len / 2;
	uint8_t *p, *buf = malloc(half);
	ssize_t bad_map = -2, bad_read = -2;
	int fd = ivshmem_open();

	p = fd < 0 || !buf ? MAP_FAILED :
			     mmap(NULL, half, PROT_READ | PROT_WRITE,
				  MAP_SHARED, fd, half);
	if (!KTAP_EXPECT(p != MAP_FAILED, "mmap: %s", strerror(errno))) {
		close(fd);
		free(buf);
		return false;
	}
	/* An unrelated pattern by write(), then the reply over it. */
	pattern_fill(buf, 65536, 7, 0);
	if (pwrite_all(fd, buf, 65536, half))
		bad_map = pattern_check(p, 65536, 7, 0);
	pattern_fill(p, half, IVSHMEM_GUEST_SEED, half);
	if (pread_all(fd, buf, half, half))
		bad_read = pattern_check(buf, half, IVSHMEM_GUEST_SEED, half);
	munmap(p, half);
	close(fd);
	free(buf);
	return KTAP_EXPECT(bad_map == -1, "write(): byte %zd differs in the mapping",
			   bad_map) &&
	       KTAP_EXPECT(bad_read == -1, "mapping not seen by read() at %zd",
			   bad_read);
}

static int ivshmem_bounds(void)
{
	size_t size = ivshmem_target.bar_len;
	char buf[16];
	int fd = ivshmem_open();
	bool ok;

	ok = fd >= 0 &&
	     KTAP_EXPECT(pread(fd, buf, sizeof(buf), size) == 0,
			 "read at the end did not return 0") &&
	     KTAP_EXPECT(pread(fd, buf, sizeof(buf), size - 4) == 4,
			 "read across the end was not short") &&
	     KTAP_EXPECT(pwrite(fd, buf, sizeof(buf), size) < 0 &&
			 errno == ENOSPC, "write at the end: %s",
			 strerror(errno)) &&
	     KTAP_EXPECT(pwrite(fd, buf, 0, 0) == 0, "empty write: %s",
			 strerror(errno)) &&
	     KTAP_EXPECT(map_fails(fd, size + 4096, 0, PROT_READ, MAP_SHARED,
				   EINVAL), "longer than BAR2") &&
	     KTAP_EXPECT(map_fails(fd, 4096, 0, PROT_READ, MAP_PRIVATE,
				   EINVAL), "MAP_PRIVATE");
	close(fd);
	return ok;
}

const struct ktap_case ivshmem_cases[] = {
	{ "ivshmem_bound", ivshmem_bound },
	{ "ivshmem_size_matches_bar2", ivshmem_size_matches_bar2 },
	{ "ivshmem_reads_host_file", ivshmem_reads_host_file },
	{ "ivshmem_writes_guest_half", ivshmem_writes_guest_half },
	{ "ivshmem_bounds", ivshmem_bounds },
};

const size_t nr_ivshmem_cases = ARRAY_SIZE(ivshmem_cases);
