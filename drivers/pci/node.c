// SPDX-License-Identifier: GPL-2.0
/*
 * The device node of a bound device: /dev/<prefix>N, whose mmap() maps
 * one BAR (or another range of MMIO), and which is revoked when the device
 * is unbound.
 *
 * Everything a driver binds with is device-managed (devres) and released
 * at unbind, but an open file can outlive that, and so can a mapping of the
 * BAR, which holds its file. So the node is reference counted, one
 * reference for the bound device and one for each open file, and unbinding
 * revokes it: under the write side of @lock it forgets the device, so that
 * every later file operation fails with -ENODEV, then it zaps every PTE
 * that maps the BAR, so that the next access faults.
 *
 * The BAR is therefore mapped lazily, by vm_ops->fault with
 * vmf_insert_pfn() under the read side of @lock, as vfio-pci does, rather
 * than by io_remap_pfn_range() in ->mmap: the core links a new vma into
 * f_mapping, where unmap_mapping_range() finds it, only after ->mmap has
 * returned, so an unbind between the two would miss PTEs written there. A
 * fault sees either the bound device, and its PTE is zapped later, or no
 * device, and raises SIGBUS.
 *
 * Lock order: mmap_lock, then @lock (faults, mmap). So nothing copies from
 * or to userspace with @lock held: a page fault there would take mmap_lock
 * inside it. ->open runs under misc_open()'s global misc_mtx, so it takes
 * only @files_lock, never @lock, which an ioctl may hold for seconds.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/idr.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/rwsem.h>
#include <linux/security.h>
#include <linux/slab.h>

#include <mmlab/compat.h>
#include "mmlab_pci.h"

/**
 * struct mmlab_pci_node - a revocable device node
 * @ref: one reference for the bound device, one for each open file
 * @lock: read side: using the device; write side: revoking it
 * @priv: the driver's data; NULL once the device is unbound
 * @pfn: first page frame of the BAR
 * @npages: pages of the BAR that mmap() may map
 * @files_lock: protects @files
 * @files: open files (&struct mmlab_pci_file)
 * @misc: the character device
 * @name: its name, which outlives the driver's copy
 */
struct mmlab_pci_node {
	struct kref ref;
	struct rw_semaphore lock;
	void *priv;
	unsigned long pfn;
	unsigned long npages;
	struct mutex files_lock;	/* protects files */
	struct list_head files;
	struct miscdevice misc;
	char name[32];
};

/* What file->private_data points to. */
struct mmlab_pci_file {
	struct mmlab_pci_node *node;
	struct file *file;
	struct list_head entry;
};

static void mmlab_pci_node_free(struct kref *ref)
{
	kfree(container_of(ref, struct mmlab_pci_node, ref));
	atomic_dec(&mmlab_pci_counters.nodes);
}

static void mmlab_pci_node_put(struct mmlab_pci_node *node)
{
	kref_put(&node->ref, mmlab_pci_node_free);
}

struct mmlab_pci_instance {
	struct ida *ida;
	int id;
};

static void mmlab_pci_instance_free(void *data)
{
	struct mmlab_pci_instance *inst = data;

	ida_free(inst->ida, inst->id);
}

/**
 * devm_mmlab_pci_name() - name a new instance of a driver's device
 * @dev: the device being bound
 * @ida: the driver's instance numbers
 * @prefix: the driver's node name, "mmlab-edu" for example
 *
 * The number is the lowest free one and is given back at unbind.
 *
 * Return: "<prefix>N", device-managed, or an ERR_PTR().
 */
const char *devm_mmlab_pci_name(struct device *dev, struct ida *ida,
				const char *prefix)
{
	struct mmlab_pci_instance *inst;
	const char *name;
	int ret;

	inst = devm_kzalloc(dev, sizeof(*inst), GFP_KERNEL);
	if (!inst)
		return ERR_PTR(-ENOMEM);
	inst->ida = ida;
	inst->id = ida_alloc(ida, GFP_KERNEL);
	if (inst->id < 0)
		return ERR_PTR(inst->id);
	ret = devm_add_action_or_reset(dev, mmlab_pci_instance_free,
				       inst);
	if (ret)
		return ERR_PTR(ret);
	name = devm_kasprintf(dev, GFP_KERNEL, "%s%d", prefix, inst->id);
	return name ?: ERR_PTR(-ENOMEM);
}

/* Did a file before @f in the list have the same f_mapping? */
static bool mmlab_pci_mapping_seen(struct mmlab_pci_node *node,
				   struct mmlab_pci_file *f)
{
	struct mmlab_pci_file *g;

