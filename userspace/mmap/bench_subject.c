// SPDX-License-Identifier: GPL-2.0
/*
 * The subjects of mmap_bench: each /dev/mmlab-<mode>, and the kernel's own
 * mappings that the modes are measured against, each set up the way a
 * program uses it:
 *
 *   anon            private anonymous memory, kept to 4 KiB pages
 *                   (MADV_NOHUGEPAGE): a read maps the shared zero page, a
 *                   write allocates and zeroes a page
 *   anon-thp        the same aligned to 2 MiB with MADV_HUGEPAGE: one
 *                   fault can map a whole PMD (the huge zero page on a
 *                   read)
 *   memfd-first     a memfd whose pages are punched out before each round:
 *                   every touch allocates a page-cache page (shmem)
 *   memfd           a memfd whose pages exist: the closest kernel path to a
 *                   driver that maps pages it already holds; the reference
 *                   of the ratios
 *   tmpfs           a file of a tmpfs mount, its pages written beforehand
 *   tmpfs-populate  the same with MAP_POPULATE: the kernel's own way of
 *                   writing every PTE at mmap() time
 *   zero            /dev/zero MAP_PRIVATE, which the kernel turns into
 *                   anonymous memory at mmap() time
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "bench.h"
#include "procfs.h"

size_t page_size;
const char *subject_step;

/* Indexed by kind - SUBJ_ANON, in the order they are measured. */
const char *const baseline_names[NR_BASELINES] = {
	"anon", "anon-thp", "memfd-first", "memfd", "tmpfs", "tmpfs-populate",
	"zero",
};

/* A tmpfs that mmap_bench mounted itself, to unmount at the end. */
static char own_tmpfs[64];

static bool is_tmpfs(const char *dir)
{
	struct statfs st;

	return !statfs(dir, &st) && (unsigned long)st.f_type == TMPFS_MAGIC;
}

/*
 * A directory on tmpfs: the guest's /tmp is one (scripts/guest/init mounts
 * it); elsewhere, a tmpfs of our own, which needs CAP_SYS_ADMIN. NULL if
 * there is none.
 */
static const char *tmpfs_dir(const char *note)
{
	static const char *const dirs[] = { "/tmp", "/dev/shm", "/" };

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		if (is_tmpfs(dirs[i]))
			return dirs[i];
	if (own_tmpfs[0])
		return own_tmpfs;
	snprintf(own_tmpfs, sizeof(own_tmpfs), "/tmp/mmlab-bench.XXXXXX");
	if (!mkdtemp(own_tmpfs)) {
		snprintf(own_tmpfs, sizeof(own_tmpfs), "/mmlab-bench.XXXXXX");
		if (!mkdtemp(own_tmpfs)) {
			printf("%sno tmpfs, and no directory to mount one: %s\n",
			       note, strerror(errno));
			own_tmpfs[0] = '\0';
			return NULL;
		}
	}
	if (mount("tmpfs", own_tmpfs, "tmpfs", 0, "size=32m")) {
		printf("%sno tmpfs, and mounting one failed: %s\n", note,
		       strerror(errno));
		rmdir(own_tmpfs);
		own_tmpfs[0] = '\0';
		return NULL;
	}
	printf("%smounted a tmpfs on %s\n", note, own_tmpfs);
	return own_tmpfs;
}

/*
 * Write every page of @fd's first @len bytes, so that each exists; false,
 * errno set, if one cannot be.
 */
static bool fill(int fd, size_t len)
{
	char *page = malloc(page_size);
	bool ok = page;

	if (!page)
		return false;
	memset(page, 0x5a, page_size);
	for (size_t off = 0; off < len && ok; off += page_size)
		ok = pwrite_all(fd, page, page_size, off);
	free(page);
	return ok;
}

/*
 * The file behind a baseline of @kind: BASE_MAX bytes, every page written
 * for the kinds that map pages which exist; -1 for anonymous memory.
 */
