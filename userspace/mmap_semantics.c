// SPDX-License-Identifier: GPL-2.0
/*
 * mmap_modes_test cases about what every mapping must get right, whatever
 * backs it: bounds, vm_flags, MAP_PRIVATE, lifetime, sharing, and the
 * read()/write()/ioctl() interface. Each compares the mapping with an
 * independent view of the same buffer: read()/write() through the kernel's
 * own mapping, another process's mapping, /proc/self/{maps,smaps,pagemap}.
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

#include "probe.h"
#include "procfs.h"

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

/* Offsets and lengths beyond the buffer, and no length, are refused. */
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
	ok &= map_fails(fd, 0, 0, rw, MAP_SHARED, EINVAL);
	close(fd);
	return ok;
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
 * offset would map the buffer, and the diagnostic says how many they are.
 * Those within reach, up to mmap2's largest page offset, must still be
 * refused by the driver.
 */
static int huge_offset_einval(void)
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
	bool ok = true;

	if (fd < 0)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		bool reaches = bad[i].off < MMAP_REACH;

		if (!map_fails(fd, bad[i].pages * page, (off_t)bad[i].off,
			       PROT_READ, MAP_SHARED, EINVAL)) {
			ktap_diag("offset %#llx, %llu pages: %s%s",
				  (unsigned long long)bad[i].off,
				  (unsigned long long)bad[i].pages,
				  bad[i].mistake,
				  reaches ? "" : " (past mmap2's reach: libc's own refusal)");
			ok = false;
		}
		beyond += !reaches;
	}
	if (beyond)
		ktap_diag("32-bit: %u of %zu offsets past mmap2's reach (2^44): refused by libc",
			  beyond, ARRAY_SIZE(bad));
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

static bool pfn_mode(const struct mode *m)
{
	return has(m, M_PFNMAP);
}

static bool page_mode(const struct mode *m)
{
	return !has(m, M_PFNMAP);
}

/*
 * MAP_PRIVATE of page-backed modes: reads see the device's pages, the first
 * write gives the writer an anonymous copy (smaps: Anonymous,
 * Private_Dirty; pagemap: another PFN) and the device's page is unchanged.
 */
static int private_copy_on_write(void)
{
	size_t len = 4 * psize;
	int fd = dev_open(O_RDWR);
	char *buf = malloc(len);
	char *shared = MAP_FAILED, *priv = MAP_FAILED;
	bool ok = false;
	long kb;

	if (fd < 0 || !buf)
		goto out;
	pattern_fill(buf, len, 10, 0);
	shared = map_shared(fd, len, 0);
	priv = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (!KTAP_EXPECT(priv != MAP_FAILED, "MAP_PRIVATE: %m") ||
	    shared == MAP_FAILED || !pwrite_all(fd, buf, len, 0))
		goto out;
	ok = KTAP_EXPECT(pattern_check(priv, len, 10, 0) < 0,
			 "a private read does not see the device");
	pattern_fill(priv, len, 11, 0);
	ok &= KTAP_EXPECT(pattern_check(priv, len, 11, 0) < 0,
			  "private writes lost");
	ok &= KTAP_EXPECT(pread_all(fd, buf, len, 0) &&
			  pattern_check(buf, len, 10, 0) < 0,
			  "a private write reached the device at byte %zd",
			  pattern_check(buf, len, 10, 0));
	ok &= KTAP_EXPECT(pattern_check(shared, len, 10, 0) < 0,
			  "a private write reached a shared mapping");
	kb = smaps_kb(priv, "Anonymous");
	ok &= KTAP_EXPECT(kb >= (long)(len / 1024), "Anonymous: %ld kB", kb);
	kb = smaps_kb(priv, "Private_Dirty");
	ok &= KTAP_EXPECT(kb >= (long)(len / 1024), "Private_Dirty: %ld kB", kb);
	for (size_t i = 0; ok && i < len / psize; i++) {
		int64_t pfn = pagemap_pfn(priv + i * psize);

		ok = KTAP_EXPECT(pfn > 0 && pfn != driver_pfn(fd, i),
				 "page %zu: private PFN %#llx, device's %#llx",
				 i, (long long)pfn, (long long)driver_pfn(fd, i));
	}
out:
	if (priv != MAP_FAILED)
		munmap(priv, len);
	if (shared != MAP_FAILED)
		munmap(shared, len);
	free(buf);
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
	int to_child[2], to_parent[2], status = -1;
	bool ok = false;
	char token = 0;
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
	p = mmap(NULL, psize, PROT_READ, MAP_SHARED, fd, 0);
	ok &= KTAP_EXPECT(p != MAP_FAILED, "read-only mmap: %m");
	if (p != MAP_FAILED) {
		ok &= KTAP_EXPECT(mprotect(p, psize, PROT_READ | PROT_WRITE) &&
				  errno == EACCES, "mprotect(PROT_WRITE): %m");
		munmap(p, psize);
	}
	close(fd);
	return ok;
}

/*
 * vm_ops->open/close keep one buffer reference per vma: a split vma counts
 * twice, a fork()ed child's copies count too, and
 * every count returns to its baseline once the vmas are gone.
 */