	list_for_each_entry(g, &node->files, entry) {
		if (g == f)
			return false;
		if (g->file->f_mapping == f->file->f_mapping)
			return true;
	}
	return false;
}

/* The devres action of a node: revoke it, at unbind or a failed probe. */
static void mmlab_pci_node_remove(void *data)
{
	struct mmlab_pci_node *node = data;
	struct mmlab_pci_file *f;

	/* No new opens; open files keep their reference. */
	misc_deregister(&node->misc);

	/* Waits for every file operation and fault in progress. */
	down_write(&node->lock);
	node->priv = NULL;
	up_write(&node->lock);

	/*
	 * A fault from now on finds no device: zapping the PTEs written
	 * before is enough. Files opened through one inode share their
	 * f_mapping; zap each mapping once.
	 */
	mutex_lock(&node->files_lock);
	list_for_each_entry(f, &node->files, entry)
		if (!mmlab_pci_mapping_seen(node, f))
			unmap_mapping_range(f->file->f_mapping, 0, 0, 1);
	mutex_unlock(&node->files_lock);

	mmlab_pci_node_put(node);
}

/**
 * devm_mmlab_pci_node_add() - create the device node of a bound device
 * @dev: the device
 * @name: the node's name, from devm_mmlab_pci_name()
 * @res: the memory that mmap() maps, a BAR for example; NULL for none
 * @fops: the driver's file operations; ->open, ->release and ->mmap must be
 *	mmlab_pci_node_open(), mmlab_pci_node_release() and
 *	mmlab_pci_node_mmap()
 * @priv: the driver's data, handed back by mmlab_pci_node_enter()
 *
 * Call it last in probe: devres revokes the node first at unbind, while
 * everything its file operations use (interrupts, DMA, MMIO) still works.
 *
 * Return: 0 or a negative errno.
 */
int devm_mmlab_pci_node_add(struct device *dev, const char *name,
			    const struct resource *res,
			    const struct file_operations *fops, void *priv)
{
	resource_size_t start = res ? res->start : 0;
	resource_size_t len = res ? resource_size(res) : 0;
	struct mmlab_pci_node *node;
	int ret;

	node = kzalloc(sizeof(*node), GFP_KERNEL);
	if (!node)
		return -ENOMEM;
	atomic_inc(&mmlab_pci_counters.nodes);
	kref_init(&node->ref);
	init_rwsem(&node->lock);
	mutex_init(&node->files_lock);
	INIT_LIST_HEAD(&node->files);
	node->priv = priv;
	/* A range smaller than a page would expose its neighbours: no mmap. */
	if (PAGE_ALIGNED(start) && PAGE_ALIGNED(len)) {
		node->pfn = PHYS_PFN(start);
		node->npages = PHYS_PFN(len);
	}
	strscpy(node->name, name, sizeof(node->name));
	node->misc.minor = MISC_DYNAMIC_MINOR;
	node->misc.name = node->name;
	node->misc.fops = fops;
	node->misc.parent = dev;
	/* MMIO and DMA for root only, as /dev/mem. */
	node->misc.mode = 0600;

	ret = misc_register(&node->misc);
	if (ret) {
		mmlab_pci_node_put(node);
		return ret;
	}
	return devm_add_action_or_reset(dev, mmlab_pci_node_remove, node);
}

/**
 * mmlab_pci_node_open() - file_operations ->open of a node
 * @inode: the device inode
 * @file: the new file
 *
 * misc_open() calls it under misc_mtx, which misc_deregister() takes
 * before the node is revoked: the device is still bound here.
 *
 * Return: 0 or -ENOMEM.
 */
int mmlab_pci_node_open(struct inode *inode, struct file *file)
{
	/* misc_open() leaves the struct miscdevice in private_data. */
	struct mmlab_pci_node *node = container_of(file->private_data,
						   struct mmlab_pci_node, misc);
	struct mmlab_pci_file *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	f->node = node;
	f->file = file;
	kref_get(&node->ref);
	mutex_lock(&node->files_lock);
	list_add_tail(&f->entry, &node->files);
	mutex_unlock(&node->files_lock);
	file->private_data = f;
	atomic_inc(&mmlab_pci_counters.files);
	return 0;
}

/**
 * mmlab_pci_node_release() - file_operations ->release of a node
 * @inode: the device inode
 * @file: the file, no longer mapped anywhere
 *
 * Return: 0.
 */
