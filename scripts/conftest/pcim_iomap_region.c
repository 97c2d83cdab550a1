// SPDX-License-Identifier: GPL-2.0
/* pcim_iomap_region(), v6.11: request and map one BAR, without the table. */
#include <linux/pci.h>

void __iomem *conftest_pcim_iomap_region(struct pci_dev *pdev);
void __iomem *conftest_pcim_iomap_region(struct pci_dev *pdev)
{
	return pcim_iomap_region(pdev, 0, "conftest");
}
