/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmlab internals shared by the device core and its mmap implementations.
 */
#ifndef _MMLAB_H
#define _MMLAB_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>

struct dentry;

/**
 * enum mmlab_buffer_kind - where a buffer's memory comes from
 * @MMLAB_BUF_CONTIG: one physically contiguous block, alloc_pages_exact()
 * @MMLAB_BUF_PAGES: order-0 pages allocated one by one, vmap()ed for the
 *	kernel's own view
 * @MMLAB_BUF_VMALLOC: vmalloc_user(), which may be mapped to userspace
 * @MMLAB_BUF_PAGECACHE: order-0 pages in the page cache of an inode of
 *	mmlab's own, so that the core's page-cache helpers (filemap_map_pages(),
 *	folio_mkclean()) work on them
 * @MMLAB_BUF_SHMEM: a shmem file, as DRM's GEM objects keep their memory:
 *	no page is held, each is looked up when it is used, and reclaim may
 *	swap it out in between; no @pages, no @vaddr
 * @MMLAB_BUF_HUGE: blocks of PMD_SIZE, each physically contiguous and
 *	aligned to its size, so that one PMD can map it; the size is a
 *	multiple of PMD_SIZE
 */
enum mmlab_buffer_kind {
	MMLAB_BUF_CONTIG,
	MMLAB_BUF_PAGES,
	MMLAB_BUF_VMALLOC,
	MMLAB_BUF_PAGECACHE,
	MMLAB_BUF_SHMEM,
	MMLAB_BUF_HUGE,
};

/**
 * struct mmlab_buffer - memory behind an mmlab device
 * @ref: one reference for the device, one for each vma mapping the buffer
 * @kind: where the memory comes from
 * @size: size in bytes, a multiple of PAGE_SIZE
 * @npages: size in pages
 * @vaddr: a kernel mapping of the whole buffer, for read() and write()
 * @pages: page @i of the buffer, for every kind but %MMLAB_BUF_SHMEM: use
 *	mmlab_buffer_page() for any kind
 * @inode: %MMLAB_BUF_PAGECACHE: the inode whose page cache holds @pages;
 *	%MMLAB_BUF_SHMEM: @shmem's inode (device files keep their own
 *	f_mapping: see drivers/mmap/shmem.c)
 * @shmem: %MMLAB_BUF_SHMEM: the shmem file
 * @dirty: %MMLAB_BUF_PAGECACHE: pages written since they were last cleaned,
 *	as far as a mode with vm_ops->page_mkwrite (mkwrite) tracks them
 * @live_vmas: vmas holding a reference; reported to userspace
 *
 * Freed on the last kref_put(), never while a vma still maps it.
 */
struct mmlab_buffer {
	struct kref ref;
	enum mmlab_buffer_kind kind;
	size_t size;
	unsigned long npages;
	void *vaddr;
	struct page **pages;
	struct inode *inode;
	struct file *shmem;
	unsigned long *dirty;
	atomic_t live_vmas;
};

struct mmlab_buffer *mmlab_buffer_alloc(enum mmlab_buffer_kind kind,
					size_t size);
void mmlab_buffer_get(struct mmlab_buffer *buf);
void mmlab_buffer_put(struct mmlab_buffer *buf);
long mmlab_pages_allocated(void);
struct page *mmlab_buffer_page(struct mmlab_buffer *buf, unsigned long i);
ssize_t mmlab_buffer_read(struct mmlab_buffer *buf, char __user *ubuf,
			  size_t count, loff_t *ppos);
ssize_t mmlab_buffer_write(struct mmlab_buffer *buf, const char __user *ubuf,
			   size_t count, loff_t *ppos);

int mmlab_pagecache_init(void);
void mmlab_pagecache_exit(void);
struct inode *mmlab_pagecache_inode(void);

/**
 * mmlab_range_ok() - may @pages pages starting at page @pgoff be mapped?
 * @pgoff: first page of the request (vma->vm_pgoff, chosen by userspace)
 * @pages: length of the request in pages, at least one
 * @npages: size of the buffer in pages
 *
 * Written so that no sum can wrap: @pgoff can be close to ULONG_MAX.
 *
 * Return: true when [@pgoff, @pgoff + @pages) lies inside the buffer.
 */
static inline bool mmlab_range_ok(unsigned long pgoff, unsigned long pages,
				  unsigned long npages)
{
	return pgoff < npages && pages <= npages - pgoff;
}

/**
 * mmlab_pmd_fits() - may one PMD map the buffer at @address?
 * @start: the vma's first address
 * @end: the vma's end
 * @vm_pgoff: the buffer page mapped at @start
 * @address: the faulting address, in [@start, @end)
 * @npages: size of the buffer in pages
 *
 * The PMD-sized range around @address must lie inside the vma, and map a
 * whole PMD-sized block of a %MMLAB_BUF_HUGE buffer: its first page is a
 * multiple of a PMD's pages into the buffer, and all of them inside it.
 *
 * Return: true when it may.
 */
static inline bool mmlab_pmd_fits(unsigned long start, unsigned long end,
				  unsigned long vm_pgoff, unsigned long address,
				  unsigned long npages)
{
	unsigned long haddr = address & PMD_MASK;
	unsigned long pgoff;

	if (haddr < start || end - haddr < PMD_SIZE)
		return false;
	pgoff = vm_pgoff + ((haddr - start) >> PAGE_SHIFT);
	return IS_ALIGNED(pgoff, PMD_SIZE >> PAGE_SHIFT) &&
	       mmlab_range_ok(pgoff, PMD_SIZE >> PAGE_SHIFT, npages);
}

