/* SPDX-License-Identifier: GPL-2.0 */
/* The cases of pci_test, by device, and what they share. */
#ifndef MMLAB_PCI_TEST_H
#define MMLAB_PCI_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ktap.h"
#include "pci_dev.h"

/* The module, for the rmmod and reload case. */
extern const char *pci_module_path;

extern const struct ktap_case edu_cases[];
extern const size_t nr_edu_cases;
extern const struct ktap_case ivshmem_cases[];
extern const size_t nr_ivshmem_cases;
extern const struct ktap_case lifecycle_cases[];
extern const size_t nr_lifecycle_cases;

#endif /* MMLAB_PCI_TEST_H */
