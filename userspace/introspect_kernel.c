// SPDX-License-Identifier: GPL-2.0
/*
 * introspect_test cases about the kernel's side: its address-space layout
 * against /proc/kallsyms and kptr_restrict, and copy_from_user()'s fault
 * fixup with bad pointers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* A symbol's address in /proc/kallsyms ("addr type name [module]"). */
static unsigned long long kallsyms_addr(const char *name)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	unsigned long long addr, found = 0;
	char type, sym[256];

	if (!f)
		return 0;
	while (fscanf(f, "%llx %c %255s%*[^\n]", &addr, &type, sym) == 3)
		if (!strcmp(sym, name)) {
			found = addr;
			break;
		}
	fclose(f);
	return found;
}

static bool layout(struct mmlab_layout *l)
{
	return ioctl(mmfd, MMLAB_MM_IOC_LAYOUT, l) == 0;
}

/*
 * Each live address lies in its region, by the raw values (kptr_restrict
 * 1, and root has CAP_SYSLOG): a kmalloc() object in the direct map, a
 * vmalloc() area in vmalloc space, module text in the modules area,
 * kernel text in the kernel image; the stack in vmalloc space with
 * CONFIG_VMAP_STACK, else in the direct map. virt_addr_valid() holds for
 * the direct map and the kernel image only. The module function and
 * schedule() are where /proc/kallsyms says.
 */
int layout_live_addresses(void)
{
	static const int want[] = {
		MMLAB_REGION_DIRECT_MAP, MMLAB_REGION_VMALLOC,
		MMLAB_REGION_MODULES, -1, MMLAB_REGION_KERNEL_TEXT,
	};
	long old = set_kptr_restrict(1);
	struct mmlab_layout l;
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
		int found = -1;

		for (int r = 0; r < MMLAB_REGIONS; r++)
			if (l.live[i] >= l.region[r][0] &&
			    l.live[i] < l.region[r][1])
				found = r;
		if (want[i] >= 0)
			ok = KTAP_EXPECT(found == want[i], "%s %llx in region %d",
					 live_names[i],
					 (unsigned long long)l.live[i], found);
		else
			ok = KTAP_EXPECT(found == MMLAB_REGION_VMALLOC ||
					 found == MMLAB_REGION_DIRECT_MAP,
					 "stack %llx in region %d",
					 (unsigned long long)l.live[i], found);
		ok = ok && KTAP_EXPECT(l.live_region[i] == found &&
				       l.live_valid[i] ==
				       (found == MMLAB_REGION_DIRECT_MAP ||
					found == MMLAB_REGION_KERNEL_TEXT),
				       "%s: kernel says region %d, valid %u",
				       live_names[i], l.live_region[i],
				       l.live_valid[i]);
		ktap_diag("%-7s %016llx in %s, virt_addr_valid %u",
			  live_names[i], (unsigned long long)l.live[i],
			  found >= 0 ? region_names[found] : "none",
			  l.live_valid[i]);
	}
	ok = ok && KTAP_EXPECT(l.live[MMLAB_LIVE_KERNEL] == kallsyms_addr("schedule") &&
			       l.live[MMLAB_LIVE_MODULE] == kallsyms_addr("mmlab_mm_layout"),
			       "kallsyms: schedule %llx, mmlab_mm_layout %llx",
			       kallsyms_addr("schedule"), kallsyms_addr("mmlab_mm_layout"));
	set_kptr_restrict(old);
	return ok;
}

/*
 * kptr_restrict 2 withholds every address (zeros); 0 hashes them, as %p
 * does: nonzero, and none equal to the real address.
 */
int layout_honours_kptr_restrict(void)
{
	long old = set_kptr_restrict(1);
	struct mmlab_layout raw, hidden, hashed;
	bool ok;

	ok = KTAP_EXPECT(layout(&raw), "LAYOUT: %m");
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
