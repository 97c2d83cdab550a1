// SPDX-License-Identifier: GPL-2.0
/*
 * mmap_semantics_test: what every mapping of /dev/mmlab-<mode> must get
 * right, whatever backs it: bounds, vm_flags, MAP_PRIVATE, lifetime,
 * sharing, and the read()/write()/ioctl() interface. Each test compares
 * the mapping with an independent view of the same buffer: read()/write()
 * through the kernel's own mapping, another process's mapping,
 * /proc/self/{maps,smaps,pagemap}.
 *
 * kselftest harness: a variant per mode (modes.h), each test in a process
 * of its own; "-v <mode>" runs one mode. Run as root in the test VM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#include "mode_fixture.h"
#include "procfs.h"

/* The exit status of child @pid; -1 unless it exited. */
static int child_status(pid_t pid)
{
	int status;

	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * Bytes stored through a mapping of [off, off + len) are what read() finds
 * at those offsets, and bytes given to write() are what the mapping shows.
 */
static void round_trip(struct __test_metadata *_metadata, off_t off,
		       size_t len, uint32_t seed)
{
	int fd = dev_open(O_RDWR);
	char *buf = malloc(len);
	char *p;

	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, buf);
	p = map_shared(fd, len, off);
	ASSERT_NE(MAP_FAILED, p);

	pattern_fill(p, len, seed, off);
	ASSERT_TRUE(pread_all(fd, buf, len, off)) TH_LOG("pread: %m");
	EXPECT_EQ(-1, pattern_check(buf, len, seed, off))
		TH_LOG("read() differs from the mapping at that byte");

	pattern_fill(buf, len, seed + 1, off);
	ASSERT_TRUE(pwrite_all(fd, buf, len, off)) TH_LOG("pwrite: %m");
	EXPECT_EQ(-1, pattern_check(p, len, seed + 1, off))
		TH_LOG("the mapping differs from write() at that byte");
}

TEST_F(mode, round_trip_whole_buffer)
{
	round_trip(_metadata, 0, bufsize, 1);
}

/* A mapping at page offset 3 starts at byte 3 * PAGE_SIZE of the buffer. */
TEST_F(mode, round_trip_at_page_offset)
{
	round_trip(_metadata, 3 * psize, 2 * psize, 3);
}

/* Offsets and lengths beyond the buffer, and no length, are refused. */
TEST_F(mode, bounds_einval)
{
	const int rw = PROT_READ | PROT_WRITE;
	const struct {
		size_t len;
		off_t off;
	} bad[] = {
		{ psize, bufsize },
		{ bufsize + psize, 0 },
		{ 2 * psize, bufsize - psize },
		{ psize, bufsize + 64 * psize },
		{ 0, 0 },
	};
	int fd = dev_open(O_RDWR);

	ASSERT_LE(0, fd);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(EINVAL, mmap_errno(fd, bad[i].len, bad[i].off, rw,
					     MAP_SHARED))
			TH_LOG("len %#zx off %#llx", bad[i].len,
			       (unsigned long long)bad[i].off);
	}
}

/*
 * A 32-bit process reaches ->mmap through mmap2, whose offset is a 32-bit
 * page number (of 4 KiB on x86), zero-extended by the kernel's ia32 entry
 * (sys_mmap_pgoff() takes an unsigned long): byte offsets below 2^44 only.
 * glibc's mmap64 refuses a larger one itself, EINVAL without a system call,
 * rather than truncate it (MMAP_OFF_HIGH_MASK in sysdeps/unix/sysv/linux/
 * mmap64.c; Debian 12 has 2.36). A 64-bit process reaches ->mmap with any
 * offset.
 */
#if UINTPTR_MAX == 0xffffffffu
#define MMAP_REACH	(4096ULL << 32)
#else
#define MMAP_REACH	UINT64_MAX
#endif

/*
 * Offsets far past the buffer that a driver's careless arithmetic would
 * bring back inside it. For a char device the core only asks that offset
 * plus length fit in an unsigned long (file_mmap_ok()), so a vm_pgoff of
 * up to about 2^52 reaches ->mmap: only the driver's own check stands
 * between it and memory far beyond the buffer, as in CVE-2013-2596
 * (fb_mmap), whose check overflowed. Each offset here passes the check,
 * or lands on page 1 or page 0 of the buffer, under one plausible mistake;
 * those at 32-bit page offsets are the edges of a 32-bit caller's reach.
 *
 * From a 32-bit process the offsets past MMAP_REACH never reach the
 * driver: what is asserted of them is glibc's EINVAL, for a truncated
 * offset would map the buffer, and the log says how many they are.
 * Those within reach, up to mmap2's largest page offset, must still be
 * refused by the driver.
 */
