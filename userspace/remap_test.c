// SPDX-License-Identifier: GPL-2.0
/*
 * remap_test: probes for /dev/mmlab, the remap_pfn_range() device
 * (drivers/mmlab/remap.c). Prints KTAP; run as root.
 *
 * Every case compares the mapping with an independent view of the same
 * buffer: read()/write() through the kernel's direct map, another process's
 * mapping, or the kernel's own /proc/self/{maps,smaps,pagemap}.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ktap.h"
#include "mmlab_dev.h"
#include "procfs.h"

static const char *dev_path = "/dev/mmlab";
static size_t psize;
static size_t bufsize;

static int dev_open(int flags)
{
	int fd = open(dev_path, flags);

	if (fd < 0)
		ktap_diag("open %s: %s", dev_path, strerror(errno));
	return fd;
}

static void *map(int fd, size_t len, int prot, int flags, off_t off)
{
	return mmap(NULL, len, prot, flags, fd, off);
}

static void *map_shared(int fd, size_t len, off_t off)
{
	void *p = map(fd, len, PROT_READ | PROT_WRITE, MAP_SHARED, off);

	if (p == MAP_FAILED)
		ktap_diag("mmap len %zu off %lld: %s", len, (long long)off,
			  strerror(errno));
	return p;
}

/*
 * Bytes stored through a mapping of [off, off + len) are what read() finds
 * at those offsets, and bytes given to write() are what the mapping shows.
 */
static bool round_trip(off_t off, size_t len, uint32_t seed)
{
	int fd = dev_open(O_RDWR);
	char *buf = malloc(len);
	bool ok = false;
	char *p;

	if (fd < 0 || !buf)
		goto out;
	p = map_shared(fd, len, off);
	if (p == MAP_FAILED)
		goto out;

	pattern_fill(p, len, seed, off);
	ok = KTAP_EXPECT(pread_all(fd, buf, len, off), "pread: %m") &&
	     KTAP_EXPECT(pattern_check(buf, len, seed, off) < 0,
			 "read() differs from the mapping at byte %zd",
			 pattern_check(buf, len, seed, off));

	pattern_fill(buf, len, seed + 1, off);
	ok = ok && KTAP_EXPECT(pwrite_all(fd, buf, len, off), "pwrite: %m") &&
	     KTAP_EXPECT(pattern_check(p, len, seed + 1, off) < 0,
			 "the mapping differs from write() at byte %zd",
			 pattern_check(p, len, seed + 1, off));
	munmap(p, len);
out:
	free(buf);
	close(fd);
	return ok;
}

static int round_trip_whole_buffer(void)
{
	return round_trip(0, bufsize, 1);
}

/* A mapping at page offset 3 starts at byte 3 * PAGE_SIZE of the buffer. */
static int round_trip_at_page_offset(void)
{
	return round_trip(3 * psize, 2 * psize, 3);
}

static bool map_fails(int fd, size_t len, off_t off, int prot, int flags,
		      int want_errno)
{
	void *p = map(fd, len, prot, flags, off);
	int err = errno;

	if (p != MAP_FAILED) {
		ktap_diag("mmap len %#zx off %#llx succeeded", len,
			  (unsigned long long)off);
		munmap(p, len);
		return false;
	}
	return KTAP_EXPECT(err == want_errno, "mmap len %#zx off %#llx: %s",
			   len, (unsigned long long)off, strerror(err));
}

/* Offsets and lengths beyond the buffer are refused with EINVAL. */
static int bounds_einval(void)
{
	int fd = dev_open(O_RDWR);
	int rw = PROT_READ | PROT_WRITE;
	bool ok;

	if (fd < 0)
		return false;
	ok = map_fails(fd, psize, bufsize, rw, MAP_SHARED, EINVAL);
	ok &= map_fails(fd, bufsize + psize, 0, rw, MAP_SHARED, EINVAL);
	ok &= map_fails(fd, 2 * psize, bufsize - psize, rw, MAP_SHARED, EINVAL);
	ok &= map_fails(fd, psize, bufsize + 64 * psize, rw, MAP_SHARED, EINVAL);
	close(fd);
	return ok;
}

/*
 * The largest page offset the core lets through for a device (it caps
 * offset + length at MAX_LFS_FILESIZE, in file_mmap_ok()): only the
 * driver's own check stands between it and a PFN far beyond the buffer,
 * as in CVE-2013-2596 (fb_mmap), whose check overflowed.
 */
static int huge_offset_einval(void)
{
	int fd = dev_open(O_RDWR);
	off_t off = (off_t)((LLONG_MAX - 2 * psize) & ~(psize - 1));
	bool ok;

	if (fd < 0)
		return false;
	ok = map_fails(fd, 2 * psize, off, PROT_READ, MAP_SHARED, EINVAL);
	close(fd);
	return ok;
}

