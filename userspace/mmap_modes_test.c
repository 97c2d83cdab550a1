// SPDX-License-Identifier: GPL-2.0
/*
 * mmap_modes_test [MODE...]: probes for every /dev/mmlab-<mode> (default:
 * all of modes.h), each case run against each mode it applies to, named
 * "<mode>.<case>". Prints KTAP; run as root in the test VM.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "probe.h"

static const struct {
	const struct probe_case *cases;
	const size_t *nr;
} groups[] = {
	{ semantic_cases, &nr_semantic_cases },
	{ fault_cases, &nr_fault_cases },
};

static bool selected(const struct mode *m, int argc, char **argv)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], m->name))
			return true;
	return false;
}

static bool applies(const struct probe_case *c, const struct mode *m)
{
	return !c->applies || c->applies(m);
}

/* Set the globals for mode @m; false if its device cannot be used. */
static bool use_mode(const struct mode *m)
{
	struct mmlab_info info;
	int fd;

	cur = m;
	snprintf(dev_path, sizeof(dev_path), "/dev/mmlab-%s", m->name);
	fd = open(dev_path, O_RDWR);
	if (fd < 0 || !mmlab_info(fd, &info)) {
		ktap_diag("%s: %s", dev_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	close(fd);
	bufsize = info.size;
	/* A 32-bit process could not map it, nor even hold its size. */
	if (bufsize != info.size) {
		ktap_diag("%s: a buffer of %llu bytes does not fit a size_t",
			  dev_path, (unsigned long long)info.size);
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	int planned = 0, n = 0, pass = 0, fail = 0, skip = 0;

	psize = sysconf(_SC_PAGESIZE);
	for (size_t m = 0; m < ARRAY_SIZE(modes); m++)
		for (size_t g = 0; g < ARRAY_SIZE(groups); g++)
			for (size_t c = 0; c < *groups[g].nr; c++)
				if (selected(&modes[m], argc, argv) &&
				    applies(&groups[g].cases[c], &modes[m]))
					planned++;
	printf("KTAP version 1\n1..%d\n", planned);
	fflush(stdout);

	for (size_t m = 0; m < ARRAY_SIZE(modes); m++) {
		bool usable;

		if (!selected(&modes[m], argc, argv))
			continue;
		usable = use_mode(&modes[m]);
		/* The cases map up to page 5 and split a 3-page mapping. */
		if (usable && bufsize < 8 * psize) {
			ktap_diag("%s: buffer under 8 pages", dev_path);
			usable = false;
		}
		for (size_t g = 0; g < ARRAY_SIZE(groups); g++) {
			for (size_t c = 0; c < *groups[g].nr; c++) {
				const struct probe_case *pc = &groups[g].cases[c];
				int r;

				if (!applies(pc, &modes[m]))
					continue;
				r = usable ? pc->run() : 0;
				n++;
				if (r == KTAP_SKIP) {
					printf("ok %d %s.%s # SKIP\n", n,
					       modes[m].name, pc->name);
					skip++;
				} else if (r) {
					printf("ok %d %s.%s\n", n,
					       modes[m].name, pc->name);
					pass++;
				} else {
					printf("not ok %d %s.%s\n", n,
					       modes[m].name, pc->name);
					fail++;
				}
				fflush(stdout);
			}
		}
	}
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n",
	       pass, fail, skip);
	return fail ? 1 : 0;
}
