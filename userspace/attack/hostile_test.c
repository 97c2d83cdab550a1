// SPDX-License-Identifier: GPL-2.0
/*
 * hostile_test: what hostile and unprivileged callers get from every mmlab
 * device node and every ioctl of include/uapi/linux/mmlab.h, mmlab_pci.h
 * and mmlab_pio.h: a clear errno, never a splat, and no state change.
 *
 * Run as root in the test VM with mmlab.ko loaded, and mmlab_pci.ko for
 * /dev/mmlab-edu0, /dev/mmlab-ivshmem0 and /dev/mmlab-pio0, whose parts
 * are skipped when the nodes are absent. "hostile_test --table" prints the privilege table
 * (priv_table[] below) as the reST of Documentation/privileges.rst, which
 * mirrors it.
 *
 * kselftest harness: fixture "nodes", whose setup opens every node there
 * is and maps edu's BAR0, each test in a process of its own with files of
 * its own. nodes_present fails when a node of mmlab.ko is missing; a case
 * about one node (mmlab-mkwrite, mmlab-mm, edu) skips without it, the
 * others check the nodes there are. main() notes where the kernel log
 * stands before the first test, and kernel_log_clean, declared last so
 * that it runs last, reads every record written since.
 *
 * "No state change" is checked against what userspace can see: each mode
 * node's MMLAB_IOC_INFO, the dirty pages of mmlab-mkwrite, the interrupt
 * count of edu and its liveness and factorial registers (read through a
 * mapping of BAR0), and the user memory a refused call would have written.
 * It holds for a caller whose memory does not change under the call;
 * another thread's mprotect() in the middle is not covered.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/mmlab.h>
#include <linux/mmlab_mm.h>
#include <linux/mmlab_pci.h>
#include <linux/mmlab_pio.h>

#include "harness.h"

#include "modes.h"

/* Addresses userspace can never hand the kernel: access_ok() refuses them. */
static const uint64_t kernel_addrs[] = {
	0xffff888000000000ULL,	/* the direct map */
	0xffffffff81000000ULL,	/* the kernel's text */
	0x8000000000000000ULL,	/* not canonical */
	0xfffffffffffffff8ULL,	/* the last word: address + size wraps */
};

/* Every ioctl of the uapi headers, and the node family it belongs to. */
enum family { FAM_MODE, FAM_MM, FAM_EDU, FAM_IVSHMEM, FAM_PIO };

enum op {
	OP_INFO, OP_PAGE_PFN, OP_DIRTY, OP_PAGE_COUNTS,
	OP_WALK, OP_VMAS, OP_STAT, OP_LAYOUT, OP_COPY, OP_FOLLOW,
	OP_EDU_INFO, OP_LIVENESS, OP_FACTORIAL, OP_DMA_TO_DEV, OP_DMA_FROM_DEV,
	OP_RAISE_IRQ, OP_DMA_PIN, OP_IVSHMEM_INFO, OP_PIO_INFO, OP_PIO_WRITE, OP_PIO_READ,
	NR_CMDS,
	/* Not in cmds[]: for the privilege table. */
	OP_OTHER = NR_CMDS,	/* _IO(the node's magic, 0xff) */
	OP_MMAP,		/* mmap(one page, PROT_READ, MAP_SHARED) */
};

struct cmd {
	const char *name;
	unsigned long nr;
	enum family fam;
};

#define CMD(c, f)	{ #c, c, f }
static const struct cmd cmds[NR_CMDS] = {
	[OP_INFO] = CMD(MMLAB_IOC_INFO, FAM_MODE),
	[OP_PAGE_PFN] = CMD(MMLAB_IOC_PAGE_PFN, FAM_MODE),
	[OP_DIRTY] = CMD(MMLAB_IOC_DIRTY, FAM_MODE),
	[OP_PAGE_COUNTS] = CMD(MMLAB_IOC_PAGE_COUNTS, FAM_MODE),
	[OP_WALK] = CMD(MMLAB_MM_IOC_WALK, FAM_MM),
	[OP_VMAS] = CMD(MMLAB_MM_IOC_VMAS, FAM_MM),
	[OP_STAT] = CMD(MMLAB_MM_IOC_STAT, FAM_MM),
	[OP_LAYOUT] = CMD(MMLAB_MM_IOC_LAYOUT, FAM_MM),
	[OP_COPY] = CMD(MMLAB_MM_IOC_COPY, FAM_MM),
	[OP_FOLLOW] = CMD(MMLAB_MM_IOC_FOLLOW, FAM_MM),
	[OP_EDU_INFO] = CMD(MMLAB_EDU_IOC_INFO, FAM_EDU),
	[OP_LIVENESS] = CMD(MMLAB_EDU_IOC_LIVENESS, FAM_EDU),
	[OP_FACTORIAL] = CMD(MMLAB_EDU_IOC_FACTORIAL, FAM_EDU),
	[OP_DMA_TO_DEV] = CMD(MMLAB_EDU_IOC_DMA_TO_DEV, FAM_EDU),
	[OP_DMA_FROM_DEV] = CMD(MMLAB_EDU_IOC_DMA_FROM_DEV, FAM_EDU),
	[OP_RAISE_IRQ] = CMD(MMLAB_EDU_IOC_RAISE_IRQ, FAM_EDU),
	[OP_DMA_PIN] = CMD(MMLAB_EDU_IOC_DMA_PIN, FAM_EDU),
	[OP_IVSHMEM_INFO] = CMD(MMLAB_IVSHMEM_IOC_INFO, FAM_IVSHMEM),
	[OP_PIO_INFO] = CMD(MMLAB_PIO_IOC_INFO, FAM_PIO),
	[OP_PIO_WRITE] = CMD(MMLAB_PIO_IOC_WRITE, FAM_PIO),
	[OP_PIO_READ] = CMD(MMLAB_PIO_IOC_READ, FAM_PIO),
};

/* One device node; fd is -1 when it is absent. */
struct node {
	char path[48];
	const char *name;
	enum family fam;
	bool mkwrite;
	bool required;
	int fd;
	int open_err;
	uint64_t npages;	/* a mode's buffer, in pages */
};

/*
 * The nodes, as the fixture's setup opens them in the test's own process
 * (each test is one): the helpers below read them there.
 */
#define NR_MODES	ARRAY_SIZE(modes)
#define NR_NODES	(NR_MODES + 4)
static struct node nodes[NR_NODES];
static struct node *const mm_node = &nodes[NR_MODES];
static struct node *const edu_node = &nodes[NR_MODES + 1];
static struct node *const ivshmem_node = &nodes[NR_MODES + 2];
static struct node *const pio_node = &nodes[NR_MODES + 3];
static struct node *mkwrite_node;

static long psize;
/* The buffer of the modes but huge, in pages (the buf_size parameter). */
static uint64_t npages;
/*
 * Where /dev/kmsg stood before the first test: main() opens it, and every
 * test, a child, shares the file and its position.
 */
static int kmsg_fd = -1;
static int kmsg_err;
/* edu's BAR0, for reading registers without an ioctl; NULL if unmapped. */
static const void *edu_regs;

/* Largest mode buffer: 1024 pages, so a dirty bitmap of 16 words. */
#define DIRTY_WORDS	16

/* The user memory that valid requests point to. */
static uint64_t dirty_words[DIRTY_WORDS];
static struct mmlab_vma vma_out[4];
static uint8_t copy_buf[65536 + 64];
static uint8_t dma_data[16];
static int walk_target;
/* A page of /dev/mmlab-remap, a PFN map, for MMLAB_MM_IOC_FOLLOW. */
static const void *pfnmap_page;

/* One 32-bit read of a register, a single move, as the kernel's readl(). */
static uint32_t mmio_read32(const void *base, size_t off)
{
	uint32_t v;

	asm volatile("movl %1, %0" : "=r" (v)
		     : "m" (*(const uint32_t *)((const char *)base + off))
		     : "memory");
	return v;
}

/* Write a byte back unchanged: a write fault, and the same contents. */
static void rewrite_byte(uint8_t *p)
{
	uint8_t v = *p;

	/* Hide the value, or the store is a no-op the compiler may drop. */
	asm volatile("" : "+r" (v));
	*p = v;
}

static uint8_t magic_of(enum family fam)
{
	return fam == FAM_MODE || fam == FAM_MM ? MMLAB_IOC_MAGIC :
						  MMLAB_PCI_IOC_MAGIC;
}

static unsigned long with_magic(unsigned long nr, uint8_t magic)
{
	return (nr & ~((unsigned long)_IOC_TYPEMASK << _IOC_TYPESHIFT)) |
	       (unsigned long)magic << _IOC_TYPESHIFT;
}

/* 0 when the ioctl succeeds, else its errno. */
static int ioctl_err(int fd, unsigned long nr, void *arg)
{
	return ioctl(fd, nr, arg) < 0 ? errno : 0;
}

static int ioctl_err_addr(int fd, unsigned long nr, uint64_t addr)
{
	return ioctl_err(fd, nr, (void *)(uintptr_t)addr);
}

static const char *err_name(int err)
{
	static char buf[16];

	switch (err) {
	case 0: return "0";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EINVAL: return "EINVAL";
	case ENOTTY: return "ENOTTY";
	case ENODEV: return "ENODEV";
	case E2BIG: return "E2BIG";
	case ETIMEDOUT: return "ETIMEDOUT";
	}
	snprintf(buf, sizeof(buf), "errno %d", err);
	return buf;
}

/*
 * What a valid call of @c on @n returns: 0, or ENOTTY when the command
 * belongs to another node, or is MMLAB_IOC_DIRTY on a mode without
 * page_mkwrite.
 */
static int valid_result(const struct node *n, const struct cmd *c)
{
	bool theirs = c->fam == n->fam &&
		      (c->nr != MMLAB_IOC_DIRTY || n->mkwrite);

	return theirs ? 0 : ENOTTY;
}

/* The errno a bad argument pointer gets from @c on @n. */
static int bad_ptr_result(const struct node *n, const struct cmd *c)
{
	return valid_result(n, c) ?: EFAULT;
}

/* Does @c write its argument back? */
static bool writes_back(const struct cmd *c)
{
	return _IOC_DIR(c->nr) & _IOC_READ;
}

/*
 * Fill @p with a request that @c accepts as root, and that changes no
 * state that the probe checks (no cleaning, no copy to user memory).
 */
