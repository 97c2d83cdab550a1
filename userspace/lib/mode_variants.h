/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The variants of a kselftest harness fixture named "mode": one per mode
 * of modes.h, named as its node with '_' for '-' ("-v vmalloc_fault"),
 * each giving its mode as variant->mode. Included once, after
 * harness.h and the FIXTURE(mode) of the program (the mode
 * probes' in mode_fixture.h, torture_test's own), so it has no include
 * guard, on purpose.
 */
#include "modes.h"

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
FIXTURE_VARIANT_ADD(mode, shmem) { .mode = &modes[MODE_SHMEM] };
FIXTURE_VARIANT_ADD(mode, huge) { .mode = &modes[MODE_HUGE] };
