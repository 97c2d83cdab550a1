/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PCI devices that the pci_*_test probes (and mmlab_demo) drive, and
 * the kernel's own account of them: sysfs (ids, BARs, driver, device node),
 * /proc/iomem, /proc/interrupts, and mmlab_pci's counters in debugfs.
 */
#ifndef MMLAB_PCI_DEV_H
#define MMLAB_PCI_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/mmlab_mm.h>
#include <linux/mmlab_pci.h>

/*
 * The pattern seeds of the ivshmem file (mmlab_dev.h's pattern_fill(), at
 * the file's own offsets): the host fills the first half before the boot
 * (scripts/ivshmem.py), the guest the second, which the host checks after.
 */
#define IVSHMEM_HOST_SEED	0x686f7374
#define IVSHMEM_GUEST_SEED	0x67756573

/*
 * What pci_pio_test writes to isa-debugcon each time it runs, which the
 * host finds in the file behind it (scripts/debugcon.py): a record of
 * pattern_fill(DEBUGCON_SEED) bytes from offset 0.
 */
#define DEBUGCON_SEED		0x64626763
#define DEBUGCON_RECORD		3072

/**
 * struct pci_target - one device and the mmlab driver that binds it
 * @driver: the driver's name in /sys/bus/pci/drivers
 * @vendor: PCI vendor id
 * @device: PCI device id
 * @bar: the BAR its node maps
 * @bdf: out: its address, "0000:00:04.0"
 * @bar_start: out: first byte of @bar, from sysfs
 * @bar_len: out: its length
 */
struct pci_target {
	const char *driver;
	unsigned int vendor;
	unsigned int device;
	int bar;
	char bdf[16];
	uint64_t bar_start;
	uint64_t bar_len;
};

extern struct pci_target edu_target;
extern struct pci_target ivshmem_target;

/* Find @t in sysfs and read its BAR: false if QEMU did not provide it. */
bool pci_find(struct pci_target *t);

/* The driver bound to @t, or "" when none is. */
const char *pci_driver_of(const struct pci_target *t, char *buf, size_t len);

/* The name of @t's device node, "mmlab-edu0", or "" when it has none. */
const char *pci_node_of(const struct pci_target *t, char *buf, size_t len);

/* Open @t's device node: -1 with errno set when it has none. */
int pci_open(const struct pci_target *t, int flags);

/* Write @val to the sysfs attribute @path, whole: false, errno set, if not. */
bool sysfs_write(const char *path, const char *val);

/* Unbind @t from, or bind it to, its mmlab driver through sysfs. */
bool pci_unbind(const struct pci_target *t);
bool pci_bind(const struct pci_target *t);

/* mmlab_pci's parameter @name ("testdev_port"...), or ~0UL. */
unsigned long pci_module_param(const char *name);

/* mmlab_pci's counter @name ("bound", "nodes", "files", "vmas"), or -1. */
long pci_counter(const char *name);

/* Is [@start, @end] claimed in /proc/iomem under the name @name? */
bool iomem_claimed(uint64_t start, uint64_t end, const char *name);

/* Are ports [@start, @end] claimed in /proc/ioports under the name @name? */
bool ioports_claimed(uint64_t start, uint64_t end, const char *name);

/*
 * Interrupts of the /proc/interrupts line of IRQ @irq, summed over CPUs,
 * with the action @name on it; -1 if there is no such line.
 */
long irq_count(unsigned int irq, const char *name);

/* Does any /proc/interrupts line name the action @name? */
bool irq_named(const char *name);

/*
 * The leaf PTE of @addr, from the page-table walk of /dev/mmlab-mm
 * (mmlab.ko): /proc/self/pagemap cannot show it, for the page walker skips
 * VM_PFNMAP vmas as holes (walk_page_test() in mm/pagewalk.c). Fills @w;
 * false with errno set when the walk fails.
 */
struct mmlab_walk;
bool pte_walk(const void *addr, struct mmlab_walk *w);

/*
 * One 32-bit access to a register in a mapped BAR, as the kernel's x86
 * readl() and writel() make it: a single move, which the compiler may not
 * merge, split, drop or move across other memory accesses.
 */
static inline uint32_t mmio_read32(const void *base, size_t off)
{
	uint32_t v;

	asm volatile("movl %1, %0" : "=r" (v)
		     : "m" (*(const uint32_t *)((const char *)base + off))
		     : "memory");
	return v;
}

static inline void mmio_write32(void *base, size_t off, uint32_t v)
{
	asm volatile("movl %0, %1" : : "r" (v),
		     "m" (*(uint32_t *)((char *)base + off)) : "memory");
}

/*
 * The signal that kills a child that reads 32 bits at @addr, 0 when it
 * reads them and exits normally.
 */
int child_read_signal(const void *addr);

#endif /* MMLAB_PCI_DEV_H */
