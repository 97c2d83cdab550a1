// SPDX-License-Identifier: GPL-2.0
/*
 * mmap_bench [ROUNDS]: what each mmlab mode costs, in the manner of
 * will-it-scale's page_fault3 (map, touch one byte per page, unmap,
 * repeat), once reading and once writing: nanoseconds per page, mmap() and
 * munmap() included, and faults per page by the kernel's own count
 * (getrusage() minor faults) and by the driver's counters.
 *
 * Figures, not assertions: under TCG the times are far from native; compare
 * modes within one run, and trust the fault counts, which are exact.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "mmlab_dev.h"
#include "modes.h"

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static void bench(const struct mode *m, int rounds, long psize, bool write)
{
	struct mmlab_info before, after;
	double start, ns;
	char path[64];
	size_t pages;
	long flt;
	int fd;

	snprintf(path, sizeof(path), "/dev/mmlab-%s", m->name);
	fd = open(path, O_RDWR);
	if (fd < 0 || !mmlab_info(fd, &before)) {
		printf("%-14s %s\n", m->name, strerror(errno));
		return;
	}
	pages = before.size / psize;
	flt = minflt();
	start = now_ns();
	for (int r = 0; r < rounds; r++) {
		char *p = mmap(NULL, before.size, PROT_READ | PROT_WRITE,
			       MAP_SHARED, fd, 0);

		if (p == MAP_FAILED) {
			printf("%-14s mmap: %s\n", m->name, strerror(errno));
			close(fd);
			return;
		}
		for (size_t i = 0; i < pages; i++) {
			if (write)
				p[i * psize] = r;
			else
				__atomic_load_n(p + i * psize, __ATOMIC_RELAXED);
		}
		munmap(p, before.size);
	}
	ns = now_ns() - start;
	flt = minflt() - flt;
	mmlab_info(fd, &after);
	close(fd);

	printf("%-14s %10.0f %12.3f %12.3f %12.3f %12.3f\n", m->name,
	       ns / rounds / pages, (double)flt / rounds / pages,
	       (double)(after.faults - before.faults) / rounds / pages,
	       (double)(after.map_pages_calls - before.map_pages_calls) /
	       rounds / pages,
	       (double)(after.mkwrite_calls - before.mkwrite_calls) /
	       rounds / pages);
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 200;
	long psize = sysconf(_SC_PAGESIZE);

	for (int write = 0; write < 2; write++) {
		printf("%s%d rounds of mmap(MAP_SHARED), %s one byte per page, munmap; per page:\n",
		       write ? "\n" : "", rounds, write ? "write" : "read");
		printf("%-14s %10s %12s %12s %12s %12s\n", "mode", "ns",
		       "minflt", "->fault", "->map_pages", "->mkwrite");
		for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
			bench(&modes[i], rounds, psize, write);
	}
	return 0;
}
