/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kselftest harness fixture of the mode probes (mmap_semantics_test,
 * mmap_faults_test): "mode", with a variant per mode of modes.h, named as
 * its node with '_' for '-' ("-v vmalloc_fault"). Its setup makes the
 * variant's mode the mode under test (probe.h). Included once, after
 * kselftest_harness.h, by each probe: it defines the fixture, so it has no
 * include guard, on purpose.
 */
#include "probe.h"

FIXTURE(mode) {};

FIXTURE_VARIANT(mode) {
	const struct mode *mode;
};

FIXTURE_VARIANT_ADD(mode, remap) { .mode = &modes[MODE_REMAP] };
FIXTURE_VARIANT_ADD(mode, fault) { .mode = &modes[MODE_FAULT] };
FIXTURE_VARIANT_ADD(mode, faultaround) { .mode = &modes[MODE_FAULTAROUND] };
FIXTURE_VARIANT_ADD(mode, mkwrite) { .mode = &modes[MODE_MKWRITE] };
FIXTURE_VARIANT_ADD(mode, pfn) { .mode = &modes[MODE_PFN] };
FIXTURE_VARIANT_ADD(mode, mixed) { .mode = &modes[MODE_MIXED] };
FIXTURE_VARIANT_ADD(mode, vmalloc) { .mode = &modes[MODE_VMALLOC] };
FIXTURE_VARIANT_ADD(mode, vmalloc_fault) { .mode = &modes[MODE_VMALLOC_FAULT] };
FIXTURE_VARIANT_ADD(mode, insert) { .mode = &modes[MODE_INSERT] };
FIXTURE_VARIANT_ADD(mode, insert_page) { .mode = &modes[MODE_INSERT_PAGE] };

FIXTURE_SETUP(mode)
{
	ASSERT_EQ(0, use_mode(variant->mode));
	/* The tests map up to page 5 and split a 3-page mapping. */
	ASSERT_LE(8 * psize, bufsize);
}

FIXTURE_TEARDOWN(mode)
{
}
