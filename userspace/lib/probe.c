// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe.h"

const struct mode *cur;
char dev_path[64];
char maps_path[64];
size_t psize;
size_t bufsize;

int use_mode(const struct mode *m)
{
	struct mmlab_info info;
	int fd, err = 0;

	cur = m;
	psize = sysconf(_SC_PAGESIZE);
	snprintf(dev_path, sizeof(dev_path), "/dev/mmlab-%s", m->name);
	snprintf(maps_path, sizeof(maps_path), "%s",
		 has(m, M_SHMEMFILE) ? "/mmlab-shmem (deleted)" : dev_path);
	fd = open(dev_path, O_RDWR);
	if (fd < 0 || !mmlab_info(fd, &info)) {
		err = errno;
		diag("%s: %s", dev_path, strerror(err));
		goto out;
	}
	bufsize = info.size;
	/* A 32-bit process could not map it, nor even hold its size. */
	if (bufsize != info.size) {
		diag("%s: a buffer of %llu bytes does not fit a size_t",
		     dev_path, (unsigned long long)info.size);
		err = EOVERFLOW;
	}
out:
	if (fd >= 0)
		close(fd);
	return err;
}

int dev_open(int flags)
{
	int fd = open(dev_path, flags);

	if (fd < 0)
		diag("open %s: %s", dev_path, strerror(errno));
	return fd;
}

void *map_shared(int fd, size_t len, off_t off)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);

	if (p == MAP_FAILED)
		diag("mmap len %zu off %lld: %s", len, (long long)off,
		     strerror(errno));
	return p;
}

void *map_shared_aligned(int fd, size_t len, off_t off, size_t align)
{
	char *area = mmap(NULL, len + align, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *start;
	void *p;

	if (area == MAP_FAILED)
		return MAP_FAILED;
	start = (char *)(((uintptr_t)area + align - 1) & ~(uintptr_t)(align - 1));
	p = mmap(start, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 fd, off);
	if (p == MAP_FAILED) {
		diag("mmap len %zu off %lld: %s", len, (long long)off,
		     strerror(errno));
		munmap(area, len + align);
		return MAP_FAILED;
	}
	/* Give back the reservation around the mapping. */
	if (start > area)
		munmap(area, start - area);
	munmap(start + len, area + align - start);
	return p;
}

int live_vmas(int fd)
{
	struct mmlab_info info;

	return mmlab_info(fd, &info) ? (int)info.live_vmas : -1;
}

int64_t driver_pfn(int fd, uint64_t pgoff)
{
	struct mmlab_page_pfn req = { .pgoff = pgoff };

	if (ioctl(fd, MMLAB_IOC_PAGE_PFN, &req))
		return -1;
	return req.pfn;
}

/* Atomic loads: the compiler may neither drop nor merge them. */
unsigned int touch_pages(const char *p, size_t len)
{
	unsigned int sum = 0;

	for (size_t off = 0; off < len; off += psize)
		sum += __atomic_load_n(p + off, __ATOMIC_RELAXED);
	return sum;
}

int child_touch_signal(const char *addr)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		char c = *addr;

		/* The value goes into an asm: the read cannot be dropped. */
		asm volatile("" : : "r" (c));
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

pid_t fork_bound(void)
{
	pid_t parent = getpid();
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* The parent may have gone before prctl(). */
		if (getppid() != parent)
			_exit(1);
	}
	return pid;
}

size_t count_pages(void)
{
	size_t pages = bufsize / psize;

	return pages < 64 ? pages : 64;
}
