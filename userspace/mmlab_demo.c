// SPDX-License-Identifier: GPL-2.0
/*
 * mmlab_demo: a short, human-readable tour of /dev/mmlab, printed by
 * "make demo". The probes (remap_test) are what assert; this only shows.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "mmlab_dev.h"
#include "procfs.h"

static const char *dev_path = "/dev/mmlab";

int main(int argc, char **argv)
{
	static const char user_msg[] = "written by userspace through mmap()";
	static const char kern_msg[] = "written by write() into the kernel buffer";
	char line[512], flags[256], back[64] = "";
	struct mmlab_info info;
	struct utsname uts;
	struct stat st;
	size_t pages;
	char *p;
	int fd;

	if (argc > 1)
		dev_path = argv[1];
	uname(&uts);
	fd = open(dev_path, O_RDWR);
	if (fd < 0 || fstat(fd, &st) || !mmlab_info(fd, &info)) {
		printf("%s: %s\n", dev_path, strerror(errno));
		return 1;
	}
	pages = info.size / info.page_size;
	printf("mmlab demo on Linux %s\n\n", uts.release);
	printf("%s: char device %u:%u, mode %04o, buffer of %llu bytes (%zu pages)\n",
	       dev_path, major(st.st_rdev), minor(st.st_rdev),
	       st.st_mode & 07777, (unsigned long long)info.size, pages);

	p = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		printf("mmap: %s\n", strerror(errno));
		return 1;
	}
	maps_line(p, line, sizeof(line));
	smaps_vmflags(p, flags, sizeof(flags));
	printf("\nmmap(MAP_SHARED) of the whole buffer; /proc/self/maps says:\n  %s\n",
	       line);
	printf("  VmFlags:%s\n", flags);
	printf("  (io VM_IO, pf VM_PFNMAP, de VM_DONTEXPAND, dd VM_DONTDUMP)\n");

	p[0] = 1;
	printf("\n/proc/self/pagemap after touching page 0: %s\n",
	       pagemap_pfn(p) ? "present (unexpected)" :
	       "not present: the page walker skips VM_PFNMAP vmas");

	memcpy(p, user_msg, sizeof(user_msg));
	pread(fd, back, sizeof(user_msg), 0);
	printf("\nuserspace wrote at offset 0 through the mapping: \"%s\"\n", user_msg);
	printf("the kernel's read() of offset 0 returns:         \"%s\"\n", back);

	pwrite(fd, kern_msg, sizeof(kern_msg), info.page_size);
	printf("\nwrite() put at offset %u:       \"%s\"\n", info.page_size, kern_msg);
	printf("the mapping shows at that offset: \"%s\"\n", p + info.page_size);

	mmlab_info(fd, &info);
	printf("\nvmas holding the buffer while mapped: %u\n", info.live_vmas);
	munmap(p, info.size);
	mmlab_info(fd, &info);
	printf("vmas holding the buffer after munmap: %u\n", info.live_vmas);

	p = mmap(NULL, info.page_size, PROT_READ, MAP_SHARED, fd, info.size);
	printf("\nmmap at offset %llu (the buffer's end): %s\n",
	       (unsigned long long)info.size,
	       p == MAP_FAILED ? strerror(errno) : "mapped (wrong!)");
	close(fd);
	return 0;
}
