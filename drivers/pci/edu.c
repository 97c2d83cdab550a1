// SPDX-License-Identifier: GPL-2.0
/*
 * mmlab-edu: a driver for QEMU's educational PCI device (-device edu),
 * whose registers are specified in QEMU's docs/specs/edu.rst.
 *
 * Every resource is device-managed: the PCI core's pcim_* helpers, devm_*,
 * dmam_* and, for the rest, devm_add_action_or_reset(). So probe() returns
 * on any error with nothing to unwind, there is no remove(), and unbinding
 * releases everything in the reverse order of probe(): the device node
 * first (node.c), then the device is quiesced, then the interrupt, the MSI
 * vector, the DMA buffer, the register mapping and the BAR go, and finally
 * the enabled device.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/idr.h>
#include <linux/interrupt.h>
#include <linux/iopoll.h>
#include <linux/mmlab_pci.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pagemap.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include <mmlab/compat.h>
#include "edu.h"
#include "mmlab_pci.h"

static DEFINE_IDA(edu_ida);

static irqreturn_t edu_irq(int irq, void *data)
{
	struct edu *edu = data;
	u32 status = ioread32(edu->regs + EDU_IRQ_STATUS);

	/* INTx may be shared: nothing raised, not ours. */
	if (!status)
		return IRQ_NONE;
	/* Acknowledge even with MSI, or the status stays set (edu.rst). */
	iowrite32(status, edu->regs + EDU_IRQ_ACK);
	atomic_or(status, &edu->irq_status);
	atomic64_inc(&edu->irqs);
	wake_up(&edu->irq_wait);
	return IRQ_HANDLED;
}

/* Wait until no DMA runs: one still running owns the memory it writes. */
int edu_wait_dma_done(struct edu *edu)
{
	u32 val;

	return read_poll_timeout(ioread32, val, !(val & EDU_DMA_RUN),
				 10, EDU_TIMEOUT_US, false,
				 edu->regs + EDU_DMA_CMD);
}

/* The device ignores a new factorial or DMA while the last one runs. */
int edu_wait_idle(struct edu *edu)
{
	u32 val;
	int ret;

	ret = read_poll_timeout(ioread32, val, !(val & EDU_STATUS_COMPUTING),
				10, EDU_TIMEOUT_US, false,
				edu->regs + EDU_STATUS);
	if (ret)
		return ret;
	return edu_wait_dma_done(edu);
}

/*
 * Wait for the interrupt with any of @bits; the status seen goes to @seen.
 * The bits may also come from a late interrupt of an operation that timed
 * out, or from a raise written through the mapped BAR: the operation is
 * over only when the device says it is idle too.
 */
static int edu_wait_irq(struct edu *edu, u32 bits, u32 *seen)
{
	long left;

	left = wait_event_killable_timeout(edu->irq_wait,
					   atomic_read(&edu->irq_status) & bits,
					   usecs_to_jiffies(EDU_TIMEOUT_US));
	if (left < 0)
		return left;
	if (!left)
		return -ETIMEDOUT;
	*seen = atomic_xchg(&edu->irq_status, 0);
	return edu_wait_idle(edu);
}

static int edu_factorial(struct edu *edu, struct mmlab_edu_factorial *f)
{
	bool irq = f->flags & MMLAB_EDU_FACT_IRQ;
	u32 val;
	int ret;

	ret = edu_wait_idle(edu);
	if (ret)
		return ret;
	atomic_set(&edu->irq_status, 0);
	f->irq_status = 0;
	iowrite32(irq ? EDU_STATUS_IRQ_FACT : 0, edu->regs + EDU_STATUS);
	iowrite32(f->n, edu->regs + EDU_FACTORIAL);
	if (irq) {
		ret = edu_wait_irq(edu, EDU_IRQ_FACT, &f->irq_status);
		iowrite32(0, edu->regs + EDU_STATUS);
	} else {
		ret = read_poll_timeout(ioread32, val,
					!(val & EDU_STATUS_COMPUTING), 10,
					EDU_TIMEOUT_US, false,
					edu->regs + EDU_STATUS);
	}
	if (ret)
		return ret;
	f->result = ioread32(edu->regs + EDU_FACTORIAL);
	return 0;
}