static void valid_arg(const struct cmd *c, void *p)
{
	memset(p, 0, _IOC_SIZE(c->nr));
	switch (c->nr) {
	case MMLAB_IOC_DIRTY:
		*(struct mmlab_dirty *)p = (struct mmlab_dirty){
			.bitmap = (uintptr_t)dirty_words,
			.nbits = DIRTY_WORDS * 64,
		};
		break;
	case MMLAB_MM_IOC_WALK:
		((struct mmlab_walk *)p)->addr = (uintptr_t)&walk_target;
		break;
	case MMLAB_MM_IOC_VMAS:
		*(struct mmlab_vmas *)p = (struct mmlab_vmas){
			.vmas = (uintptr_t)vma_out, .count = ARRAY_SIZE(vma_out),
		};
		break;
	case MMLAB_MM_IOC_COPY:
		*(struct mmlab_copy *)p = (struct mmlab_copy){
			.uaddr = (uintptr_t)copy_buf, .len = 64,
		};
		break;
	case MMLAB_MM_IOC_FOLLOW:
		((struct mmlab_follow *)p)->addr = (uintptr_t)pfnmap_page;
		break;
	case MMLAB_EDU_IOC_LIVENESS:
		((struct mmlab_edu_liveness *)p)->in = 0x5a5a0001;
		break;
	case MMLAB_EDU_IOC_FACTORIAL:
		((struct mmlab_edu_factorial *)p)->n = 5;
		break;
	case MMLAB_EDU_IOC_DMA_TO_DEV:
	case MMLAB_EDU_IOC_DMA_FROM_DEV:
		*(struct mmlab_edu_dma *)p = (struct mmlab_edu_dma){
			.buf = (uintptr_t)dma_data, .len = sizeof(dma_data),
		};
		break;
	case MMLAB_EDU_IOC_RAISE_IRQ:
		((struct mmlab_edu_raise *)p)->value = 0x10000;
		break;
	case MMLAB_EDU_IOC_DMA_PIN:
		*(struct mmlab_edu_pin_dma *)p = (struct mmlab_edu_pin_dma){
			.buf = (uintptr_t)dma_data, .len = sizeof(dma_data),
		};
		break;
	case MMLAB_PIO_IOC_WRITE:
	case MMLAB_PIO_IOC_READ:
		/* The last bytes of pc-testdev's RAM, which nothing else uses. */
		*(struct mmlab_pio_xfer *)p = (struct mmlab_pio_xfer){
			.buf = (uintptr_t)dma_data, .len = sizeof(dma_data),
			.offset = 0x10000 - sizeof(dma_data),
			.target = MMLAB_PIO_IOMEM, .width = 1,
		};
		break;
	}
}

/* A page-aligned anonymous mapping of @pages pages, or NULL. */
static uint8_t *map_anon(size_t pages, int prot)
{
	void *p = mmap(NULL, pages * psize, prot,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * Two pages, the second one unmapped again: the end of the first is where
 * readable memory stops. NULL on failure. Make it after the case's other
 * mappings: a later one-page mmap() may fill the hole.
 */
static uint8_t *map_then_hole(void)
{
	uint8_t *p = map_anon(2, PROT_READ | PROT_WRITE);

	if (p)
		munmap(p + psize, psize);
	return p;
}

/* What userspace can see of the devices' state. */
struct state {
	struct mmlab_info info[NR_MODES];
	uint64_t dirty[DIRTY_WORDS];
	uint32_t ndirty;
	uint64_t edu_irqs;
	uint32_t edu_liveness;
	uint32_t edu_factorial;
};

/* Read the state into @s; a node that cannot say it ends the test. */
static void state_get(struct __test_metadata *_metadata, struct state *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < NR_MODES; i++) {
		if (nodes[i].fd < 0)
			continue;
		ASSERT_EQ(0, ioctl(nodes[i].fd, MMLAB_IOC_INFO, &s->info[i]))
			TH_LOG("%s: INFO: %m", nodes[i].name);
	}
	if (mkwrite_node) {
		struct mmlab_dirty d = {
			.bitmap = (uintptr_t)s->dirty, .nbits = DIRTY_WORDS * 64,
		};

		ASSERT_EQ(0, ioctl(mkwrite_node->fd, MMLAB_IOC_DIRTY, &d))
			TH_LOG("mmlab-mkwrite: DIRTY: %m");
		s->ndirty = d.ndirty;
	}
	if (edu_node->fd >= 0) {
		struct mmlab_edu_info info;

		ASSERT_EQ(0, ioctl(edu_node->fd, MMLAB_EDU_IOC_INFO, &info))
			TH_LOG("mmlab-edu0: INFO: %m");
		s->edu_irqs = info.irqs;
	}
	if (edu_regs) {
		s->edu_liveness = mmio_read32(edu_regs, 0x04);
		s->edu_factorial = mmio_read32(edu_regs, 0x08);
	}
}

/* The counters of @info, for a diagnostic, in @buf. */
static const char *info_str(char *buf, size_t size,
			    const struct mmlab_info *info)
{
	snprintf(buf, size, "mmap_calls %llu faults %llu mkwrite_calls %llu live_vmas %u",
		 (unsigned long long)info->mmap_calls,
		 (unsigned long long)info->faults,
		 (unsigned long long)info->mkwrite_calls, info->live_vmas);
	return buf;
}

/* Is the state as @before says? Diagnoses what moved, after @what. */
static void state_same(struct __test_metadata *_metadata,
		       const struct state *before, const char *what)
{
	char now_s[128], was_s[128];
	struct state now;

	state_get(_metadata, &now);
	for (size_t i = 0; i < NR_MODES; i++) {
		EXPECT_EQ(0, memcmp(&before->info[i], &now.info[i],
				    sizeof(now.info[i])))
			TH_LOG("%s: MMLAB_IOC_INFO changed after %s: %s, was %s",
			       nodes[i].name, what,
			       info_str(now_s, sizeof(now_s), &now.info[i]),
			       info_str(was_s, sizeof(was_s), &before->info[i]));
	}
	EXPECT_EQ(before->ndirty, now.ndirty)
		TH_LOG("mmlab-mkwrite: dirty pages after %s", what);
	EXPECT_EQ(0, memcmp(before->dirty, now.dirty, sizeof(now.dirty)))
		TH_LOG("mmlab-mkwrite: dirty pages changed after %s", what);
	EXPECT_EQ(before->edu_irqs, now.edu_irqs)
		TH_LOG("mmlab-edu0: interrupts after %s", what);
	EXPECT_EQ(before->edu_liveness, now.edu_liveness)
		TH_LOG("mmlab-edu0: liveness register after %s: %#x, was %#x",
		       what, now.edu_liveness, before->edu_liveness);
	EXPECT_EQ(before->edu_factorial, now.edu_factorial)
		TH_LOG("mmlab-edu0: factorial register after %s: %#x, was %#x",
		       what, now.edu_factorial, before->edu_factorial);
}

/* Is @got, what @cmd on @n returned, @want? Diagnoses when it is not. */
static void expect_err(struct __test_metadata *_metadata,
		       const struct node *n, const char *cmd, const char *how,
		       int got, int want)
{
	EXPECT_EQ(want, got)
		TH_LOG("%s %s, %s: %s, want %s", n->name, cmd, how,
		       err_name(got), err_name(want));
}

/* The offset of the first byte of @p that is not @c, or -1. */
static ssize_t first_not(const uint8_t *p, size_t len, uint8_t c)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != c)
			return i;
	return -1;
}

/* Name the nodes; open each that exists. */
static void open_nodes(void)
{
	struct mmlab_info info;

	memset(nodes, 0, sizeof(nodes));
	mkwrite_node = NULL;
	npages = 0;
	snprintf(mm_node->path, sizeof(mm_node->path), "/dev/mmlab-mm");
	mm_node->fam = FAM_MM;
	snprintf(edu_node->path, sizeof(edu_node->path), "/dev/mmlab-edu0");
	edu_node->fam = FAM_EDU;
	snprintf(ivshmem_node->path, sizeof(ivshmem_node->path),
		 "/dev/mmlab-ivshmem0");
	ivshmem_node->fam = FAM_IVSHMEM;
	snprintf(pio_node->path, sizeof(pio_node->path), "/dev/mmlab-pio0");
	pio_node->fam = FAM_PIO;
	for (size_t i = 0; i < NR_NODES; i++) {
		struct node *n = &nodes[i];

		if (i < NR_MODES) {
			snprintf(n->path, sizeof(n->path), "/dev/mmlab-%s",
				 modes[i].name);
			n->fam = FAM_MODE;
			n->mkwrite = has(&modes[i], M_MKWRITE);
		}
		n->name = n->path + strlen("/dev/");
		n->required = i < NR_MODES || n == mm_node;
		n->fd = open(n->path, O_RDWR | O_CLOEXEC);
		n->open_err = n->fd < 0 ? errno : 0;
		if (n->fd >= 0 && n->mkwrite)
			mkwrite_node = n;
		if (n->fd >= 0 && n->fam == FAM_MODE &&
		    !ioctl(n->fd, MMLAB_IOC_INFO, &info))
			n->npages = info.size / psize;
		/* buf_size: the first mode's, the mkwrite node's too. */
		if (!npages)
			npages = n->npages;
	}
}

/*
 * Every node that exists, opened in the test's own process, and edu's
 * BAR0 mapped; a missing node is nodes_present's failure, or its cases'
 * skip, not the setup's.
 */
FIXTURE(nodes) {};

FIXTURE_SETUP(nodes)
{
	psize = sysconf(_SC_PAGESIZE);
	open_nodes();
	edu_regs = NULL;
	if (edu_node->fd >= 0) {
		void *p = mmap(NULL, psize, PROT_READ, MAP_SHARED,
			       edu_node->fd, 0);
		/*
		 * The test VM's swiotlb pool is within edu's reach
		 * (scripts/vm-run.sh): dma_data may need a bounce.
		 */
		int bounce = open("/sys/module/mmlab_pci/parameters/edu_bounce",
				  O_WRONLY);

		if (bounce < 0 || write(bounce, "Y", 1) != 1)
			TH_LOG("edu_bounce not set (%m): MMLAB_EDU_IOC_DMA_PIN may fail");
		if (bounce >= 0)
			close(bounce);

		if (p == MAP_FAILED)
			TH_LOG("mmlab-edu0: BAR0 not mapped (%m): its registers go unchecked");
		edu_regs = p == MAP_FAILED ? NULL : p;
	}
	pfnmap_page = NULL;
	if (nodes[MODE_REMAP].fd >= 0) {
		void *p = mmap(NULL, psize, PROT_READ, MAP_SHARED,
			       nodes[MODE_REMAP].fd, 0);

		if (p == MAP_FAILED)
			TH_LOG("mmlab-remap: not mapped (%m): no valid MMLAB_MM_IOC_FOLLOW");
		pfnmap_page = p == MAP_FAILED ? NULL : p;
	}
}

