/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A variant of the kselftest harness fixture "mode" per mode of modes.h,
 * named as its node with '_' for '-' ("-v vmalloc_fault"). Included by
 * each mode probe after its FIXTURE_VARIANT(mode), which holds
 * "const struct mode *mode": no include guard, on purpose.
 */
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
