/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal KTAP (Documentation/dev-tools/ktap.rst) output for mmlab's
 * userspace probes, in the shape kselftest programs print:
 *
 *	KTAP version 1
 *	1..N
 *	# diagnostic
 *	ok 1 name
 *	not ok 2 name
 *	ok 3 name # SKIP reason
 *	# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0
 */
#ifndef MMLAB_KTAP_H
#define MMLAB_KTAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

struct ktap_case {
	const char *name;
	/* Returns 1 pass, 0 fail, -1 skip; prints diagnostics with ktap_diag(). */
	int (*run)(void);
};

#define KTAP_SKIP	(-1)

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

static inline void ktap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* Diagnose and return false when @cond is false: for use inside a case. */
#define KTAP_EXPECT(cond, ...)						\
	({								\
		bool __ok = (cond);					\
		if (!__ok) {						\
			ktap_diag("%s:%d: expected %s", __FILE__,	\
				  __LINE__, #cond);			\
			ktap_diag(__VA_ARGS__);				\
		}							\
		__ok;							\
	})

/* Run every case and print KTAP; the exit status is 1 when any failed. */
static inline int ktap_run(const struct ktap_case *cases, int n)
{
	int pass = 0, fail = 0, skip = 0;

	printf("KTAP version 1\n1..%d\n", n);
	fflush(stdout);
	for (int i = 0; i < n; i++) {
		int r = cases[i].run();

		if (r == KTAP_SKIP) {
			printf("ok %d %s # SKIP\n", i + 1, cases[i].name);
			skip++;
		} else if (r) {
			printf("ok %d %s\n", i + 1, cases[i].name);
			pass++;
		} else {
			printf("not ok %d %s\n", i + 1, cases[i].name);
			fail++;
		}
		fflush(stdout);
	}
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n",
	       pass, fail, skip);
	return fail ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif /* MMLAB_KTAP_H */