/**
 * edu_dma_cmd() - run one DMA command and wait for its interrupt
 * @edu: the device, op_lock held
 * @src: source, in the device's DMA address space
 * @dst: destination, likewise
 * @len: bytes
 * @to_ram: from the device's buffer to RAM, else from RAM to it
 *
 * The device takes 32-bit register writes: its DMA mask keeps every
 * address the DMA API gives it below 2^28. iowrite32() orders what the CPU
 * wrote to memory before the command.
 *
 * Return: 0, or a negative errno with the device perhaps still running
 * the command: the caller waits for edu_wait_idle() before it frees or
 * unmaps the memory.
 */
int edu_dma_cmd(struct edu *edu, u32 src, u32 dst, u32 len, bool to_ram)
{
	u32 dev = to_ram ? src : dst;
	u32 seen;
	int ret;

	lockdep_assert_held(&edu->op_lock);
	/* QEMU 7.2 stops the whole machine on a range outside the buffer. */
	if (WARN_ON_ONCE(!len || dev < EDU_DMA_BUF ||
			 dev - EDU_DMA_BUF + len > EDU_DMA_USABLE))
		return -EINVAL;
	ret = edu_wait_idle(edu);
	if (ret)
		return ret;
	atomic_set(&edu->irq_status, 0);
	iowrite32(src, edu->regs + EDU_DMA_SRC);
	iowrite32(dst, edu->regs + EDU_DMA_DST);
	iowrite32(len, edu->regs + EDU_DMA_COUNT);
	iowrite32(EDU_DMA_RUN | EDU_DMA_IRQ | (to_ram ? EDU_DMA_TO_RAM : 0),
		  edu->regs + EDU_DMA_CMD);
	return edu_wait_irq(edu, EDU_IRQ_DMA, &seen);
}

/*
 * One transfer of @len bytes between @buf and the device's buffer at
 * @offset, through our coherent buffer at the same offset. The coherent
 * buffer lives until unbind, after edu_quiesce(): a command left running
 * by an error still has memory to land in.
 */
static int edu_dma(struct edu *edu, bool to_dev, void *buf, u32 offset,
		   u32 len)
{
	u32 ram = lower_32_bits(edu->dma_handle) + offset;
	u32 dev = EDU_DMA_BUF + offset;
	int ret;

	ret = edu_wait_dma_done(edu);
	if (ret)
		return ret;
	if (to_dev)
		memcpy(edu->dma_buf + offset, buf, len);
	else	/* Every byte that arrives must have come from the device. */
		memset(edu->dma_buf + offset, 0, len);
	if (to_dev)
		ret = edu_dma_cmd(edu, ram, dev, len, false);
	else
		ret = edu_dma_cmd(edu, dev, ram, len, true);
	if (!ret && !to_dev)
		memcpy(buf, edu->dma_buf + offset, len);
	return ret;
}

static int edu_raise(struct edu *edu, struct mmlab_edu_raise *r)
{
	int ret = edu_wait_idle(edu);

	if (ret)
		return ret;
	atomic_set(&edu->irq_status, 0);
	iowrite32(r->value, edu->regs + EDU_IRQ_RAISE);
	return edu_wait_irq(edu, r->value, &r->irq_status);
}

static void edu_info(struct edu *edu, struct mmlab_edu_info *info)
{
	info->ident = ioread32(edu->regs + EDU_IDENT);
	info->irq_mode = pci_dev_msi_enabled(edu->pdev) ? MMLAB_EDU_IRQ_MSI :
							  MMLAB_EDU_IRQ_INTX;
	info->irq = edu->irq;
	info->dma_mask_bits = EDU_DMA_BITS;
	info->bar0_size = pci_resource_len(edu->pdev, 0);
	info->irqs = atomic64_read(&edu->irqs);
}

union edu_arg {
	struct mmlab_edu_info info;
	struct mmlab_edu_liveness live;
	struct mmlab_edu_factorial fact;
	struct mmlab_edu_dma dma;
	struct mmlab_edu_raise raise;
};

