// SPDX-License-Identifier: GPL-2.0
/*
 * mmlab-ivshmem: a driver for QEMU's inter-VM shared memory device
 * (-device ivshmem-plain). Its BAR2 is a host file's bytes: what the guest
 * writes there, the host reads in the file, and the reverse.
 *
 * The kernel maps BAR2 with pcim_iomap_region() and copies through that
 * mapping with memcpy_fromio()/memcpy_toio() for read() and write();
 * userspace maps it with mmap(), lazily and revocably (node.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/idr.h>
#include <linux/io.h>
#include <linux/minmax.h>
#include <linux/mmlab_pci.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <mmlab/compat.h>
#include "mmlab_pci.h"

#define IVSHMEM_VENDOR		0x1af4
#define IVSHMEM_DEVICE		0x1110
/* BAR0 holds registers for interrupts, which ivshmem-plain lacks. */
#define IVSHMEM_BAR_SHM		2

/**
 * struct ivshmem - one bound ivshmem device
 * @shm: BAR2, the shared memory, mapped by the kernel
 * @size: its length in bytes
 */
struct ivshmem {
	void __iomem *shm;
	resource_size_t size;
};

static DEFINE_IDA(ivshmem_ida);

/*
 * Copy at most @count bytes between @bounce and the shared memory at @pos,
 * with the device held bound. User memory is copied by the callers, outside:
 * see the lock order in node.c. Between chunks, a long copy yields the CPU
 * and stops for a fatal signal.
 *
 * Return: bytes copied, 0 at the end of the memory, or a negative errno.
 */
static ssize_t ivshmem_xfer(struct file *file, void *bounce, size_t count,
			    loff_t pos, bool to_dev)
{
	struct ivshmem *ivs;
	size_t n = 0;

	cond_resched();
	if (fatal_signal_pending(current))
		return -EINTR;
	ivs = mmlab_pci_node_enter(file);
	if (!ivs)
		return -ENODEV;
	if (pos < ivs->size) {
		n = min_t(u64, count, ivs->size - pos);
		if (to_dev)
			memcpy_toio(ivs->shm + pos, bounce, n);
		else
			memcpy_fromio(bounce, ivs->shm + pos, n);
	}
	mmlab_pci_node_exit(file);
	return n;
}

static ssize_t ivshmem_read(struct file *file, char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	size_t done = 0;
	ssize_t n = 0;
	void *bounce;

	bounce = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;
	while (done < count) {
		size_t chunk = min_t(size_t, count - done, PAGE_SIZE);

		n = ivshmem_xfer(file, bounce, chunk, *ppos, false);
		if (n <= 0)
			break;
		if (copy_to_user(ubuf + done, bounce, n)) {
			n = -EFAULT;
			break;
		}
		*ppos += n;
		done += n;
	}
	kfree(bounce);
	return done ? done : n;
}

static ssize_t ivshmem_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	size_t done = 0;
	ssize_t n = 0;
	void *bounce;

	if (!count)
		return 0;
	bounce = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;
	while (done < count) {
		size_t chunk = min_t(size_t, count - done, PAGE_SIZE);

		if (copy_from_user(bounce, ubuf + done, chunk)) {
			n = -EFAULT;
			break;
		}
		n = ivshmem_xfer(file, bounce, chunk, *ppos, true);
		if (n <= 0)
			break;
		*ppos += n;
		done += n;
	}
	kfree(bounce);
	/* Fixed-size memory is full at its end, like /dev/full. */
	if (!done && !n)
		return -ENOSPC;
	return done ? done : n;
}

static long ivshmem_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct mmlab_ivshmem_info info = { };
	struct ivshmem *ivs;

	if (cmd != MMLAB_IVSHMEM_IOC_INFO)
		return -ENOTTY;
	ivs = mmlab_pci_node_enter(file);
	if (!ivs)
		return -ENODEV;
	info.size = ivs->size;
	mmlab_pci_node_exit(file);
	return copy_to_user((void __user *)arg, &info, sizeof(info)) ?
		-EFAULT : 0;
}

static const struct file_operations ivshmem_fops = {
	.owner = THIS_MODULE,
	.open = mmlab_pci_node_open,
	.release = mmlab_pci_node_release,
	.mmap = mmlab_pci_node_mmap,
	.read = ivshmem_read,
	.write = ivshmem_write,
	.llseek = default_llseek,
	.unlocked_ioctl = ivshmem_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static int ivshmem_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct ivshmem *ivs;
	const char *name;
	int ret;

	ret = mmlab_pci_count_bound(&pdev->dev);
	if (ret)
		return ret;
	ivs = devm_kzalloc(dev, sizeof(*ivs), GFP_KERNEL);
	if (!ivs)
		return -ENOMEM;
	name = devm_mmlab_pci_name(&pdev->dev, &ivshmem_ida, "mmlab-ivshmem");
	if (IS_ERR(name))
		return PTR_ERR(name);

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	ivs->shm = pcim_iomap_region(pdev, IVSHMEM_BAR_SHM, name);
	if (IS_ERR(ivs->shm))
		return PTR_ERR(ivs->shm);
	ivs->size = pci_resource_len(pdev, IVSHMEM_BAR_SHM);

	ret = devm_mmlab_pci_node_add(&pdev->dev, name,
				      &pdev->resource[IVSHMEM_BAR_SHM],
				      &ivshmem_fops, ivs);
	if (ret)
		return ret;
	dev_info(dev, "%s: %llu bytes of shared memory\n", name,
		 (unsigned long long)ivs->size);
	return 0;
}

static const struct pci_device_id ivshmem_ids[] = {
	{ PCI_DEVICE(IVSHMEM_VENDOR, IVSHMEM_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, ivshmem_ids);

struct pci_driver mmlab_ivshmem_driver = {
	.name = "mmlab-ivshmem",
	.id_table = ivshmem_ids,
	.probe = ivshmem_probe,
};
