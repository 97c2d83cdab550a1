// SPDX-License-Identifier: GPL-2.0
/*
 * mmlab-pio: port I/O and MMIO on two ISA devices that QEMU emulates,
 * pc-testdev and isa-debugcon (include/uapi/linux/mmlab_pio.h).
 *
 * ISA hardware cannot be enumerated: nothing on the bus says which ports
 * a device decodes. So, as for any legacy device, the addresses come from
 * module parameters, and the module creates a platform device carrying
 * them as resources (platform_device_register_simple() inserts them in
 * the resource tree under their names), to which the platform driver
 * below binds. isa_register_driver() would create devices too, but bare:
 * their driver would keep the addresses to itself, out of the resource
 * tree until it claims them.
 *
 * The driver claims each range with the managed API, devm_request_region()
 * and devm_request_mem_region(): a claimed range is busy in the resource
 * tree, shown by name in /proc/ioports and /proc/iomem, and any other
 * claim of it fails (request_region() returns NULL: EBUSY), until devres
 * releases it at unbind or unload. The claim is the whole protection: the
 * CPU would let any driver touch any port.
 *
 * The ports are then used both ways a driver can: with inb()/outb() and
 * the string forms insb()/outsb() directly on the port number, and through
 * ioport_map(), whose cookie ioread8()/iowrite8() take just as they take
 * ioremap()'s: the iomap interface, with which one driver serves a device
 * whose registers are ports on one board and MMIO on another.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/idr.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/mmlab_pio.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "mmlab_pci.h"

/*
 * QEMU's addresses: hw/misc/pc-testdev.c, and the iobase vm-run.sh gives
 * isa-debugcon, whose default 0xe9 falls inside pc-testdev's 0xe8-0xeb.
 */
static ushort testdev_port = 0xe0;
module_param(testdev_port, ushort, 0444);
MODULE_PARM_DESC(testdev_port, "pc-testdev's register ports (0xe0; 0: none)");

static ulong testdev_iomem = 0xff000000;
module_param(testdev_iomem, ulong, 0444);
MODULE_PARM_DESC(testdev_iomem, "pc-testdev's MMIO (0xff000000; 0: none)");

static ushort debugcon_port = 0x4f0;
module_param(debugcon_port, ushort, 0444);
MODULE_PARM_DESC(debugcon_port, "isa-debugcon's port (0x4f0; 0: none)");

/* pc-testdev: the register at +0, its byte-wise view at +8, 64 KiB RAM. */
#define PIO_REG_PORTS		4
#define PIO_REG_BYTES_OFFSET	8
#define PIO_IOMEM_SIZE		0x10000

/*
 * What an absent port reads: nothing drives the bus, and it floats high.
 * Written to pc-testdev's register and read back through its other view, a
 * pattern that is not this proves the device is there.
 */
#define PIO_FLOATING		0xffffffffU
#define PIO_PROBE_PATTERN	0x6d6d6c62U

static DEFINE_IDA(pio_ida);

/**
 * struct pio - a bound mmlab-pio device
 * @port: first port of each port target (%MMLAB_PIO_REG...); 0 if absent,
 *	and for %MMLAB_PIO_IOMEM
 * @map: the ioport_map() cookie of each target; that of %MMLAB_PIO_IOMEM is
 *	its ioremap(); NULL if absent
 * @iomem: the resource of %MMLAB_PIO_IOMEM; NULL if absent
 */
struct pio {
	unsigned long port[MMLAB_PIO_IOMEM + 1];
	void __iomem *map[MMLAB_PIO_IOMEM + 1];
	struct resource *iomem;
};

/* One element at a port, with the plain accessors. */
static void pio_port_single(unsigned long port, unsigned int width, void *p,
			    bool write)
{
	switch (width) {
	case 1:
		if (write)
			outb(*(u8 *)p, port);
		else
			*(u8 *)p = inb(port);
		break;
	case 2:
		if (write)
			outw(*(u16 *)p, port);
		else
			*(u16 *)p = inw(port);
		break;
	default:
		if (write)
			outl(*(u32 *)p, port);
		else
			*(u32 *)p = inl(port);
		break;
	}
}

/* All elements at a port with one string instruction (rep outs/ins). */
static void pio_port_string(unsigned long port, unsigned int width, void *p,
			    unsigned int n, bool write)
{
	switch (width) {
	case 1:
		if (write)
			outsb(port, p, n);
		else
			insb(port, p, n);
		break;
	case 2:
		if (write)
			outsw(port, p, n);
		else
			insw(port, p, n);
		break;
	default:
		if (write)
			outsl(port, p, n);
		else
			insl(port, p, n);
		break;
	}
}

