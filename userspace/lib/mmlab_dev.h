/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the programs that drive an mmlab device. */
#ifndef MMLAB_DEV_H
#define MMLAB_DEV_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/mmlab.h>

/*
 * Offsets are 64 bits in the 32-bit build too (-D_FILE_OFFSET_BITS=64):
 * mmap() offsets past 4 GiB, pagemap and kpagecount entries past 2 GiB.
 */
static_assert(sizeof(off_t) == 8, "build with -D_FILE_OFFSET_BITS=64");

/* As the kernel's, and kselftest.h's, which may come first. */
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* Fill @len bytes with a pattern that differs for each @seed and offset. */
void pattern_fill(void *p, size_t len, uint32_t seed, off_t offset);

/* Index of the first byte that differs from the pattern, or -1. */
ssize_t pattern_check(const void *p, size_t len, uint32_t seed, off_t offset);

/* MMLAB_IOC_INFO on @fd; false (errno set) on failure. */
bool mmlab_info(int fd, struct mmlab_info *info);

/*
 * errno of mmap(@len, @off, @prot, @flags) of @fd, or 0 when it succeeds
 * (and the mapping is removed again).
 */
int mmap_errno(int fd, size_t len, off_t off, int prot, int flags);

/* pread()/pwrite() all of @len bytes or fail. */
bool pread_all(int fd, void *p, size_t len, off_t off);
bool pwrite_all(int fd, const void *p, size_t len, off_t off);

#endif /* MMLAB_DEV_H */
