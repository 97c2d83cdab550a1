// SPDX-License-Identifier: GPL-2.0
/*
 * introspect_kernel_test: what /dev/mmlab-mm (drivers/introspect/) says
 * of the kernel's side: its address-space layout against /proc/kcore,
 * /proc/kallsyms, the module's sections in sysfs and kptr_restrict, and
 * copy_from_user()'s fault fixup with bad pointers.
 *
 * kselftest harness: fixture "mm" (mm_fixture.h), each test in a process
 * of its own. Run as root in the test VM.
 */
#define _GNU_SOURCE
#include <linux/elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/capability.h>

#include "harness.h"

#include "mm_fixture.h"
#include "procfs.h"

static const char * const region_names[] = {
	"direct map", "vmalloc", "vmemmap", "modules", "kernel text",
};

static const char * const live_names[] = {
	"kmalloc", "vmalloc", "module", "stack", "kernel",
};

static long set_kptr_restrict(long set)
{
	long old = read_number("/proc/sys/kernel/kptr_restrict");
	FILE *f;

	if (set >= 0) {
		f = fopen("/proc/sys/kernel/kptr_restrict", "w");
		if (f) {
			fprintf(f, "%ld\n", set);
			fclose(f);
		}
	}
	return old;
}

/*
 * A symbol's address in /proc/kallsyms ("addr type name [module]"), as
 * shown to this caller: zero when kptr_restrict withholds it. False if
 * the symbol is not there.
 */
static bool kallsyms_find(const char *name, unsigned long long *addr)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	unsigned long long a;
	char type, sym[256];
	bool found = false;

	if (!f)
		return false;
	while (!found && fscanf(f, "%llx %c %255s%*[^\n]", &a, &type, sym) == 3)
		if (!strcmp(sym, name)) {
			*addr = a;
			found = true;
		}
	fclose(f);
	return found;
}

static unsigned long long kallsyms_addr(const char *name)
{
	unsigned long long addr = 0;

	return kallsyms_find(name, &addr) ? addr : 0;
}

/* The first hexadecimal number in a file ("0xffff..."), or 0. */
static unsigned long long read_hex(const char *path)
{
	FILE *f = fopen(path, "r");
	unsigned long long v = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%llx", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

static bool layout(int fd, struct mmlab_layout *l)
{
	return ioctl(fd, MMLAB_MM_IOC_LAYOUT, l) == 0;
}

struct kcore_seg {
	unsigned long long start, end;
};

#define KCORE_ABSENT	(-1)
#define KCORE_BAD	(-2)

/*
 * The PT_LOAD segments of /proc/kcore, the kernel's own list of what it
 * maps (fs/proc/kcore.c): its text [_text, _end), the vmalloc and module
 * areas whole, each range of System RAM at its direct-map address, their
 * struct pages in vmemmap, and the vsyscall page. Into a malloc()ed *@segs;
 * returns how many, KCORE_ABSENT if there is no kcore to read (not built
 * in, or lockdown), KCORE_BAD if it does not read as the ELF core it is.
 */
static int kcore_segments(struct kcore_seg **segs)
{
	int fd = open("/proc/kcore", O_RDONLY);
	struct elf64_hdr eh;
	int n = 0;

	*segs = NULL;
	if (fd < 0) {
		diag("/proc/kcore: %m");
		return KCORE_ABSENT;
	}
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_type != ET_CORE ||
	    eh.e_phentsize != sizeof(struct elf64_phdr) || eh.e_phnum == PN_XNUM) {
		diag("/proc/kcore: not the ELF64 core header expected");
		close(fd);
		return KCORE_BAD;
	}
	*segs = calloc(eh.e_phnum ? eh.e_phnum : 1, sizeof(**segs));
	for (int i = 0; *segs && i < eh.e_phnum; i++) {
		struct elf64_phdr ph;

		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + i * sizeof(ph)) !=
		    sizeof(ph)) {
			diag("/proc/kcore: program header %d: %m", i);
			n = KCORE_BAD;
			break;
		}
		if (ph.p_type != PT_LOAD)
			continue;
		(*segs)[n].start = ph.p_vaddr;
		/* The last one may end at 2^64 exactly. */
		(*segs)[n].end = ph.p_vaddr + ph.p_memsz < ph.p_vaddr ?
				 ~0ULL : ph.p_vaddr + ph.p_memsz;
		n++;
	}
	close(fd);
	return *segs ? n : KCORE_BAD;
}

/*
 * Is @addr in a /proc/kcore segment that lies within [@lo, @hi), the
 * region the driver placed it in? The kernel lists each area whole: a
 * right region holds the area, a wrong one (bad bounds, or the address in
 * another area) does not.
 */
