// SPDX-License-Identifier: GPL-2.0
/*
 * introspect_test cases about the caller's mm: its vmas against
 * /proc/self/maps, its mm_struct figures against /proc/self/stat and
 * status, and the sharing of a page against /proc/kpagecount.
 *
 * Buffers are static and touched beforehand: a malloc() or a first touch
 * between the ioctl and the read of /proc would change what is compared.
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

#include "introspect.h"
#include "ktap.h"
#include "mmlab_dev.h"
#include "procfs.h"

#define MAX_VMAS	512
/*
 * [vsyscall] is printed by /proc/self/maps but is not a vma; not for a
 * 32-bit process, which has none. Addresses are read as 64 bits in both.
 */
#define VSYSCALL_ADDR	0xffffffffff600000ULL

static struct mmlab_vma vmas[MAX_VMAS];
/* /proc/self/maps of vmas_over_the_cap(): 5,000 lines of up to 80 bytes. */
static char text[1024 * 1024];

/* Read a whole /proc file with read(2) into text[]; stdio would malloc. */
static ssize_t slurp(const char *path)
{
	int fd = open(path, O_RDONLY);
	ssize_t n, len = 0;

	if (fd < 0)
		return -1;
	while ((n = read(fd, text + len, sizeof(text) - 1 - len)) > 0)
		len += n;
	close(fd);
	text[len] = '\0';
	return len;
}

static void prepare_buffers(void)
{
	memset(vmas, 0, sizeof(vmas));
	memset(text, 0, sizeof(text));
}

/*
 * The VMA iterator's list is /proc/self/maps, line for line: start, end,
 * permissions, offset, device, inode, and the path of file mappings.
 */
int vmas_match_maps(void)
{
	struct mmlab_vmas req = { .vmas = (uintptr_t)vmas, .count = MAX_VMAS };
	unsigned int i = 0, lines = 0;
	bool ok = true;
	char *line, *save;

	prepare_buffers();
	if (!KTAP_EXPECT(!ioctl(mmfd, MMLAB_MM_IOC_VMAS, &req), "VMAS: %m") ||
	    !KTAP_EXPECT(slurp("/proc/self/maps") > 0, "maps: %m"))
		return false;
	for (line = strtok_r(text, "\n", &save); ok && line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long long start, end, off, ino;
		unsigned int major, minor;
		struct mmlab_vma *v = &vmas[i];
		char perms[8], want[8];
		int name = 0;

		if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %n", &start, &end,
			   perms, &off, &major, &minor, &ino, &name) < 7)
			return KTAP_EXPECT(false, "unparsable: %s", line);
		if (start == VSYSCALL_ADDR)
			continue;
		lines++;
		if (!KTAP_EXPECT(i < req.written, "maps has more vmas: %s", line))
			return false;
		snprintf(want, sizeof(want), "%c%c%c%c",
			 v->flags & 0x1 ? 'r' : '-', v->flags & 0x2 ? 'w' : '-',
			 v->flags & 0x4 ? 'x' : '-', v->flags & 0x80 ? 's' : 'p');
		ok = KTAP_EXPECT(start == v->start && end == v->end &&
				 !strcmp(perms, want) &&
				 off == (v->path[0] ? v->pgoff * psize : 0) &&
				 major == v->dev >> 20 &&
				 minor == (v->dev & 0xfffff) && ino == v->ino,
				 "vma %u: %s; mmlab: %llx-%llx %s pgoff %llx dev %llx ino %llu",
				 i, line, (unsigned long long)v->start,
				 (unsigned long long)v->end, want,
				 (unsigned long long)v->pgoff,
				 (unsigned long long)v->dev,
				 (unsigned long long)v->ino);
		/* Anonymous names ([heap], [stack], [vdso]) are the kernel's. */
		if (ok && v->path[0])
			ok = KTAP_EXPECT(!strcmp(line + name, v->path),
					 "vma %u: maps names %s, mmlab %s", i,
					 line + name, v->path);
		i++;
	}
	ok = ok && KTAP_EXPECT(lines == req.count && lines == req.written,
			       "maps %u vmas, mmlab %u, written %u", lines,
			       req.count, req.written);
	if (ok)
		ktap_diag("%u vmas, all equal to /proc/self/maps", lines);
	return ok;
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