/* One element at an iomap cookie, a port's or a mapping's alike. */
static void pio_iomap_single(void __iomem *addr, unsigned int width, void *p,
			     bool write)
{
	switch (width) {
	case 1:
		if (write)
			iowrite8(*(u8 *)p, addr);
		else
			*(u8 *)p = ioread8(addr);
		break;
	case 2:
		if (write)
			iowrite16(*(u16 *)p, addr);
		else
			*(u16 *)p = ioread16(addr);
		break;
	default:
		if (write)
			iowrite32(*(u32 *)p, addr);
		else
			*(u32 *)p = ioread32(addr);
		break;
	}
}

/* All elements at one MMIO address, as a FIFO register is read. */
static void pio_mem_string(void __iomem *addr, unsigned int width, void *p,
			   unsigned int n, bool write)
{
	switch (width) {
	case 1:
		if (write)
			iowrite8_rep(addr, p, n);
		else
			ioread8_rep(addr, p, n);
		break;
	case 2:
		if (write)
			iowrite16_rep(addr, p, n);
		else
			ioread16_rep(addr, p, n);
		break;
	default:
		if (write)
			iowrite32_rep(addr, p, n);
		else
			ioread32_rep(addr, p, n);
		break;
	}
}

/* One element at an ioremap()ed address, with the plain accessors. */
static void pio_mem_single(void __iomem *addr, unsigned int width, void *p,
			   bool write)
{
	switch (width) {
	case 1:
		if (write)
			writeb(*(u8 *)p, addr);
		else
			*(u8 *)p = readb(addr);
		break;
	case 2:
		if (write)
			writew(*(u16 *)p, addr);
		else
			*(u16 *)p = readw(addr);
		break;
	default:
		if (write)
			writel(*(u32 *)p, addr);
		else
			*(u32 *)p = readl(addr);
		break;
	}
}

/* Everything about a transfer that does not depend on the device. */
static int pio_check(const struct mmlab_pio_xfer *x)
{
	u32 size;

	if (memchr_inv(x->reserved, 0, sizeof(x->reserved)))
		return -EINVAL;
	if (x->target > MMLAB_PIO_IOMEM || x->method > MMLAB_PIO_IOMAP)
		return -EINVAL;
	if (x->width != 1 && x->width != 2 && x->width != 4)
		return -EINVAL;
	if (!x->len || x->len > MMLAB_PIO_MAX_LEN || x->len % x->width ||
	    x->offset % x->width)
		return -EINVAL;

	switch (x->target) {
	case MMLAB_PIO_DEBUGCON:
		/* QEMU's debugcon_ops: valid.max_access_size = 1. */
		return x->width == 1 && !x->offset ? 0 : -EINVAL;
	case MMLAB_PIO_IOMEM:
		size = PIO_IOMEM_SIZE;
		if (x->method == MMLAB_PIO_STRING)
			return x->offset < size ? 0 : -EINVAL;
		return x->offset < size && x->len <= size - x->offset ?
			0 : -EINVAL;
	default:
		return x->offset < PIO_REG_PORTS ? 0 : -EINVAL;
	}
}

static void pio_run(struct pio *pio, const struct mmlab_pio_xfer *x,
		    void *buf, bool write)
{
	unsigned int w = x->width, n = x->len / w, i;
	void __iomem *map = pio->map[x->target] + x->offset;
	unsigned long port = pio->port[x->target] + x->offset;

	if (x->target == MMLAB_PIO_IOMEM) {
		if (x->method == MMLAB_PIO_STRING) {
			pio_mem_string(map, w, buf, n, write);
			return;
		}
		for (i = 0; i < n; i++) {
			if (x->method == MMLAB_PIO_SINGLE)
				pio_mem_single(map + i * w, w, buf + i * w,
					       write);
			else
				pio_iomap_single(map + i * w, w, buf + i * w,
						 write);
		}
		return;
	}

	if (x->method == MMLAB_PIO_STRING) {
		pio_port_string(port, w, buf, n, write);
		return;
	}
	for (i = 0; i < n; i++) {
		if (x->method == MMLAB_PIO_SINGLE)
			pio_port_single(port, w, buf + i * w, write);
		else
			pio_iomap_single(map, w, buf + i * w, write);
	}
}