TEST_F(mode, huge_offset_einval)
{
	const uint64_t page = psize;
	const struct {
		uint64_t off, pages;
		const char *mistake;
	} bad[] = {
		{ ((1ULL << 32) + 1) * page, 1, "vm_pgoff truncated to 32 bits" },
		{ (1ULL << 32) + page, 1, "byte offset truncated to 32 bits" },
		{ ((1ULL << 32) - 1) * page, 2, "32-bit end page wraps to 1" },
		{ ((1ULL << 32) - 1) * page, 1,
		  "32-bit end page wraps to 0; mmap2's largest page offset" },
		{ (1ULL << 31) * page, 1, "page offset negative as a 32-bit long" },
		{ ((1ULL << 51) + 1) * page, 1, "byte offset negative as loff_t" },
		{ ((1ULL << 52) - 3) * page, 2, "the largest the core lets through" },
		{ (uint64_t)LLONG_MAX & ~(page - 1), 1, "LLONG_MAX, page-aligned" },
	};
	int fd = dev_open(O_RDWR);
	unsigned int beyond = 0;

	ASSERT_LE(0, fd);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		bool reaches = bad[i].off < MMAP_REACH;

		EXPECT_EQ(EINVAL, mmap_errno(fd, bad[i].pages * page,
					     (off_t)bad[i].off, PROT_READ,
					     MAP_SHARED))
			TH_LOG("offset %#llx, %llu pages: %s%s",
			       (unsigned long long)bad[i].off,
			       (unsigned long long)bad[i].pages, bad[i].mistake,
			       reaches ? "" : " (past mmap2's reach: libc's own refusal)");
		beyond += !reaches;
	}
	if (beyond)
		TH_LOG("32-bit: %u of %zu offsets past mmap2's reach (2^44): refused by libc",
		       beyond, ARRAY_SIZE(bad));
}

/* PFN mappings cannot copy-on-write: MAP_PRIVATE is refused. */
TEST_F(mode, private_refused)
{
	int fd;

	if (!has(cur, M_PFNMAP))
		SKIP(return, "page-backed: MAP_PRIVATE is copy-on-write");
	fd = dev_open(O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(EINVAL, mmap_errno(fd, psize, 0, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE));
	EXPECT_EQ(EINVAL, mmap_errno(fd, psize, 0, PROT_READ, MAP_PRIVATE));
}

/*
 * MAP_PRIVATE of page-backed modes: reads see the device's pages, the first
 * write gives the writer an anonymous copy (smaps: Anonymous,
 * Private_Dirty; pagemap: another PFN) and the device's page is unchanged.
 */
TEST_F(mode, private_copy_on_write)
{
	size_t len = 4 * psize;
	char *buf = malloc(len);
	char *shared, *priv;
	int fd;

	if (has(cur, M_PFNMAP))
		SKIP(return, "VM_PFNMAP: MAP_PRIVATE is refused");
	fd = dev_open(O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, buf);
	pattern_fill(buf, len, 10, 0);
	shared = map_shared(fd, len, 0);
	ASSERT_NE(MAP_FAILED, shared);
	priv = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, priv) TH_LOG("MAP_PRIVATE: %m");
	ASSERT_TRUE(pwrite_all(fd, buf, len, 0)) TH_LOG("pwrite: %m");

	EXPECT_EQ(-1, pattern_check(priv, len, 10, 0))
		TH_LOG("a private read does not see the device");
	pattern_fill(priv, len, 11, 0);
	EXPECT_EQ(-1, pattern_check(priv, len, 11, 0))
		TH_LOG("private writes lost");
	ASSERT_TRUE(pread_all(fd, buf, len, 0)) TH_LOG("pread: %m");
	EXPECT_EQ(-1, pattern_check(buf, len, 10, 0))
		TH_LOG("a private write reached the device");
	EXPECT_EQ(-1, pattern_check(shared, len, 10, 0))
		TH_LOG("a private write reached a shared mapping");
	EXPECT_LE((long)(len / 1024), smaps_kb(priv, "Anonymous"));
	EXPECT_LE((long)(len / 1024), smaps_kb(priv, "Private_Dirty"));
	for (size_t i = 0; i < len / psize; i++) {
		int64_t pfn = pagemap_pfn(priv + i * psize);

		ASSERT_LT(0, pfn) TH_LOG("page %zu of the private copy", i);
		EXPECT_NE(driver_pfn(fd, i), pfn)
			TH_LOG("page %zu: the private copy is the device's page", i);
	}
}