/* A "Key:   N kB" line of /proc/self/status, in text[]. */
static long status_kb(const char *key)
{
	char *p = strstr(text, key);

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
int vmas_over_the_cap(void)
{
	size_t npages = MMLAB_VMAS_MAX + 1000, room = MMLAB_VMAS_MAX + 2000;
	struct mmlab_vma *big = calloc(room, sizeof(*big));
	char *p = mmap(NULL, npages * psize, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct mmlab_vmas req = { .vmas = (uintptr_t)big, .count = room };
	bool ok = true;
	int lines;

	if (!KTAP_EXPECT(big && p != MAP_FAILED, "%m"))
		return false;
	for (size_t i = 0; ok && i < npages; i += 2)
		ok = KTAP_EXPECT(!mprotect(p + i * psize, psize, PROT_READ),
				 "mprotect: %m");
	ok = ok && KTAP_EXPECT(!ioctl(mmfd, MMLAB_MM_IOC_VMAS, &req),
			       "VMAS: %m");
	lines = ok && slurp("/proc/self/maps") > 0 ? count_maps_lines() : -1;
	ok = ok && KTAP_EXPECT((int)req.count == lines &&
			       req.count > MMLAB_VMAS_MAX &&
			       req.written == MMLAB_VMAS_MAX,
			       "mm has %u vmas, maps %d, written %u of room for %zu",
			       req.count, lines, req.written, room);
	/* The first ones, in order, and nothing past them. */
	for (unsigned int i = 1; ok && i < req.written; i++)
		ok = KTAP_EXPECT(big[i - 1].end <= big[i].start,
				 "vma %u out of order", i);
	ok = ok && KTAP_EXPECT(big[MMLAB_VMAS_MAX].start == 0,
			       "an entry past the %u written", req.written);

	/* Less room than vmas: as much as there is room for. */
	req.count = 10;
	ok = ok && KTAP_EXPECT(!ioctl(mmfd, MMLAB_MM_IOC_VMAS, &req) &&
			       req.written == 10 && (int)req.count == lines,
			       "room for 10: written %u, count %u",
			       req.written, req.count);
	if (ok)
		ktap_diag("%u vmas; %u listed", (unsigned int)lines,
			  MMLAB_VMAS_MAX);
	munmap(p, npages * psize);
	free(big);
	return ok;
}

/*
 * The mm_struct's own figures are what /proc/self/stat and status print:
 * code, data and heap bounds, the stack's start, VmSize and the RSS
 * counters; the vma count is the number of lines in maps; this
 * function and the linker's etext lie in the code, its edata in the data,
 * and sbrk(0) is the heap's end.
 */
int mm_stat_matches_proc(void)
{
	struct mmlab_mm_stat s;
	unsigned long kb = psize / 1024;
	void *brk_now;
	bool ok;

	prepare_buffers();
	brk_now = sbrk(0);
	if (!KTAP_EXPECT(!ioctl(mmfd, MMLAB_MM_IOC_STAT, &s), "STAT: %m") ||
	    slurp("/proc/self/stat") <= 0)
		return false;
	ok = KTAP_EXPECT(s.start_code == stat_field(26) &&
			 s.end_code == stat_field(27) &&
			 s.start_stack == stat_field(28) &&
			 s.start_data == stat_field(45) &&
			 s.end_data == stat_field(46) &&
			 s.start_brk == stat_field(47),
			 "code %llx-%llx stack %llx data %llx-%llx brk %llx; stat: %llx-%llx %llx %llx-%llx %llx",
			 (unsigned long long)s.start_code,
			 (unsigned long long)s.end_code,
			 (unsigned long long)s.start_stack,
			 (unsigned long long)s.start_data,
			 (unsigned long long)s.end_data,
			 (unsigned long long)s.start_brk, stat_field(26),
			 stat_field(27), stat_field(28), stat_field(45),
			 stat_field(46), stat_field(47));
	ok &= KTAP_EXPECT(s.start_code <= (uintptr_t)mm_stat_matches_proc &&
			  (uintptr_t)mm_stat_matches_proc < s.end_code,
			  "this function at %p is not in the code",
			  (void *)mm_stat_matches_proc);
	ok &= KTAP_EXPECT(s.start_code < (uintptr_t)&etext &&
			  (uintptr_t)&etext <= s.end_code &&
			  s.start_data < (uintptr_t)&edata &&
			  (uintptr_t)&edata <= s.end_data,
			  "etext %p, edata %p", (void *)&etext, (void *)&edata);
	ok &= KTAP_EXPECT(s.brk == (uintptr_t)brk_now, "brk %llx, sbrk(0) %p",
			  (unsigned long long)s.brk, brk_now);
	ok &= KTAP_EXPECT(s.mm_users == 1, "mm_users %llu",
			  (unsigned long long)s.mm_users);

	if (slurp("/proc/self/status") <= 0)
		return false;
	ok &= KTAP_EXPECT(s.total_vm * kb == (unsigned long)status_kb("VmSize:") &&
			  s.rss_anon * kb == (unsigned long)status_kb("RssAnon:") &&
			  s.rss_file * kb == (unsigned long)status_kb("RssFile:") &&
			  s.rss_shmem * kb == (unsigned long)status_kb("RssShmem:"),
			  "VmSize %llu RssAnon %llu RssFile %llu RssShmem %llu pages; status: %ld %ld %ld %ld kB",
			  (unsigned long long)s.total_vm,
			  (unsigned long long)s.rss_anon,
			  (unsigned long long)s.rss_file,
			  (unsigned long long)s.rss_shmem, status_kb("VmSize:"),
			  status_kb("RssAnon:"), status_kb("RssFile:"),
			  status_kb("RssShmem:"));
	if (!KTAP_EXPECT(!ioctl(mmfd, MMLAB_MM_IOC_STAT, &s), "STAT: %m") ||
	    slurp("/proc/self/maps") <= 0)
		return false;
	ok &= KTAP_EXPECT((int)s.map_count == count_maps_lines(),
			  "map_count %llu, maps lines %d",
			  (unsigned long long)s.map_count, count_maps_lines());
	return ok;
}

static pthread_barrier_t thread_done;

static void *waiter(void *arg)
{
	pthread_barrier_wait(&thread_done);
	return arg;
}

static unsigned long long mm_users(void)
{
	struct mmlab_mm_stat s;

	return ioctl(mmfd, MMLAB_MM_IOC_STAT, &s) ? 0 : s.mm_users;
}

/*
 * A thread shares the mm: mm_users grows by one while it lives. A fork()ed
 * child gets an mm of its own, with one user, and the parent's is as it
 * was.
 */
int mm_users_threads_and_fork(void)
{
	unsigned long long base = mm_users(), with_thread, in_child = 0;
	int pipefd[2], status;
	pthread_t thread;
	bool ok;
	pid_t pid;

	pthread_barrier_init(&thread_done, NULL, 2);
	pthread_create(&thread, NULL, waiter, NULL);
	with_thread = mm_users();
	pthread_barrier_wait(&thread_done);
	pthread_join(thread, NULL);
	pthread_barrier_destroy(&thread_done);
	ok = KTAP_EXPECT(wait_threads(1), "the thread did not leave");
	ok &= KTAP_EXPECT(with_thread == base + 1 && mm_users() == base,
			 "mm_users %llu, with a thread %llu, after %llu", base,
			 with_thread, mm_users());

	if (pipe(pipefd))
		return false;
	pid = fork();
	if (pid == 0) {
		unsigned long long n = mm_users();

		_exit(write(pipefd[1], &n, sizeof(n)) == sizeof(n) ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	if (read(pipefd[0], &in_child, sizeof(in_child)) != sizeof(in_child))
		in_child = 0;
	close(pipefd[0]);
	close(pipefd[1]);
	ok &= KTAP_EXPECT(in_child == 1 && mm_users() == base,
			  "mm_users in a child %llu, parent's %llu", in_child,
			  mm_users());
	return ok;
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

static bool counts_are(int fd, int64_t pfn, int mapcount, int *refbase,
		       const char *when)
{
	struct mmlab_page_counts c = { .pgoff = 0 };

	if (ioctl(fd, MMLAB_IOC_PAGE_COUNTS, &c))
		return KTAP_EXPECT(false, "PAGE_COUNTS: %m");
	if (*refbase < 0)
		*refbase = c.refcount - c.mapcount;
	return KTAP_EXPECT(c.mapcount == mapcount &&
			   pfn_mapcount(pfn) == mapcount &&
			   c.refcount == *refbase + mapcount,
			   "%s: mapcount %d, kpagecount %ld, refcount %d; want %d mappings, refcount %d",
			   when, c.mapcount, pfn_mapcount(pfn), c.refcount,
			   mapcount, *refbase + mapcount);
}

/* Child: map page 0 of the fault device, touch it, say so, wait, exit. */
static pid_t sharer(int ready, int go)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open("/dev/mmlab-fault", O_RDWR);
		char *p = mmap(NULL, psize, PROT_READ, MAP_SHARED, fd, 0);
		char c = 0;

		if (p == MAP_FAILED)
			_exit(1);
		touch_pages_ro(p, psize);
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
int rmap_counts_follow_sharing(void)
{
	int fd = open("/dev/mmlab-fault", O_RDWR);
	int ready[2], go_a[2], go_b[2], refbase = -1, status;
	bool ok = false;
	int64_t pfn;
	pid_t a, b;
	char c = 0;
	char *p;

	if (fd < 0 || pipe(ready) || pipe(go_a) || pipe(go_b))
		return false;
	p = mmap(NULL, psize, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		goto out;
	touch_pages_ro(p, psize);
	pfn = pagemap_pfn(p);
	ok = counts_are(fd, pfn, 1, &refbase, "parent");
	a = sharer(ready[1], go_a[0]);
	ok &= read(ready[0], &c, 1) == 1 &&
	      counts_are(fd, pfn, 2, &refbase, "parent and child A");
	b = sharer(ready[1], go_b[0]);
	ok &= read(ready[0], &c, 1) == 1 &&
	      counts_are(fd, pfn, 3, &refbase, "parent and two children");
	ok &= write(go_b[1], &c, 1) == 1 && waitpid(b, &status, 0) == b &&
	      counts_are(fd, pfn, 2, &refbase, "child B exited");
	ok &= write(go_a[1], &c, 1) == 1 && waitpid(a, &status, 0) == a &&
	      counts_are(fd, pfn, 1, &refbase, "child A exited");
	munmap(p, psize);
	ok &= counts_are(fd, pfn, 0, &refbase, "parent unmapped");
out:
	close(fd);
	return ok;
}