static long pio_xfer(struct file *file, void __user *uarg, bool write)
{
	struct mmlab_pio_xfer x;
	void __user *ubuf;
	struct pio *pio;
	void *buf;
	long ret;

	if (copy_from_user(&x, uarg, sizeof(x)))
		return -EFAULT;
	ret = pio_check(&x);
	if (ret)
		return ret;
	ubuf = u64_to_user_ptr(x.buf);
	/* A refused call touches no device: a read from a FIFO is lost. */
	if (!write && fault_in_safe_writeable(ubuf, x.len))
		return -EFAULT;
	buf = kmalloc(x.len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	if (write && copy_from_user(buf, ubuf, x.len)) {
		ret = -EFAULT;
		goto out;
	}

	pio = mmlab_pci_node_enter(file);
	if (!pio) {
		ret = -ENODEV;
		goto out;
	}
	if (pio->map[x.target])
		pio_run(pio, &x, buf, write);
	else
		ret = -ENODEV;
	mmlab_pci_node_exit(file);

	if (!ret && !write && copy_to_user(ubuf, buf, x.len))
		ret = -EFAULT;
out:
	kfree(buf);
	return ret;
}

static long pio_info(struct file *file, void __user *uarg)
{
	struct mmlab_pio_info info = {};
	struct pio *pio;

	pio = mmlab_pci_node_enter(file);
	if (!pio)
		return -ENODEV;
	if (pio->iomem) {
		info.iomem_start = pio->iomem->start;
		info.iomem_size = resource_size(pio->iomem);
	}
	info.reg_port = pio->port[MMLAB_PIO_REG];
	info.reg_bytes_port = pio->port[MMLAB_PIO_REG_BYTES];
	info.debugcon_port = pio->port[MMLAB_PIO_DEBUGCON];
	mmlab_pci_node_exit(file);
	return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
}

static long pio_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case MMLAB_PIO_IOC_INFO:
		return pio_info(file, uarg);
	case MMLAB_PIO_IOC_WRITE:
		return pio_xfer(file, uarg, true);
	case MMLAB_PIO_IOC_READ:
		return pio_xfer(file, uarg, false);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations pio_fops = {
	.owner = THIS_MODULE,
	.open = mmlab_pci_node_open,
	.release = mmlab_pci_node_release,
	.mmap = mmlab_pci_node_mmap,
	.unlocked_ioctl = pio_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/*
 * Claim the ports of resource @res_name, if the device has them, for
 * @name and map them for ioread*(). Return: 0, also when absent; -EBUSY
 * when another driver holds them; -ENOMEM.
 */
static int pio_claim_ports(struct platform_device *pdev, struct pio *pio,
			   int target, const char *res_name, const char *name)
{
	struct device *dev = &pdev->dev;
	struct resource *res;
	resource_size_t n;

	res = platform_get_resource_byname(pdev, IORESOURCE_IO, res_name);
	if (!res)
		return 0;
	n = resource_size(res);
	if (!devm_request_region(dev, res->start, n, name)) {
		dev_err(dev, "%s: ports %pR are busy\n", res_name, res);
		return -EBUSY;
	}
	pio->map[target] = devm_ioport_map(dev, res->start, n);
	if (!pio->map[target])
		return -ENOMEM;
	pio->port[target] = res->start;
	return 0;
}

static int pio_claim_iomem(struct platform_device *pdev, struct pio *pio,
			   const char *name)
{
	struct device *dev = &pdev->dev;
	struct resource *res;
	resource_size_t n;

	res = platform_get_resource_byname(pdev, IORESOURCE_MEM, "pc-testdev");
	if (!res)
		return 0;
	n = resource_size(res);
	pio->iomem = devm_request_mem_region(dev, res->start, n, name);
	if (!pio->iomem) {
		dev_err(dev, "memory %pR is busy\n", res);
		return -EBUSY;
	}
	pio->map[MMLAB_PIO_IOMEM] = devm_ioremap(dev, res->start, n);
	return pio->map[MMLAB_PIO_IOMEM] ? 0 : -ENOMEM;
}

/*
 * Nothing answers at an address no device decodes: check that pc-testdev's
 * two views show one register and its memory keeps a word, and that
 * debugcon does not float (it cannot be told from a debugcon whose
 * "readback" property is 0xff).
 */
static int pio_present(struct device *dev, struct pio *pio)
{
	void __iomem *reg = pio->map[MMLAB_PIO_REG];
	void __iomem *bytes = pio->map[MMLAB_PIO_REG_BYTES];
	void __iomem *con = pio->map[MMLAB_PIO_DEBUGCON];
	void __iomem *mem = pio->map[MMLAB_PIO_IOMEM];

	if (reg && bytes) {
		iowrite32(PIO_PROBE_PATTERN, reg);
		if (ioread32(bytes) != PIO_PROBE_PATTERN) {
			dev_err(dev, "no pc-testdev at port %#lx\n",
				pio->port[MMLAB_PIO_REG]);
			return -ENODEV;
		}
	}
	if (mem) {
		iowrite32(PIO_PROBE_PATTERN, mem + PIO_IOMEM_SIZE - 4);
		if (ioread32(mem + PIO_IOMEM_SIZE - 4) != PIO_PROBE_PATTERN) {
			dev_err(dev, "no pc-testdev memory at %pR\n",
				pio->iomem);
			return -ENODEV;
		}
	}
	if (con && ioread8(con) == (u8)PIO_FLOATING) {
		dev_err(dev, "no isa-debugcon at port %#lx\n",
			pio->port[MMLAB_PIO_DEBUGCON]);
		return -ENODEV;
	}
	return 0;
}

static int pio_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	const char *name;
	struct pio *pio;
	int ret;

	ret = mmlab_pci_count_bound(dev);
	if (ret)
		return ret;
	pio = devm_kzalloc(dev, sizeof(*pio), GFP_KERNEL);
	if (!pio)
		return -ENOMEM;
	name = devm_mmlab_pci_name(dev, &pio_ida, "mmlab-pio");
	if (IS_ERR(name))
		return PTR_ERR(name);

	ret = pio_claim_ports(pdev, pio, MMLAB_PIO_REG, "pc-testdev", name) ?:
	      pio_claim_ports(pdev, pio, MMLAB_PIO_REG_BYTES,
			      "pc-testdev-bytes", name) ?:
	      pio_claim_ports(pdev, pio, MMLAB_PIO_DEBUGCON, "isa-debugcon",
			      name) ?:
	      pio_claim_iomem(pdev, pio, name) ?:
	      pio_present(dev, pio);
	if (ret)
		return ret;

	return devm_mmlab_pci_node_add(dev, name, pio->iomem, &pio_fops, pio);
}

struct platform_driver mmlab_pio_driver = {
	.driver.name = "mmlab-pio",
	.probe = pio_probe,
};

static struct platform_device *pio_pdev;

static bool pio_overlaps(unsigned long a, unsigned long alen, unsigned long b,
			 unsigned long blen)
{
	return a < b + blen && b < a + alen;
}

/**
 * mmlab_pio_check_params() - check the module parameters
 *
 * Call it before anything of the module is registered: a bad parameter
 * then fails the load with nothing to undo.
 *
 * Return: 0; -EINVAL for a range past the end of its address space, an
 * MMIO address that is not page-aligned (mmap() could not map it), or
 * ranges that overlap.
 */
int mmlab_pio_check_params(void)
{
	const char *why = NULL;

	if (testdev_port > IO_SPACE_LIMIT - PIO_REG_BYTES_OFFSET -
			   PIO_REG_PORTS + 1)
		why = "testdev_port: its ports end past the last one";
	else if (testdev_port && debugcon_port &&
		 (pio_overlaps(debugcon_port, 1, testdev_port,
			       PIO_REG_PORTS) ||
		  pio_overlaps(debugcon_port, 1,
			       testdev_port + PIO_REG_BYTES_OFFSET,
			       PIO_REG_PORTS)))
		why = "debugcon_port: inside pc-testdev's ports";
	else if (!PAGE_ALIGNED(testdev_iomem))
		why = "testdev_iomem: not page-aligned";
	else if (testdev_iomem > (resource_size_t)-PIO_IOMEM_SIZE)
		why = "testdev_iomem: past the end of the address space";
	if (!why)
		return 0;
	pr_err("%s\n", why);
	return -EINVAL;
}

/*
 * What DEFINE_RES_NAMED() gives, which is a bare initializer on 6.1 and a
 * compound literal later, so that neither form can be assigned both ways.
 */
static void pio_res(struct resource *res, resource_size_t start,
		    resource_size_t size, const char *name, unsigned long flags)
{
	*res = (struct resource) {
		.start = start,
		.end = start + size - 1,
		.name = name,
		.flags = flags,
	};
}

/**
 * mmlab_pio_add() - create the platform device that the parameters give
 *
 * Call it last, with the driver registered: the device binds at once. No
 * device when every parameter is 0. A device that cannot be added (its
 * ranges collide with another's in the resource tree) is left out with a
 * warning, and the PCI drivers work on.
 */
void mmlab_pio_add(void)
{
	struct platform_device *pdev;
	struct resource res[4];
	unsigned int n = 0;

	if (testdev_port) {
		pio_res(&res[n++], testdev_port, PIO_REG_PORTS, "pc-testdev",
			IORESOURCE_IO);
		pio_res(&res[n++], testdev_port + PIO_REG_BYTES_OFFSET,
			PIO_REG_PORTS, "pc-testdev-bytes", IORESOURCE_IO);
	}
	if (debugcon_port)
		pio_res(&res[n++], debugcon_port, 1, "isa-debugcon",
			IORESOURCE_IO);
	if (testdev_iomem)
		pio_res(&res[n++], testdev_iomem, PIO_IOMEM_SIZE, "pc-testdev",
			IORESOURCE_MEM);
	if (!n)
		return;

	pdev = platform_device_register_simple("mmlab-pio", 0, res, n);
	if (IS_ERR(pdev)) {
		pr_warn("no ISA device: %pe\n", pdev);
		return;
	}
	pio_pdev = pdev;
}

void mmlab_pio_exit(void)
{
	if (pio_pdev)
		platform_device_unregister(pio_pdev);
}
