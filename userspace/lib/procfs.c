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

bool smaps_field(const void *addr, const char *key, char *val, size_t len)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	size_t klen = strlen(key);
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
		if (inside && !strncmp(line, key, klen) && line[klen] == ':') {
			snprintf(val, len, "%s", line + klen + 1);
			val[strcspn(val, "\n")] = '\0';
			found = true;
			break;
		}
	}
	fclose(f);
	return found;
}

long smaps_kb(const void *addr, const char *key)
{
	char val[64];
	long kb;

	if (!smaps_field(addr, key, val, sizeof(val)) ||
	    sscanf(val, "%ld", &kb) != 1)
		return -1;
	return kb;
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

int64_t pagemap_entry(const void *addr)
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
	/* Bit 63 set reads as negative: the caller tests bits, not sign. */
	return n == sizeof(entry) ? (int64_t)entry : -1;
}

int64_t pagemap_pfn(const void *addr)
{
	int64_t entry = pagemap_entry(addr);

	if (entry == -1)
		return -1;
	return (entry & PM_PRESENT) ? (int64_t)(entry & PM_PFN_MASK) : 0;
}

static long sum_field(const char *path, const char *key)
{
	FILE *f = fopen(path, "r");
	char line[256], name[64];
	long val, sum = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %63s %ld", name, &val) == 2 &&
		    !strcmp(name, key))
			sum = (sum < 0 ? 0 : sum) + val;
	}
	fclose(f);
	return sum;
}

long meminfo_kb(const char *key)
{
	return sum_field("/proc/meminfo", key);
}

long free_pages(void)
{
	long buddy = sum_field("/proc/vmstat", "nr_free_pages");
	long pcp = sum_field("/proc/zoneinfo", "count:");

	return buddy < 0 || pcp < 0 ? -1 : buddy + pcp;
}

long slab_pages(void)
{
	long r = sum_field("/proc/vmstat", "nr_slab_reclaimable");
	long u = sum_field("/proc/vmstat", "nr_slab_unreclaimable");

	return r < 0 || u < 0 ? -1 : r + u;
}

long read_vmstat(const char *key)
{
	return sum_field("/proc/vmstat", key);
}

long read_number(const char *path)
{
	FILE *f = fopen(path, "r");
	long val = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &val) != 1)
		val = -1;
	fclose(f);
	return val;
}

long mmlab_debugfs_counter(const char *mode, const char *key)
{
	char path[96], name[64];
	long val, found = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/mmlab/%s", mode);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", name, &val) == 2) {
		if (!strcmp(name, key)) {
			found = val;
			break;
		}
	}
	fclose(f);
	return found;
}

bool kernel_has_thp(void)
{
	return !access("/sys/kernel/mm/transparent_hugepage", F_OK);
}

bool wait_threads(long n)
{
	/* A bound for a thread that never exits, not a guess at how long. */
	for (int i = 0; i < 100000; i++) {
		if (sum_field("/proc/self/status", "Threads:") == n)
			return true;
		usleep(100);
	}
	return false;
}