/* Run @cmd on the device, its argument already copied in, under op_lock. */
static int edu_run(struct edu *edu, unsigned int cmd, union edu_arg *a,
		   void *bounce)
{
	int ret;

	ret = mutex_lock_killable(&edu->op_lock);
	if (ret)
		return ret;
	switch (cmd) {
	case MMLAB_EDU_IOC_INFO:
		edu_info(edu, &a->info);
		break;
	case MMLAB_EDU_IOC_LIVENESS:
		iowrite32(a->live.in, edu->regs + EDU_LIVENESS);
		a->live.out = ioread32(edu->regs + EDU_LIVENESS);
		break;
	case MMLAB_EDU_IOC_FACTORIAL:
		ret = edu_factorial(edu, &a->fact);
		break;
	case MMLAB_EDU_IOC_DMA_TO_DEV:
	case MMLAB_EDU_IOC_DMA_FROM_DEV:
		ret = edu_dma(edu, cmd == MMLAB_EDU_IOC_DMA_TO_DEV, bounce,
			      a->dma.offset, a->dma.len);
		break;
	case MMLAB_EDU_IOC_RAISE_IRQ:
		ret = edu_raise(edu, &a->raise);
		break;
	}
	mutex_unlock(&edu->op_lock);
	return ret;
}

/* The arguments that need no device to be refused. */
static int edu_check(unsigned int cmd, const union edu_arg *a)
{
	switch (cmd) {
	case MMLAB_EDU_IOC_FACTORIAL:
		return a->fact.flags & ~MMLAB_EDU_FACT_IRQ ? -EINVAL : 0;
	case MMLAB_EDU_IOC_DMA_TO_DEV:
	case MMLAB_EDU_IOC_DMA_FROM_DEV:
		/* The device aborts on a transfer outside its buffer. */
		if (!a->dma.len || a->dma.len > EDU_DMA_USABLE ||
		    a->dma.offset > EDU_DMA_USABLE - a->dma.len)
			return -EINVAL;
		return 0;
	case MMLAB_EDU_IOC_RAISE_IRQ:
		return a->raise.value ? 0 : -EINVAL;
	}
	return 0;
}

/*
 * User memory is copied in before the node is entered and out after it is
 * left: see the lock order in node.c.
 */
static long edu_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	void __user *ubuf = NULL;
	void *bounce = NULL;
	union edu_arg a;
	struct edu *edu;
	long ret;

	switch (cmd) {
	case MMLAB_EDU_IOC_INFO:
	case MMLAB_EDU_IOC_LIVENESS:
	case MMLAB_EDU_IOC_FACTORIAL:
	case MMLAB_EDU_IOC_DMA_TO_DEV:
	case MMLAB_EDU_IOC_DMA_FROM_DEV:
	case MMLAB_EDU_IOC_RAISE_IRQ:
		break;
	case MMLAB_EDU_IOC_DMA_PIN:
		return edu_pin_dma_ioctl(file, uarg);
	default:
		return -ENOTTY;
	}
	memset(&a, 0, sizeof(a));
	if ((_IOC_DIR(cmd) & _IOC_WRITE) &&
	    copy_from_user(&a, uarg, _IOC_SIZE(cmd)))
		return -EFAULT;
	ret = edu_check(cmd, &a);
	if (ret)
		return ret;
	/*
	 * What the call writes back must be writable before the device is
	 * touched: a call refused with EFAULT has changed nothing.
	 */
	if ((_IOC_DIR(cmd) & _IOC_READ) &&
	    fault_in_safe_writeable(uarg, _IOC_SIZE(cmd)))
		return -EFAULT;

	if (cmd == MMLAB_EDU_IOC_DMA_TO_DEV || cmd == MMLAB_EDU_IOC_DMA_FROM_DEV) {
		ubuf = u64_to_user_ptr(a.dma.buf);
		if (cmd == MMLAB_EDU_IOC_DMA_FROM_DEV &&
		    fault_in_safe_writeable(ubuf, a.dma.len))
			return -EFAULT;
		bounce = kmalloc(a.dma.len, GFP_KERNEL);
		if (!bounce)
			return -ENOMEM;
		if (cmd == MMLAB_EDU_IOC_DMA_TO_DEV &&
		    copy_from_user(bounce, ubuf, a.dma.len)) {
			ret = -EFAULT;
			goto out;
		}
	}

	edu = mmlab_pci_node_enter(file);
	if (!edu) {
		ret = -ENODEV;
		goto out;
	}
	ret = edu_run(edu, cmd, &a, bounce);
	mmlab_pci_node_exit(file);
	if (ret)
		goto out;

	if (cmd == MMLAB_EDU_IOC_DMA_FROM_DEV &&
	    copy_to_user(ubuf, bounce, a.dma.len))
		ret = -EFAULT;
	else if ((_IOC_DIR(cmd) & _IOC_READ) &&
		 copy_to_user(uarg, &a, _IOC_SIZE(cmd)))
		ret = -EFAULT;
