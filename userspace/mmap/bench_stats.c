// SPDX-License-Identifier: GPL-2.0
/*
 * mmap_bench's clock, fault counts, statistics and JSON records.
 *
 * Medians, not means: under TCG one repetition now and then takes far
 * longer (the host preempts a vCPU thread, TCG retranslates), and a mean
 * would carry that into every ratio. The spread (min and max) shows how
 * far to trust the median.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench.h"

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

/*
 * The kernel's own count of the faults this process took without I/O:
 * mm_account_fault() counts each fault handled once, whoever resolved it
 * (the driver's ->fault, ->map_pages, ->huge_fault, or the core), and the
 * faults GUP takes on the caller's behalf, as MAP_POPULATE's.
 */
long minflt_self(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

void warm_up_counts(void)
{
	char stack[64 * KIB];

	/* Atomic stores: the compiler may not drop them as dead. */
	for (size_t i = 0; i < sizeof(stack); i += 512)
		__atomic_store_n(&stack[i], 0, __ATOMIC_RELAXED);
	now_ns();
	minflt_self();
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void spread_of(const double *v, int n, struct spread *out)
{
	double s[MAX_REPS];

	if (n <= 0 || n > MAX_REPS) {
		*out = (struct spread){ NAN, NAN, NAN };
		return;
	}
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	out->min = s[0];
	out->max = s[n - 1];
	out->med = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

void fit_line(const double *x, const double *y, int n, struct fit *out)
{
	double mx = 0, my = 0, sxx = 0, sxy = 0, syy = 0, res = 0;

	for (int i = 0; i < n; i++) {
		mx += x[i] / n;
		my += y[i] / n;
	}
	for (int i = 0; i < n; i++) {
		sxx += (x[i] - mx) * (x[i] - mx);
		sxy += (x[i] - mx) * (y[i] - my);
		syy += (y[i] - my) * (y[i] - my);
	}
	out->slope = sxx > 0 ? sxy / sxx : NAN;
	out->intercept = my - out->slope * mx;
	for (int i = 0; i < n; i++) {
		double e = y[i] - out->intercept - out->slope * x[i];

		res += e * e;
	}
	out->r2 = syy > 0 ? 1 - res / syy : NAN;
}

bool read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, len, f);
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

static void json_add(struct json *j, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (j->len >= sizeof(j->buf))
		return;
	va_start(ap, fmt);
	n = vsnprintf(j->buf + j->len, sizeof(j->buf) - j->len, fmt, ap);
	va_end(ap);
	/* A record cut short would be invalid JSON: the host drops it. */
	j->len = n < 0 ? sizeof(j->buf) : j->len + n;
}

void json_begin(struct json *j, const char *kind)
{
	j->len = 0;
	json_add(j, "{\"kind\":\"%s\"", kind);
}

void json_str(struct json *j, const char *key, const char *val)
{
	if (!val) {
		json_add(j, ",\"%s\":null", key);
		return;
	}
	json_add(j, ",\"%s\":\"", key);
	for (const char *c = val; *c; c++) {
		if (*c == '"' || *c == '\\')
			json_add(j, "\\%c", *c);
		else if ((unsigned char)*c < 0x20)
			json_add(j, "\\u%04x", *c);
		else
			json_add(j, "%c", *c);
	}
	json_add(j, "\"");
}

void json_num(struct json *j, const char *key, double val)
{
	if (isfinite(val))
		json_add(j, ",\"%s\":%.9g", key, val);
	else
		json_add(j, ",\"%s\":null", key);
}

void json_int(struct json *j, const char *key, long long val)
{
	json_add(j, ",\"%s\":%lld", key, val);
}

void json_bool(struct json *j, const char *key, bool val)
{
	json_add(j, ",\"%s\":%s", key, val ? "true" : "false");
}

void json_end(struct json *j)
{
	json_add(j, "}");
	if (j->len >= sizeof(j->buf)) {
		printf("# a JSON record did not fit %zu bytes: dropped\n",
		       sizeof(j->buf));
		return;
	}
	printf(JSON_PREFIX "%s\n", j->buf);
}
