// SPDX-License-Identifier: GPL-2.0
/*
 * shmem: a buffer that can be swapped, the way DRM keeps a GEM object's
 * memory (drm_gem_shmem_helper.c, i915_gem_shmem.c). The buffer is a shmem
 * file (MMLAB_BUF_SHMEM); the driver holds none of its pages. A fault looks
 * its page up in the file with shmem_read_mapping_page(), which allocates
 * it, or reads it back from swap, and hands it to the core locked
 * (VM_FAULT_LOCKED); the core maps it and keeps its own reference, which
 * the PTE owns. read() and write() hold a page only while they copy it
 * (mmlab_buffer_read()).
 *
 * So a page nobody is using can be reclaimed, once reclaim can find where
 * it is mapped: the rmap of a shmem page walks the vmas linked into the
 * shmem file's address_space, which are the vmas whose vm_file is that
 * file. ->mmap therefore makes the shmem file the vma's file
 * (vma_set_file(), as dma-buf's mmap does), and reclaim can unmap the page
 * from every process and hand it to shmem's writepage, which moves it to
 * swap. The next access faults here and brings it back. The device file
 * could not stand in for it: a file whose f_mapping is shmem's is taken
 * for a shmem file, and its inode for a shmem inode.
 *
 * The vma's file then no longer keeps the device file, and with it this
 * module, alive: each mapping holds a reference to the device file of its
 * own, dropped by fput() once the last vma is gone, whose release runs
 * later, outside this module's code. See Documentation/mmap-modes.rst.
 *
 * Normal refcounted pages in the page tables, as for fault and faultaround:
 * get_user_pages() works, and MAP_PRIVATE, the core copying a page on the
 * first write.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/slab.h>

#include "mmlab.h"

/**
 * struct mmlab_shmem_map - what the vmas of one mmap() share
 * @ref: one reference for each vma
 * @buf: the buffer, on which each vma holds a reference, as in every mode
 * @dev: the device, for its counters
 * @devfile: the device file the mapping was made through, referenced
 */
struct mmlab_shmem_map {
	struct kref ref;
	struct mmlab_buffer *buf;
	struct mmlab_dev *dev;
	struct file *devfile;
};

static void mmlab_shmem_map_free(struct kref *ref)
{
	struct mmlab_shmem_map *map = container_of(ref, struct mmlab_shmem_map,
						   ref);

	/* The device file's release, and its module_put(), come later. */
	fput(map->devfile);
	kfree(map);
}

/* ->open runs for each new vma copied from ours: fork(), split, mremap(). */
static void mmlab_shmem_vm_open(struct vm_area_struct *vma)
{
	struct mmlab_shmem_map *map = vma->vm_private_data;

	kref_get(&map->ref);
	mmlab_buffer_get(map->buf);
	atomic_inc(&map->buf->live_vmas);
}

static void mmlab_shmem_vm_close(struct vm_area_struct *vma)
{
	struct mmlab_shmem_map *map = vma->vm_private_data;

	atomic_dec(&map->buf->live_vmas);
	mmlab_buffer_put(map->buf);
	kref_put(&map->ref, mmlab_shmem_map_free);
}

static vm_fault_t mmlab_shmem_fault(struct vm_fault *vmf)
{
	struct mmlab_shmem_map *map = vmf->vma->vm_private_data;
	struct mmlab_buffer *buf = map->buf;
	struct folio *folio;
	struct page *page;

	if (vmf->pgoff >= buf->npages)
		return VM_FAULT_SIGBUS;
	/* May sleep: allocation, or a read from swap. */
	page = mmlab_buffer_page(buf, vmf->pgoff);
	if (IS_ERR(page))
		return vmf_error(PTR_ERR(page));
	folio = page_folio(page);
	folio_lock(folio);
	/*
	 * Reclaim may have taken the page out of the file between the lookup
	 * and the lock, to swap it out: let the access fault again, and look
	 * it up anew.
	 */
	if (folio->mapping != buf->shmem->f_mapping) {
		folio_unlock(folio);
		folio_put(folio);
		return VM_FAULT_NOPAGE;
	}
	vmf->page = page;
	atomic64_inc(&map->dev->faults);
	return VM_FAULT_LOCKED;
}

static const struct vm_operations_struct mmlab_shmem_vm_ops = {
	.open = mmlab_shmem_vm_open,
	.close = mmlab_shmem_vm_close,
	.fault = mmlab_shmem_fault,
};

static int mmlab_shmem_mmap(struct mmlab_dev *dev, struct vm_area_struct *vma)
{
	struct mmlab_shmem_map *map;

	map = kzalloc(sizeof(*map), GFP_KERNEL);
	if (!map)
		return -ENOMEM;
	kref_init(&map->ref);
	map->buf = dev->buf;
	map->dev = dev;
	map->devfile = get_file(vma->vm_file);
	/* Drops the vma's reference to the device file, takes one to shmem's. */
	vma_set_file(vma, dev->buf->shmem);
	vma->vm_private_data = map;
	vma->vm_ops = &mmlab_shmem_vm_ops;
	/* The first vma's buffer reference; its map reference is kref_init(). */
	mmlab_buffer_get(map->buf);
	atomic_inc(&map->buf->live_vmas);
	return 0;
}

const struct mmlab_mode mmlab_mode_shmem = {
	.name = "shmem",
	.kind = MMLAB_BUF_SHMEM,
	.vm_ops = &mmlab_shmem_vm_ops,
	.map_private = true,
	.mmap = mmlab_shmem_mmap,
};