out:
	kfree(bounce);
	return ret;
}

static const struct file_operations edu_fops = {
	.owner = THIS_MODULE,
	.open = mmlab_pci_node_open,
	.release = mmlab_pci_node_release,
	.mmap = mmlab_pci_node_mmap,
	.unlocked_ioctl = edu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/*
 * Runs at unbind after the node is revoked, before the interrupt and the
 * DMA buffer go: let a factorial or a transfer started earlier, even
 * through the mapped BAR, finish into memory that still exists; drop any
 * interrupt left raised; and stop the device from mastering the bus.
 */
static void edu_quiesce(void *data)
{
	struct edu *edu = data;

	if (edu_wait_idle(edu))
		dev_warn(&edu->pdev->dev, "still busy at unbind\n");
	iowrite32(0, edu->regs + EDU_STATUS);
	iowrite32(~0U, edu->regs + EDU_IRQ_ACK);
	pci_clear_master(edu->pdev);
}

static int edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	const char *name;
	struct edu *edu;
	int ret;

	ret = mmlab_pci_count_bound(&pdev->dev);
	if (ret)
		return ret;
	edu = devm_kzalloc(dev, sizeof(*edu), GFP_KERNEL);
	if (!edu)
		return -ENOMEM;
	edu->pdev = pdev;
	mutex_init(&edu->op_lock);
	init_waitqueue_head(&edu->irq_wait);
	name = devm_mmlab_pci_name(&pdev->dev, &edu_ida, "mmlab-edu");
	if (IS_ERR(name))
		return PTR_ERR(name);

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	edu->regs = pcim_iomap_region(pdev, 0, name);
	if (IS_ERR(edu->regs))
		return PTR_ERR(edu->regs);

	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(EDU_DMA_BITS));
	if (ret)
		return ret;
	pci_set_master(pdev);
	edu->dma_buf = dmam_alloc_coherent(dev, MMLAB_EDU_DMA_SIZE,
					   &edu->dma_handle, GFP_KERNEL);
	if (!edu->dma_buf)
		return -ENOMEM;

	/* MSI where offered; after pcim_enable_device(), freed by devres. */
	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_ALL_TYPES);
	if (ret < 0)
		return ret;
	edu->irq = pci_irq_vector(pdev, 0);
	/* Nothing left raised by an earlier driver or a user of the BAR. */
	iowrite32(0, edu->regs + EDU_STATUS);
	iowrite32(~0U, edu->regs + EDU_IRQ_ACK);
	ret = devm_request_irq(dev, edu->irq, edu_irq,
			       pci_dev_msi_enabled(pdev) ? 0 : IRQF_SHARED,
			       name, edu);
	if (ret)
		return ret;
	ret = devm_add_action_or_reset(dev, edu_quiesce, edu);
	if (ret)
		return ret;

	ret = devm_mmlab_pci_node_add(dev, name, &pdev->resource[0],
				      &edu_fops, edu);
	if (ret)
		return ret;
	dev_info(dev, "%s: edu %#x, %s interrupt %d\n", name,
		 ioread32(edu->regs + EDU_IDENT),
		 pci_dev_msi_enabled(pdev) ? "MSI" : "INTx", edu->irq);
	return 0;
}

static const struct pci_device_id edu_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR, EDU_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, edu_ids);

struct pci_driver mmlab_edu_driver = {
	.name = "mmlab-edu",
	.id_table = edu_ids,
	.probe = edu_probe,
};
