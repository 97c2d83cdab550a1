// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mmlab_dev.h"

/* One byte of a 32-bit hash of (seed, offset): no period a page could hide. */
static uint8_t pattern_byte(uint32_t seed, off_t offset)
{
	uint32_t x = seed * 0x9e3779b9u ^ (uint32_t)offset * 0x85ebca6bu;

	x ^= x >> 15;
	x *= 0xc2b2ae35u;
	x ^= x >> 13;
	return x;
}

void pattern_fill(void *p, size_t len, uint32_t seed, off_t offset)
{
	uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		b[i] = pattern_byte(seed, offset + i);
}

ssize_t pattern_check(const void *p, size_t len, uint32_t seed, off_t offset)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i] != pattern_byte(seed, offset + i))
			return i;
	return -1;
}

bool mmlab_info(int fd, struct mmlab_info *info)
{
	return ioctl(fd, MMLAB_IOC_INFO, info) == 0;
}

int mmap_errno(int fd, size_t len, off_t off, int prot, int flags)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);

	if (p == MAP_FAILED)
		return errno;
	munmap(p, len);
	return 0;
}

bool pread_all(int fd, void *p, size_t len, off_t off)
{
	return pread(fd, p, len, off) == (ssize_t)len;
}

bool pwrite_all(int fd, const void *p, size_t len, off_t off)
{
	return pwrite(fd, p, len, off) == (ssize_t)len;
}