static bool kcore_agrees(const struct kcore_seg *segs, int n,
			 unsigned long long addr, unsigned long long lo,
			 unsigned long long hi, const char *what)
{
	bool in_some = false;

	for (int k = 0; k < n; k++) {
		if (addr < segs[k].start || addr >= segs[k].end)
			continue;
		if (segs[k].start >= lo && segs[k].end <= hi)
			return true;
		in_some = true;
		diag("%s %llx: in kcore segment %llx-%llx, not in region %llx-%llx",
		     what, addr, segs[k].start, segs[k].end, lo, hi);
	}
	if (!in_some)
		diag("%s %llx: in no /proc/kcore segment", what, addr);
	return false;
}

/*
 * The layout tests set kptr_restrict, a sysctl of the whole guest: the
 * fixture's teardown, which runs after a failed ASSERT too, puts back
 * what was there.
 */
FIXTURE(layout) {
	int fd;			/* /dev/mmlab-mm */
	long kptr_restrict;	/* before the test */
};

FIXTURE_SETUP(layout)
{
	psize = sysconf(_SC_PAGESIZE);
	self->kptr_restrict = set_kptr_restrict(-1);
	self->fd = open("/dev/mmlab-mm", O_RDWR);
	if (self->fd < 0)
		SKIP(return, "/dev/mmlab-mm: %s", strerror(errno));
}

FIXTURE_TEARDOWN(layout)
{
	set_kptr_restrict(self->kptr_restrict);
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * Each live address lies in its region, by the raw values (kptr_restrict
 * 1, and root has CAP_SYSLOG): a kmalloc() object in the direct map, a
 * vmalloc() area in vmalloc space, module text in the modules area,
 * kernel text in the kernel image; the stack in vmalloc space with
 * CONFIG_VMAP_STACK, else in the direct map. virt_addr_valid() holds for
 * the direct map and the kernel image only.
 *
 * Whether the driver's regions and addresses are right is checked against
 * what the kernel publishes apart from mmlab: schedule() is where
 * /proc/kallsyms says, inside [_text, _etext), which lies within the
 * kernel-text region; the module function is where /proc/kallsyms says,
 * in the module's .text (sysfs), which starts in the modules region; and
 * each live address lies in a /proc/kcore segment within the region the
 * driver names for it. A kernel without /proc/kcore cannot show that
 * last part: the test is then a SKIP, not a pass, unless something else
 * failed.
 */
TEST_F(layout, live_addresses)
{
	static const int want[] = {
		MMLAB_REGION_DIRECT_MAP, MMLAB_REGION_VMALLOC,
		MMLAB_REGION_MODULES, -1, MMLAB_REGION_KERNEL_TEXT,
	};
	unsigned long long text, etext, sched, mod_fn, mod_text;
	const unsigned long long *kt, *mods;
	struct kcore_seg *segs = NULL;
	struct mmlab_layout l;
	long mod_size;
	int nsegs;

	set_kptr_restrict(1);
	ASSERT_TRUE(layout(self->fd, &l)) TH_LOG("LAYOUT: %m");
	ASSERT_FALSE(l.withheld) TH_LOG("withheld at kptr_restrict 1");
	for (int r = 0; r < MMLAB_REGIONS; r++) {
		TH_LOG("%-11s %016llx-%016llx", region_names[r],
		       (unsigned long long)l.region[r][0],
		       (unsigned long long)l.region[r][1]);
		ASSERT_LT(l.region[r][0], l.region[r][1]) TH_LOG("%s",
								 region_names[r]);
	}
	for (int i = 0; i < MMLAB_LIVES; i++) {
		int found = l.live_region[i];

		TH_LOG("%-7s %016llx in %s, virt_addr_valid %u",
		       live_names[i], (unsigned long long)l.live[i],
		       found >= 0 ? region_names[found] : "none",
		       l.live_valid[i]);
		if (want[i] >= 0) {
			ASSERT_EQ(want[i], found) TH_LOG("%s", live_names[i]);
		} else {
			ASSERT_TRUE(found == MMLAB_REGION_VMALLOC ||
				    found == MMLAB_REGION_DIRECT_MAP)
				TH_LOG("the stack in region %d", found);
		}
		ASSERT_EQ(found == MMLAB_REGION_DIRECT_MAP ||
			  found == MMLAB_REGION_KERNEL_TEXT, l.live_valid[i])
			TH_LOG("%s: virt_addr_valid in region %d",
			       live_names[i], found);
	}

	/* The kernel image and schedule() in it, by kallsyms. */
	sched = kallsyms_addr("schedule");
	text = kallsyms_addr("_text");
	etext = kallsyms_addr("_etext");
	kt = l.region[MMLAB_REGION_KERNEL_TEXT];
	EXPECT_EQ(sched, l.live[MMLAB_LIVE_KERNEL]) TH_LOG("schedule()");
	ASSERT_NE(0, text) TH_LOG("no _text in /proc/kallsyms");
	EXPECT_LE(text, sched) TH_LOG("schedule() before _text");
	EXPECT_GT(etext, sched) TH_LOG("schedule() past _etext");
	EXPECT_LE(kt[0], text) TH_LOG("_text outside the kernel text region");
	EXPECT_GE(kt[1], etext) TH_LOG("_etext outside the kernel text region");

	/* The module function, in the module's text, by kallsyms and sysfs. */
	mod_fn = kallsyms_addr("mmlab_mm_layout");
	mod_text = read_hex("/sys/module/mmlab/sections/.text");
	mod_size = read_number("/sys/module/mmlab/coresize");
	mods = l.region[MMLAB_REGION_MODULES];
	EXPECT_EQ(mod_fn, l.live[MMLAB_LIVE_MODULE]) TH_LOG("mmlab_mm_layout()");
	ASSERT_NE(0, mod_text) TH_LOG("no .text section in sysfs");
	ASSERT_LT(0, mod_size) TH_LOG("no coresize in sysfs");
	/* coresize: text and, on 6.4+, data too: a bound for the text. */
	EXPECT_LE(mod_text, mod_fn) TH_LOG("mmlab_mm_layout() before .text");
	EXPECT_GT((unsigned long long)mod_size, mod_fn - mod_text)
		TH_LOG("mmlab_mm_layout() past .text + coresize");
	EXPECT_LE(mods[0], mod_text) TH_LOG(".text outside the modules region");
	EXPECT_GT(mods[1], mod_text) TH_LOG(".text outside the modules region");

	/* Every live address, in the kernel's own map of itself. */
	nsegs = kcore_segments(&segs);
	ASSERT_NE(KCORE_BAD, nsegs) TH_LOG("/proc/kcore unreadable");
	/* A skip, unless an EXPECT above failed. */
	if (nsegs == KCORE_ABSENT) {
		if (!_metadata->exit_code)
			SKIP(return, "no /proc/kcore to check the addresses against");
		return;
	}
	ASSERT_NE(0, nsegs) TH_LOG("/proc/kcore: no PT_LOAD segment");
	for (int i = 0; i < MMLAB_LIVES; i++) {
		const unsigned long long *b = l.region[l.live_region[i]];

		EXPECT_TRUE(kcore_agrees(segs, nsegs, l.live[i], b[0], b[1],
					 live_names[i]))
			TH_LOG("%s: /proc/kcore disagrees", live_names[i]);
	}
	free(segs);
}

/* Drop @cap from every capability set of this process. */
static bool drop_capability(int cap)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &h, d))
		return false;
	d[CAP_TO_INDEX(cap)].effective &= ~CAP_TO_MASK(cap);
	d[CAP_TO_INDEX(cap)].permitted &= ~CAP_TO_MASK(cap);
	d[CAP_TO_INDEX(cap)].inheritable &= ~CAP_TO_MASK(cap);
	if (syscall(SYS_capset, &h, d))
		return false;
	/* What the kernel now holds, rather than what was asked. */
	memset(d, 0xff, sizeof(d));
	return !syscall(SYS_capget, &h, d) &&
	       !(d[CAP_TO_INDEX(cap)].effective & CAP_TO_MASK(cap));
}

