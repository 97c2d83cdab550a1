// SPDX-License-Identifier: GPL-2.0
/*
 * DMA from the edu device straight into a user's buffer: the zero-copy
 * pattern of V4L2's user pointers and of RDMA memory registration.
 *
 *   pin_user_pages_fast(FOLL_WRITE | FOLL_LONGTERM)  the pages stay put
 *   sg_alloc_table_from_pages_segment()              one list for the DMA API
 *   dma_map_sgtable(DMA_FROM_DEVICE)                 addresses for the device
 *   the device's DMA commands, each waited for
 *   dma_unmap_sgtable()                              a bounce is copied back
 *   unpin_user_pages_dirty_lock(..., true)           the device wrote them
 *
 * The pin, not the mapping, keeps the pages: another thread may munmap()
 * the buffer while the device writes, and the pages stay allocated until
 * they are unpinned, which happens only once the device is idle.
 *
 * Lock order (node.c): the pages are pinned, which may take mmap_lock,
 * before the node is entered, and unpinned after it is left.
 */
#include <linux/capability.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/mmlab_pci.h>
#include <linux/moduleparam.h>
#include <linux/pagemap.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "edu.h"
#include "mmlab_pci.h"

/*
 * Without an IOMMU, a page beyond edu's 28 bits can only be bounced, and
 * swiotlb's pool must then lie below 2^28 itself, which a module cannot
 * see: x86 allocates it below 4 GiB, from the top. Where it lies higher,
 * swiotlb WARNs ("swiotlb addr ... overflow") and fails the mapping. So
 * bouncing is the administrator's call: the test VM (scripts/vm-run.sh)
 * has 256 MiB below 4 GiB, and its init allows it.
 */
static bool edu_bounce;
module_param(edu_bounce, bool, 0644);
MODULE_PARM_DESC(edu_bounce,
		 "let swiotlb bounce edu's DMA into pinned pages beyond its 28 bits; only where swiotlb's pool lies below 256 MiB");

#define EDU_PIN_MAX_PAGES	(MMLAB_EDU_PIN_MAX / PAGE_SIZE + 1)

/* What one call holds, from the pin to the unpin. */
struct edu_pin {
	struct mmlab_edu_pin_dma arg;
	struct page *pages[EDU_PIN_MAX_PAGES];
	u64 dma_addrs[EDU_PIN_MAX_PAGES];
	struct sg_table sgt;
	bool mapped;			/* the device may have written */
	bool stuck;			/* the device never finished */
};

/*
 * Could the DMA API map every page for the device, without a WARN?
 * Through a translating IOMMU, always: the IOVA allocator honours the DMA
 * mask. Directly, when the page lies below the mask (on x86 a bus address
 * is the physical address). Bounced, when swiotlb is on for the device
 * (dma_max_mapping_size() is then swiotlb's limit, not SIZE_MAX) and
 * edu_bounce says its pool is within reach. Otherwise dma_map_sgtable()
 * would WARN ("DMA addr ... overflow") before it failed: refuse first.
 */
static bool edu_pin_reachable(struct device *dev, struct edu_pin *p,
			      bool translated)
{
	u64 mask = dma_get_mask(dev);
	unsigned int i;

	if (translated ||
	    (edu_bounce && dma_max_mapping_size(dev) != SIZE_MAX))
		return true;
	for (i = 0; i < p->arg.pages; i++)
		if (page_to_phys(p->pages[i]) + PAGE_SIZE - 1 > mask)
			return false;
	return true;
}

static bool edu_translated(struct device *dev)
{
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);

	return domain && (domain->type & __IOMMU_DOMAIN_DMA_API);
}

/*
 * Fill the mapped buffer from the device's buffer, byte i from byte
 * i % MMLAB_EDU_PIN_PERIOD: each DMA segment in pieces that neither cross
 * a period nor leave the segment.
 */
