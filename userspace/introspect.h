/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the files of introspect_test. */
#ifndef MMLAB_INTROSPECT_TEST_H
#define MMLAB_INTROSPECT_TEST_H

#include <stddef.h>

/* The linker's marks: end of text, of initialized data (end(3)). */
extern char etext, edata;

extern long psize;
extern int mmfd;

void touch_pages_ro(const char *p, size_t len);

int vmas_match_maps(void);
int vmas_over_the_cap(void);
int mm_stat_matches_proc(void);
int mm_users_threads_and_fork(void);
int rmap_counts_follow_sharing(void);
int layout_live_addresses(void);
int layout_honours_kptr_restrict(void);
int copy_fault_fixup(void);
int root_only(void);
int walk_races_unmap_and_collapse(void);

#endif /* MMLAB_INTROSPECT_TEST_H */
