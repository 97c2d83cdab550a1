// SPDX-License-Identifier: GPL-2.0
/*
 * introspect_test cases about the kernel's side: its address-space layout
 * against /proc/kcore, /proc/kallsyms, the module's sections in sysfs and
 * kptr_restrict, and copy_from_user()'s fault fixup with bad pointers.
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

#include "introspect.h"
#include "ktap.h"
#include "mmlab_dev.h"
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

static bool layout(struct mmlab_layout *l)
{
	return ioctl(mmfd, MMLAB_MM_IOC_LAYOUT, l) == 0;
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
		ktap_diag("/proc/kcore: %m");
		return KCORE_ABSENT;
	}
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_type != ET_CORE ||
	    eh.e_phentsize != sizeof(struct elf64_phdr) || eh.e_phnum == PN_XNUM) {
		ktap_diag("/proc/kcore: not the ELF64 core header expected");
		close(fd);
		return KCORE_BAD;
	}
	*segs = calloc(eh.e_phnum ? eh.e_phnum : 1, sizeof(**segs));
	for (int i = 0; *segs && i < eh.e_phnum; i++) {
		struct elf64_phdr ph;

		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + i * sizeof(ph)) !=
		    sizeof(ph)) {
			ktap_diag("/proc/kcore: program header %d: %m", i);
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
		ktap_diag("%s %llx: in kcore segment %llx-%llx, not in region %llx-%llx",
			  what, addr, segs[k].start, segs[k].end, lo, hi);
	}
	if (!in_some)
		ktap_diag("%s %llx: in no /proc/kcore segment", what, addr);
	return false;
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
 * driver names for it. A kernel without /proc/kcore (the debug kernel's
 * config has no CONFIG_PROC_KCORE) cannot show that last part: the case
 * is then a SKIP, not a pass, unless something else failed.
 */