FIXTURE_TEARDOWN(nodes)
{
	if (edu_regs)
		munmap((void *)edu_regs, psize);
	if (pfnmap_page)
		munmap((void *)pfnmap_page, psize);
	for (size_t i = 0; i < NR_NODES; i++) {
		if (nodes[i].fd >= 0)
			close(nodes[i].fd);
		nodes[i].fd = -1;
	}
}

TEST_F(nodes, nodes_present)
{
	for (size_t i = 0; i < NR_NODES; i++) {
		const struct node *n = &nodes[i];

		if (n->required) {
			EXPECT_LE(0, n->fd)
				TH_LOG("%s: %s", n->path, strerror(n->open_err));
		} else if (n->fd < 0) {
			TH_LOG("no %s (%s): its checks are skipped", n->path,
			       strerror(n->open_err));
		}
	}
	EXPECT_LT(0, npages) TH_LOG("no buffer size from MMLAB_IOC_INFO");
}

/* ---- Bad argument pointers: EFAULT, never a splat, nothing changed. ---- */

TEST_F(nodes, null_arg_efault)
{
	struct state before;

	state_get(_metadata, &before);
	for (size_t i = 0; i < NR_NODES; i++)
		for (size_t j = 0; nodes[i].fd >= 0 && j < ARRAY_SIZE(cmds); j++)
			if (cmds[j].fam == nodes[i].fam)
				expect_err(_metadata, &nodes[i], cmds[j].name, "NULL",
					   ioctl_err(nodes[i].fd, cmds[j].nr, NULL),
					   bad_ptr_result(&nodes[i], &cmds[j]));
	state_same(_metadata, &before, "NULL arguments");
}

/*
 * An argument in a hole, in a PROT_NONE page, and one whose first eight
 * bytes are readable (a valid pgoff, say) and the rest are not.
 */
TEST_F(nodes, unmapped_arg_efault)
{
	uint8_t *none = map_anon(1, PROT_NONE), *hole = map_then_hole();
	struct state before;

	ASSERT_NE(NULL, none) TH_LOG("mmap PROT_NONE: %m");
	ASSERT_NE(NULL, hole) TH_LOG("mmap: %m");
	state_get(_metadata, &before);
	for (size_t i = 0; i < NR_NODES; i++) {
		const struct node *n = &nodes[i];

		for (size_t j = 0; n->fd >= 0 && j < ARRAY_SIZE(cmds); j++) {
			const struct cmd *c = &cmds[j];
			int want = bad_ptr_result(n, c);
			uint8_t *straddle = hole + psize - 8;

			if (c->fam != n->fam)
				continue;
			expect_err(_metadata, n, c->name, "unmapped",
				   ioctl_err(n->fd, c->nr, hole + psize), want);
			expect_err(_metadata, n, c->name, "PROT_NONE",
				   ioctl_err(n->fd, c->nr, none), want);
			if (_IOC_SIZE(c->nr) <= 8)
				continue;
			valid_arg(c, copy_buf);
			memcpy(straddle, copy_buf, 8);
			expect_err(_metadata, n, c->name, "across the end of a mapping",
				   ioctl_err(n->fd, c->nr, straddle), want);
		}
	}
	state_same(_metadata, &before, "unmapped arguments");
	munmap(hole, psize);
	munmap(none, psize);
}

TEST_F(nodes, kernel_arg_efault)
{
	struct state before;
	char how[40];

	/* The -32 build's pointers are 32 bits: the u64 fields carry these. */
	if (sizeof(void *) < sizeof(uint64_t))
		TH_LOG("32-bit: the argument pointers are these addresses truncated");
	state_get(_metadata, &before);
	for (size_t i = 0; i < NR_NODES; i++) {
		for (size_t j = 0; nodes[i].fd >= 0 && j < ARRAY_SIZE(cmds); j++) {
			if (cmds[j].fam != nodes[i].fam)
				continue;
			for (size_t k = 0; k < ARRAY_SIZE(kernel_addrs); k++) {
				snprintf(how, sizeof(how), "at %#llx",
					 (unsigned long long)kernel_addrs[k]);
				expect_err(_metadata, &nodes[i], cmds[j].name, how,
					   ioctl_err_addr(nodes[i].fd, cmds[j].nr,
							  kernel_addrs[k]),
					   bad_ptr_result(&nodes[i], &cmds[j]));
			}
		}
	}
	state_same(_metadata, &before, "kernel-space arguments");
}

/*
 * The ioctls that write their argument back, given a valid request in a
 * read-only page: EFAULT, and nothing done, not even the effect the
 * request asked for (a register written, an interrupt raised).
 */
TEST_F(nodes, readonly_arg_efault)
{
	uint8_t *ro = map_anon(1, PROT_READ | PROT_WRITE);
	struct state before;

	ASSERT_NE(NULL, ro) TH_LOG("mmap: %m");
	state_get(_metadata, &before);
	for (size_t i = 0; i < NR_NODES; i++) {
		const struct node *n = &nodes[i];

		for (size_t j = 0; n->fd >= 0 && j < ARRAY_SIZE(cmds); j++) {
			const struct cmd *c = &cmds[j];

			if (c->fam != n->fam || !writes_back(c))
				continue;
			ASSERT_EQ(0, mprotect(ro, psize, PROT_READ | PROT_WRITE))
				TH_LOG("mprotect: %m");
			valid_arg(c, ro);
			ASSERT_EQ(0, mprotect(ro, psize, PROT_READ))
				TH_LOG("mprotect: %m");
			expect_err(_metadata, n, c->name, "read-only",
				   ioctl_err(n->fd, c->nr, ro), bad_ptr_result(n, c));
		}
	}
	state_same(_metadata, &before, "read-only arguments");
	munmap(ro, psize);
}

/* x86 takes unaligned accesses: a valid request at an odd address works. */
TEST_F(nodes, misaligned_arg_works)
{
	static uint64_t space[64];
	void *odd = (uint8_t *)space + 1;

	for (size_t i = 0; i < NR_NODES; i++)
		for (size_t j = 0; nodes[i].fd >= 0 && j < ARRAY_SIZE(cmds); j++) {
			if (cmds[j].fam != nodes[i].fam)
				continue;
			valid_arg(&cmds[j], odd);
			expect_err(_metadata, &nodes[i], cmds[j].name,
				   "at an odd address",
				   ioctl_err(nodes[i].fd, cmds[j].nr, odd),
				   valid_result(&nodes[i], &cmds[j]));
		}
}

/* ---- Commands that are not the node's: ENOTTY, for any encoding. ---- */

static bool is_own_cmd(const struct node *n, unsigned long nr)
{
	for (size_t j = 0; j < ARRAY_SIZE(cmds); j++)
		if (cmds[j].fam == n->fam && cmds[j].nr == nr)
			return true;
	return false;
}

/* Every uapi command of another node, with a valid argument. */
TEST_F(nodes, foreign_commands_enotty)
{
	static uint64_t arg[64];
	struct state before;

	state_get(_metadata, &before);
	for (size_t i = 0; i < NR_NODES; i++)
		for (size_t j = 0; nodes[i].fd >= 0 && j < ARRAY_SIZE(cmds); j++) {
			if (!valid_result(&nodes[i], &cmds[j]))
				continue;
			valid_arg(&cmds[j], arg);
			expect_err(_metadata, &nodes[i], cmds[j].name,
				   "valid argument",
				   ioctl_err(nodes[i].fd, cmds[j].nr, arg), ENOTTY);
		}
	state_same(_metadata, &before, "foreign commands");
}

/*
 * Every number of the node's own magic that is not one of its commands:
 * each nr, each direction, sizes 0, 8, 16 KiB - 1 and those of its own
 * structures. The argument is zeroed memory that the largest size fits.
 * Some 90,000 calls with every node: on a debug kernel under TCG, more
 * than the harness's default 30 s may pass.
 */
TEST_F_TIMEOUT(nodes, unused_numbers_enotty, 300)
{
	static const unsigned int dirs[] = {
		_IOC_NONE, _IOC_READ, _IOC_WRITE, _IOC_READ | _IOC_WRITE,
	};
	size_t pages = (_IOC_SIZEMASK + psize) / psize;
	uint8_t *arg = map_anon(pages, PROT_READ | PROT_WRITE);
	unsigned long tried = 0, wrong = 0;
	struct state before;

	ASSERT_NE(NULL, arg) TH_LOG("mmap: %m");
	state_get(_metadata, &before);
	for (size_t i = 0; i < NR_NODES; i++) {
		const struct node *n = &nodes[i];
		unsigned int sizes[3 + ARRAY_SIZE(cmds)] = { 0, 8, _IOC_SIZEMASK };
		size_t nsizes = 3;

		if (n->fd < 0)
			continue;
		for (size_t j = 0; j < ARRAY_SIZE(cmds); j++)
			if (cmds[j].fam == n->fam)
				sizes[nsizes++] = _IOC_SIZE(cmds[j].nr);
		for (unsigned int nr = 0; nr < 256; nr++)
			for (size_t d = 0; d < ARRAY_SIZE(dirs); d++)
				for (size_t s = 0; s < nsizes; s++) {
					unsigned long c = _IOC(dirs[d], magic_of(n->fam),
							       nr, sizes[s]);
					int err;

					if (is_own_cmd(n, c))
						continue;
					err = ioctl_err(n->fd, c, arg);
					tried++;
					if (err == ENOTTY)
						continue;
					/* The first few say enough. */
					if (wrong++ < 10)
						TH_LOG("%s %#lx: %s", n->name, c,
						       err_name(err));
				}
	}
	TH_LOG("%lu unused command numbers tried, %lu not ENOTTY", tried,
	       wrong);
	EXPECT_EQ(0, wrong) TH_LOG("unused command numbers not ENOTTY");
	state_same(_metadata, &before, "unused command numbers");
	munmap(arg, pages * psize);
}

/*
 * Each of the node's commands with another magic (the other family's,
 * 0xb8, 0xbb, the tty's 'T'), and TCGETS, which isatty() sends.
 */