/* PFN mappings cannot copy-on-write: MAP_PRIVATE is refused. */
static int private_refused(void)
{
	int fd = dev_open(O_RDWR);
	bool ok;

	if (fd < 0)
		return false;
	ok = map_fails(fd, psize, 0, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		       EINVAL);
	ok &= map_fails(fd, psize, 0, PROT_READ, MAP_PRIVATE, EINVAL);
	close(fd);
	return ok;
}

/* VM_DONTEXPAND: mremap() cannot grow the vma (EFAULT), may shrink it. */
static int mremap_growth_refused(void)
{
	int fd = dev_open(O_RDWR);
	bool ok = false;
	void *p, *q;

	if (fd < 0)
		return false;
	p = map_shared(fd, 2 * psize, 0);
	if (p == MAP_FAILED)
		goto out;
	q = mremap(p, 2 * psize, 4 * psize, MREMAP_MAYMOVE);
	ok = KTAP_EXPECT(q == MAP_FAILED && errno == EFAULT,
			 "grow with MREMAP_MAYMOVE: %p, %m", q);
	q = mremap(p, 2 * psize, 3 * psize, 0);
	ok &= KTAP_EXPECT(q == MAP_FAILED && errno == EFAULT,
			  "grow in place: %p, %m", q);
	q = mremap(p, 2 * psize, psize, 0);
	ok &= KTAP_EXPECT(q == p, "shrink: %p, %m", q);
	munmap(p, q == p ? psize : 2 * psize);
out:
	close(fd);
	return ok;
}

/* The vma holds the file and the buffer: close(fd) does not end the mapping. */
static int mapping_outlives_close(void)
{
	int fd = dev_open(O_RDWR);
	char *buf = malloc(psize);
	bool ok = false;
	char *p;

	if (fd < 0 || !buf)
		goto out;
	p = map_shared(fd, psize, psize);
	close(fd);
	if (p == MAP_FAILED)
		goto out;
	pattern_fill(p, psize, 5, psize);
	fd = dev_open(O_RDONLY);
	ok = KTAP_EXPECT(pread_all(fd, buf, psize, psize), "pread: %m") &&
	     KTAP_EXPECT(pattern_check(buf, psize, 5, psize) < 0,
			 "write after close lost at byte %zd",
			 pattern_check(buf, psize, 5, psize));
	munmap(p, psize);
out:
	free(buf);
	close(fd);
	return ok;
}

/* Two processes, each with its own open() and mmap(), share the bytes. */
static int shared_between_processes(void)
{
	int to_child[2], to_parent[2], status;
	bool ok = false;
	char token;
	pid_t pid;
	int fd;
	char *p;

	if (pipe(to_child) || pipe(to_parent))
		return false;
	fd = dev_open(O_RDWR);
	if (fd < 0)
		return false;
	p = map_shared(fd, 2 * psize, 0);
	if (p == MAP_FAILED)
		goto out;

	pid = fork();
	if (pid == 0) {
		int cfd = open(dev_path, O_RDWR);
		char *c = mmap(NULL, 2 * psize, PROT_READ | PROT_WRITE,
			       MAP_SHARED, cfd, 0);
		int bad;

		if (c == MAP_FAILED || read(to_child[0], &token, 1) != 1)
			_exit(2);
		bad = pattern_check(c, psize, 6, 0) >= 0;
		pattern_fill(c + psize, psize, 7, psize);
		if (write(to_parent[1], &token, 1) != 1)
			_exit(2);
		_exit(bad);
	}
	pattern_fill(p, psize, 6, 0);
	if (write(to_child[1], &token, 1) != 1 ||
	    read(to_parent[0], &token, 1) != 1)
		ktap_diag("pipe to child failed");
	waitpid(pid, &status, 0);
	ok = KTAP_EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			 "child did not see the parent's bytes (status %#x)",
			 status);
	ok &= KTAP_EXPECT(pattern_check(p + psize, psize, 7, psize) < 0,
			  "parent did not see the child's bytes");
	munmap(p, 2 * psize);
out:
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
	close(fd);
	return ok;
}

/* An O_RDONLY open loses VM_MAYWRITE: no writable map, no mprotect later. */
static int readonly_open_stays_readonly(void)
{
	int fd = dev_open(O_RDONLY);
	bool ok;
	void *p;

	if (fd < 0)
		return false;
	ok = map_fails(fd, psize, 0, PROT_READ | PROT_WRITE, MAP_SHARED,
		       EACCES);
	p = map(fd, psize, PROT_READ, MAP_SHARED, 0);
	ok &= KTAP_EXPECT(p != MAP_FAILED, "read-only mmap: %m");
	if (p != MAP_FAILED) {
		ok &= KTAP_EXPECT(mprotect(p, psize, PROT_READ | PROT_WRITE) &&
				  errno == EACCES, "mprotect(PROT_WRITE): %m");
		munmap(p, psize);
	}
	close(fd);
	return ok;
}