struct mmlab_dev;

/**
 * struct mmlab_mode - one way of implementing mmap()
 * @name: the device node is /dev/mmlab-@name
 * @kind: the buffer it maps
 * @vm_ops: the vma operations; ->open and ->close must be mmlab_vm_open()
 *	and mmlab_vm_close()
 * @vm_flags: flags set on each vma, besides VM_DONTEXPAND | VM_DONTDUMP
 * @map_private: MAP_PRIVATE is supported (copied on write)
 * @populate: optional; writes the PTEs at mmap() time
 * @mmap: optional; finishes the vma itself, in place of the shared code's
 *	last steps (vm_private_data, vm_ops, the first vma reference)
 * @ioctl: optional; the mode's own ioctl commands, tried after the ones
 *	every mode has: -ENOTTY for a command it does not know
 * @get_unmapped_area: optional; where to map the buffer, in place of the
 *	mm's default choice
 */
struct mmlab_mode {
	const char *name;
	enum mmlab_buffer_kind kind;
	const struct vm_operations_struct *vm_ops;
	vm_flags_t vm_flags;
	bool map_private;
	int (*populate)(struct mmlab_buffer *buf, struct vm_area_struct *vma);
	int (*mmap)(struct mmlab_dev *dev, struct vm_area_struct *vma);
	long (*ioctl)(struct mmlab_dev *dev, unsigned int cmd,
		      void __user *arg);
	unsigned long (*get_unmapped_area)(struct file *file,
					   unsigned long addr,
					   unsigned long len,
					   unsigned long pgoff,
					   unsigned long flags);
};

/**
 * struct mmlab_dev - one mmlab device node
 * @misc: the character device
 * @mode: how it maps its buffer
 * @buf: the buffer behind read(), write() and mmap()
 * @debugfs: its counters file
 * @mmap_calls: successful mmap() calls
 * @faults: vm_ops->fault calls that produced a page or a PTE
 * @map_pages_calls: vm_ops->map_pages calls
 * @mkwrite_calls: vm_ops->page_mkwrite calls
 * @huge_faults: vm_ops->huge_fault calls that mapped a PMD where there
 *	was none (also counted in @faults, as is a write that makes one
 *	writable)
 * @mmap_refused: mmap() calls the range or MAP_PRIVATE check refused
 * @ioctl_calls: ioctl() calls that reached the device, known or not
 *
 * The last two show that a fuzzer reached the device at all: its random
 * arguments are mostly refused.
 */
struct mmlab_dev {
	struct miscdevice misc;
	const struct mmlab_mode *mode;
	struct mmlab_buffer *buf;
	struct dentry *debugfs;
	atomic64_t mmap_calls;
	atomic64_t faults;
	atomic64_t map_pages_calls;
	atomic64_t mkwrite_calls;
	atomic64_t huge_faults;
	atomic64_t mmap_refused;
	atomic64_t ioctl_calls;
};

struct mmlab_dev *mmlab_file_dev(struct file *file);

/* The devices, made and removed by the module's init and exit. */
int mmlab_devs_init(void);
void mmlab_devs_exit(void);

/* The mmap() every mode shares, and its vma reference: see vma.c. */
int mmlab_mmap(struct file *file, struct vm_area_struct *vma);
void mmlab_vm_open(struct vm_area_struct *vma);
void mmlab_vm_close(struct vm_area_struct *vma);
extern const struct vm_operations_struct mmlab_populated_vm_ops;

vm_fault_t mmlab_fault(struct vm_fault *vmf);
vm_fault_t mmlab_pfn_fault(struct vm_fault *vmf);

static inline struct mmlab_buffer *mmlab_vma_buffer(struct vm_area_struct *vma)
{
	return vma->vm_private_data;
}

static inline struct mmlab_dev *mmlab_vma_dev(struct vm_area_struct *vma)
{
	return mmlab_file_dev(vma->vm_file);
}

#define MMLAB_NR_MODES	12
extern const struct mmlab_mode *const mmlab_modes[MMLAB_NR_MODES];
extern const struct file_operations mmlab_fops;

extern const struct mmlab_mode mmlab_mode_remap;
extern const struct mmlab_mode mmlab_mode_fault;
extern const struct mmlab_mode mmlab_mode_faultaround;
extern const struct mmlab_mode mmlab_mode_mkwrite;
extern const struct mmlab_mode mmlab_mode_pfn;
extern const struct mmlab_mode mmlab_mode_mixed;
extern const struct mmlab_mode mmlab_mode_vmalloc;
extern const struct mmlab_mode mmlab_mode_vmalloc_fault;
extern const struct mmlab_mode mmlab_mode_insert;
extern const struct mmlab_mode mmlab_mode_insert_page;
extern const struct mmlab_mode mmlab_mode_shmem;
extern const struct mmlab_mode mmlab_mode_huge;

struct dentry *mmlab_debugfs_init(void);
void mmlab_debugfs_add(struct mmlab_dev *dev);
void mmlab_debugfs_remove(struct mmlab_dev *dev);
void mmlab_debugfs_exit(void);

#endif /* _MMLAB_H */