TEST_F(nodes, other_magic_enotty)
{
	static uint64_t arg[64];
	struct state before;

	state_get(_metadata, &before);
	for (size_t i = 0; i < NR_NODES; i++) {
		const struct node *n = &nodes[i];
		const uint8_t magics[] = {
			magic_of(n->fam) == MMLAB_IOC_MAGIC ? MMLAB_PCI_IOC_MAGIC :
							      MMLAB_IOC_MAGIC,
			0xb8, 0xbb, 'T',
		};
		int tty, err;

		if (n->fd < 0)
			continue;
		for (size_t j = 0; j < ARRAY_SIZE(cmds); j++) {
			if (cmds[j].fam != n->fam)
				continue;
			for (size_t m = 0; m < ARRAY_SIZE(magics); m++) {
				unsigned long c = with_magic(cmds[j].nr, magics[m]);

				valid_arg(&cmds[j], arg);
				err = ioctl_err(n->fd, c, arg);
				EXPECT_EQ(ENOTTY, err)
					TH_LOG("%s %s with magic %#x: %s",
					       n->name, cmds[j].name, magics[m],
					       err_name(err));
			}
		}
		errno = 0;
		tty = isatty(n->fd);
		err = errno;
		EXPECT_EQ(0, tty) TH_LOG("%s: isatty()", n->name);
		EXPECT_EQ(ENOTTY, err)
			TH_LOG("%s: isatty(): %s", n->name, err_name(err));
	}
	state_same(_metadata, &before, "other magics");
}

/*
 * Each of the node's commands with its number but another direction, or
 * another size: ENOTTY, never the command's work on a short buffer.
 */
TEST_F(nodes, wrong_encoding_enotty)
{
	static const unsigned int dirs[] = {
		_IOC_NONE, _IOC_READ, _IOC_WRITE, _IOC_READ | _IOC_WRITE,
	};
	static uint64_t arg[2048 + 1];
	struct state before;

	state_get(_metadata, &before);
	for (size_t i = 0; i < NR_NODES; i++)
		for (size_t j = 0; nodes[i].fd >= 0 && j < ARRAY_SIZE(cmds); j++) {
			const struct cmd *cm = &cmds[j];
			unsigned int size = _IOC_SIZE(cm->nr);
			const unsigned int sizes[] = {
				0, size - 1, size + 1, size + 8, 2 * size, 4 * size,
			};

			if (cm->fam != nodes[i].fam)
				continue;
			for (size_t d = 0; d < ARRAY_SIZE(dirs); d++)
				for (size_t s = 0; s <= ARRAY_SIZE(sizes); s++) {
					unsigned int sz = s < ARRAY_SIZE(sizes) ?
							  sizes[s] : size;
					unsigned long c = _IOC(dirs[d], _IOC_TYPE(cm->nr),
							       _IOC_NR(cm->nr), sz);
					int err;

					if (c == cm->nr)
						continue;
					valid_arg(cm, arg);
					err = ioctl_err(nodes[i].fd, c, arg);
					EXPECT_EQ(ENOTTY, err)
						TH_LOG("%s %s as %#lx: %s",
						       nodes[i].name, cm->name, c,
						       err_name(err));
				}
		}
	state_same(_metadata, &before, "wrongly encoded commands");
}

/* ---- Fields: unknown flags and reserved bits, ranges, counts. ---- */

/*
 * mmlab-mkwrite with pages 0 and (if there is one) 2 written through a
 * shared mapping: the dirty state that refused calls must not clean. The
 * bytes are written back unchanged. Returns the mapping, or NULL.
 */
static uint8_t *dirty_fixture(size_t *len)
{
	uint8_t *p;

	*len = (npages > 2 ? 3 : 1) * psize;
	p = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_SHARED,
		 mkwrite_node->fd, 0);
	if (p == MAP_FAILED)
		return NULL;
	for (size_t off = 0; off < *len; off += 2 * psize)
		rewrite_byte(p + off);
	return p;
}

static int dirty(uint64_t bitmap, uint32_t nbits, uint32_t flags,
		 uint32_t reserved, uint32_t *ndirty)
{
	struct mmlab_dirty d = {
		.bitmap = bitmap, .nbits = nbits, .flags = flags,
		.reserved = reserved, .ndirty = 0xdeadbeef,
	};
	int err = ioctl_err(mkwrite_node->fd, MMLAB_IOC_DIRTY, &d);

	if (ndirty)
		*ndirty = d.ndirty;
	return err;
}

/*
 * Flag bits that no kernel knows yet, and reserved fields that are not
 * zero, fail with EINVAL so that they can be given a meaning later:
 * MMLAB_IOC_DIRTY's flags and reserved, MMLAB_MM_IOC_COPY's to_user
 * (0 or 1) and reserved, MMLAB_MM_IOC_FOLLOW's reserved,
 * MMLAB_EDU_IOC_FACTORIAL's flags, MMLAB_PIO_IOC_READ's reserved (into
 * copy_buf, which stays as it was).
 */
TEST_F(nodes, unknown_bits_einval)
{
	struct state before;
	size_t len = 0;
	uint8_t *p = NULL;
	char how[48];

	if (mkwrite_node) {
		p = dirty_fixture(&len);
		ASSERT_NE(NULL, p) TH_LOG("mmap mmlab-mkwrite: %m");
	}
	memset(copy_buf, 0xa5, sizeof(copy_buf));
	state_get(_metadata, &before);
	for (int bit = 0; mkwrite_node && bit < 32; bit++) {
		snprintf(how, sizeof(how), "flags bit %d", bit);
		if (1U << bit != MMLAB_DIRTY_CLEAN)
			expect_err(_metadata, mkwrite_node, "MMLAB_IOC_DIRTY", how,
				   dirty((uintptr_t)dirty_words, 1024,
					 1U << bit | MMLAB_DIRTY_CLEAN, 0, NULL),
				   EINVAL);
		snprintf(how, sizeof(how), "reserved bit %d", bit);
		expect_err(_metadata, mkwrite_node, "MMLAB_IOC_DIRTY", how,
			   dirty((uintptr_t)dirty_words, 1024, MMLAB_DIRTY_CLEAN,
				 1U << bit, NULL), EINVAL);
	}
	for (int bit = 0; mm_node->fd >= 0 && bit < 32; bit++) {
		struct mmlab_copy c = {
			.uaddr = (uintptr_t)copy_buf, .len = 64,
			.to_user = 1U << bit, .done = 77,
		};

		if (bit) {
			snprintf(how, sizeof(how), "to_user %#x", c.to_user);
			expect_err(_metadata, mm_node, "MMLAB_MM_IOC_COPY", how,
				   ioctl_err(mm_node->fd, MMLAB_MM_IOC_COPY, &c),
				   EINVAL);
		}
		c.to_user = 1;
		c.reserved = 1U << bit;
		snprintf(how, sizeof(how), "reserved bit %d", bit);
		expect_err(_metadata, mm_node, "MMLAB_MM_IOC_COPY", how,
			   ioctl_err(mm_node->fd, MMLAB_MM_IOC_COPY, &c), EINVAL);
		EXPECT_EQ(77, c.done) TH_LOG("%s: done written", how);
	}
	for (int bit = 0; mm_node->fd >= 0 && bit < 32; bit++) {
		struct mmlab_follow f = {
			.addr = (uintptr_t)pfnmap_page, .reserved = 1U << bit,
			.pfn = 77,
		};

		snprintf(how, sizeof(how), "reserved bit %d", bit);
		expect_err(_metadata, mm_node, "MMLAB_MM_IOC_FOLLOW", how,
			   ioctl_err(mm_node->fd, MMLAB_MM_IOC_FOLLOW, &f),
			   EINVAL);
		EXPECT_EQ(77, f.pfn) TH_LOG("%s: pfn written", how);
	}
	for (int bit = 1; edu_node->fd >= 0 && bit < 32; bit++) {
		struct mmlab_edu_factorial f = {
			.n = 4, .flags = 1U << bit | MMLAB_EDU_FACT_IRQ,
			.result = 0xdeadbeef,
		};

		snprintf(how, sizeof(how), "flags bit %d", bit);
		expect_err(_metadata, edu_node, "MMLAB_EDU_IOC_FACTORIAL", how,
			   ioctl_err(edu_node->fd, MMLAB_EDU_IOC_FACTORIAL, &f),
			   EINVAL);
		EXPECT_EQ(0xdeadbeef, f.result) TH_LOG("%s: result written", how);
	}
	for (int bit = 0; pio_node->fd >= 0 && bit < 40; bit++) {
		struct mmlab_pio_xfer x;

		valid_arg(&cmds[OP_PIO_READ], &x);
		x.buf = (uintptr_t)copy_buf;
		x.reserved[bit / 8] = 1U << bit % 8;
		snprintf(how, sizeof(how), "reserved bit %d", bit);
		expect_err(_metadata, pio_node, "MMLAB_PIO_IOC_READ", how,
			   ioctl_err(pio_node->fd, MMLAB_PIO_IOC_READ, &x),
			   EINVAL);
	}
	state_same(_metadata, &before, "unknown bits");
	EXPECT_EQ(-1, first_not(copy_buf, sizeof(copy_buf), 0xa5))
		TH_LOG("a refused MMLAB_MM_IOC_COPY wrote that byte");
	if (p)
		munmap(p, len);
}

/* A pgoff at or past the end of the buffer: EINVAL, nothing written. */
TEST_F(nodes, pgoff_out_of_range_einval)
{
	for (size_t i = 0; i < NR_MODES; i++) {
		const struct node *n = &nodes[i];
		const uint64_t bad[] = {
			n->npages, n->npages + 1, 1ULL << 32, 1ULL << 63,
			UINT64_MAX,
		};
		struct mmlab_page_pfn pfn = { .pgoff = n->npages - 1 };
		struct mmlab_page_counts counts = { .pgoff = n->npages - 1 };

		if (n->fd < 0)
			continue;
		expect_err(_metadata, n, "MMLAB_IOC_PAGE_PFN", "the last page",
			   ioctl_err(n->fd, MMLAB_IOC_PAGE_PFN, &pfn), 0);
		expect_err(_metadata, n, "MMLAB_IOC_PAGE_COUNTS", "the last page",
			   ioctl_err(n->fd, MMLAB_IOC_PAGE_COUNTS, &counts), 0);
		for (size_t k = 0; k < ARRAY_SIZE(bad); k++) {
			char how[40];

			pfn = (struct mmlab_page_pfn){ .pgoff = bad[k], .pfn = 7 };
			counts = (struct mmlab_page_counts){
				.pgoff = bad[k], .mapcount = 7, .refcount = 7,
			};
			snprintf(how, sizeof(how), "pgoff %#llx",
				 (unsigned long long)bad[k]);
			expect_err(_metadata, n, "MMLAB_IOC_PAGE_PFN", how,
				   ioctl_err(n->fd, MMLAB_IOC_PAGE_PFN, &pfn),
				   EINVAL);
			expect_err(_metadata, n, "MMLAB_IOC_PAGE_COUNTS", how,
				   ioctl_err(n->fd, MMLAB_IOC_PAGE_COUNTS, &counts),
				   EINVAL);
			/* A refused request is not written back. */
			EXPECT_EQ(7, pfn.pfn) TH_LOG("%s, %s: pfn", n->name, how);
			EXPECT_EQ(7, counts.mapcount)
				TH_LOG("%s, %s: mapcount", n->name, how);
			EXPECT_EQ(7, counts.refcount)
				TH_LOG("%s, %s: refcount", n->name, how);
		}
	}
}

