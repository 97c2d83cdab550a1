// SPDX-License-Identifier: GPL-2.0
/*
 * mmlab_pci: devres-managed drivers for devices that QEMU emulates: two on
 * PCI, edu (edu.c) and ivshmem (ivshmem.c), with their BARs mapped to
 * userspace (node.c), and two on ISA, pc-testdev and isa-debugcon, reached
 * by port I/O (pio.c). See Documentation/pci-devres.rst.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/seq_file.h>

#include "mmlab_pci.h"

struct mmlab_pci_counters mmlab_pci_counters;

static struct dentry *mmlab_pci_debugfs;

static void mmlab_pci_unbound(void *unused)
{
	atomic_dec(&mmlab_pci_counters.bound);
}

/**
 * mmlab_pci_count_bound() - count a device as bound until it is unbound
 * @dev: the device being probed
 *
 * Call it first in probe(): its devres action then runs last at unbind,
 * or when the probe fails.
 *
 * Return: 0 or -ENOMEM.
 */
int mmlab_pci_count_bound(struct device *dev)
{
	atomic_inc(&mmlab_pci_counters.bound);
	return devm_add_action_or_reset(dev, mmlab_pci_unbound, NULL);
}

static int mmlab_pci_counters_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "bound %d\n", atomic_read(&mmlab_pci_counters.bound));
	seq_printf(m, "nodes %d\n", atomic_read(&mmlab_pci_counters.nodes));
	seq_printf(m, "files %d\n", atomic_read(&mmlab_pci_counters.files));
	seq_printf(m, "vmas %d\n", atomic_read(&mmlab_pci_counters.vmas));
	seq_printf(m, "pinned %d\n", atomic_read(&mmlab_pci_counters.pinned));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mmlab_pci_counters);

static int __init mmlab_pci_init(void)
{
	int ret;

	ret = mmlab_pio_check_params();
	if (ret)
		return ret;

	mmlab_pci_debugfs = debugfs_create_dir("mmlab_pci", NULL);
	debugfs_create_file("counters", 0400, mmlab_pci_debugfs, NULL,
			    &mmlab_pci_counters_fops);

	/* Binding creates nodes: the last step that can fail comes first. */
	ret = platform_driver_register(&mmlab_pio_driver);
	if (ret)
		goto err_debugfs;
	ret = pci_register_driver(&mmlab_edu_driver);
	if (ret)
		goto err_pio;
	ret = pci_register_driver(&mmlab_ivshmem_driver);
	if (ret)
		goto err_edu;
	mmlab_pio_add();
	return 0;

err_edu:
	pci_unregister_driver(&mmlab_edu_driver);
err_pio:
	platform_driver_unregister(&mmlab_pio_driver);
err_debugfs:
	debugfs_remove(mmlab_pci_debugfs);
	return ret;
}
module_init(mmlab_pci_init);

/* Open files pin the module (fops->owner): no node is left here. */
static void __exit mmlab_pci_exit(void)
{
	mmlab_pio_exit();
	pci_unregister_driver(&mmlab_ivshmem_driver);
	pci_unregister_driver(&mmlab_edu_driver);
	platform_driver_unregister(&mmlab_pio_driver);
	debugfs_remove(mmlab_pci_debugfs);
}
module_exit(mmlab_pci_exit);

MODULE_DESCRIPTION("mmlab: devres-managed drivers for devices that QEMU emulates");
MODULE_LICENSE("GPL");
