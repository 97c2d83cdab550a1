// SPDX-License-Identifier: GPL-2.0
/*
 * Readers for /proc/self/{maps,smaps,pagemap}; see
 * Documentation/filesystems/proc.rst and admin-guide/mm/pagemap.rst.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "procfs.h"

#define PM_PRESENT	(1ULL << 63)
#define PM_PFN_MASK	((1ULL << 55) - 1)

static bool line_covers(const char *line, uintptr_t addr)
{
	unsigned long start, end;

	return sscanf(line, "%lx-%lx ", &start, &end) == 2 &&
	       addr >= start && addr < end;
}

bool maps_line(const void *addr, char *line, size_t len)
{
	FILE *f = fopen("/proc/self/maps", "r");
	bool found = false;

	if (!f)
		return false;
	while (fgets(line, len, f)) {
		if (line_covers(line, (uintptr_t)addr)) {
			line[strcspn(line, "\n")] = '\0';
			found = true;
			break;
		}
	}
	fclose(f);
	return found;
}

bool smaps_vmflags(const void *addr, char *flags, size_t len)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	bool inside = false, found = false;
	char line[512];

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end;

		/* A vma's header line is the only one starting "start-end ". */
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			inside = line_covers(line, (uintptr_t)addr);
			continue;
		}
		if (inside && !strncmp(line, "VmFlags:", 8)) {
			snprintf(flags, len, "%s", line + 8);
			flags[strcspn(flags, "\n")] = '\0';
			found = true;
			break;
		}
	}
	fclose(f);
	return found;
}

bool vmflags_has(const char *flags, const char *flag)
{
	for (const char *p = flags; (p = strstr(p, flag)); p++) {
		bool starts = p == flags || p[-1] == ' ';
		bool ends = p[2] == ' ' || p[2] == '\0';

		if (starts && ends)
			return true;
	}
	return false;
}

int64_t pagemap_pfn(const void *addr)
{
	long psize = sysconf(_SC_PAGESIZE);
	uint64_t entry;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pread(fd, &entry, sizeof(entry),
		  (off_t)((uintptr_t)addr / psize) * sizeof(entry));
	close(fd);
	if (n != sizeof(entry))
		return -1;
	return (entry & PM_PRESENT) ? (int64_t)(entry & PM_PFN_MASK) : 0;
}