/*
 * nbits below the buffer's pages: EINVAL. Any larger nbits works and
 * writes the bitmap's words for the buffer's pages, no more.
 */
TEST_F(nodes, dirty_nbits)
{
	size_t words = (npages + 63) / 64;
	uint64_t bits[DIRTY_WORDS + 1];
	struct state before;
	uint32_t ndirty;

	if (!mkwrite_node)
		SKIP(return, "no /dev/mmlab-mkwrite");
	state_get(_metadata, &before);
	for (uint64_t nbits = 0; nbits < npages && nbits < 3; nbits++)
		expect_err(_metadata, mkwrite_node, "MMLAB_IOC_DIRTY",
			   "nbits too small",
			   dirty((uintptr_t)bits, nbits, 0, 0, NULL), EINVAL);
	expect_err(_metadata, mkwrite_node, "MMLAB_IOC_DIRTY", "nbits one short",
		   dirty((uintptr_t)bits, npages - 1, 0, 0, NULL), EINVAL);
	state_same(_metadata, &before, "DIRTY with a small nbits");
	for (int k = 0; k < 2; k++) {
		const char *how = k ? "nbits UINT32_MAX" : "nbits exact";

		memset(bits, 0x5a, sizeof(bits));
		expect_err(_metadata, mkwrite_node, "MMLAB_IOC_DIRTY", how,
			   dirty((uintptr_t)bits, k ? UINT32_MAX : npages, 0, 0,
				 &ndirty), 0);
		EXPECT_EQ(before.ndirty, ndirty) TH_LOG("%s: ndirty", how);
		EXPECT_EQ(0, memcmp(bits, before.dirty, words * 8))
			TH_LOG("%s: bitmap differs", how);
		EXPECT_EQ(0x5a5a5a5a5a5a5a5aULL, bits[words])
			TH_LOG("%s: word %zu past the buffer's pages written",
			       how, words);
	}
}

/*
 * A bitmap the kernel cannot write (NULL, a kernel address, read-only,
 * running into a hole) fails with EFAULT, and MMLAB_DIRTY_CLEAN cleans
 * nothing: the pages stay dirty, their next write is not reported again.
 */
TEST_F(nodes, dirty_bad_bitmap_efault_keeps_pages_dirty)
{
	size_t words = (npages + 63) / 64, len;
	uint8_t *hole, *ro, *p;
	struct state before;

	if (!mkwrite_node)
		SKIP(return, "no /dev/mmlab-mkwrite");
	ro = map_anon(1, PROT_READ);
	ASSERT_NE(NULL, ro) TH_LOG("mmap: %m");
	p = dirty_fixture(&len);
	ASSERT_NE(NULL, p) TH_LOG("mmap mmlab-mkwrite: %m");
	hole = map_then_hole();
	ASSERT_NE(NULL, hole) TH_LOG("mmap: %m");
	state_get(_metadata, &before);
	ASSERT_LT(0, before.ndirty) TH_LOG("no page dirty");
	for (int clean = 0; clean < 2; clean++) {
		const uint32_t flags = clean ? MMLAB_DIRTY_CLEAN : 0;
		const uint64_t bitmaps[] = {
			0, kernel_addrs[0], kernel_addrs[3], (uintptr_t)ro,
			(uintptr_t)hole + psize - 8 * words + 8,
			(uintptr_t)hole + psize,
		};

		for (size_t k = 0; k < ARRAY_SIZE(bitmaps); k++) {
			char how[40];

			snprintf(how, sizeof(how), "bitmap %#llx%s",
				 (unsigned long long)bitmaps[k],
				 clean ? ", CLEAN" : "");
			expect_err(_metadata, mkwrite_node, "MMLAB_IOC_DIRTY", how,
				   dirty(bitmaps[k], npages, flags, 0, NULL),
				   EFAULT);
		}
	}
	state_same(_metadata, &before, "DIRTY with a bad bitmap");
	/* Still writable: a write now calls no page_mkwrite. */
	rewrite_byte(p);
	state_same(_metadata, &before, "writing a page still dirty");
	munmap(p, len);
	munmap(hole, psize);
	munmap(ro, psize);
}

static int copy(uint64_t uaddr, uint64_t len, uint32_t to_user,
		uint64_t *done)
{
	struct mmlab_copy c = {
		.uaddr = uaddr, .len = len, .to_user = to_user, .done = 77,
	};
	int err = ioctl_err(mm_node->fd, MMLAB_MM_IOC_COPY, &c);

	*done = c.done;
	return err;
}

/*
 * MMLAB_MM_IOC_COPY's len: 0 (nothing to copy, even from NULL), 1, an odd
 * address and length, 64 KiB work; one byte more, 2^32, UINT64_MAX fail
 * with EINVAL, before anything is copied. A request in read-only memory
 * fails with EFAULT before copying anything to the user buffer.
 */
TEST_F(nodes, copy_lengths)
{
	static const uint64_t bad[] = { 65537, 1ULL << 32, UINT64_MAX };
	uint8_t *ro;
	uint64_t done;

	if (mm_node->fd < 0)
		SKIP(return, "no /dev/mmlab-mm");
	ro = map_anon(1, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, ro) TH_LOG("mmap: %m");
	memset(copy_buf, 0, sizeof(copy_buf));
	for (uint32_t to_user = 0; to_user < 2; to_user++) {
		const char *cmd = to_user ? "MMLAB_MM_IOC_COPY to user" :
					    "MMLAB_MM_IOC_COPY from user";

		expect_err(_metadata, mm_node, cmd, "len 0 at NULL",
			   copy(0, 0, to_user, &done), 0);
		EXPECT_EQ(0, done) TH_LOG("%s, len 0 at NULL: done", cmd);
		expect_err(_metadata, mm_node, cmd, "len 1",
			   copy((uintptr_t)copy_buf, 1, to_user, &done), 0);
		EXPECT_EQ(1, done) TH_LOG("%s, len 1: done", cmd);
		expect_err(_metadata, mm_node, cmd, "61 bytes at an odd address",
			   copy((uintptr_t)copy_buf + 3, 61, to_user, &done), 0);
		EXPECT_EQ(61, done)
			TH_LOG("%s, 61 bytes at an odd address: done", cmd);
		expect_err(_metadata, mm_node, cmd, "64 KiB",
			   copy((uintptr_t)copy_buf, 65536, to_user, &done), 0);
		EXPECT_EQ(65536, done) TH_LOG("%s, 64 KiB: done", cmd);
	}
	memset(copy_buf, 0xa5, sizeof(copy_buf));
	for (size_t k = 0; k < ARRAY_SIZE(bad); k++) {
		char how[40];

		snprintf(how, sizeof(how), "len %#llx",
			 (unsigned long long)bad[k]);
		expect_err(_metadata, mm_node, "MMLAB_MM_IOC_COPY", how,
			   copy((uintptr_t)copy_buf, bad[k], 1, &done), EINVAL);
		EXPECT_EQ(77, done) TH_LOG("%s: done written", how);
	}
	*(struct mmlab_copy *)ro = (struct mmlab_copy){
		.uaddr = (uintptr_t)copy_buf, .len = 64, .to_user = 1,
	};
	ASSERT_EQ(0, mprotect(ro, psize, PROT_READ)) TH_LOG("mprotect: %m");
	expect_err(_metadata, mm_node, "MMLAB_MM_IOC_COPY", "read-only, to user",
		   ioctl_err(mm_node->fd, MMLAB_MM_IOC_COPY, ro), EFAULT);
	EXPECT_EQ(-1, first_not(copy_buf, sizeof(copy_buf), 0xa5))
		TH_LOG("a refused copy wrote that byte");
	munmap(ro, psize);
}

static int vmas(uint64_t array, uint32_t count, struct mmlab_vmas *v)
{
	*v = (struct mmlab_vmas){
		.vmas = array, .count = count, .written = 0xdeadbeef,
	};
	return ioctl_err(mm_node->fd, MMLAB_MM_IOC_VMAS, v);
}

/*
 * MMLAB_MM_IOC_VMAS's count: any value is taken, written is the smallest
 * of the counts and MMLAB_VMAS_MAX, whatever it was on entry; an array
 * that cannot hold what is written fails with EFAULT.
 */
TEST_F(nodes, vmas_counts)
{
	static const char cmd[] = "MMLAB_MM_IOC_VMAS";
	uint8_t *hole;
	struct mmlab_vma *last;
	struct mmlab_vmas v;
	uint32_t n;

	if (mm_node->fd < 0)
		SKIP(return, "no /dev/mmlab-mm");
	hole = map_then_hole();
	ASSERT_NE(NULL, hole) TH_LOG("mmap: %m");
	last = (struct mmlab_vma *)(hole + psize) - 1;
	expect_err(_metadata, mm_node, cmd, "count 0, NULL", vmas(0, 0, &v), 0);
	EXPECT_EQ(0, v.written) TH_LOG("count 0, NULL: written");
	EXPECT_LT(1, v.count) TH_LOG("count 0, NULL: count out");
	n = v.count;
	expect_err(_metadata, mm_node, cmd, "count 1",
		   vmas((uintptr_t)last, 1, &v), 0);
	EXPECT_EQ(1, v.written) TH_LOG("count 1: written");
	expect_err(_metadata, mm_node, cmd, "count 4",
		   vmas((uintptr_t)vma_out, ARRAY_SIZE(vma_out), &v), 0);
	EXPECT_EQ(ARRAY_SIZE(vma_out), v.written) TH_LOG("count 4: written");
	if (n < MMLAB_VMAS_MAX) {
		struct mmlab_vma *big = calloc(MMLAB_VMAS_MAX + 1, sizeof(*big));

		ASSERT_NE(NULL, big) TH_LOG("calloc: %m");
		/* calloc() may add a vma: compare with the count now. */
		expect_err(_metadata, mm_node, cmd, "count MMLAB_VMAS_MAX + 1",
			   vmas((uintptr_t)big, MMLAB_VMAS_MAX + 1, &v), 0);
		EXPECT_EQ(v.count, v.written)
			TH_LOG("count MMLAB_VMAS_MAX + 1: written");
		EXPECT_GT(MMLAB_VMAS_MAX, v.count)
			TH_LOG("count MMLAB_VMAS_MAX + 1: count out");
		free(big);
	}
	expect_err(_metadata, mm_node, cmd, "count UINT32_MAX into one entry",
		   vmas((uintptr_t)last, UINT32_MAX, &v), EFAULT);
	expect_err(_metadata, mm_node, cmd, "count 1, NULL", vmas(0, 1, &v),
		   EFAULT);
	expect_err(_metadata, mm_node, cmd, "count 1, kernel array",
		   vmas(kernel_addrs[0], 1, &v), EFAULT);
	expect_err(_metadata, mm_node, cmd, "count 1, array in a hole",
		   vmas((uintptr_t)hole + psize, 1, &v), EFAULT);
	munmap(hole, psize);
}