int mmlab_pci_node_release(struct inode *inode, struct file *file)
{
	struct mmlab_pci_file *f = file->private_data;
	struct mmlab_pci_node *node = f->node;

	mutex_lock(&node->files_lock);
	list_del(&f->entry);
	mutex_unlock(&node->files_lock);
	kfree(f);
	atomic_dec(&mmlab_pci_counters.files);
	mmlab_pci_node_put(node);
	return 0;
}

/**
 * mmlab_pci_node_enter() - start using the device behind a file
 * @file: a file of the node
 *
 * Must not be called with user memory to copy before the matching
 * mmlab_pci_node_exit(): copy it in before, and out after.
 *
 * Return: the driver's data with the device held bound until
 * mmlab_pci_node_exit(), or NULL (nothing held) when it is unbound.
 */
void *mmlab_pci_node_enter(struct file *file)
{
	struct mmlab_pci_file *f = file->private_data;

	down_read(&f->node->lock);
	if (!f->node->priv) {
		up_read(&f->node->lock);
		return NULL;
	}
	return f->node->priv;
}

/**
 * mmlab_pci_node_exit() - end what mmlab_pci_node_enter() started
 * @file: the same file
 */
void mmlab_pci_node_exit(struct file *file)
{
	struct mmlab_pci_file *f = file->private_data;

	up_read(&f->node->lock);
}

/* The file, and with it the node, lives as long as the vma: no reference. */
static void mmlab_pci_vm_open(struct vm_area_struct *vma)
{
	atomic_inc(&mmlab_pci_counters.vmas);
}

static void mmlab_pci_vm_close(struct vm_area_struct *vma)
{
	atomic_dec(&mmlab_pci_counters.vmas);
}

/*
 * One PTE per fault, for the page vmf->pgoff of the BAR; vm_page_prot
 * already carries the caching mode, set at mmap() time.
 */
static vm_fault_t mmlab_pci_fault(struct vm_fault *vmf)
{
	struct mmlab_pci_node *node = vmf->vma->vm_private_data;
	vm_fault_t ret = VM_FAULT_SIGBUS;

	down_read(&node->lock);
	if (node->priv && vmf->pgoff < node->npages)
		ret = vmf_insert_pfn(vmf->vma, vmf->address,
				     node->pfn + vmf->pgoff);
	up_read(&node->lock);
	return ret;
}

static const struct vm_operations_struct mmlab_pci_vm_ops = {
	.open = mmlab_pci_vm_open,
	.close = mmlab_pci_vm_close,
	.fault = mmlab_pci_fault,
};

/**
 * mmlab_pci_node_mmap() - file_operations ->mmap of a node: map the BAR
 * @file: a file of the node
 * @vma: the new vma
 *
 * The mapping is uncached (pgprot_noncached(): registers have side effects
 * and must not be combined, reordered or read ahead; on x86 with PAT the
 * PTE gets the memory type the kernel reserved for the range, uncached here
 * too, from the driver's own ioremap()) and VM_IO | VM_PFNMAP: raw page
 * frames with no struct page, which get_user_pages() refuses and core dumps
 * skip. VM_DONTEXPAND says mremap() may not grow it past the range checked
 * here, as mremap() already refuses for any VM_PFNMAP vma.
 *
 * Return: 0; -EPERM without CAP_SYS_RAWIO or under lockdown; -EINVAL for
 * a private mapping or a range outside the BAR; -ENODEV once unbound.
 */
int mmlab_pci_node_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mmlab_pci_file *f = file->private_data;
	struct mmlab_pci_node *node = f->node;
	unsigned long pages = vma_pages(vma);
	int ret;

	if (!capable(CAP_SYS_RAWIO))
		return -EPERM;
	ret = security_locked_down(LOCKDOWN_PCI_ACCESS);
	if (ret)
		return ret;
	/* Copy-on-write of a raw PFN is not possible: no MAP_PRIVATE. */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_pgoff >= node->npages ||
	    pages > node->npages - vma->vm_pgoff)
		return -EINVAL;

	down_read(&node->lock);
	if (!node->priv) {
		up_read(&node->lock);
		return -ENODEV;
	}
	vma->vm_page_prot = pgprot_decrypted(pgprot_noncached(vma->vm_page_prot));
	vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &mmlab_pci_vm_ops;
	vma->vm_private_data = node;
	mmlab_pci_vm_open(vma);
	up_read(&node->lock);
	return 0;
}