/*
 * Root without CAP_SYSLOG, at kptr_restrict 1: %pK prints zeros for such
 * a caller, as /proc/kallsyms shows it, so every address of the layout
 * must be zero and marked withheld; the regions the kernel found, which
 * are not addresses, stay those it reports with the capability.
 */
TEST_F(layout, withheld_without_cap_syslog)
{
	unsigned long long sched = ~0ULL;
	struct mmlab_layout raw, l;

	set_kptr_restrict(1);
	ASSERT_TRUE(layout(self->fd, &raw)) TH_LOG("LAYOUT: %m");
	ASSERT_TRUE(drop_capability(CAP_SYSLOG)) TH_LOG("dropping CAP_SYSLOG: %m");
	ASSERT_TRUE(kallsyms_find("schedule", &sched));
	EXPECT_EQ(0, sched) TH_LOG("/proc/kallsyms without CAP_SYSLOG");
	ASSERT_TRUE(layout(self->fd, &l)) TH_LOG("LAYOUT without CAP_SYSLOG: %m");
	EXPECT_TRUE(l.withheld) TH_LOG("not withheld without CAP_SYSLOG");
	for (int r = 0; r < MMLAB_REGIONS; r++) {
		EXPECT_EQ(0, l.region[r][0]) TH_LOG("%s", region_names[r]);
		EXPECT_EQ(0, l.region[r][1]) TH_LOG("%s", region_names[r]);
	}
	for (int i = 0; i < MMLAB_LIVES; i++) {
		EXPECT_EQ(0, l.live[i]) TH_LOG("%s", live_names[i]);
		EXPECT_EQ(raw.live_region[i], l.live_region[i])
			TH_LOG("%s: region", live_names[i]);
	}
}

