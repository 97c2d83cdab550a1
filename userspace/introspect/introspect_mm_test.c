// SPDX-License-Identifier: GPL-2.0
/*
 * introspect_mm_test: what /dev/mmlab-mm (drivers/introspect/) reads of
 * the caller's mm: its vmas against /proc/self/maps, its mm_struct
 * figures against /proc/self/stat and status, and the sharing of a page
 * against /proc/kpagecount.
 *
 * Buffers are static and touched beforehand: a malloc() or a first touch
 * between the ioctl and the read of /proc would change what is compared.
 *
 * kselftest harness: fixture "mm" (mm_fixture.h), each test in a process
 * of its own. Run as root in the test VM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#include "mm_fixture.h"
#include "procfs.h"

#define MAX_VMAS	512
/*
 * [vsyscall] is printed by /proc/self/maps but is not a vma; not for a
 * 32-bit process, which has none. Addresses are read as 64 bits in both.
 */
#define VSYSCALL_ADDR	0xffffffffff600000ULL

static struct mmlab_vma vmas[MAX_VMAS];
/* /proc/self/maps of vmas_over_the_cap: 5,000 lines of up to 80 bytes. */
static char text[1024 * 1024];
/* /proc/self/status, read at once after /proc/self/stat into text[]. */
static char status[16384];

/* Read a whole /proc file with read(2) into @buf; stdio would malloc. */
static ssize_t slurp_into(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n, len = 0;

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	return len;
}

static ssize_t slurp(const char *path)
{
	return slurp_into(path, text, sizeof(text));
}

/*
 * The VMA iterator's list is /proc/self/maps, line for line: start, end,
 * permissions, offset, device, inode, and the path of file mappings.
 */
TEST_F(mm, vmas_match_maps)
{
	struct mmlab_vmas req = { .vmas = (uintptr_t)vmas, .count = MAX_VMAS };
	unsigned int i = 0, lines = 0;
	char *line, *save;

	ASSERT_EQ(0, ioctl(self->fd, MMLAB_MM_IOC_VMAS, &req)) TH_LOG("VMAS: %m");
	ASSERT_LT(0, slurp("/proc/self/maps")) TH_LOG("maps: %m");
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long long start, end, off, ino;
		unsigned int major, minor;
		struct mmlab_vma *v = &vmas[i];
		char perms[8], want[8];
		int name = 0, fields;

		fields = sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %n", &start,
				&end, perms, &off, &major, &minor, &ino, &name);
		ASSERT_LE(7, fields) TH_LOG("unparsable: %s", line);
		if (start == VSYSCALL_ADDR)
			continue;
		lines++;
		ASSERT_LT(i, req.written) TH_LOG("maps has more vmas: %s", line);
		snprintf(want, sizeof(want), "%c%c%c%c",
			 v->flags & 0x1 ? 'r' : '-', v->flags & 0x2 ? 'w' : '-',
			 v->flags & 0x4 ? 'x' : '-', v->flags & 0x80 ? 's' : 'p');
		ASSERT_EQ(start, v->start) TH_LOG("vma %u: %s", i, line);
		ASSERT_EQ(end, v->end) TH_LOG("vma %u: %s", i, line);
		ASSERT_STREQ(perms, want) TH_LOG("vma %u: %s", i, line);
		ASSERT_EQ(off, v->path[0] ? v->pgoff * psize : 0)
			TH_LOG("vma %u: %s", i, line);
		ASSERT_EQ(major, v->dev >> 20) TH_LOG("vma %u: %s", i, line);
		ASSERT_EQ(minor, v->dev & 0xfffff) TH_LOG("vma %u: %s", i, line);
		ASSERT_EQ(ino, v->ino) TH_LOG("vma %u: %s", i, line);
		/* Anonymous names ([heap], [stack], [vdso]) are the kernel's. */
		if (v->path[0]) {
			ASSERT_STREQ(line + name, v->path)
				TH_LOG("vma %u: the file's path", i);
		}
		i++;
	}
	EXPECT_EQ(lines, req.count) TH_LOG("vmas in maps against the count");
	EXPECT_EQ(lines, req.written) TH_LOG("vmas in maps against those written");
	TH_LOG("%u vmas, all equal to /proc/self/maps", lines);
}

