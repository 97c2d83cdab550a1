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

/* What a case returns to be reported as skipped, besides true or false. */
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

struct ktap_case {
	const char *name;
	/* true, false, or KTAP_SKIP; diagnostics through ktap_diag(). */
	int (*run)(void);
};

/* Run every case and print KTAP; the exit status is 1 when any failed. */
static inline int ktap_run(const struct ktap_case *cases, int n)
{
	int pass = 0, fail = 0, skip = 0;

	printf("KTAP version 1\n1..%d\n", n);
	fflush(stdout);
	for (int i = 0; i < n; i++) {
		int r = cases[i].run();

		if (r == KTAP_SKIP)
			skip++;
		else if (r)
			pass++;
		else
			fail++;
		if (r == KTAP_SKIP)
			printf("ok %d %s # SKIP\n", i + 1, cases[i].name);
		else
			printf("%s %d %s\n", r ? "ok" : "not ok", i + 1,
			       cases[i].name);
		fflush(stdout);
	}
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n",
	       pass, fail, skip);
	return fail ? 1 : 0;
}

#endif /* MMLAB_KTAP_H */