static int baseline_fd(enum subject_kind kind, const char *note)
{
	bool written = kind == SUBJ_MEMFD || kind == SUBJ_TMPFS ||
		       kind == SUBJ_TMPFS_POPULATE;
	char path[96];
	const char *dir;
	int fd, err;

	switch (kind) {
	case SUBJ_ANON:
	case SUBJ_ANON_THP:
		return -1;
	case SUBJ_ZERO:
		return open("/dev/zero", O_RDWR | O_CLOEXEC);
	case SUBJ_MEMFD:
	case SUBJ_MEMFD_FIRST:
		fd = memfd_create("mmlab-bench", MFD_CLOEXEC);
		break;
	default:
		dir = tmpfs_dir(note);
		if (!dir) {
			errno = ENOENT;
			return -1;
		}
		snprintf(path, sizeof(path), "%s/mmlab-bench.XXXXXX",
			 strcmp(dir, "/") ? dir : "");
		fd = mkstemp(path);
		/* The open file is all the benchmark needs. */
		if (fd >= 0)
			unlink(path);
		break;
	}
	if (fd < 0)
		return -1;
	err = ftruncate(fd, BASE_MAX) ? errno : 0;
	if (!err && written && !fill(fd, BASE_MAX))
		err = errno ? errno : EIO;
	if (err) {
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

int subjects_open(struct subject *s, const char *note)
{
	int n = 0;

	for (int i = 0; i < MODE_COUNT; i++) {
		struct mmlab_info info;
		char path[64];
		int fd;

		snprintf(path, sizeof(path), "/dev/mmlab-%s", modes[i].name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0 || !mmlab_info(fd, &info) ||
		    (size_t)info.size != info.size) {
			printf("%s%s: %s: not measured\n", note, path,
			       fd < 0 ? strerror(errno) :
			       "MMLAB_IOC_INFO failed or too large a buffer");
			if (fd >= 0)
				close(fd);
			continue;
		}
		s[n++] = (struct subject){
			.name = modes[i].name, .kind = SUBJ_MODE,
			.mode = &modes[i], .fd = fd, .max = info.size,
		};
	}
	for (int i = 0; i < NR_BASELINES; i++) {
		enum subject_kind kind = SUBJ_ANON + i;
		int fd = baseline_fd(kind, note);

		if (fd < 0 && kind != SUBJ_ANON && kind != SUBJ_ANON_THP) {
			printf("%s%s: %s: not measured\n", note,
			       baseline_names[i], strerror(errno));
			continue;
		}
		s[n++] = (struct subject){
			.name = baseline_names[i], .kind = kind,
			.fd = fd, .max = BASE_MAX,
		};
	}
	return n;
}

void subjects_close(struct subject *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i].fd >= 0)
			close(s[i].fd);
	if (own_tmpfs[0]) {
		umount2(own_tmpfs, MNT_DETACH);
		rmdir(own_tmpfs);
		own_tmpfs[0] = '\0';
	}
}

const struct subject *subject_find(const struct subject *s, int n,
				   const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(s[i].name, name))
			return &s[i];
	return NULL;
}

static int map_flags(const struct subject *s)
{
	switch (s->kind) {
	case SUBJ_ANON:
	case SUBJ_ANON_THP:
		return MAP_PRIVATE | MAP_ANONYMOUS;
	case SUBJ_ZERO:
		return MAP_PRIVATE;
	case SUBJ_TMPFS_POPULATE:
		return MAP_SHARED | MAP_POPULATE;
	default:
		return MAP_SHARED;
	}
}

/*
 * mmap() at an address aligned to @align: reserve enough address space,
 * map over the aligned part of it with MAP_FIXED, give back the rest. The
 * mapping is made by the one MAP_FIXED call, so MAP_POPULATE and the
 * driver's mmap() see it as they would any other.
 */
static void *map_aligned(size_t len, size_t align, int flags, int fd,
			 off_t off)
{
	char *area = mmap(NULL, len + align, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	char *start;
	void *p;
	int err;

	if (area == MAP_FAILED)
		return MAP_FAILED;
	start = (char *)(((uintptr_t)area + align - 1) & ~(uintptr_t)(align - 1));
	p = mmap(start, len, PROT_READ | PROT_WRITE, flags | MAP_FIXED, fd,
		 off);
	if (p == MAP_FAILED) {
		err = errno;
		munmap(area, len + align);
		errno = err;
		return MAP_FAILED;
	}
	if (start > area)
		munmap(area, start - area);
	munmap(start + len, area + align - start);
	return p;
}

void *subject_map(const struct subject *s, size_t len, off_t off,
		  size_t align)
{
	int flags = map_flags(s), advice, err;
	char *p;

	subject_step = "mmap";
	if (align)
		p = map_aligned(len, align, flags, s->fd, off);
	else
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, s->fd, off);
	if (p == MAP_FAILED)
		return p;
	/*
	 * Recent kernels place an anonymous mapping of whole PMDs on a PMD
	 * boundary themselves; where this one did not, place it, or no PMD
	 * could map it. Only then does the cycle pay for the extra calls.
	 */
	if (s->kind == SUBJ_ANON_THP && !align && len >= PMD_BYTES &&
	    (uintptr_t)p % PMD_BYTES) {
		munmap(p, len);
		p = map_aligned(len, PMD_BYTES, flags, s->fd, off);
		if (p == MAP_FAILED)
			return p;
	}
	/*
	 * A kernel without THP (PREEMPT_RT excludes it) refuses both advices
	 * (EINVAL); there anon-thp is anon, page by page, and smaps says so.
	 */
	if ((s->kind != SUBJ_ANON && s->kind != SUBJ_ANON_THP) ||
	    !kernel_has_thp())
		return p;
	advice = s->kind == SUBJ_ANON ? MADV_NOHUGEPAGE : MADV_HUGEPAGE;
	if (madvise(p, len, advice)) {
		err = errno;
		subject_step = s->kind == SUBJ_ANON ? "madvise(MADV_NOHUGEPAGE)" :
						      "madvise(MADV_HUGEPAGE)";
		munmap(p, len);
		errno = err;
		return MAP_FAILED;
	}
	return p;
}

int subject_prepare(const struct subject *s, size_t len)
{
	if (s->kind != SUBJ_MEMFD_FIRST)
		return 0;
	if (fallocate(s->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
		      len))
		return errno;
	return 0;
}

bool subject_info(const struct subject *s, struct mmlab_info *info)
{
	return s->kind == SUBJ_MODE && mmlab_info(s->fd, info);
}
