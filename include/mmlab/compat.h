/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API differences between the kernels mmlab supports (6.1 to 6.12).
 *
 * Each difference is decided by a feature probe (scripts/conftest/) that
 * compiles against the target kernel, never by its version number alone,
 * and is bridged by giving old kernels the new API, so the drivers are
 * written against the newest kernel only.
 */
#ifndef _MMLAB_COMPAT_H
#define _MMLAB_COMPAT_H

#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/pci.h>
#include <linux/sched/mm.h>

#include "mmlab_conftest.h"

#ifndef MMLAB_HAVE_VM_FLAGS_SET
/* v6.3 made vma->vm_flags const outside the mm core. */
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}
#endif

#ifndef MMLAB_HAVE_PAGE_MAPCOUNT
/*
 * v6.12 removed page_mapcount(); its folio_mapcount() is inline there,
 * while v6.1 does not export it. For an order-0 page the two agree.
 */
static inline int page_mapcount(struct page *page)
{
	return folio_mapcount(page_folio(page));
}
#endif

#ifndef MMLAB_HAVE_FOLLOW_PFNMAP
/*
 * v6.12 replaced follow_pte() with follow_pfnmap_start() and _end(), which
 * refuse an address outside @vma, or in a vma that is neither VM_IO nor
 * VM_PFNMAP, with -EINVAL: follow_pte() of v6.10 and v6.11 checked the
 * flags too, earlier ones took the mm and checked nothing, so this does.
 * Caller holds the mmap lock for read; the results are valid until
 * follow_pfnmap_end(), which drops the PTE lock. PTE-mapped pages only:
 * before v6.12 follow_pte() fails on a huge PUD, and on a huge PMD hits
 * VM_BUG_ON() with CONFIG_DEBUG_VM (else fails): this relies on mmlab,
 * and the kernel before v6.12, mapping no huge entry in a PFN map.
 */
struct follow_pfnmap_args {
	struct vm_area_struct *vma;
	unsigned long address;
	spinlock_t *lock;	/* the PTE table's, held from start to end */
	pte_t *ptep;
	unsigned long pfn;
	pgprot_t pgprot;
	bool writable;
	bool special;
};

static inline int follow_pfnmap_start(struct follow_pfnmap_args *args)
{
	struct vm_area_struct *vma = args->vma;
	pte_t pte;
	int ret;

	if (args->address < vma->vm_start || args->address >= vma->vm_end ||
	    !(vma->vm_flags & (VM_IO | VM_PFNMAP)))
		return -EINVAL;
#ifdef MMLAB_HAVE_FOLLOW_PTE_VMA
	ret = follow_pte(vma, args->address, &args->ptep, &args->lock);
#else
	ret = follow_pte(vma->vm_mm, args->address, &args->ptep, &args->lock);
#endif
	if (ret)
		return ret;
	pte = ptep_get(args->ptep);
	args->pfn = pte_pfn(pte);
	args->pgprot = pte_pgprot(pte);
	args->writable = pte_write(pte);
	args->special = pte_special(pte);
	return 0;
}

static inline void follow_pfnmap_end(struct follow_pfnmap_args *args)
{
	/* follow_pte() took it out of line, where sparse cannot see it. */
	__acquire(args->lock);
	pte_unmap_unlock(args->ptep, args->lock);
}
#endif

#ifndef MMLAB_HAVE_GET_MM_COUNTER_SUM
/* Before the RSS counters became per-CPU, reading them was exact. */
#define get_mm_counter_sum(mm, member)	get_mm_counter(mm, member)
#endif

#ifndef PMD_ORDER
/* Later kernels name the order of a PMD's and a PUD's worth of pages. */
#define PMD_ORDER	(PMD_SHIFT - PAGE_SHIFT)
#define PUD_ORDER	(PUD_SHIFT - PAGE_SHIFT)
#endif