/*
 * MMLAB_MM_IOC_WALK of an address outside the caller's vmas, kernel
 * addresses included: no error, and no entry, nothing of the kernel's
 * page tables.
 */
TEST_F(nodes, walk_outside_vmas)
{
	const uint64_t addrs[] = {
		0, 1, kernel_addrs[0], kernel_addrs[1], kernel_addrs[2],
		UINT64_MAX,
	};

	if (mm_node->fd < 0)
		SKIP(return, "no /dev/mmlab-mm");
	for (size_t k = 0; k < ARRAY_SIZE(addrs); k++) {
		unsigned long long addr = addrs[k];
		struct mmlab_walk w;

		memset(&w, 0xff, sizeof(w));
		w.addr = addr;
		EXPECT_EQ(0, ioctl(mm_node->fd, MMLAB_MM_IOC_WALK, &w))
			TH_LOG("walk %#llx: %m", addr);
		for (int l = 0; l < MMLAB_LEVELS; l++) {
			EXPECT_EQ(0, w.entry[l].raw)
				TH_LOG("walk %#llx: level %d", addr, l);
			EXPECT_EQ(0, w.entry[l].present)
				TH_LOG("walk %#llx: level %d", addr, l);
			EXPECT_EQ(0, w.entry[l].leaf)
				TH_LOG("walk %#llx: level %d", addr, l);
		}
		EXPECT_EQ(0, w.flags) TH_LOG("walk %#llx: flags", addr);
		EXPECT_EQ(0, w.pfn) TH_LOG("walk %#llx: pfn", addr);
		EXPECT_EQ(0, w.page_size) TH_LOG("walk %#llx: page_size", addr);
		EXPECT_TRUE(w.levels == 4 || w.levels == 5)
			TH_LOG("walk %#llx: levels %u", addr, w.levels);
		EXPECT_EQ(addr, w.addr) TH_LOG("walk %#llx: addr", addr);
	}
}

/* ---- edu: refused before the device is touched. ---- */

TEST_F(nodes, edu_dma_bounds_einval)
{
	static const struct { uint32_t len, offset; } bad[] = {
		{ 0, 0 }, { 0, 100 }, { MMLAB_EDU_DMA_SIZE, 0 },
		{ 1, MMLAB_EDU_DMA_SIZE - 1 }, { 1, MMLAB_EDU_DMA_SIZE },
		{ 200, 4000 }, { 16, 0xfffffff8 }, { 0xffffffff, 0 },
		{ 0xffffffff, 1 }, { 0x80000000, 0x80000000 },
	};
	struct state before;

	if (edu_node->fd < 0)
		SKIP(return, "no /dev/mmlab-edu0: %s",
		     strerror(edu_node->open_err));
	state_get(_metadata, &before);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct mmlab_edu_dma d = {
			.buf = (uintptr_t)copy_buf, .len = bad[i].len,
			.offset = bad[i].offset,
		};
		char how[40];

		snprintf(how, sizeof(how), "len %u offset %u", d.len, d.offset);
		expect_err(_metadata, edu_node, "DMA_TO_DEV", how,
			   ioctl_err(edu_node->fd, MMLAB_EDU_IOC_DMA_TO_DEV, &d),
			   EINVAL);
		expect_err(_metadata, edu_node, "DMA_FROM_DEV", how,
			   ioctl_err(edu_node->fd, MMLAB_EDU_IOC_DMA_FROM_DEV, &d),
			   EINVAL);
	}
	state_same(_metadata, &before, "DMA out of bounds");
}

TEST_F(nodes, edu_raise_zero_einval)
{
	struct mmlab_edu_raise r = { .value = 0, .irq_status = 7 };
	struct state before;

	if (edu_node->fd < 0)
		SKIP(return, "no /dev/mmlab-edu0: %s",
		     strerror(edu_node->open_err));
	state_get(_metadata, &before);
	expect_err(_metadata, edu_node, "RAISE_IRQ", "value 0",
		   ioctl_err(edu_node->fd, MMLAB_EDU_IOC_RAISE_IRQ, &r), EINVAL);
	EXPECT_EQ(7, r.irq_status) TH_LOG("irq_status written");
	state_same(_metadata, &before, "RAISE_IRQ 0");
}

/*
 * A DMA buffer the kernel cannot read (to the device) or write (from it):
 * EFAULT, no transfer, no interrupt; the device's buffer keeps its bytes.
 */
static int edu_dma(unsigned long cmd, uint64_t buf, uint32_t len,
		   uint32_t offset)
{
	struct mmlab_edu_dma d = { .buf = buf, .len = len, .offset = offset };

	return ioctl_err(edu_node->fd, cmd, &d);
}

TEST_F(nodes, edu_bad_dma_buffer_efault)
{
	uint8_t *hole, *ro, mark[64], back[64];
	struct state before;
	int err;

	if (edu_node->fd < 0)
		SKIP(return, "no /dev/mmlab-edu0: %s",
		     strerror(edu_node->open_err));
	ro = map_anon(1, PROT_READ);
	ASSERT_NE(NULL, ro) TH_LOG("mmap: %m");
	hole = map_then_hole();
	ASSERT_NE(NULL, hole) TH_LOG("mmap: %m");
	for (size_t i = 0; i < sizeof(mark); i++)
		mark[i] = 0xc0 ^ i;
	err = edu_dma(MMLAB_EDU_IOC_DMA_TO_DEV, (uintptr_t)mark, sizeof(mark),
		      64);
	ASSERT_EQ(0, err)
		TH_LOG("mmlab-edu0 DMA_TO_DEV, a good buffer: %s", err_name(err));
	state_get(_metadata, &before);
	for (int from = 0; from < 2; from++) {
		const uint64_t bufs[] = {
			0, kernel_addrs[0], kernel_addrs[3],
			(uintptr_t)hole + psize, (uintptr_t)hole + psize - 32,
			(uintptr_t)ro,
		};
		/* A read-only buffer is a fine source. */
		size_t n = ARRAY_SIZE(bufs) - !from;

		for (size_t k = 0; k < n; k++) {
			char how[40];

			snprintf(how, sizeof(how), "buf %#llx",
				 (unsigned long long)bufs[k]);
			expect_err(_metadata, edu_node,
				   from ? "DMA_FROM_DEV" : "DMA_TO_DEV", how,
				   edu_dma(from ? MMLAB_EDU_IOC_DMA_FROM_DEV :
						  MMLAB_EDU_IOC_DMA_TO_DEV,
					   bufs[k], sizeof(mark), 64),
				   EFAULT);
		}
	}
	state_same(_metadata, &before, "DMA with a bad buffer");
	err = edu_dma(MMLAB_EDU_IOC_DMA_FROM_DEV, (uintptr_t)back, sizeof(back),
		      64);
	ASSERT_EQ(0, err)
		TH_LOG("mmlab-edu0 DMA_FROM_DEV, a good buffer: %s",
		       err_name(err));
	EXPECT_EQ(0, memcmp(mark, back, sizeof(mark)))
		TH_LOG("the device's buffer changed");
	munmap(hole, psize);
	munmap(ro, psize);
}

/* ---- The privilege table. ---- */

enum caller { ROOT, NOCAP, NOBODY, NOBODY_FD, NR_CALLERS };

static const char *const caller_names[NR_CALLERS] = {
	[ROOT] = "root",
	[NOCAP] = "root-nocaps",
	[NOBODY] = "nobody",
	[NOBODY_FD] = "nobody-fd",
};

/* The nodes a row of the table is about. */
enum node_group {
	G_MODES, G_MKWRITE, G_NOT_MKWRITE, G_MM, G_EDU, G_IVSHMEM, G_PIO,
};

static const char *const group_names[] = {
	[G_MODES] = "mmlab-<mode>, every one",
	[G_MKWRITE] = "mmlab-mkwrite",
	[G_NOT_MKWRITE] = "mmlab-<mode> but mkwrite",
	[G_MM] = "mmlab-mm",
	[G_EDU] = "mmlab-edu<N>",
	[G_IVSHMEM] = "mmlab-ivshmem<N>",
	[G_PIO] = "mmlab-pio<N>",
};

/**
 * struct priv_row - one cell of the privilege table
 * @group: the nodes
 * @op: what is done, with a valid argument: an ioctl of cmds[], OP_OTHER
 *	or OP_MMAP
 * @caller: who does it: root; root without CAP_SYS_ADMIN, CAP_SYS_RAWIO
 *	and CAP_SYSLOG; uid and gid 65534 opening the node; uid 65534 with
 *	a file that root opened before the switch
 * @err: 0 or the errno; for %NOBODY, that of open()
 */
struct priv_row {
	enum node_group group;
	enum op op;
	enum caller caller;
	int err;
};