/* Field @n (1-based, as in proc(5)) of /proc/self/stat, in text[]. */
static unsigned long long stat_field(int n)
{
	char *p = strrchr(text, ')');
	int field = 2;

	while (p && field < n) {
		p = strchr(p + 1, ' ');
		field++;
	}
	return p ? strtoull(p + 1, NULL, 10) : 0;
}

/* A "Key:   N kB" line of /proc/self/status, in status[]. */
static long status_kb(const char *key)
{
	char *p = strstr(status, key);

	return p ? strtol(p + strlen(key) + 1, NULL, 10) : -1;
}

static int count_maps_lines(void)
{
	int n = 0;

	for (char *p = text; (p = strchr(p, '\n')); p++)
		n++;
	return n - (strstr(text, "[vsyscall]") ? 1 : 0);
}

/*
 * More vmas than one call lists: every page of a mapping made a vma of its
 * own by alternating protections. The count says how many the mm has, as
 * /proc/self/maps does, and @written how many were listed, so a caller
 * with room for all of them still learns that the list is cut.
 */
TEST_F(mm, vmas_over_the_cap)
{
	size_t npages = MMLAB_VMAS_MAX + 1000, room = MMLAB_VMAS_MAX + 2000;
	struct mmlab_vma *big = calloc(room, sizeof(*big));
	char *p = mmap(NULL, npages * psize, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct mmlab_vmas req = { .vmas = (uintptr_t)big, .count = room };
	int lines;

	ASSERT_NE(NULL, big);
	ASSERT_NE(MAP_FAILED, p);
	for (size_t i = 0; i < npages; i += 2) {
		ASSERT_EQ(0, mprotect(p + i * psize, psize, PROT_READ))
			TH_LOG("mprotect: %m");
	}
	ASSERT_EQ(0, ioctl(self->fd, MMLAB_MM_IOC_VMAS, &req)) TH_LOG("VMAS: %m");
	ASSERT_LT(0, slurp("/proc/self/maps"));
	lines = count_maps_lines();
	EXPECT_EQ(lines, (int)req.count) TH_LOG("vmas in maps against the count");
	EXPECT_LT(MMLAB_VMAS_MAX, req.count);
	EXPECT_EQ(MMLAB_VMAS_MAX, req.written) TH_LOG("room for %zu", room);
	/* The first ones, in order, and nothing past them. */
	for (unsigned int i = 1; i < req.written; i++) {
		ASSERT_LE(big[i - 1].end, big[i].start)
			TH_LOG("vma %u out of order", i);
	}
	EXPECT_EQ(0, big[MMLAB_VMAS_MAX].start)
		TH_LOG("an entry past the %u written", req.written);

	/* Less room than vmas: as much as there is room for. */
	req.count = 10;
	ASSERT_EQ(0, ioctl(self->fd, MMLAB_MM_IOC_VMAS, &req)) TH_LOG("VMAS: %m");
	EXPECT_EQ(10, req.written) TH_LOG("room for 10");
	EXPECT_EQ(lines, (int)req.count) TH_LOG("room for 10");
	TH_LOG("%d vmas; %u listed", lines, MMLAB_VMAS_MAX);
}

/*
 * The mm_struct's own figures are what /proc/self/stat and status print:
 * code, data and heap bounds, the stack's start, VmSize and the RSS
 * counters; the vma count is the number of lines in maps; a function
 * of this program and the linker's etext lie in the code, its edata in
 * the data, and sbrk(0) is the heap's end.
 *
 * The figures and both files are read back to back, before any check,
 * and twice, the first time only to have run that code once: the guest's
 * root is a tmpfs, so each page of this program's text that runs for the
 * first time is a shmem page that enters RssShmem (seen: 23 pages between
 * the ioctl and the read of status, in the checks' code).
 */
TEST_F(mm, mm_stat_matches_proc)
{
	uintptr_t fn = (uintptr_t)stat_field;
	unsigned long kb = psize / 1024;
	ssize_t stat_len, status_len;
	struct mmlab_mm_stat s;
	void *brk_now;
	int ret;

	memset(text, 0, sizeof(text));
	memset(status, 0, sizeof(status));
	for (int pass = 0; pass < 2; pass++) {
		brk_now = sbrk(0);
		ret = ioctl(self->fd, MMLAB_MM_IOC_STAT, &s);
		stat_len = slurp("/proc/self/stat");
		status_len = slurp_into("/proc/self/status", status,
					sizeof(status));
	}

	ASSERT_EQ(0, ret) TH_LOG("STAT: %m");
	ASSERT_LT(0, stat_len);
	ASSERT_LT(0, status_len);
	EXPECT_EQ(stat_field(26), s.start_code) TH_LOG("start_code");
	EXPECT_EQ(stat_field(27), s.end_code) TH_LOG("end_code");
	EXPECT_EQ(stat_field(28), s.start_stack) TH_LOG("start_stack");
	EXPECT_EQ(stat_field(45), s.start_data) TH_LOG("start_data");
	EXPECT_EQ(stat_field(46), s.end_data) TH_LOG("end_data");
	EXPECT_EQ(stat_field(47), s.start_brk) TH_LOG("start_brk");
	EXPECT_LE(s.start_code, fn) TH_LOG("a function outside the code");
	EXPECT_GT(s.end_code, fn) TH_LOG("a function outside the code");
	EXPECT_LT(s.start_code, (uintptr_t)&etext);
	EXPECT_GE(s.end_code, (uintptr_t)&etext);
	EXPECT_LT(s.start_data, (uintptr_t)&edata);
	EXPECT_GE(s.end_data, (uintptr_t)&edata);
	EXPECT_EQ((uintptr_t)brk_now, s.brk) TH_LOG("brk against sbrk(0)");
	EXPECT_EQ(1, s.mm_users);
	EXPECT_EQ(status_kb("VmSize:"), (long)(s.total_vm * kb));
	EXPECT_EQ(status_kb("RssAnon:"), (long)(s.rss_anon * kb));
	EXPECT_EQ(status_kb("RssFile:"), (long)(s.rss_file * kb));
	EXPECT_EQ(status_kb("RssShmem:"), (long)(s.rss_shmem * kb));

	/* Back to back again, for the vmas. */
	ret = ioctl(self->fd, MMLAB_MM_IOC_STAT, &s);
	stat_len = slurp("/proc/self/maps");
	ASSERT_EQ(0, ret) TH_LOG("STAT: %m");
	ASSERT_LT(0, stat_len);
	EXPECT_EQ(count_maps_lines(), (int)s.map_count) TH_LOG("lines of maps");
}

static pthread_barrier_t thread_done;

static void *waiter(void *arg)
{
	pthread_barrier_wait(&thread_done);
	return arg;
}

static unsigned long long mm_users(int fd)
{
	struct mmlab_mm_stat s;

	return ioctl(fd, MMLAB_MM_IOC_STAT, &s) ? 0 : s.mm_users;
}

/*
 * A thread shares the mm: mm_users grows by one while it lives. A fork()ed
 * child gets an mm of its own, with one user, and the parent's is as it
 * was.
 */
TEST_F(mm, mm_users_threads_and_fork)
{
	unsigned long long base = mm_users(self->fd), with_thread, in_child = 0;
	int pipefd[2], status;
	pthread_t thread;
	pid_t pid;

	ASSERT_EQ(0, pthread_barrier_init(&thread_done, NULL, 2));
	ASSERT_EQ(0, pthread_create(&thread, NULL, waiter, NULL));
	with_thread = mm_users(self->fd);
	pthread_barrier_wait(&thread_done);
	pthread_join(thread, NULL);
	EXPECT_EQ(base + 1, with_thread) TH_LOG("mm_users with a thread");
	/* pthread_join() returns before the thread has left the mm. */
	ASSERT_TRUE(wait_threads(1)) TH_LOG("the thread did not leave");
	EXPECT_EQ(base, mm_users(self->fd)) TH_LOG("mm_users after the thread");

	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	if (pid == 0) {
		unsigned long long n = mm_users(self->fd);

		_exit(write(pipefd[1], &n, sizeof(n)) == sizeof(n) ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(sizeof(in_child), read(pipefd[0], &in_child, sizeof(in_child)));
	EXPECT_EQ(1, in_child) TH_LOG("mm_users in a child");
	EXPECT_EQ(base, mm_users(self->fd)) TH_LOG("the parent's after a fork");
}

/* /proc/kpagecount: the mapcount of a PFN, the kernel's own account. */
static long pfn_mapcount(int64_t pfn)
{
	int fd = open("/proc/kpagecount", O_RDONLY);
	uint64_t count;
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pread(fd, &count, sizeof(count), pfn * sizeof(count));
	close(fd);
	return n == sizeof(count) ? (long)count : -1;
}

/*
 * Page 0 of @fd has @mapcount mappings by the driver's count and the
 * kernel's, and a reference for each beyond those it had at first.
 */
static void counts_are(struct __test_metadata *_metadata, int fd, int64_t pfn,
		       int mapcount, int *refbase, const char *when)
{
	struct mmlab_page_counts c = { .pgoff = 0 };

	ASSERT_EQ(0, ioctl(fd, MMLAB_IOC_PAGE_COUNTS, &c))
		TH_LOG("PAGE_COUNTS: %m");
	if (*refbase < 0)
		*refbase = c.refcount - c.mapcount;
	EXPECT_EQ(mapcount, c.mapcount) TH_LOG("%s: mapcount", when);
	EXPECT_EQ(mapcount, pfn_mapcount(pfn)) TH_LOG("%s: kpagecount", when);
	EXPECT_EQ(*refbase + mapcount, c.refcount) TH_LOG("%s: refcount", when);
}

/* Child: map page 0 of the fault device, touch it, say so, wait, exit. */
static pid_t sharer(int ready, int go)
{
	pid_t pid = fork_bound();

	if (pid == 0) {
		int fd = open("/dev/mmlab-fault", O_RDWR);
		char *p = mmap(NULL, psize, PROT_READ, MAP_SHARED, fd, 0);
		char c = 0;

		if (p == MAP_FAILED)
			_exit(1);
		touch_pages(p, psize);
		if (write(ready, &c, 1) != 1 || read(go, &c, 1) != 1)
			_exit(1);
		_exit(0);
	}
	return pid;
}

/*
 * A page of a MAP_SHARED mapping in a parent and two children: its
 * mapcount counts the processes that map it, as /proc/kpagecount says, and
 * each mapping holds one reference on it; both fall as they unmap.
 */
TEST_F(mm, rmap_counts_follow_sharing)
{
	int fd = open("/dev/mmlab-fault", O_RDWR);
	int ready[2], go_a[2], go_b[2], refbase = -1, status;
	int64_t pfn;
	pid_t a, b;
	char c = 0;
	char *p;

	ASSERT_LE(0, fd) TH_LOG("/dev/mmlab-fault: %m");
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go_a));
	ASSERT_EQ(0, pipe(go_b));
	p = mmap(NULL, psize, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	touch_pages(p, psize);
	pfn = pagemap_pfn(p);
	counts_are(_metadata, fd, pfn, 1, &refbase, "parent");
	a = sharer(ready[1], go_a[0]);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	counts_are(_metadata, fd, pfn, 2, &refbase, "parent and child A");
	b = sharer(ready[1], go_b[0]);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	counts_are(_metadata, fd, pfn, 3, &refbase, "parent and two children");
	ASSERT_EQ(1, write(go_b[1], &c, 1));
	ASSERT_EQ(b, waitpid(b, &status, 0));
	counts_are(_metadata, fd, pfn, 2, &refbase, "child B exited");
	ASSERT_EQ(1, write(go_a[1], &c, 1));
	ASSERT_EQ(a, waitpid(a, &status, 0));
	counts_are(_metadata, fd, pfn, 1, &refbase, "child A exited");
	munmap(p, psize);
	counts_are(_metadata, fd, pfn, 0, &refbase, "parent unmapped");
}

TEST_HARNESS_MAIN