static int live_vmas(int fd)
{
	struct mmlab_info info;

	return mmlab_info(fd, &info) ? (int)info.live_vmas : -1;
}

/*
 * vm_ops->open/close keep one buffer reference per vma: a split vma counts
 * twice, a fork()ed child's copies count too, and every count returns to
 * its baseline once the vmas are gone.
 */
static int vma_references_counted(void)
{
	struct mmlab_info before, after;
	int fd = dev_open(O_RDWR);
	int base, status, pipefd[2];
	bool ok = false;
	char *p;
	pid_t pid;

	if (fd < 0 || pipe(pipefd))
		return false;
	if (!KTAP_EXPECT(mmlab_info(fd, &before), "MMLAB_IOC_INFO: %m"))
		goto out;
	base = before.live_vmas;
	p = map_shared(fd, 3 * psize, 0);
	if (p == MAP_FAILED)
		goto out;
	ok = KTAP_EXPECT(mmlab_info(fd, &after) &&
			 after.mmap_calls == before.mmap_calls + 1,
			 "mmap_calls %llu -> %llu",
			 (unsigned long long)before.mmap_calls,
			 (unsigned long long)after.mmap_calls);
	ok &= KTAP_EXPECT(live_vmas(fd) == base + 1, "after mmap: %d, base %d",
			  live_vmas(fd), base);

	munmap(p + psize, psize);
	ok &= KTAP_EXPECT(live_vmas(fd) == base + 2,
			  "after splitting munmap: %d, base %d",
			  live_vmas(fd), base);

	pid = fork();
	if (pid == 0) {
		int n = live_vmas(fd);

		_exit(write(pipefd[1], &n, sizeof(n)) == sizeof(n) ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	{
		int in_child = -1;

		if (read(pipefd[0], &in_child, sizeof(in_child)) != sizeof(in_child))
			in_child = -1;
		ok &= KTAP_EXPECT(in_child == base + 4,
				  "in a forked child: %d, base %d", in_child,
				  base);
	}
	ok &= KTAP_EXPECT(live_vmas(fd) == base + 2,
			  "after the child exited: %d, base %d",
			  live_vmas(fd), base);

	munmap(p, psize);
	munmap(p + 2 * psize, psize);
	ok &= KTAP_EXPECT(live_vmas(fd) == base, "after munmap: %d, base %d",
			  live_vmas(fd), base);
out:
	close(pipefd[0]);
	close(pipefd[1]);
	close(fd);
	return ok;
}

/* /proc/self/maps names the device; smaps shows the vm_flags the mode sets. */
static int vma_as_proc_shows_it(void)
{
	static const char * const want[] = { "io", "pf", "de", "dd", "sh" };
	char line[512], flags[256];
	int fd = dev_open(O_RDWR);
	bool ok = false;
	char *p;

	if (fd < 0)
		return false;
	p = map_shared(fd, psize, 0);
	if (p == MAP_FAILED)
		goto out;
	ok = KTAP_EXPECT(maps_line(p, line, sizeof(line)), "no maps line");
	ok = ok && KTAP_EXPECT(strstr(line, dev_path) && strstr(line, "rw-s"),
			       "maps: %s", line);
	ok = ok && KTAP_EXPECT(smaps_vmflags(p, flags, sizeof(flags)),
			       "no VmFlags");
	for (size_t i = 0; ok && i < ARRAY_SIZE(want); i++)
		ok = KTAP_EXPECT(vmflags_has(flags, want[i]),
				 "VmFlags lack %s: %s", want[i], flags);
	if (ok)
		ktap_diag("maps: %s", line);
	munmap(p, psize);
out:
	close(fd);
	return ok;
}

/*
 * The page walker behind /proc/self/pagemap skips VM_PFNMAP vmas
 * (walk_page_test()): every page reads as not present, even once touched.
 * The kernel's own confirmation that the mapping is raw PFNs, not pages.
 */
static int pagemap_skips_pfnmap(void)
{
	size_t pages = bufsize / psize;
	int fd = dev_open(O_RDWR);
	bool ok = false;
	char *p;

	if (fd < 0)
		return false;
	p = map_shared(fd, bufsize, 0);
	if (p == MAP_FAILED)
		goto out;
	ok = true;
	for (size_t i = 0; ok && i < pages; i++) {
		int64_t pfn;

		p[i * psize] = 1;
		pfn = pagemap_pfn(p + i * psize);
		ok = KTAP_EXPECT(pfn == 0, "page %zu: pagemap PFN %#llx", i,
				 (long long)pfn);
	}
	munmap(p, bufsize);
out:
	close(fd);
	return ok;
}

/* read()/write() stop at the buffer's end and fail cleanly on bad input. */
static int read_write_edges(void)
{
	int fd = dev_open(O_RDWR);
	char *buf = malloc(2 * psize);
	bool ok = false;
	ssize_t n;

	if (fd < 0 || !buf)
		goto out;
	n = pread(fd, buf, psize, bufsize);
	ok = KTAP_EXPECT(n == 0, "read at the end: %zd", n);
	n = pwrite(fd, buf, psize, bufsize);
	ok &= KTAP_EXPECT(n < 0 && errno == ENOSPC, "write at the end: %zd, %m",
			  n);
	n = pwrite(fd, buf, 2 * psize, bufsize - psize);
	ok &= KTAP_EXPECT(n == (ssize_t)psize, "write across the end: %zd", n);
	n = pread(fd, (void *)16, psize, 0);
	ok &= KTAP_EXPECT(n < 0 && errno == EFAULT, "read to a bad pointer: %zd, %m",
			  n);
	n = pwrite(fd, (void *)16, psize, 0);
	ok &= KTAP_EXPECT(n < 0 && errno == EFAULT,
			  "write from a bad pointer: %zd, %m", n);
	ok &= KTAP_EXPECT(lseek(fd, 0, SEEK_END) == (off_t)bufsize,
			  "SEEK_END is not the buffer size");
out:
	free(buf);
	close(fd);
	return ok;
}

/* MMLAB_IOC_INFO agrees with the module parameter; bad calls fail cleanly. */
static int info_ioctl(void)
{
	int fd = dev_open(O_RDWR);
	struct mmlab_info info;
	unsigned long param = 0;
	bool ok = false;
	FILE *f;

	if (fd < 0)
		return false;
	f = fopen("/sys/module/mmlab/parameters/buf_size", "r");
	if (!KTAP_EXPECT(f && fscanf(f, "%lu", &param) == 1, "buf_size: %m"))
		goto out;
	ok = KTAP_EXPECT(mmlab_info(fd, &info), "MMLAB_IOC_INFO: %m");
	ok = ok && KTAP_EXPECT(info.size == param && info.size == bufsize,
			       "size %llu, buf_size %lu",
			       (unsigned long long)info.size, param);
	ok = ok && KTAP_EXPECT(info.page_size == psize, "page_size %u",
			       info.page_size);
	ok &= KTAP_EXPECT(ioctl(fd, MMLAB_IOC_INFO, (void *)16) < 0 &&
			  errno == EFAULT, "bad pointer: %m");
	ok &= KTAP_EXPECT(ioctl(fd, _IO(MMLAB_IOC_MAGIC, 0x7f), 0) < 0 &&
			  errno == ENOTTY, "unknown command: %m");
out:
	if (f)
		fclose(f);
	close(fd);
	return ok;
}

static const struct ktap_case cases[] = {
	{ "round_trip_whole_buffer", round_trip_whole_buffer },
	{ "round_trip_at_page_offset", round_trip_at_page_offset },
	{ "bounds_einval", bounds_einval },
	{ "huge_offset_einval", huge_offset_einval },
	{ "private_refused", private_refused },
	{ "mremap_growth_refused", mremap_growth_refused },
	{ "mapping_outlives_close", mapping_outlives_close },
	{ "shared_between_processes", shared_between_processes },
	{ "readonly_open_stays_readonly", readonly_open_stays_readonly },
	{ "vma_references_counted", vma_references_counted },
	{ "vma_as_proc_shows_it", vma_as_proc_shows_it },
	{ "pagemap_skips_pfnmap", pagemap_skips_pfnmap },
	{ "read_write_edges", read_write_edges },
	{ "info_ioctl", info_ioctl },
};

int main(int argc, char **argv)
{
	struct mmlab_info info;
	int fd;

	if (argc > 1)
		dev_path = argv[1];
	psize = sysconf(_SC_PAGESIZE);
	fd = open(dev_path, O_RDWR);
	if (fd < 0 || !mmlab_info(fd, &info)) {
		printf("KTAP version 1\n1..0 # SKIP %s: %s\n", dev_path,
		       strerror(errno));
		return 4;	/* kselftest's KSFT_SKIP */
	}
	close(fd);
	bufsize = info.size;
	/* The cases map up to page 5 and split a 3-page mapping. */
	if (bufsize < 8 * psize) {
		printf("KTAP version 1\n1..0 # SKIP buffer under 8 pages\n");
		return 4;
	}
	return ktap_run(cases, ARRAY_SIZE(cases));
}