/*
 * kptr_restrict 2 withholds every address (zeros); 0 hashes them, as %p
 * does: nonzero, and none equal to the real address. At 1, root without
 * CAP_SYSLOG sees zeros too (withheld_without_cap_syslog).
 */
TEST_F(layout, honours_kptr_restrict)
{
	struct mmlab_layout raw, hidden, hashed;

	set_kptr_restrict(1);
	ASSERT_TRUE(layout(self->fd, &raw)) TH_LOG("LAYOUT: %m");
	set_kptr_restrict(2);
	ASSERT_TRUE(layout(self->fd, &hidden)) TH_LOG("LAYOUT: %m");
	set_kptr_restrict(0);
	ASSERT_TRUE(layout(self->fd, &hashed)) TH_LOG("LAYOUT: %m");
	EXPECT_FALSE(raw.withheld);
	EXPECT_TRUE(hidden.withheld);
	EXPECT_TRUE(hashed.withheld);
	for (int i = 0; i < MMLAB_LIVES; i++) {
		EXPECT_EQ(0, hidden.live[i]) TH_LOG("%s at 2", live_names[i]);
		EXPECT_NE(0, hashed.live[i]) TH_LOG("%s at 0", live_names[i]);
		EXPECT_NE(raw.live[i], hashed.live[i])
			TH_LOG("%s at 0: not hashed", live_names[i]);
	}
}

static void copy_fails(struct __test_metadata *_metadata, int fd,
		       uint64_t uaddr, uint64_t len, int to_user,
		       uint64_t want_done, const char *what)
{
	struct mmlab_copy c = { .uaddr = uaddr, .len = len, .to_user = to_user };

	EXPECT_EQ(-1, ioctl(fd, MMLAB_MM_IOC_COPY, &c))
		TH_LOG("%s, %s", what, to_user ? "to user" : "from user");
	EXPECT_EQ(EFAULT, errno)
		TH_LOG("%s, %s", what, to_user ? "to user" : "from user");
	EXPECT_EQ(want_done, c.done)
		TH_LOG("%s, %s: bytes copied", what,
		       to_user ? "to user" : "from user");
}

/*
 * copy_from_user() and copy_to_user() on a NULL pointer, a kernel address,
 * an unmapped page: EFAULT, nothing copied. Across the end of a mapping:
 * EFAULT, and exactly the bytes before the unmapped page copied. A good
 * buffer: everything. The kernel log stays clean (the runner checks).
 */
TEST_F(mm, copy_fault_fixup)
{
	char *p = mmap(NULL, 2 * psize, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct mmlab_copy c;

	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0, 2 * psize);
	for (int to_user = 0; to_user < 2; to_user++) {
		copy_fails(_metadata, self->fd, 0, 64, to_user, 0, "NULL");
		copy_fails(_metadata, self->fd, 0xffffffff81000000ULL, 64,
			   to_user, 0, "kernel address");
	}
	c = (struct mmlab_copy){ .uaddr = (uintptr_t)p, .len = psize, .to_user = 1 };
	ASSERT_EQ(0, ioctl(self->fd, MMLAB_MM_IOC_COPY, &c)) TH_LOG("a good buffer: %m");
	EXPECT_EQ(psize, c.done) TH_LOG("a good buffer");
	EXPECT_EQ(0x6b, p[0]) TH_LOG("a good buffer");
	EXPECT_EQ(0x6b, p[psize - 1]) TH_LOG("a good buffer");
	munmap(p + psize, psize);
	for (int to_user = 0; to_user < 2; to_user++) {
		copy_fails(_metadata, self->fd, (uintptr_t)p + psize - 100, 300,
			   to_user, 100, "across the end of a mapping");
		copy_fails(_metadata, self->fd, (uintptr_t)p + psize, 64,
			   to_user, 0, "unmapped page");
	}
}

/* Without CAP_SYS_ADMIN, every /dev/mmlab-mm ioctl is EPERM. */
TEST_F(mm, root_only)
{
	struct mmlab_mm_stat s;

	/* Dropping every uid 0 drops the capabilities too. */
	ASSERT_EQ(0, setresuid(65534, 65534, 65534));
	EXPECT_EQ(-1, ioctl(self->fd, MMLAB_MM_IOC_STAT, &s));
	EXPECT_EQ(EPERM, errno);
}

TEST_HARNESS_MAIN
