/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kselftest harness fixture of the mode probes (mmap_semantics_test,
 * mmap_faults_test): "mode", with a variant per mode of modes.h
 * (mode_variants.h). Its setup makes the variant's mode the mode under
 * test (probe.h). Included once, after harness.h, by each
 * probe: it defines the fixture, so it has no include guard, on purpose.
 */
#include "probe.h"

FIXTURE(mode) {};

#include "mode_variants.h"

FIXTURE_SETUP(mode)
{
	ASSERT_EQ(0, use_mode(variant->mode));
	/* The tests map up to page 5 and split a 3-page mapping. */
	ASSERT_LE(8 * psize, bufsize);
}

FIXTURE_TEARDOWN(mode)
{
}