static int edu_pin_transfer(struct edu *edu, struct edu_pin *p)
{
	struct scatterlist *sg;
	u32 pos = 0;
	int ret, i;

	BUILD_BUG_ON(MMLAB_EDU_PIN_PERIOD > EDU_DMA_USABLE);
	for_each_sgtable_dma_sg(&p->sgt, sg, i) {
		u32 addr = lower_32_bits(sg_dma_address(sg));
		u32 left = sg_dma_len(sg);

		/* edu would silently drop the high bits: somewhere else. */
		if (sg_dma_address(sg) + left - 1 > DMA_BIT_MASK(EDU_DMA_BITS))
			return -EIO;

		while (left) {
			u32 off = pos % MMLAB_EDU_PIN_PERIOD;
			u32 n = min(left, MMLAB_EDU_PIN_PERIOD - off);

			ret = edu_dma_cmd(edu, EDU_DMA_BUF + off, addr, n, true);
			if (ret)
				return ret;
			addr += n;
			left -= n;
			pos += n;
		}
	}
	return 0;
}

/*
 * The DMA address the device was given for each page: for the buffer's
 * first byte in the first page, for the page's first byte in the others.
 * By position in the buffer, which holds whether a segment is a run of
 * pages, a bounce buffer or an IOMMU's range.
 */
static void edu_pin_record(struct edu_pin *p)
{
	u32 off = offset_in_page(p->arg.buf), pos = 0, start;
	struct scatterlist *sg;
	unsigned int k = 0;
	int i;

	for_each_sgtable_dma_sg(&p->sgt, sg, i) {
		u32 end = pos + sg_dma_len(sg);

		for (; k < p->arg.pages; k++) {
			start = k ? k * PAGE_SIZE - off : 0;
			if (start >= end)
				break;
			p->dma_addrs[k] = sg_dma_address(sg) + start - pos;
		}
		pos = end;
	}
}

/* Map, transfer, wait, unmap: under the node and op_lock. */
static int edu_pin_run(struct edu *edu, struct edu_pin *p)
{
	struct device *dev = &edu->pdev->dev;
	bool translated = edu_translated(dev);
	int ret, idle;

	p->arg.translated = translated;
	if (!edu_pin_reachable(dev, p, translated))
		return -EIO;
	/* Not busy with another's DMA: then a command left running is ours. */
	ret = edu_wait_idle(edu);
	if (ret)
		return ret;
	ret = dma_map_sgtable(dev, &p->sgt, DMA_FROM_DEVICE, 0);
	if (ret)
		return ret;
	p->mapped = true;
	p->arg.segments = p->sgt.nents;
	if (p->arg.dma_addrs)
		edu_pin_record(p);

	ret = edu_pin_transfer(edu, p);
	/*
	 * A command interrupted by a fatal signal, or timed out, may still
	 * be writing: the pages may be unmapped, and so bounced back and
	 * unpinned, only once its DMA is done. A device that never gets
	 * there keeps them, mapped and pinned, for good: a leak (the
	 * "pinned" counter shows it), not a device writing into freed
	 * memory. QEMU's edu ends every command after 100 ms.
	 */
	idle = edu_wait_dma_done(edu);
	if (idle) {
		dev_err_ratelimited(dev, "DMA still running: its pages stay pinned\n");
		p->stuck = true;
		return idle;
	}
	dma_unmap_sgtable(dev, &p->sgt, DMA_FROM_DEVICE, 0);
	return ret;
}

/*
 * Pin the buffer's pages, all or none: pin_user_pages_fast() may pin
 * fewer than asked, up to a hole or a vma it refuses.
 */
static int edu_pin_pages(struct edu_pin *p)
{
	int n;

	n = pin_user_pages_fast(p->arg.buf & PAGE_MASK, p->arg.pages,
				FOLL_WRITE | FOLL_LONGTERM, p->pages);
	if (n == p->arg.pages) {
		atomic_add(n, &mmlab_pci_counters.pinned);
		return 0;
	}
	if (n > 0)
		unpin_user_pages(p->pages, n);
	return n < 0 ? n : -EFAULT;
}

/*
 * Unpin, dirty if the device may have written them. The first page's
 * folio is read just before and after, with a plain reference held across
 * that keeps it: the difference is what the pin held.
 */
