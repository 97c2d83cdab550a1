/* SPDX-License-Identifier: GPL-2.0 */
/*
 * State and helpers shared by the mode probes, mmap_semantics_test and
 * mmap_faults_test: each test runs in a process of its own (the kselftest
 * harness forks one per test), whose fixture setup picks the mode.
 */
#ifndef MMLAB_PROBE_H
#define MMLAB_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "mmlab_dev.h"
#include "modes.h"

/* The linker's marks: end of text, of initialized data (end(3)). */
extern char etext, edata;

/* The mode under test, its node, the page and buffer sizes. */
extern const struct mode *cur;
extern char dev_path[64];
/* The file that /proc/self/maps names for a vma of the mode. */
extern char maps_path[64];
extern size_t psize;
extern size_t bufsize;

/*
 * Make @m the mode under test: set the globals above from its node.
 * 0, or an errno; diagnoses on stderr.
 */
int use_mode(const struct mode *m);

int dev_open(int flags);
void *map_shared(int fd, size_t len, off_t off);
/* map_shared() at an address aligned to @align, a power of two. */
void *map_shared_aligned(int fd, size_t len, off_t off, size_t align);
int live_vmas(int fd);
int64_t driver_pfn(int fd, uint64_t pgoff);

/* Read one byte of each page of [p, p + len); returns their sum. */
unsigned int touch_pages(const char *p, size_t len);

/* The signal that kills a child that reads @addr, or 0. */
int child_touch_signal(const char *addr);

/*
 * fork(), for a child that waits on the test: it is killed when the test
 * ends, as a test does at once when an ASSERT fails, rather than go on
 * waiting with the device open and mapped.
 */
pid_t fork_bound(void);

/* Pages the fault-counting cases touch: 64, or the buffer if smaller. */
size_t count_pages(void);

/* A diagnostic line, "# ...", on stderr as the harness's own TH_LOG(). */
#define diag(fmt, ...)	fprintf(stderr, "# " fmt "\n", ##__VA_ARGS__)

#endif /* MMLAB_PROBE_H */
