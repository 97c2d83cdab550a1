/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmlab-edu internals: QEMU's edu device (docs/specs/edu.rst), shared by
 * edu.c, its driver, and edu_pin.c, DMA into pinned user memory.
 */
#ifndef _MMLAB_EDU_H
#define _MMLAB_EDU_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/fs.h>
#include <linux/mmlab_pci.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/time64.h>
#include <linux/wait.h>

#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8

/* Registers in BAR0, all accessed 32 bits wide. */
#define EDU_IDENT		0x00
#define EDU_LIVENESS		0x04
#define EDU_FACTORIAL		0x08
#define EDU_STATUS		0x20
#define  EDU_STATUS_COMPUTING	BIT(0)
#define  EDU_STATUS_IRQ_FACT	BIT(7)
#define EDU_IRQ_STATUS		0x24
#define EDU_IRQ_RAISE		0x60
#define EDU_IRQ_ACK		0x64
#define EDU_DMA_SRC		0x80
#define EDU_DMA_DST		0x88
#define EDU_DMA_COUNT		0x90
#define EDU_DMA_CMD		0x98
#define  EDU_DMA_RUN		BIT(0)
#define  EDU_DMA_TO_RAM		BIT(1)
#define  EDU_DMA_IRQ		BIT(2)
/* The device's DMA buffer, as seen by its DMA engine. */
#define EDU_DMA_BUF		0x40000
/*
 * The bytes of it a transfer may reach: QEMU before 8.0 ("hw/misc/edu: fix
 * 2 off-by-one errors") refuses a transfer that ends at the buffer's end
 * with hw_error(), which aborts the whole machine.
 */
#define EDU_DMA_USABLE		(MMLAB_EDU_DMA_SIZE - 1)

/* Interrupt status bits the device raises itself. */
#define EDU_IRQ_FACT		BIT(0)
#define EDU_IRQ_DMA		BIT(8)

/* The DMA engine drives 28 address bits. */
#define EDU_DMA_BITS		28

#define EDU_TIMEOUT_US		(5 * USEC_PER_SEC)

/**
 * struct edu - one bound edu device
 * @pdev: the PCI device
 * @regs: BAR0, mapped uncached
 * @dma_buf: the coherent buffer the device's DMA engine reads and writes
 * @dma_handle: its bus address, below 2^28
 * @irq: the Linux interrupt of vector 0
 * @op_lock: one operation on the device at a time
 * @irq_status: interrupt status bits handled since the operation began
 * @irq_wait: where an operation waits for its interrupt
 * @irqs: interrupts handled since probe
 */
struct edu {
	struct pci_dev *pdev;
	void __iomem *regs;
	void *dma_buf;
	dma_addr_t dma_handle;
	int irq;
	struct mutex op_lock;		/* one operation at a time */
	atomic_t irq_status;
	wait_queue_head_t irq_wait;
	atomic64_t irqs;
};

int edu_wait_dma_done(struct edu *edu);
int edu_wait_idle(struct edu *edu);
int edu_dma_cmd(struct edu *edu, u32 src, u32 dst, u32 len, bool to_ram);
long edu_pin_dma_ioctl(struct file *file, void __user *uarg);

#endif /* _MMLAB_EDU_H */