int layout_live_addresses(void)
{
	static const int want[] = {
		MMLAB_REGION_DIRECT_MAP, MMLAB_REGION_VMALLOC,
		MMLAB_REGION_MODULES, -1, MMLAB_REGION_KERNEL_TEXT,
	};
	long old = set_kptr_restrict(1);
	unsigned long long text, etext, sched, mod_fn, mod_text;
	const unsigned long long *kt, *mods;
	struct kcore_seg *segs = NULL;
	struct mmlab_layout l;
	int nsegs = KCORE_ABSENT;
	long mod_size;
	bool ok;

	ok = KTAP_EXPECT(layout(&l), "LAYOUT: %m") &&
	     KTAP_EXPECT(!l.withheld, "withheld at kptr_restrict 1");
	for (int r = 0; ok && r < MMLAB_REGIONS; r++) {
		ok = KTAP_EXPECT(l.region[r][0] < l.region[r][1],
				 "%s: %llx-%llx", region_names[r],
				 (unsigned long long)l.region[r][0],
				 (unsigned long long)l.region[r][1]);
		ktap_diag("%-11s %016llx-%016llx", region_names[r],
			  (unsigned long long)l.region[r][0],
			  (unsigned long long)l.region[r][1]);
	}
	for (int i = 0; ok && i < MMLAB_LIVES; i++) {
		int found = l.live_region[i];

		if (want[i] >= 0)
			ok = KTAP_EXPECT(found == want[i], "%s %llx in region %d",
					 live_names[i],
					 (unsigned long long)l.live[i], found);
		else
			ok = KTAP_EXPECT(found == MMLAB_REGION_VMALLOC ||
					 found == MMLAB_REGION_DIRECT_MAP,
					 "stack %llx in region %d",
					 (unsigned long long)l.live[i], found);
		ok = ok && KTAP_EXPECT(l.live_valid[i] ==
				       (found == MMLAB_REGION_DIRECT_MAP ||
					found == MMLAB_REGION_KERNEL_TEXT),
				       "%s: kernel says region %d, valid %u",
				       live_names[i], found, l.live_valid[i]);
		ktap_diag("%-7s %016llx in %s, virt_addr_valid %u",
			  live_names[i], (unsigned long long)l.live[i],
			  found >= 0 ? region_names[found] : "none",
			  l.live_valid[i]);
	}
	if (!ok)
		goto out;

	/* The kernel image and schedule() in it, by kallsyms. */
	sched = kallsyms_addr("schedule");
	text = kallsyms_addr("_text");
	etext = kallsyms_addr("_etext");
	kt = l.region[MMLAB_REGION_KERNEL_TEXT];
	ok = KTAP_EXPECT(l.live[MMLAB_LIVE_KERNEL] == sched,
			 "schedule: %llx, kallsyms %llx",
			 (unsigned long long)l.live[MMLAB_LIVE_KERNEL], sched) &&
	     KTAP_EXPECT(text && text <= sched && sched < etext,
			 "kallsyms: schedule %llx outside _text %llx - _etext %llx",
			 sched, text, etext) &&
	     KTAP_EXPECT(kt[0] <= text && etext <= kt[1],
			 "_text %llx - _etext %llx outside kernel text %llx-%llx",
			 text, etext, (unsigned long long)kt[0],
			 (unsigned long long)kt[1]);

	/* The module function, in the module's text, by kallsyms and sysfs. */
	mod_fn = kallsyms_addr("mmlab_mm_layout");
	mod_text = read_hex("/sys/module/mmlab/sections/.text");
	mod_size = read_number("/sys/module/mmlab/coresize");
	mods = l.region[MMLAB_REGION_MODULES];
	ok = ok &&
	     KTAP_EXPECT(l.live[MMLAB_LIVE_MODULE] == mod_fn,
			 "mmlab_mm_layout: %llx, kallsyms %llx",
			 (unsigned long long)l.live[MMLAB_LIVE_MODULE], mod_fn) &&
	     /* coresize: text and, on 6.4+, data too: a bound for the text. */
	     KTAP_EXPECT(mod_text && mod_size > 0 && mod_text <= mod_fn &&
			 mod_fn - mod_text < (unsigned long long)mod_size,
			 "mmlab_mm_layout %llx outside .text %llx + coresize %ld",
			 mod_fn, mod_text, mod_size) &&
	     KTAP_EXPECT(mods[0] <= mod_text && mod_text < mods[1],
			 ".text %llx outside modules %llx-%llx", mod_text,
			 (unsigned long long)mods[0],
			 (unsigned long long)mods[1]);

	/* Every live address, in the kernel's own map of itself. */
	nsegs = kcore_segments(&segs);
	ok = ok && KTAP_EXPECT(nsegs != KCORE_BAD, "/proc/kcore unreadable");
	for (int i = 0; ok && nsegs > 0 && i < MMLAB_LIVES; i++) {
		const unsigned long long *b = l.region[l.live_region[i]];

		ok = KTAP_EXPECT(kcore_agrees(segs, nsegs, l.live[i], b[0],
					      b[1], live_names[i]),
				 "%s: /proc/kcore disagrees", live_names[i]);
	}
	ok = ok && KTAP_EXPECT(nsegs != 0, "/proc/kcore: no PT_LOAD segment");
out:
	set_kptr_restrict(old);
	free(segs);
	if (ok && nsegs == KCORE_ABSENT) {
		ktap_diag("no /proc/kcore: live addresses not checked against it; the rest passed");
		return KTAP_SKIP;
	}
	return ok;
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
 * In a child: root without CAP_SYSLOG, at kptr_restrict 1. %pK prints
 * zeros for such a caller, as /proc/kallsyms shows it, so every address
 * of the layout must be zero and marked withheld; the regions the kernel
 * found, which are not addresses, stay those of @raw.
 */
static bool withheld_without_syslog(const struct mmlab_layout *raw)
{
	unsigned long long sched = ~0ULL;
	struct mmlab_layout l;
	bool ok;

	ok = KTAP_EXPECT(drop_capability(CAP_SYSLOG),
			 "dropping CAP_SYSLOG: %m") &&
	     KTAP_EXPECT(kallsyms_find("schedule", &sched) && sched == 0,
			 "/proc/kallsyms without CAP_SYSLOG: schedule at %llx",
			 sched) &&
	     KTAP_EXPECT(layout(&l), "LAYOUT without CAP_SYSLOG: %m") &&
	     KTAP_EXPECT(l.withheld, "not withheld without CAP_SYSLOG");
	for (int r = 0; ok && r < MMLAB_REGIONS; r++)
		ok = KTAP_EXPECT(!l.region[r][0] && !l.region[r][1],
				 "without CAP_SYSLOG, %s: %llx-%llx",
				 region_names[r],
				 (unsigned long long)l.region[r][0],
				 (unsigned long long)l.region[r][1]);
	for (int i = 0; ok && i < MMLAB_LIVES; i++)
		ok = KTAP_EXPECT(!l.live[i] &&
				 l.live_region[i] == raw->live_region[i],
				 "without CAP_SYSLOG, %s: %llx in region %d, with it region %d",
				 live_names[i], (unsigned long long)l.live[i],
				 l.live_region[i], raw->live_region[i]);
	return ok;
}

/*
 * kptr_restrict 2 withholds every address (zeros); 0 hashes them, as %p
 * does: nonzero, and none equal to the real address. At 1, root without
 * CAP_SYSLOG sees zeros too (withheld_without_syslog()).
 */
int layout_honours_kptr_restrict(void)
{
	long old = set_kptr_restrict(1);
	struct mmlab_layout raw, hidden, hashed;
	int status = -1;
	pid_t pid;
	bool ok;

	ok = KTAP_EXPECT(layout(&raw), "LAYOUT: %m");
	if (ok) {
		fflush(stdout);
		pid = fork();
		if (pid == 0)
			_exit(withheld_without_syslog(&raw) ? 0 : 1);
		ok = KTAP_EXPECT(pid > 0 && waitpid(pid, &status, 0) == pid &&
				 WIFEXITED(status) && !WEXITSTATUS(status),
				 "without CAP_SYSLOG at kptr_restrict 1 (status %#x)",
				 status);
	}
	set_kptr_restrict(2);
	ok = ok && KTAP_EXPECT(layout(&hidden), "LAYOUT: %m");
	set_kptr_restrict(0);
	ok = ok && KTAP_EXPECT(layout(&hashed), "LAYOUT: %m");
	set_kptr_restrict(old);
	if (!ok)
		return false;
	ok = KTAP_EXPECT(!raw.withheld && hidden.withheld && hashed.withheld,
			 "withheld: %u %u %u", raw.withheld, hidden.withheld,
			 hashed.withheld);
	for (int i = 0; ok && i < MMLAB_LIVES; i++)
		ok = KTAP_EXPECT(hidden.live[i] == 0 && hashed.live[i] != 0 &&
				 hashed.live[i] != raw.live[i],
				 "%s: raw %llx, at 2 %llx, at 0 %llx",
				 live_names[i],
				 (unsigned long long)raw.live[i],
				 (unsigned long long)hidden.live[i],
				 (unsigned long long)hashed.live[i]);
	return ok;
}

static bool copy_fails(uint64_t uaddr, uint64_t len, int to_user,
		       uint64_t want_done, const char *what)
{
	struct mmlab_copy c = { .uaddr = uaddr, .len = len, .to_user = to_user };
	int ret = ioctl(mmfd, MMLAB_MM_IOC_COPY, &c);

	return KTAP_EXPECT(ret < 0 && errno == EFAULT && c.done == want_done,
			   "%s, %s: ret %d (%m), %llu bytes copied, want %llu",
			   what, to_user ? "to user" : "from user", ret,
			   (unsigned long long)c.done,
			   (unsigned long long)want_done);
}

/*
 * copy_from_user() and copy_to_user() on a NULL pointer, a kernel address,
 * an unmapped page: EFAULT, nothing copied. Across the end of a mapping:
 * EFAULT, and exactly the bytes before the unmapped page copied. A good
 * buffer: everything. The kernel log stays clean (the runner checks).
 */
int copy_fault_fixup(void)
{
	char *p = mmap(NULL, 2 * psize, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct mmlab_copy c;
	bool ok = true;

	if (p == MAP_FAILED)
		return false;
	memset(p, 0, 2 * psize);
	for (int to_user = 0; to_user < 2; to_user++) {
		ok &= copy_fails(0, 64, to_user, 0, "NULL");
		ok &= copy_fails(0xffffffff81000000ULL, 64, to_user, 0,
				 "kernel address");
	}
	c = (struct mmlab_copy){ .uaddr = (uintptr_t)p, .len = psize, .to_user = 1 };
	ok &= KTAP_EXPECT(!ioctl(mmfd, MMLAB_MM_IOC_COPY, &c) && c.done == (uint64_t)psize &&
			  p[0] == 0x6b && p[psize - 1] == 0x6b,
			  "a good buffer: done %llu", (unsigned long long)c.done);
	munmap(p + psize, psize);
	for (int to_user = 0; to_user < 2; to_user++) {
		ok &= copy_fails((uintptr_t)p + psize - 100, 300, to_user, 100,
				 "across the end of a mapping");
		ok &= copy_fails((uintptr_t)p + psize, 64, to_user, 0,
				 "unmapped page");
	}
	munmap(p, psize);
	return ok;
}

/* Without CAP_SYS_ADMIN, every /dev/mmlab-mm ioctl is EPERM. */
int root_only(void)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		struct mmlab_mm_stat s;

		if (setresuid(65534, 65534, 65534))
			_exit(2);
		_exit(ioctl(mmfd, MMLAB_MM_IOC_STAT, &s) < 0 && errno == EPERM ?
		      0 : 1);
	}
	waitpid(pid, &status, 0);
	return KTAP_EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			   "unprivileged ioctl (status %#x)", status);
}