static void edu_pin_release(struct edu_pin *p)
{
	struct folio *folio = page_folio(p->pages[0]);
	int pinned;

	folio_get(folio);
	pinned = folio_ref_count(folio);
	unpin_user_pages_dirty_lock(p->pages, p->arg.pages, p->mapped);
	p->arg.pin_refs = pinned - folio_ref_count(folio);
	folio_put(folio);
	atomic_sub(p->arg.pages, &mmlab_pci_counters.pinned);
}

/* The arguments, checked before anything is pinned; the pages counted. */
static int edu_pin_check(struct edu_pin *p)
{
	u64 buf = p->arg.buf;

	if (p->arg.flags || !p->arg.len || p->arg.len > MMLAB_EDU_PIN_MAX)
		return -EINVAL;
	/* Ending past the address space is no buffer; access_ok() says so. */
	if (buf != (unsigned long)buf ||
	    p->arg.dma_addrs != (unsigned long)p->arg.dma_addrs ||
	    !access_ok(u64_to_user_ptr(buf), p->arg.len))
		return -EFAULT;
	p->arg.pages = DIV_ROUND_UP(offset_in_page(buf) + p->arg.len,
				    PAGE_SIZE);
	if (!p->arg.dma_addrs)
		return 0;
	/* Bus addresses, physical ones without an IOMMU: as pagemap's PFNs. */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (fault_in_safe_writeable(u64_to_user_ptr(p->arg.dma_addrs),
				    p->arg.pages * sizeof(u64)))
		return -EFAULT;
	return 0;
}

/* Map and transfer, or say why not: under the node. */
static int edu_pin_map_run(struct edu *edu, struct edu_pin *p)
{
	struct device *dev = &edu->pdev->dev;
	int ret;

	/*
	 * One list entry per run of physically contiguous pages, none
	 * longer than the DMA API maps at once (swiotlb: 256 KiB).
	 */
	ret = sg_alloc_table_from_pages_segment(&p->sgt, p->pages, p->arg.pages,
						offset_in_page(p->arg.buf),
						p->arg.len,
						min_t(size_t,
						      dma_max_mapping_size(dev),
						      dma_get_max_seg_size(dev)),
						GFP_KERNEL);
	if (ret)
		return ret;
	ret = mutex_lock_killable(&edu->op_lock);
	if (!ret) {
		ret = edu_pin_run(edu, p);
		mutex_unlock(&edu->op_lock);
	}
	if (!p->stuck)
		sg_free_table(&p->sgt);
	return ret;
}

/**
 * edu_pin_dma_ioctl() - %MMLAB_EDU_IOC_DMA_PIN
 * @file: a file of an edu node
 * @uarg: its &struct mmlab_edu_pin_dma
 *
 * Return: 0 or a negative errno; on an error nothing is left pinned or
 * mapped, unless the device never went idle.
 */
long edu_pin_dma_ioctl(struct file *file, void __user *uarg)
{
	struct edu_pin *p;
	struct edu *edu;
	long ret;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	if (copy_from_user(&p->arg, uarg, sizeof(p->arg))) {
		ret = -EFAULT;
		goto out;
	}
	ret = edu_pin_check(p);
	if (!ret && fault_in_safe_writeable(uarg, sizeof(p->arg)))
		ret = -EFAULT;
	if (!ret)
		ret = edu_pin_pages(p);
	if (ret)
		goto out;

	edu = mmlab_pci_node_enter(file);
	if (edu) {
		ret = edu_pin_map_run(edu, p);
		mmlab_pci_node_exit(file);
	} else {
		ret = -ENODEV;
	}
	if (p->stuck) {
		/* The device may still write them: see edu_pin_run(). */
		p = NULL;
		goto out;
	}
	edu_pin_release(p);
	if (ret)
		goto out;

	if (p->arg.dma_addrs &&
	    copy_to_user(u64_to_user_ptr(p->arg.dma_addrs), p->dma_addrs,
			 p->arg.pages * sizeof(u64)))
		ret = -EFAULT;
	else if (copy_to_user(uarg, &p->arg, sizeof(p->arg)))
		ret = -EFAULT;
out:
	kfree(p);
	return ret;
}
