// SPDX-License-Identifier: GPL-2.0
/*
 * pfn and mixed: the fault handler writes the PTE itself and returns
 * VM_FAULT_NOPAGE, telling the core there is no page for it to map.
 *
 * pfn uses vmf_insert_pfn() in a VM_PFNMAP vma: raw PFNs, "special" PTEs,
 * no page references, no GUP, no MAP_PRIVATE (vmf_insert_pfn() would BUG on
 * a copy-on-write PFN mapping). A fork()ed child inherits the vma and its
 * PTEs, as with vfio-pci's BARs, /dev/mem and DRM's GEM objects: none of
 * them sets VM_DONTCOPY, and the kernel's own selftests/mm/pfnmap.c
 * expects the child to read the parent's bytes.
 *
 * mixed uses vmf_insert_page() in a VM_MIXEDMAP vma: the PTE maps the
 * struct page normally, with a reference, so GUP can pin it and
 * MAP_PRIVATE is copied on write. (vmf_insert_mixed() would write a
 * special PTE on architectures with pte_special(), x86 among them, and
 * lose both.)
 */
#include <linux/fs.h>
#include <linux/mm.h>

#include "mmlab.h"

/* Also the huge mode's, for what one PMD cannot map. */
vm_fault_t mmlab_pfn_fault(struct vm_fault *vmf)
{
	struct mmlab_buffer *buf = mmlab_vma_buffer(vmf->vma);
	vm_fault_t ret;

	if (vmf->pgoff >= buf->npages)
		return VM_FAULT_SIGBUS;
	ret = vmf_insert_pfn(vmf->vma, vmf->address,
			     page_to_pfn(buf->pages[vmf->pgoff]));
	if (ret == VM_FAULT_NOPAGE)
		atomic64_inc(&mmlab_vma_dev(vmf->vma)->faults);
	return ret;
}

static const struct vm_operations_struct mmlab_pfn_vm_ops = {
	.open = mmlab_vm_open,
	.close = mmlab_vm_close,
	.fault = mmlab_pfn_fault,
};

const struct mmlab_mode mmlab_mode_pfn = {
	.name = "pfn",
	.kind = MMLAB_BUF_PAGES,
	.vm_ops = &mmlab_pfn_vm_ops,
	.vm_flags = VM_IO | VM_PFNMAP,
};

static vm_fault_t mmlab_mixed_fault(struct vm_fault *vmf)
{
	struct mmlab_buffer *buf = mmlab_vma_buffer(vmf->vma);
	vm_fault_t ret;

	if (vmf->pgoff >= buf->npages)
		return VM_FAULT_SIGBUS;
	ret = vmf_insert_page(vmf->vma, vmf->address, buf->pages[vmf->pgoff]);
	if (ret == VM_FAULT_NOPAGE)
		atomic64_inc(&mmlab_vma_dev(vmf->vma)->faults);
	return ret;
}

static const struct vm_operations_struct mmlab_mixed_vm_ops = {
	.open = mmlab_vm_open,
	.close = mmlab_vm_close,
	.fault = mmlab_mixed_fault,
};

/*
 * VM_MIXEDMAP is set at mmap() time, under the mmap lock held for writing:
 * vm_insert_page() sets it itself only when it may (it BUGs in a fault).
 */
const struct mmlab_mode mmlab_mode_mixed = {
	.name = "mixed",
	.kind = MMLAB_BUF_PAGES,
	.vm_ops = &mmlab_mixed_vm_ops,
	.vm_flags = VM_MIXEDMAP,
	.map_private = true,
};