static const struct priv_row priv_table[] = {
	{ G_MODES, OP_INFO, ROOT, 0 },
	{ G_MODES, OP_INFO, NOCAP, 0 },
	{ G_MODES, OP_INFO, NOBODY, EACCES },
	{ G_MODES, OP_INFO, NOBODY_FD, 0 },
	{ G_MODES, OP_PAGE_PFN, ROOT, 0 },
	{ G_MODES, OP_PAGE_PFN, NOCAP, EPERM },
	{ G_MODES, OP_PAGE_PFN, NOBODY, EACCES },
	{ G_MODES, OP_PAGE_PFN, NOBODY_FD, EPERM },
	{ G_MKWRITE, OP_DIRTY, ROOT, 0 },
	{ G_MKWRITE, OP_DIRTY, NOCAP, 0 },
	{ G_MKWRITE, OP_DIRTY, NOBODY, EACCES },
	{ G_MKWRITE, OP_DIRTY, NOBODY_FD, 0 },
	{ G_NOT_MKWRITE, OP_DIRTY, ROOT, ENOTTY },
	{ G_NOT_MKWRITE, OP_DIRTY, NOCAP, ENOTTY },
	{ G_NOT_MKWRITE, OP_DIRTY, NOBODY, EACCES },
	{ G_NOT_MKWRITE, OP_DIRTY, NOBODY_FD, ENOTTY },
	{ G_MODES, OP_PAGE_COUNTS, ROOT, 0 },
	{ G_MODES, OP_PAGE_COUNTS, NOCAP, EPERM },
	{ G_MODES, OP_PAGE_COUNTS, NOBODY, EACCES },
	{ G_MODES, OP_PAGE_COUNTS, NOBODY_FD, EPERM },
	{ G_MODES, OP_OTHER, ROOT, ENOTTY },
	{ G_MODES, OP_OTHER, NOCAP, ENOTTY },
	{ G_MODES, OP_OTHER, NOBODY, EACCES },
	{ G_MODES, OP_OTHER, NOBODY_FD, ENOTTY },
	{ G_MODES, OP_MMAP, ROOT, 0 },
	{ G_MODES, OP_MMAP, NOCAP, 0 },
	{ G_MODES, OP_MMAP, NOBODY, EACCES },
	{ G_MODES, OP_MMAP, NOBODY_FD, 0 },

	{ G_MM, OP_WALK, ROOT, 0 },
	{ G_MM, OP_WALK, NOCAP, EPERM },
	{ G_MM, OP_WALK, NOBODY, EACCES },
	{ G_MM, OP_WALK, NOBODY_FD, EPERM },
	{ G_MM, OP_VMAS, ROOT, 0 },
	{ G_MM, OP_VMAS, NOCAP, EPERM },
	{ G_MM, OP_VMAS, NOBODY, EACCES },
	{ G_MM, OP_VMAS, NOBODY_FD, EPERM },
	{ G_MM, OP_STAT, ROOT, 0 },
	{ G_MM, OP_STAT, NOCAP, EPERM },
	{ G_MM, OP_STAT, NOBODY, EACCES },
	{ G_MM, OP_STAT, NOBODY_FD, EPERM },
	{ G_MM, OP_LAYOUT, ROOT, 0 },
	{ G_MM, OP_LAYOUT, NOCAP, EPERM },
	{ G_MM, OP_LAYOUT, NOBODY, EACCES },
	{ G_MM, OP_LAYOUT, NOBODY_FD, EPERM },
	{ G_MM, OP_COPY, ROOT, 0 },
	{ G_MM, OP_COPY, NOCAP, EPERM },
	{ G_MM, OP_COPY, NOBODY, EACCES },
	{ G_MM, OP_COPY, NOBODY_FD, EPERM },
	{ G_MM, OP_FOLLOW, ROOT, 0 },
	{ G_MM, OP_FOLLOW, NOCAP, EPERM },
	{ G_MM, OP_FOLLOW, NOBODY, EACCES },
	{ G_MM, OP_FOLLOW, NOBODY_FD, EPERM },
	{ G_MM, OP_OTHER, ROOT, ENOTTY },
	{ G_MM, OP_OTHER, NOCAP, ENOTTY },
	{ G_MM, OP_OTHER, NOBODY, EACCES },
	{ G_MM, OP_OTHER, NOBODY_FD, ENOTTY },
	{ G_MM, OP_MMAP, ROOT, ENODEV },
	{ G_MM, OP_MMAP, NOCAP, ENODEV },
	{ G_MM, OP_MMAP, NOBODY, EACCES },
	{ G_MM, OP_MMAP, NOBODY_FD, ENODEV },

	{ G_EDU, OP_EDU_INFO, ROOT, 0 },
	{ G_EDU, OP_EDU_INFO, NOCAP, 0 },
	{ G_EDU, OP_EDU_INFO, NOBODY, EACCES },
	{ G_EDU, OP_EDU_INFO, NOBODY_FD, 0 },
	{ G_EDU, OP_LIVENESS, ROOT, 0 },
	{ G_EDU, OP_LIVENESS, NOCAP, 0 },
	{ G_EDU, OP_LIVENESS, NOBODY, EACCES },
	{ G_EDU, OP_LIVENESS, NOBODY_FD, 0 },
	{ G_EDU, OP_FACTORIAL, ROOT, 0 },
	{ G_EDU, OP_FACTORIAL, NOCAP, 0 },
	{ G_EDU, OP_FACTORIAL, NOBODY, EACCES },
	{ G_EDU, OP_FACTORIAL, NOBODY_FD, 0 },
	{ G_EDU, OP_DMA_TO_DEV, ROOT, 0 },
	{ G_EDU, OP_DMA_TO_DEV, NOCAP, 0 },
	{ G_EDU, OP_DMA_TO_DEV, NOBODY, EACCES },
	{ G_EDU, OP_DMA_TO_DEV, NOBODY_FD, 0 },
	{ G_EDU, OP_DMA_FROM_DEV, ROOT, 0 },
	{ G_EDU, OP_DMA_FROM_DEV, NOCAP, 0 },
	{ G_EDU, OP_DMA_FROM_DEV, NOBODY, EACCES },
	{ G_EDU, OP_DMA_FROM_DEV, NOBODY_FD, 0 },
	{ G_EDU, OP_RAISE_IRQ, ROOT, 0 },
	{ G_EDU, OP_RAISE_IRQ, NOCAP, 0 },
	{ G_EDU, OP_RAISE_IRQ, NOBODY, EACCES },
	{ G_EDU, OP_RAISE_IRQ, NOBODY_FD, 0 },
	{ G_EDU, OP_DMA_PIN, ROOT, 0 },
	{ G_EDU, OP_DMA_PIN, NOCAP, 0 },
	{ G_EDU, OP_DMA_PIN, NOBODY, EACCES },
	{ G_EDU, OP_DMA_PIN, NOBODY_FD, 0 },
	{ G_EDU, OP_OTHER, ROOT, ENOTTY },
	{ G_EDU, OP_OTHER, NOCAP, ENOTTY },
	{ G_EDU, OP_OTHER, NOBODY, EACCES },
	{ G_EDU, OP_OTHER, NOBODY_FD, ENOTTY },
	{ G_EDU, OP_MMAP, ROOT, 0 },
	{ G_EDU, OP_MMAP, NOCAP, EPERM },
	{ G_EDU, OP_MMAP, NOBODY, EACCES },
	{ G_EDU, OP_MMAP, NOBODY_FD, EPERM },

	{ G_IVSHMEM, OP_IVSHMEM_INFO, ROOT, 0 },
	{ G_IVSHMEM, OP_IVSHMEM_INFO, NOCAP, 0 },
	{ G_IVSHMEM, OP_IVSHMEM_INFO, NOBODY, EACCES },
	{ G_IVSHMEM, OP_IVSHMEM_INFO, NOBODY_FD, 0 },
	{ G_IVSHMEM, OP_OTHER, ROOT, ENOTTY },
	{ G_IVSHMEM, OP_OTHER, NOCAP, ENOTTY },
	{ G_IVSHMEM, OP_OTHER, NOBODY, EACCES },
	{ G_IVSHMEM, OP_OTHER, NOBODY_FD, ENOTTY },
	{ G_IVSHMEM, OP_MMAP, ROOT, 0 },
	{ G_IVSHMEM, OP_MMAP, NOCAP, EPERM },
	{ G_IVSHMEM, OP_MMAP, NOBODY, EACCES },
	{ G_IVSHMEM, OP_MMAP, NOBODY_FD, EPERM },

	{ G_PIO, OP_PIO_INFO, ROOT, 0 },
	{ G_PIO, OP_PIO_INFO, NOCAP, 0 },
	{ G_PIO, OP_PIO_INFO, NOBODY, EACCES },
	{ G_PIO, OP_PIO_INFO, NOBODY_FD, 0 },
	{ G_PIO, OP_PIO_WRITE, ROOT, 0 },
	{ G_PIO, OP_PIO_WRITE, NOCAP, 0 },
	{ G_PIO, OP_PIO_WRITE, NOBODY, EACCES },
	{ G_PIO, OP_PIO_WRITE, NOBODY_FD, 0 },
	{ G_PIO, OP_PIO_READ, ROOT, 0 },
	{ G_PIO, OP_PIO_READ, NOCAP, 0 },
	{ G_PIO, OP_PIO_READ, NOBODY, EACCES },
	{ G_PIO, OP_PIO_READ, NOBODY_FD, 0 },
	{ G_PIO, OP_OTHER, ROOT, ENOTTY },
	{ G_PIO, OP_OTHER, NOCAP, ENOTTY },
	{ G_PIO, OP_OTHER, NOBODY, EACCES },
	{ G_PIO, OP_OTHER, NOBODY_FD, ENOTTY },
	{ G_PIO, OP_MMAP, ROOT, 0 },
	{ G_PIO, OP_MMAP, NOCAP, EPERM },
	{ G_PIO, OP_MMAP, NOBODY, EACCES },
	{ G_PIO, OP_MMAP, NOBODY_FD, EPERM },
};

#define NR_ROWS		ARRAY_SIZE(priv_table)

static bool in_group(const struct node *n, enum node_group g)
{
	switch (g) {
	case G_MODES:
		return n->fam == FAM_MODE;
	case G_MKWRITE:
		return n->fam == FAM_MODE && n->mkwrite;
	case G_NOT_MKWRITE:
		return n->fam == FAM_MODE && !n->mkwrite;
	case G_MM:
		return n->fam == FAM_MM;
	case G_EDU:
		return n->fam == FAM_EDU;
	case G_IVSHMEM:
		return n->fam == FAM_IVSHMEM;
	case G_PIO:
		return n->fam == FAM_PIO;
	}
	return false;
}

static const char *op_name(enum op op)
{
	if (op == OP_OTHER)
		return "any other ioctl";
	if (op == OP_MMAP)
		return "mmap()";
	return cmds[op].name;
}

