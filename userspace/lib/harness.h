/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's kselftest harness, as every probe includes it, with one
 * change: a test that sets no timeout of its own gets a bound on a hang,
 * not the harness's 30 s, which is a guess at a guest's speed. A debug
 * kernel under TCG, on a host busy with make check's other jobs, ran
 * introspect_mm_test's vmas_over_the_cap past 30 s; the whole 32-bit
 * program takes 5 s there alone. The guest's init bounds each program too
 * (mmlab_probe_timeout, scripts/guest/init).
 */
#ifndef MMLAB_HARNESS_H
#define MMLAB_HARNESS_H

#include "kselftest_harness.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT	300

#endif /* MMLAB_HARNESS_H */