/* VM_DONTEXPAND: mremap() cannot grow the vma (EFAULT), may shrink it. */
TEST_F(mode, mremap_growth_refused)
{
	int fd = dev_open(O_RDWR);
	void *p;

	ASSERT_LE(0, fd);
	p = map_shared(fd, 2 * psize, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(MAP_FAILED, mremap(p, 2 * psize, 4 * psize, MREMAP_MAYMOVE))
		TH_LOG("grow with MREMAP_MAYMOVE");
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(MAP_FAILED, mremap(p, 2 * psize, 3 * psize, 0))
		TH_LOG("grow in place");
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(p, mremap(p, 2 * psize, psize, 0)) TH_LOG("shrink: %m");
}

/* The vma holds the file and the buffer: close(fd) does not end the mapping. */
TEST_F(mode, mapping_outlives_close)
{
	int fd = dev_open(O_RDWR);
	char *buf = malloc(psize);
	char *p;

	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, buf);
	p = map_shared(fd, psize, psize);
	ASSERT_NE(MAP_FAILED, p);
	close(fd);
	pattern_fill(p, psize, 5, psize);
	fd = dev_open(O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_TRUE(pread_all(fd, buf, psize, psize)) TH_LOG("pread: %m");
	EXPECT_EQ(-1, pattern_check(buf, psize, 5, psize))
		TH_LOG("a write after close was lost");
}

/* Two processes, each with its own open() and mmap(), share the bytes. */
TEST_F(mode, shared_between_processes)
{
	int to_child[2], to_parent[2];
	char token = 0;
	pid_t pid;
	int fd;
	char *p;

	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	fd = dev_open(O_RDWR);
	ASSERT_LE(0, fd);
	p = map_shared(fd, 2 * psize, 0);
	ASSERT_NE(MAP_FAILED, p);

	pid = fork_bound();
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
	ASSERT_EQ(1, write(to_child[1], &token, 1));
	ASSERT_EQ(1, read(to_parent[0], &token, 1));
	/* 1: the child did not see the parent's bytes; 2: it failed. */
	EXPECT_EQ(0, child_status(pid));
	EXPECT_EQ(-1, pattern_check(p + psize, psize, 7, psize))
		TH_LOG("the parent did not see the child's bytes");
}

/* An O_RDONLY open loses VM_MAYWRITE: no writable map, no mprotect later. */
TEST_F(mode, readonly_open_stays_readonly)
{
	int fd = dev_open(O_RDONLY);
	void *p;

	ASSERT_LE(0, fd);
	EXPECT_EQ(EACCES, mmap_errno(fd, psize, 0, PROT_READ | PROT_WRITE,
				     MAP_SHARED));
	p = mmap(NULL, psize, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("read-only mmap: %m");
	EXPECT_EQ(-1, mprotect(p, psize, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
}

/*
 * vm_ops->open/close keep one buffer reference per vma: a split vma counts
 * twice, a fork()ed child's copies count too, and every count returns to
 * its baseline once the vmas are gone.
 */
TEST_F(mode, vma_references_counted)
{
	const int copies = 2;
	struct mmlab_info before, after;
	int fd = dev_open(O_RDWR);
	int base, in_child = -1, pipefd[2];
	char *p;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(pipefd));
	ASSERT_TRUE(mmlab_info(fd, &before)) TH_LOG("MMLAB_IOC_INFO: %m");
	base = before.live_vmas;
	p = map_shared(fd, 3 * psize, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_TRUE(mmlab_info(fd, &after)) TH_LOG("MMLAB_IOC_INFO: %m");
	EXPECT_EQ(before.mmap_calls + 1, after.mmap_calls);
	EXPECT_EQ(base + 1, live_vmas(fd)) TH_LOG("after mmap");

	munmap(p + psize, psize);
	EXPECT_EQ(base + 2, live_vmas(fd)) TH_LOG("after a splitting munmap");

	pid = fork();
	if (pid == 0) {
		int n = live_vmas(fd);

		_exit(write(pipefd[1], &n, sizeof(n)) == sizeof(n) ? 0 : 1);
	}
	ASSERT_EQ(0, child_status(pid));
	ASSERT_EQ(sizeof(in_child), read(pipefd[0], &in_child, sizeof(in_child)));
	EXPECT_EQ(base + 2 + copies, in_child) TH_LOG("in a forked child");
	EXPECT_EQ(base + 2, live_vmas(fd)) TH_LOG("after the child exited");

	munmap(p, psize);
	munmap(p + 2 * psize, psize);
	EXPECT_EQ(base, live_vmas(fd)) TH_LOG("after munmap");
}

/* A child sees the parent's mapping and bytes: no mode sets VM_DONTCOPY. */
TEST_F(mode, fork_inheritance)
{
	int fd = dev_open(O_RDWR);
	char *p;
	pid_t pid;

	ASSERT_LE(0, fd);
	p = map_shared(fd, psize, 0);
	ASSERT_NE(MAP_FAILED, p);
	pattern_fill(p, psize, 12, 0);
	pid = fork();
	if (pid == 0)
		_exit(pattern_check(p, psize, 12, 0) < 0 ? 0 : 1);
	EXPECT_EQ(0, child_status(pid)) TH_LOG("the child lacks the parent's bytes");
}

/*
 * /proc/self/maps names the device, which names the mode; smaps shows
 * exactly the vm_flags the mode must set, and none it must not.
 */
TEST_F(mode, vm_flags_in_smaps)
{
	static const struct {
		const char *code;
		unsigned int mode_flag;	/* 0: every mode */
	} flags[] = {
		{ "de", 0 }, { "dd", 0 }, { "sh", 0 },
		{ "pf", M_PFNMAP }, { "io", M_IO }, { "mm", M_MIXEDMAP },
		{ "dc", M_DONTCOPY },
	};
	char line[512], vmflags[256];
	int fd = dev_open(O_RDWR);
	char *p;

	ASSERT_LE(0, fd);
	p = map_shared(fd, psize, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_TRUE(maps_line(p, line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, maps_path)) TH_LOG("maps: %s", line);
	EXPECT_NE(NULL, strstr(line, "rw-s")) TH_LOG("maps: %s", line);
	ASSERT_TRUE(smaps_field(p, "VmFlags", vmflags, sizeof(vmflags)));
	TH_LOG("%s: VmFlags:%s", cur->name, vmflags);
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
		bool want = !flags[i].mode_flag || has(cur, flags[i].mode_flag);

		EXPECT_EQ(want, vmflags_has(vmflags, flags[i].code))
			TH_LOG("VmFlags %s", flags[i].code);
	}
}

/* read()/write() stop at the buffer's end and fail cleanly on bad input. */
TEST_F(mode, read_write_edges)
{
	int fd = dev_open(O_RDWR);
	char *buf = malloc(2 * psize);

	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, buf);
	EXPECT_EQ(0, pread(fd, buf, psize, bufsize)) TH_LOG("read at the end");
	EXPECT_EQ(-1, pwrite(fd, buf, psize, bufsize)) TH_LOG("write at the end");
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ((ssize_t)psize, pwrite(fd, buf, 2 * psize, bufsize - psize))
		TH_LOG("write across the end");
	EXPECT_EQ(-1, pread(fd, (void *)16, psize, 0))
		TH_LOG("read to a bad pointer");
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, pwrite(fd, (void *)16, psize, 0))
		TH_LOG("write from a bad pointer");
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ((off_t)bufsize, lseek(fd, 0, SEEK_END));
}

/* The ioctls agree with the module parameter and fail cleanly. */
TEST_F(mode, ioctls)
{
	struct mmlab_page_pfn req = { .pgoff = bufsize / psize };
	struct mmlab_dirty dirty = { 0 };
	int fd = dev_open(O_RDWR);
	struct mmlab_info info;

	ASSERT_LE(0, fd);
	ASSERT_TRUE(mmlab_info(fd, &info)) TH_LOG("MMLAB_IOC_INFO: %m");
	EXPECT_EQ(read_number(size_param(cur)), (long)info.size)
		TH_LOG("%s against MMLAB_IOC_INFO", size_param(cur));
	EXPECT_EQ(psize, info.page_size);
	EXPECT_EQ(-1, ioctl(fd, MMLAB_IOC_INFO, (void *)16))
		TH_LOG("INFO to a bad pointer");
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(fd, _IO(MMLAB_IOC_MAGIC, 0x7f), 0))
		TH_LOG("unknown command");
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(fd, MMLAB_IOC_PAGE_PFN, &req))
		TH_LOG("PFN of the page past the end");
	EXPECT_EQ(EINVAL, errno);
	if (!has(cur, M_MKWRITE)) {
		EXPECT_EQ(-1, ioctl(fd, MMLAB_IOC_DIRTY, &dirty))
			TH_LOG("DIRTY without mkwrite");
		EXPECT_EQ(ENOTTY, errno);
	}
}

/* PFNs are physical addresses: without CAP_SYS_ADMIN, EPERM. */
TEST_F(mode, pfn_ioctl_needs_cap_sys_admin)
{
	int fd = dev_open(O_RDWR);
	pid_t pid;

	ASSERT_LE(0, fd);
	EXPECT_LT(0, driver_pfn(fd, 0)) TH_LOG("as root: %m");
	pid = fork();
	if (pid == 0) {
		/* Dropping every uid 0 drops the capabilities too. */
		if (setresuid(65534, 65534, 65534))
			_exit(2);
		_exit(driver_pfn(fd, 0) < 0 && errno == EPERM ? 0 : 1);
	}
	/* 1: the unprivileged MMLAB_IOC_PAGE_PFN did not fail with EPERM. */
	EXPECT_EQ(0, child_status(pid));
}

TEST_HARNESS_MAIN
