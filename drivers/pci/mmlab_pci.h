/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmlab_pci internals: the device node its drivers share, and the
 * module's counters.
 */
#ifndef _MMLAB_PCI_H
#define _MMLAB_PCI_H

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/pci.h>
#include <linux/platform_device.h>

struct ida;

/**
 * struct mmlab_pci_counters - what the module holds right now
 * @bound: devices bound to one of its drivers
 * @nodes: device nodes not yet freed (a node outlives its device while a
 *	file is open)
 * @files: open files of those nodes
 * @vmas: vmas mapping a BAR
 * @pinned: user pages held pinned for DMA (edu_pin.c)
 *
 * Each returns to zero once every device is unbound and every file and
 * mapping is gone: /sys/kernel/debug/mmlab_pci/counters shows them.
 */
struct mmlab_pci_counters {
	atomic_t bound;
	atomic_t nodes;
	atomic_t files;
	atomic_t vmas;
	atomic_t pinned;
};

extern struct mmlab_pci_counters mmlab_pci_counters;

int mmlab_pci_count_bound(struct device *dev);

const char *devm_mmlab_pci_name(struct device *dev, struct ida *ida,
				const char *prefix);
int devm_mmlab_pci_node_add(struct device *dev, const char *name,
			    const struct resource *res,
			    const struct file_operations *fops, void *priv);

int mmlab_pci_node_open(struct inode *inode, struct file *file);
int mmlab_pci_node_release(struct inode *inode, struct file *file);
int mmlab_pci_node_mmap(struct file *file, struct vm_area_struct *vma);
void *mmlab_pci_node_enter(struct file *file);
void mmlab_pci_node_exit(struct file *file);

extern struct pci_driver mmlab_edu_driver;
extern struct pci_driver mmlab_ivshmem_driver;
extern struct platform_driver mmlab_pio_driver;

int mmlab_pio_check_params(void);
void mmlab_pio_add(void);
void mmlab_pio_exit(void);

#endif /* _MMLAB_PCI_H */
