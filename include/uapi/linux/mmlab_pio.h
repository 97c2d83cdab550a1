/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mmlab_pio: port I/O and MMIO on two ISA devices that QEMU emulates,
 * userspace interface.
 *
 * /dev/mmlab-pio0 reaches, through the ioctls below, QEMU's pc-testdev
 * (-device pc-testdev, QEMU's hw/misc/pc-testdev.c) and isa-debugcon
 * (-device isa-debugcon, hw/char/debugcon.c). ISA devices cannot be
 * enumerated: module parameters of mmlab_pci give their addresses
 * (Documentation/pci-devres.rst).
 *
 * pc-testdev holds one 32-bit register, little-endian, which QEMU offers
 * at two ranges of four ports: %MMLAB_PIO_REG, which takes 1-, 2- and
 * 4-byte accesses as they are, and %MMLAB_PIO_REG_BYTES, which QEMU splits
 * into single bytes. Port offset n of either reaches byte n of the same
 * register. It also has 64 KiB of memory-mapped RAM, %MMLAB_PIO_IOMEM,
 * which mmap() of the node maps too (uncached, %CAP_SYS_RAWIO, shared, as
 * for /dev/mmlab-edu0's BAR0 in <linux/mmlab_pci.h>).
 *
 * isa-debugcon has one port, %MMLAB_PIO_DEBUGCON, for byte accesses only:
 * each byte written to it is appended to a host character device (a file,
 * in mmlab's guests); a read returns the device's "readback" property,
 * 0xe9 unless QEMU is told otherwise.
 *
 * The ioctls follow the rules of include/uapi/linux/mmlab.h. The node is
 * root's, mode 0600; once the device is unbound, an open file's calls fail
 * with %ENODEV and its mappings raise SIGBUS.
 */
#ifndef _UAPI_LINUX_MMLAB_PIO_H
#define _UAPI_LINUX_MMLAB_PIO_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Targets of &struct mmlab_pio_xfer. */
#define MMLAB_PIO_REG		0
#define MMLAB_PIO_REG_BYTES	1
#define MMLAB_PIO_DEBUGCON	2
#define MMLAB_PIO_IOMEM		3

/* Methods of &struct mmlab_pio_xfer. */
#define MMLAB_PIO_SINGLE	0
#define MMLAB_PIO_STRING	1
#define MMLAB_PIO_IOMAP		2

/* The most bytes one &struct mmlab_pio_xfer moves. */
#define MMLAB_PIO_MAX_LEN	4096

/**
 * struct mmlab_pio_info - the devices, from %MMLAB_PIO_IOC_INFO
 * @iomem_start: physical address of pc-testdev's memory, as /proc/iomem
 *	lists it
 * @iomem_size: its length in bytes, 0 without it: the most mmap() maps
 * @reg_port: first port of %MMLAB_PIO_REG, as /proc/ioports lists it
 * @reg_bytes_port: first port of %MMLAB_PIO_REG_BYTES
 * @debugcon_port: the port of %MMLAB_PIO_DEBUGCON
 * @reserved: out: zero
 */
struct mmlab_pio_info {
	__u64 iomem_start;
	__u32 iomem_size;
	__u16 reg_port;
	__u16 reg_bytes_port;
	__u16 debugcon_port;
	__u16 reserved[3];
};

/**
 * struct mmlab_pio_xfer - one transfer between user memory and a device
 * @buf: user pointer to @len bytes: the source of %MMLAB_PIO_IOC_WRITE,
 *	the destination of %MMLAB_PIO_IOC_READ (%EFAULT, before the device
 *	is touched, when they cannot be read or written; unless another
 *	thread unmaps them during the call)
 * @len: bytes to move, 1 to %MMLAB_PIO_MAX_LEN, a multiple of @width
 * @offset: where in the target, a multiple of @width: a port of
 *	%MMLAB_PIO_REG or %MMLAB_PIO_REG_BYTES (0 to 3), 0 for
 *	%MMLAB_PIO_DEBUGCON, a byte of %MMLAB_PIO_IOMEM
 * @target: %MMLAB_PIO_REG, %MMLAB_PIO_REG_BYTES, %MMLAB_PIO_DEBUGCON or
 *	%MMLAB_PIO_IOMEM
 * @method: how the driver moves each element of @width bytes:
 *	%MMLAB_PIO_SINGLE: inb()/outb(), inw()/outw(), inl()/outl() on a
 *	port, readb()/writeb() and the wider forms on memory;
 *	%MMLAB_PIO_STRING: one insb()/outsb() (or the wider forms) for all
 *	the elements on a port, ioread8_rep()/iowrite8_rep() and the wider
 *	forms on memory;
 *	%MMLAB_PIO_IOMAP: ioread8()/iowrite8() and the wider forms on the
 *	cookie of ioport_map() or ioremap(), which serve both spaces
 * @width: bytes per element: 1, 2 or 4; only 1 for %MMLAB_PIO_DEBUGCON,
 *	which takes nothing wider
 * @reserved: must be zero
 *
 * A port is a register, not memory: every element goes to, or comes from,
 * the same port, @offset, whatever the method, so a write leaves the
 * register holding its last element. %MMLAB_PIO_STRING on memory does the
 * same at the one address @offset, as a device's FIFO register would be
 * used; %MMLAB_PIO_SINGLE and %MMLAB_PIO_IOMAP on memory move @len bytes
 * to or from consecutive addresses from @offset, which must end within
 * the memory.
 *
 * Anything else fails with %EINVAL; a target the module was loaded
 * without, with %ENODEV.
 */
struct mmlab_pio_xfer {
	__u64 buf;
	__u32 len;
	__u32 offset;
	__u8 target;
	__u8 method;
	__u8 width;
	__u8 reserved[5];
};

#define MMLAB_PIO_IOC_MAGIC	0xba

/**
 * define MMLAB_PIO_IOC_INFO - read the devices' &struct mmlab_pio_info
 */
#define MMLAB_PIO_IOC_INFO	_IOR(MMLAB_PIO_IOC_MAGIC, 0x20, struct mmlab_pio_info)

/**
 * define MMLAB_PIO_IOC_WRITE - write user memory to a device
 */
#define MMLAB_PIO_IOC_WRITE	_IOW(MMLAB_PIO_IOC_MAGIC, 0x21, struct mmlab_pio_xfer)

/**
 * define MMLAB_PIO_IOC_READ - read a device into user memory
 */
#define MMLAB_PIO_IOC_READ	_IOW(MMLAB_PIO_IOC_MAGIC, 0x22, struct mmlab_pio_xfer)

#endif /* _UAPI_LINUX_MMLAB_PIO_H */