#ifdef MMLAB_HAVE_PAGE_ENTRY_SIZE
/*
 * Before v6.6, vm_ops->huge_fault() was told the entry to map as an enum
 * page_entry_size, since then as the order of the pages it maps. A handler
 * takes a huge_fault_arg_t and reads it through huge_fault_order().
 */
#define huge_fault_arg_t	enum page_entry_size

static inline unsigned int huge_fault_order(enum page_entry_size pe_size)
{
	return pe_size == PE_SIZE_PMD ? PMD_ORDER :
	       pe_size == PE_SIZE_PUD ? PUD_ORDER : 0;
}
#else
#define huge_fault_arg_t	unsigned int
#define huge_fault_order(order)	(order)
#endif

/*
 * v6.12 gave the PMD a special bit, as the PTE has one: a PFN mapped by a
 * PMD is then never taken for a transparent huge page, whose struct pages
 * the core would use. Without it, vmf_insert_pfn_pmd() is for DAX only.
 */
#define mmlab_pmd_pfnmap()	IS_ENABLED(CONFIG_ARCH_SUPPORTS_PMD_PFNMAP)

#ifndef MMLAB_HAVE_MM_GET_UNMAPPED_AREA
/* v6.10 replaced the mm's get_unmapped_area() method with a function. */
static inline unsigned long mm_get_unmapped_area(struct mm_struct *mm,
						 struct file *file,
						 unsigned long addr,
						 unsigned long len,
						 unsigned long pgoff,
						 unsigned long flags)
{
	return mm->get_unmapped_area(file, addr, len, pgoff, flags);
}
#endif

#ifndef MAX_PAGE_ORDER
/*
 * v6.8 named the largest buddy order MAX_PAGE_ORDER. Before v6.4, MAX_ORDER
 * was one more than it (v6.4 to v6.7, not supported here, made it equal).
 */
#define MAX_PAGE_ORDER	(MAX_ORDER - 1)
#endif

#ifndef MMLAB_HAVE_PCIM_IOMAP_REGION
/*
 * v6.11 added pcim_iomap_region() and deprecated the iomap table that
 * pcim_iomap_regions() fills; before, map the BAR through the table.
 */
static inline void __iomem *pcim_iomap_region(struct pci_dev *pdev, int bar,
					      const char *name)
{
	int ret = pcim_iomap_regions(pdev, BIT(bar), name);

	return ret ? IOMEM_ERR_PTR(ret) : pcim_iomap_table(pdev)[bar];
}
#endif

#ifdef MMLAB_HAVE_KUNIT_VISIBILITY
#include <kunit/visibility.h>
#else
/* Before v6.2: nothing is exported for tests, and there are none to build. */
#define EXPORT_SYMBOL_IF_KUNIT(symbol)	extern int __mmlab_not_exported_##symbol
#endif

#ifdef MMLAB_HAVE_KUNIT_DEVICE_REGISTER
#include <kunit/device.h>
#else
/*
 * v6.8 added test devices that KUnit registers and cleans up; before, a
 * root device serves, its devres released when it is unregistered. Unlike
 * KUnit's, it is left registered by a test that aborts.
 */
struct kunit;

static inline struct device *kunit_device_register(struct kunit *test,
						   const char *name)
{
	return root_device_register(name);
}

static inline void kunit_device_unregister(struct kunit *test,
					   struct device *dev)
{
	root_device_unregister(dev);
}
#endif

#ifdef MMLAB_HAVE_KUNIT_ADD_ACTION
/* Only the KUnit suites, built where this probe succeeds, use these. */
#include <kunit/test.h>

#ifndef KUNIT_DEFINE_ACTION_WRAPPER
/* v6.8: a kunit_action_t that calls a function of one pointer. */
#define KUNIT_DEFINE_ACTION_WRAPPER(wrapper, orig, arg_type)	\
	static void wrapper(void *in)				\
	{							\
		orig((arg_type)in);				\
	}
#endif

#endif

#endif /* _MMLAB_COMPAT_H */
