// SPDX-License-Identifier: GPL-2.0
/*
 * uapi_layout.c: the layout of every struct of mmlab's uapi headers,
 * written down as numbers. The Makefile compiles this file (syntax only)
 * with -m64, the kernel's own layout, and with -m32: a field that moves
 * or a size that changes in either fails the build. On i386 a __u64
 * inside a struct is only 4-byte aligned, so a __u64 after an odd number
 * of __u32s, or a struct whose size is not a multiple of 8, would lay out
 * differently there, and compat_ptr_ioctl() would hand the driver a
 * 32-bit caller's struct as if it had the 64-bit layout.
 *
 * Every field's offset and every struct's size are given: with fixed-size
 * uapi types, that is the whole layout. The ioctl numbers encode the
 * struct size: they are checked too, so a change of size or direction is
 * a visible ABI change here.
 */
#include <assert.h>
#include <stddef.h>

#include <linux/mmlab.h>
#include <linux/mmlab_mm.h>
#include <linux/mmlab_pci.h>
#include <linux/mmlab_pio.h>

#define SIZE(type, size)						\
	static_assert(sizeof(struct type) == (size),			\
		      "sizeof(struct " #type ") != " #size)

#define FIELD(type, field, off)						\
	static_assert(offsetof(struct type, field) == (off),		\
		      "offsetof(struct " #type ", " #field ") != " #off)

#define IOCTL(cmd, value)						\
	static_assert((cmd) == (value), #cmd " != " #value)

/* linux/mmlab.h */
SIZE(mmlab_info, 56);
FIELD(mmlab_info, size, 0);
FIELD(mmlab_info, mmap_calls, 8);
FIELD(mmlab_info, faults, 16);
FIELD(mmlab_info, map_pages_calls, 24);
FIELD(mmlab_info, mkwrite_calls, 32);
FIELD(mmlab_info, pages_allocated, 40);
FIELD(mmlab_info, page_size, 48);
FIELD(mmlab_info, live_vmas, 52);

SIZE(mmlab_page_pfn, 16);
FIELD(mmlab_page_pfn, pgoff, 0);
FIELD(mmlab_page_pfn, pfn, 8);

SIZE(mmlab_dirty, 24);
FIELD(mmlab_dirty, bitmap, 0);
FIELD(mmlab_dirty, nbits, 8);
FIELD(mmlab_dirty, flags, 12);
FIELD(mmlab_dirty, ndirty, 16);
FIELD(mmlab_dirty, reserved, 20);

SIZE(mmlab_page_counts, 16);
FIELD(mmlab_page_counts, pgoff, 0);
FIELD(mmlab_page_counts, mapcount, 8);
FIELD(mmlab_page_counts, refcount, 12);

SIZE(mmlab_pt_entry, 16);
FIELD(mmlab_pt_entry, raw, 0);
FIELD(mmlab_pt_entry, present, 8);
FIELD(mmlab_pt_entry, leaf, 12);

SIZE(mmlab_walk, 112);
FIELD(mmlab_walk, addr, 0);
FIELD(mmlab_walk, levels, 8);
FIELD(mmlab_walk, flags, 12);
FIELD(mmlab_walk, entry, 16);
FIELD(mmlab_walk, entry[MMLAB_PTE], 16 + 4 * 16);
FIELD(mmlab_walk, pfn, 96);
FIELD(mmlab_walk, page_size, 104);

SIZE(mmlab_vma, 312);
FIELD(mmlab_vma, start, 0);
FIELD(mmlab_vma, end, 8);
FIELD(mmlab_vma, flags, 16);
FIELD(mmlab_vma, pgoff, 24);
FIELD(mmlab_vma, dev, 32);
FIELD(mmlab_vma, ino, 40);
FIELD(mmlab_vma, anon, 48);
FIELD(mmlab_vma, reserved, 52);
FIELD(mmlab_vma, path, 56);

SIZE(mmlab_vmas, 16);
FIELD(mmlab_vmas, vmas, 0);
FIELD(mmlab_vmas, count, 8);
FIELD(mmlab_vmas, written, 12);

SIZE(mmlab_mm_stat, 120);
FIELD(mmlab_mm_stat, mm_users, 0);
FIELD(mmlab_mm_stat, mm_count, 8);
FIELD(mmlab_mm_stat, map_count, 16);
FIELD(mmlab_mm_stat, total_vm, 24);
FIELD(mmlab_mm_stat, rss_file, 32);
FIELD(mmlab_mm_stat, rss_anon, 40);
FIELD(mmlab_mm_stat, rss_shmem, 48);
FIELD(mmlab_mm_stat, start_code, 56);
FIELD(mmlab_mm_stat, end_code, 64);
FIELD(mmlab_mm_stat, start_data, 72);
FIELD(mmlab_mm_stat, end_data, 80);
FIELD(mmlab_mm_stat, start_brk, 88);
FIELD(mmlab_mm_stat, brk, 96);
FIELD(mmlab_mm_stat, start_stack, 104);
FIELD(mmlab_mm_stat, mmap_base, 112);

SIZE(mmlab_layout, 168);
FIELD(mmlab_layout, levels, 0);
FIELD(mmlab_layout, withheld, 4);
FIELD(mmlab_layout, region, 8);
FIELD(mmlab_layout, live, 88);
FIELD(mmlab_layout, live_region, 128);
FIELD(mmlab_layout, live_valid, 148);

SIZE(mmlab_copy, 32);
FIELD(mmlab_copy, uaddr, 0);
FIELD(mmlab_copy, len, 8);
FIELD(mmlab_copy, to_user, 16);
FIELD(mmlab_copy, reserved, 20);
FIELD(mmlab_copy, done, 24);
SIZE(mmlab_follow, 32);
FIELD(mmlab_follow, addr, 0);
FIELD(mmlab_follow, flags, 8);
FIELD(mmlab_follow, reserved, 12);
FIELD(mmlab_follow, pfn, 16);
FIELD(mmlab_follow, prot, 24);

IOCTL(MMLAB_IOC_INFO, 0x8038b900);
IOCTL(MMLAB_IOC_PAGE_PFN, 0xc010b901);
IOCTL(MMLAB_IOC_DIRTY, 0xc018b902);
IOCTL(MMLAB_IOC_PAGE_COUNTS, 0xc010b903);
IOCTL(MMLAB_MM_IOC_WALK, 0xc070b940);
IOCTL(MMLAB_MM_IOC_VMAS, 0xc010b941);
IOCTL(MMLAB_MM_IOC_STAT, 0x8078b942);
IOCTL(MMLAB_MM_IOC_LAYOUT, 0x80a8b943);
IOCTL(MMLAB_MM_IOC_COPY, 0xc020b944);
IOCTL(MMLAB_MM_IOC_FOLLOW, 0xc020b945);

/* linux/mmlab_pci.h */
SIZE(mmlab_edu_info, 32);
FIELD(mmlab_edu_info, ident, 0);
FIELD(mmlab_edu_info, irq_mode, 4);
FIELD(mmlab_edu_info, irq, 8);
FIELD(mmlab_edu_info, dma_mask_bits, 12);
FIELD(mmlab_edu_info, bar0_size, 16);
FIELD(mmlab_edu_info, irqs, 24);

SIZE(mmlab_edu_liveness, 8);
FIELD(mmlab_edu_liveness, in, 0);
FIELD(mmlab_edu_liveness, out, 4);

SIZE(mmlab_edu_factorial, 16);
FIELD(mmlab_edu_factorial, n, 0);
FIELD(mmlab_edu_factorial, flags, 4);
FIELD(mmlab_edu_factorial, result, 8);
FIELD(mmlab_edu_factorial, irq_status, 12);

SIZE(mmlab_edu_dma, 16);
FIELD(mmlab_edu_dma, buf, 0);
FIELD(mmlab_edu_dma, len, 8);
FIELD(mmlab_edu_dma, offset, 12);

SIZE(mmlab_edu_raise, 8);
FIELD(mmlab_edu_raise, value, 0);
FIELD(mmlab_edu_raise, irq_status, 4);

SIZE(mmlab_edu_pin_dma, 40);
FIELD(mmlab_edu_pin_dma, buf, 0);
FIELD(mmlab_edu_pin_dma, dma_addrs, 8);
FIELD(mmlab_edu_pin_dma, len, 16);
FIELD(mmlab_edu_pin_dma, flags, 20);
FIELD(mmlab_edu_pin_dma, pages, 24);
FIELD(mmlab_edu_pin_dma, segments, 28);
FIELD(mmlab_edu_pin_dma, pin_refs, 32);
FIELD(mmlab_edu_pin_dma, translated, 36);

SIZE(mmlab_ivshmem_info, 8);
FIELD(mmlab_ivshmem_info, size, 0);

IOCTL(MMLAB_EDU_IOC_INFO, 0x8020ba00);
IOCTL(MMLAB_EDU_IOC_LIVENESS, 0xc008ba01);
IOCTL(MMLAB_EDU_IOC_FACTORIAL, 0xc010ba02);
IOCTL(MMLAB_EDU_IOC_DMA_TO_DEV, 0x4010ba03);
IOCTL(MMLAB_EDU_IOC_DMA_FROM_DEV, 0x4010ba04);
IOCTL(MMLAB_EDU_IOC_RAISE_IRQ, 0xc008ba05);
IOCTL(MMLAB_EDU_IOC_DMA_PIN, 0xc028ba06);
IOCTL(MMLAB_IVSHMEM_IOC_INFO, 0x8008ba10);

/* linux/mmlab_pio.h */
SIZE(mmlab_pio_info, 24);
FIELD(mmlab_pio_info, iomem_start, 0);
FIELD(mmlab_pio_info, iomem_size, 8);
FIELD(mmlab_pio_info, reg_port, 12);
FIELD(mmlab_pio_info, reg_bytes_port, 14);
FIELD(mmlab_pio_info, debugcon_port, 16);
FIELD(mmlab_pio_info, reserved, 18);

SIZE(mmlab_pio_xfer, 24);
FIELD(mmlab_pio_xfer, buf, 0);
FIELD(mmlab_pio_xfer, len, 8);
FIELD(mmlab_pio_xfer, offset, 12);
FIELD(mmlab_pio_xfer, target, 16);
FIELD(mmlab_pio_xfer, method, 17);
FIELD(mmlab_pio_xfer, width, 18);
FIELD(mmlab_pio_xfer, reserved, 19);

IOCTL(MMLAB_PIO_IOC_INFO, 0x8018ba20);
IOCTL(MMLAB_PIO_IOC_WRITE, 0x4018ba21);
IOCTL(MMLAB_PIO_IOC_READ, 0x4018ba22);