static int vma_references_counted(void)
{
	int copies = 2;
	struct mmlab_info before, after;
	int fd = dev_open(O_RDWR);
	int base, status, in_child = -1, pipefd[2];
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
	if (read(pipefd[0], &in_child, sizeof(in_child)) != sizeof(in_child))
		in_child = -1;
	ok &= KTAP_EXPECT(in_child == base + 2 + copies,
			  "in a forked child: %d, base %d", in_child, base);
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

/* A child sees the parent's mapping and bytes: no mode sets VM_DONTCOPY. */
static int fork_inheritance(void)
{
	int fd = dev_open(O_RDWR);
	bool ok = false;
	int status = -1;
	char *p;
	pid_t pid;

	if (fd < 0)
		return false;
	p = map_shared(fd, psize, 0);
	if (p == MAP_FAILED)
		goto out;
	pattern_fill(p, psize, 12, 0);
	pid = fork();
	if (pid == 0)
		_exit(pattern_check(p, psize, 12, 0) < 0 ? 0 : 1);
	waitpid(pid, &status, 0);
	ok = KTAP_EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			 "child lacks the parent's bytes (status %#x)", status);
	munmap(p, psize);
out:
	close(fd);
	return ok;
}

/*
 * /proc/self/maps names the device, which names the mode; smaps shows
 * exactly the vm_flags the mode must set, and none it must not.
 */
static int vm_flags_in_smaps(void)
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
	ok = ok && KTAP_EXPECT(smaps_field(p, "VmFlags", vmflags,
					   sizeof(vmflags)), "no VmFlags");
	for (size_t i = 0; ok && i < ARRAY_SIZE(flags); i++) {
		bool want = !flags[i].mode_flag || has(cur, flags[i].mode_flag);

		ok = KTAP_EXPECT(vmflags_has(vmflags, flags[i].code) == want,
				 "VmFlags%s %s %s", vmflags,
				 want ? "lack" : "have", flags[i].code);
	}
	if (ok)
		ktap_diag("%s: VmFlags:%s", cur->name, vmflags);
	munmap(p, psize);
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
	ok &= KTAP_EXPECT(n < 0 && errno == EFAULT,
			  "read to a bad pointer: %zd, %m", n);
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

/* The ioctls agree with the module parameter and fail cleanly. */
static int ioctls(void)
{
	struct mmlab_page_pfn req = { .pgoff = bufsize / psize };
	struct mmlab_dirty dirty = { 0 };
	int fd = dev_open(O_RDWR);
	struct mmlab_info info;
	long param;
	bool ok;

	if (fd < 0)
		return false;
	param = read_number("/sys/module/mmlab/parameters/buf_size");
	ok = KTAP_EXPECT(mmlab_info(fd, &info), "MMLAB_IOC_INFO: %m");
	ok = ok && KTAP_EXPECT(info.size == (uint64_t)param &&
			       info.page_size == psize,
			       "size %llu, buf_size %ld, page_size %u",
			       (unsigned long long)info.size, param,
			       info.page_size);
	ok &= KTAP_EXPECT(ioctl(fd, MMLAB_IOC_INFO, (void *)16) < 0 &&
			  errno == EFAULT, "INFO to a bad pointer: %m");
	ok &= KTAP_EXPECT(ioctl(fd, _IO(MMLAB_IOC_MAGIC, 0x7f), 0) < 0 &&
			  errno == ENOTTY, "unknown command: %m");
	ok &= KTAP_EXPECT(ioctl(fd, MMLAB_IOC_PAGE_PFN, &req) < 0 &&
			  errno == EINVAL, "PFN of the page past the end: %m");
	if (!has(cur, M_MKWRITE))
		ok &= KTAP_EXPECT(ioctl(fd, MMLAB_IOC_DIRTY, &dirty) < 0 &&
				  errno == ENOTTY, "DIRTY without mkwrite: %m");
	close(fd);
	return ok;
}

/* PFNs are physical addresses: without CAP_SYS_ADMIN, EPERM. */
static int pfn_ioctl_needs_cap_sys_admin(void)
{
	int fd = dev_open(O_RDWR);
	int status = -1;
	bool ok;
	pid_t pid;

	if (fd < 0)
		return false;
	ok = KTAP_EXPECT(driver_pfn(fd, 0) > 0, "as root: %m");
	pid = fork();
	if (pid == 0) {
		/* Dropping every uid 0 drops the capabilities too. */
		if (setresuid(65534, 65534, 65534))
			_exit(2);
		_exit(driver_pfn(fd, 0) < 0 && errno == EPERM ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	ok &= KTAP_EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			  "unprivileged MMLAB_IOC_PAGE_PFN (status %#x)",
			  status);
	close(fd);
	return ok;
}

const struct probe_case semantic_cases[] = {
	{ "round_trip_whole_buffer", round_trip_whole_buffer },
	{ "round_trip_at_page_offset", round_trip_at_page_offset },
	{ "bounds_einval", bounds_einval },
	{ "huge_offset_einval", huge_offset_einval },
	{ "private_refused", private_refused, pfn_mode },
	{ "private_copy_on_write", private_copy_on_write, page_mode },
	{ "mremap_growth_refused", mremap_growth_refused },
	{ "mapping_outlives_close", mapping_outlives_close },
	{ "shared_between_processes", shared_between_processes },
	{ "readonly_open_stays_readonly", readonly_open_stays_readonly },
	{ "vma_references_counted", vma_references_counted },
	{ "fork_inheritance", fork_inheritance },
	{ "vm_flags_in_smaps", vm_flags_in_smaps },
	{ "read_write_edges", read_write_edges },
	{ "ioctls", ioctls },
	{ "pfn_ioctl_needs_cap_sys_admin", pfn_ioctl_needs_cap_sys_admin },
};

const size_t nr_semantic_cases = ARRAY_SIZE(semantic_cases);
