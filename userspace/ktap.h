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

#endif /* MMLAB_KTAP_H */
