// SPDX-License-Identifier: GPL-2.0
/*
 * pci_test MODULE.ko: probes for mmlab_pci (drivers/pci/) on QEMU's edu and
 * ivshmem-plain devices, run as root in the test VM with mmlab_pci loaded,
 * and, for the page-table check, mmlab. Prints KTAP; leaves mmlab_pci
 * loaded with both devices bound.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pci_test.h"

const char *pci_module_path;

int main(int argc, char **argv)
{
	size_t n = nr_edu_cases + nr_ivshmem_cases + nr_lifecycle_cases;
	struct ktap_case *cases = calloc(n, sizeof(*cases));

	pci_module_path = argc > 1 ? argv[1] : "/lib/mmlab/mmlab_pci.ko";
	/* QEMU always provides both in the test VM: missing is a failure. */
	if (!pci_find(&edu_target) || !pci_find(&ivshmem_target)) {
		printf("KTAP version 1\n1..1\n");
		printf("# QEMU needs -device edu and -device ivshmem-plain\n");
		printf("not ok 1 pci_devices_present\n");
		return 1;
	}
	memcpy(cases, edu_cases, sizeof(*cases) * nr_edu_cases);
	memcpy(cases + nr_edu_cases, ivshmem_cases,
	       sizeof(*cases) * nr_ivshmem_cases);
	memcpy(cases + nr_edu_cases + nr_ivshmem_cases, lifecycle_cases,
	       sizeof(*cases) * nr_lifecycle_cases);
	return ktap_run(cases, n);
}
