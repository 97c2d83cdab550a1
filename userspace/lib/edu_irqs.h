/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edu's interrupts, counted by its driver (MMLAB_EDU_IOC_INFO) and by the
 * kernel (/proc/interrupts), for the kselftest-harness probes of edu:
 * pci_edu_test and pci_dma_pin_test. Include after harness.h.
 */
#ifndef MMLAB_EDU_IRQS_H
#define MMLAB_EDU_IRQS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include <linux/mmlab_pci.h>

#include "pci_dev.h"

/* Interrupts as the driver and as /proc/interrupts count them. */
struct irq_counts {
	uint64_t driver;
	long proc;
	bool msi;
};

static void irq_counts(struct __test_metadata *_metadata, int fd,
		       struct irq_counts *c)
{
	struct mmlab_edu_info info;
	char node[64];

	ASSERT_EQ(0, ioctl(fd, MMLAB_EDU_IOC_INFO, &info))
		TH_LOG("MMLAB_EDU_IOC_INFO: %m");
	c->driver = info.irqs;
	c->msi = info.irq_mode == MMLAB_EDU_IRQ_MSI;
	pci_node_of(&edu_target, node, sizeof(node));
	c->proc = irq_count(info.irq, node);
	ASSERT_LE(0, c->proc)
		TH_LOG("irq %u '%s' not in /proc/interrupts", info.irq, node);
}

/*
 * @n more interrupts in the driver's count, and in the kernel's: exactly
 * as many with MSI, at least as many on an INTx line that may be shared.
 */
static void irqs_grew_by(struct __test_metadata *_metadata, int fd,
			 const struct irq_counts *before, long n)
{
	struct irq_counts after;

	irq_counts(_metadata, fd, &after);
	EXPECT_EQ((uint64_t)n, after.driver - before->driver)
		TH_LOG("interrupts the driver counted");
	if (after.msi) {
		EXPECT_EQ(n, after.proc - before->proc)
			TH_LOG("interrupts /proc/interrupts counted (MSI)");
	} else {
		EXPECT_LE(n, after.proc - before->proc)
			TH_LOG("interrupts /proc/interrupts counted (INTx)");
	}
}

#endif /* MMLAB_EDU_IRQS_H */