/* @op on @fd, a node of @n's kind, with a valid argument: 0 or errno. */
static int do_op(int fd, const struct node *n, enum op op)
{
	static uint64_t arg[64];
	void *p;

	if (op == OP_OTHER)
		return ioctl_err(fd, _IO(magic_of(n->fam), 0xff), arg);
	if (op == OP_MMAP) {
		p = mmap(NULL, psize, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			return errno;
		munmap(p, psize);
		return 0;
	}
	valid_arg(&cmds[op], arg);
	return ioctl_err(fd, cmds[op].nr, arg);
}

/* Drop CAP_SYS_ADMIN, CAP_SYS_RAWIO and CAP_SYSLOG from every set. */
static bool drop_caps(void)
{
	static const int drop[] = { CAP_SYS_ADMIN, CAP_SYS_RAWIO, CAP_SYSLOG };
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &h, d))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(drop); i++) {
		d[CAP_TO_INDEX(drop[i])].effective &= ~CAP_TO_MASK(drop[i]);
		d[CAP_TO_INDEX(drop[i])].permitted &= ~CAP_TO_MASK(drop[i]);
		d[CAP_TO_INDEX(drop[i])].inheritable &= ~CAP_TO_MASK(drop[i]);
	}
	if (syscall(SYS_capset, &h, d))
		return false;
	/* What the kernel now holds, rather than what was asked. */
	memset(d, 0xff, sizeof(d));
	if (syscall(SYS_capget, &h, d))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(drop); i++)
		if (d[CAP_TO_INDEX(drop[i])].effective & CAP_TO_MASK(drop[i]))
			return false;
	return true;
}

static bool become_nobody(void)
{
	return !setgroups(0, NULL) && !setresgid(65534, 65534, 65534) &&
	       !setresuid(65534, 65534, 65534);
}

/*
 * In a child, as @caller: every row of @caller, on every present node of
 * its group. The result of row r on node i goes to res[r * NR_NODES + i].
 */
static void run_as(enum caller caller, int *res)
{
	int fds[NR_NODES];

	if ((caller == NOCAP && !drop_caps()) ||
	    ((caller == NOBODY || caller == NOBODY_FD) && !become_nobody()))
		_exit(2);
	for (size_t i = 0; i < NR_NODES; i++) {
		fds[i] = -1;
		if (nodes[i].fd < 0)
			continue;
		if (caller == NOBODY_FD) {
			fds[i] = nodes[i].fd;
			continue;
		}
		fds[i] = open(nodes[i].path, O_RDWR | O_CLOEXEC);
		if (fds[i] < 0)
			fds[i] = -errno;
	}
	for (size_t r = 0; r < NR_ROWS; r++) {
		if (priv_table[r].caller != caller)
			continue;
		for (size_t i = 0; i < NR_NODES; i++) {
			if (nodes[i].fd < 0 || !in_group(&nodes[i], priv_table[r].group))
				continue;
			res[r * NR_NODES + i] = fds[i] < 0 ? -fds[i] :
					       do_op(fds[i], &nodes[i],
						     priv_table[r].op);
		}
	}
	_exit(0);
}

/* Run @caller's rows in a child; check what it got against the table. */
static void privileges_of(struct __test_metadata *_metadata,
			  enum caller caller)
{
	size_t len = NR_ROWS * NR_NODES * sizeof(int);
	int *res = mmap(NULL, len, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int status = -1, checked = 0;
	pid_t pid;

	ASSERT_NE(MAP_FAILED, res) TH_LOG("mmap: %m");
	memset(res, 0xff, len);
	pid = fork();
	if (pid == 0)
		run_as(caller, res);
	ASSERT_LE(0, pid) TH_LOG("fork: %m");
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	/* Exit status 2: it could not become @caller. */
	ASSERT_EQ(0, status)
		TH_LOG("child as %s: status %#x", caller_names[caller], status);
	for (size_t r = 0; r < NR_ROWS; r++) {
		const struct priv_row *row = &priv_table[r];

		if (row->caller != caller)
			continue;
		for (size_t i = 0; i < NR_NODES; i++) {
			int got = res[r * NR_NODES + i];

			if (nodes[i].fd < 0 || !in_group(&nodes[i], row->group))
				continue;
			checked++;
			EXPECT_EQ(row->err, got)
				TH_LOG("%s as %s: %s %s, the table says %s",
				       nodes[i].name, caller_names[caller],
				       op_name(row->op), err_name(got),
				       err_name(row->err));
		}
	}
	TH_LOG("%d cells checked as %s", checked, caller_names[caller]);
	munmap(res, len);
}

TEST_F(nodes, privileges_root)
{
	privileges_of(_metadata, ROOT);
}

TEST_F(nodes, privileges_without_admin_rawio_syslog)
{
	privileges_of(_metadata, NOCAP);
}

/* Every node is root's, mode 0600: the open itself fails, for any access. */
TEST_F(nodes, privileges_nobody)
{
	int status = -1;
	pid_t pid;

	for (size_t i = 0; i < NR_NODES; i++) {
		struct stat st;

		if (nodes[i].fd < 0)
			continue;
		ASSERT_EQ(0, fstat(nodes[i].fd, &st))
			TH_LOG("%s: fstat: %m", nodes[i].name);
		EXPECT_EQ(0, st.st_uid) TH_LOG("%s: owner", nodes[i].name);
		EXPECT_EQ(0600, st.st_mode & 07777)
			TH_LOG("%s: mode %#o", nodes[i].name, st.st_mode & 07777);
	}
	pid = fork();
	if (pid == 0) {
		int bad = 0;

		if (!become_nobody())
			_exit(2);
		for (size_t i = 0; i < NR_NODES; i++) {
			static const int flags[] = { O_RDONLY, O_WRONLY, O_RDWR };

			if (nodes[i].fd < 0)
				continue;
			for (size_t m = 0; m < ARRAY_SIZE(flags); m++)
				if (open(nodes[i].path, flags[m]) >= 0 ||
				    errno != EACCES)
					bad++;
		}
		_exit(bad ? 1 : 0);
	}
	ASSERT_LE(0, pid) TH_LOG("fork: %m");
	EXPECT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status)
		TH_LOG("uid 65534 opened a node, or failed otherwise than EACCES (status %#x)",
		       status);
	privileges_of(_metadata, NOBODY);
}

TEST_F(nodes, privileges_nobody_with_root_fd)
{
	privileges_of(_metadata, NOBODY_FD);
}

/* Print the table as Documentation/privileges.rst shows it: reST. */
static void print_table(void)
{
	static const enum op ops[] = {
		OP_INFO, OP_PAGE_PFN, OP_PAGE_COUNTS, OP_DIRTY, OP_WALK, OP_VMAS,
		OP_STAT, OP_LAYOUT, OP_COPY, OP_FOLLOW, OP_EDU_INFO, OP_LIVENESS,
		OP_FACTORIAL, OP_DMA_TO_DEV, OP_DMA_FROM_DEV, OP_RAISE_IRQ,
		OP_DMA_PIN, OP_IVSHMEM_INFO, OP_PIO_INFO, OP_PIO_WRITE, OP_PIO_READ, OP_OTHER,
		OP_MMAP,
	};
	static const char *const head[2 + NR_CALLERS] = {
		"node", "operation", [2 + ROOT] = "root",
		[2 + NOCAP] = "root-nocaps", [2 + NOBODY] = "nobody",
		[2 + NOBODY_FD] = "nobody-fd",
	};
	static const int w[2 + NR_CALLERS] = { 24, 26, 6, 11, 6, 9 };
	char cell[NR_CALLERS][16];

	for (int line = 0; line < 3; line++) {
		for (int c = 0; c < 2 + NR_CALLERS; c++)
			if (line == 1)
				printf("%-*s%s", w[c], head[c],
				       c < 1 + NR_CALLERS ? "  " : "\n");
			else
				printf("%.*s%s", w[c], "==========================",
				       c < 1 + NR_CALLERS ? "  " : "\n");
	}
	for (int g = G_MODES; g < (int)ARRAY_SIZE(group_names); g++)
		for (size_t o = 0; o < ARRAY_SIZE(ops); o++) {
			bool any = false;

			for (int c = 0; c < NR_CALLERS; c++)
				snprintf(cell[c], sizeof(cell[c]), "?");
			for (size_t r = 0; r < NR_ROWS; r++) {
				const struct priv_row *row = &priv_table[r];

				if (row->group != (enum node_group)g || row->op != ops[o])
					continue;
				snprintf(cell[row->caller], sizeof(cell[0]), "%s",
					 err_name(row->err));
				any = true;
			}
			if (!any)
				continue;
			printf("%-*s  %-*s", w[0], group_names[g], w[1],
			       op_name(ops[o]));
			for (int c = 0; c < NR_CALLERS; c++)
				printf(c < NR_CALLERS - 1 ? "  %-*s" : "  %.*s\n",
				       w[2 + c], cell[c]);
		}
	for (int c = 0; c < 2 + NR_CALLERS; c++)
		printf("%.*s%s", w[c], "==========================",
		       c < 1 + NR_CALLERS ? "  " : "\n");
}

/* ---- The kernel log. ---- */

/*
 * Nothing of the above may leave a trace in the kernel log: no warning,
 * no oops, no sanitizer report. Every record since main() began, before
 * the first test: the harness runs the tests in the order they are
 * declared, and this one is the last.
 */
TEST_F(nodes, kernel_log_clean)
{
	static const char *const bad[] = {
		"BUG:", "WARNING:", "Oops", "Call Trace", "general protection",
		"UBSAN", "KASAN", "KFENCE", "kernel BUG", "refcount_t",
		"Unable to handle", "unreferenced object",
	};
	char rec[4096];
	int found = 0;
	ssize_t n;

	if (kmsg_fd < 0)
		SKIP(return, "no /dev/kmsg: %s", strerror(kmsg_err));
	for (;;) {
		n = read(kmsg_fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* records lost to a wrap: read on */
		if (n <= 0)
			break;
		rec[n] = '\0';
		/* The record's last newline: TH_LOG() adds its own. */
		if (rec[n - 1] == '\n')
			rec[n - 1] = '\0';
		for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
			if (strstr(rec, bad[i])) {
				TH_LOG("kernel log: %s", strchr(rec, ';') ?
				       strchr(rec, ';') + 1 : rec);
				found++;
				break;
			}
	}
	EXPECT_EQ(0, found)
		TH_LOG("records with a warning, an oops or a sanitizer report");
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--table")) {
		print_table();
		return 0;
	}
	/*
	 * Where the kernel log stands before the first test. Each test is
	 * a child of this process, with the same open file, whose position
	 * is one for all: kernel_log_clean reads on from here.
	 */
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd < 0)
		kmsg_err = errno;
	else
		lseek(kmsg_fd, 0, SEEK_END);
	return test_harness_run(argc, argv);
}
