// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs and procfs readers for the pci_*_test probes and mmlab_demo; see
 * Documentation/ABI/testing/sysfs-bus-pci and filesystems/proc.rst.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/mmlab.h>
#include <linux/mmlab_mm.h>

#include "pci_dev.h"

#define PCI_DEVICES	"/sys/bus/pci/devices"
#define PCI_DRIVERS	"/sys/bus/pci/drivers"

struct pci_target edu_target = {
	.driver = "mmlab-edu", .vendor = 0x1234, .device = 0x11e8, .bar = 0,
};

struct pci_target ivshmem_target = {
	.driver = "mmlab-ivshmem", .vendor = 0x1af4, .device = 0x1110, .bar = 2,
};

static unsigned int sysfs_hex(const char *bdf, const char *attr)
{
	char path[128];
	unsigned int v = 0;
	FILE *f;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/%s", bdf, attr);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%x", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

/* Line @bar of the device's "resource" file: "start end flags". */
static bool read_bar(struct pci_target *t)
{
	unsigned long long start, end, flags;
	char path[128];
	bool ok = false;
	FILE *f;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/resource", t->bdf);
	f = fopen(path, "r");
	if (!f)
		return false;
	for (int i = 0; i <= t->bar; i++)
		ok = fscanf(f, "%llx %llx %llx", &start, &end, &flags) == 3;
	fclose(f);
	if (!ok || !start)
		return false;
	t->bar_start = start;
	t->bar_len = end - start + 1;
	return true;
}

bool pci_find(struct pci_target *t)
{
	DIR *d = opendir(PCI_DEVICES);
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		size_t len = strlen(e->d_name);

		if (len < sizeof(t->bdf) &&
		    sysfs_hex(e->d_name, "vendor") == t->vendor &&
		    sysfs_hex(e->d_name, "device") == t->device) {
			memcpy(t->bdf, e->d_name, len + 1);
			found = true;
		}
	}
	closedir(d);
	return found && read_bar(t);
}

const char *pci_driver_of(const struct pci_target *t, char *buf, size_t len)
{
	char path[128], link[256];
	ssize_t n;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver", t->bdf);
	n = readlink(path, link, sizeof(link) - 1);
	buf[0] = '\0';
	if (n > 0) {
		link[n] = '\0';
		snprintf(buf, len, "%s", strrchr(link, '/') + 1);
	}
	return buf;
}

/* A misc device whose parent is the PCI device sits in its misc/ folder. */
const char *pci_node_of(const struct pci_target *t, char *buf, size_t len)
{
	char path[128];
	struct dirent *e;
	DIR *d;

	buf[0] = '\0';
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/misc", t->bdf);
	d = opendir(path);
	if (!d)
		return buf;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			snprintf(buf, len, "%s", e->d_name);
	closedir(d);
	return buf;
}

int pci_open(const struct pci_target *t, int flags)
{
	char name[64], path[80];

	if (!*pci_node_of(t, name, sizeof(name))) {
		errno = ENODEV;
		return -1;
	}
	snprintf(path, sizeof(path), "/dev/%s", name);
	return open(path, flags);
}

bool sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok;
}

bool pci_unbind(const struct pci_target *t)
{
	char path[128];

	snprintf(path, sizeof(path), PCI_DRIVERS "/%s/unbind", t->driver);
	return sysfs_write(path, t->bdf);
}

bool pci_bind(const struct pci_target *t)
{
	char path[128];

	snprintf(path, sizeof(path), PCI_DRIVERS "/%s/bind", t->driver);
	return sysfs_write(path, t->bdf);
}

long pci_counter(const char *name)
{
	FILE *f = fopen("/sys/kernel/debug/mmlab_pci/counters", "r");
	char key[32];
	long v, found = -1;

	if (!f)
		return -1;
	while (fscanf(f, "%31s %ld", key, &v) == 2)
		if (!strcmp(key, name))
			found = v;
	fclose(f);
	return found;
}

/* Is [@start, @end] claimed in @path, /proc/iomem or /proc/ioports? */
static bool resource_claimed(const char *path, uint64_t start, uint64_t end,
			     const char *name)
{
	FILE *f = fopen(path, "r");
	unsigned long long s, e;
	char line[256], who[128];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, " %llx-%llx : %127[^\n]", &s, &e, who) == 3 &&
			s == start && e == end && !strcmp(who, name);
	fclose(f);
	return found;
}

unsigned long pci_module_param(const char *name)
{
	char path[128];
	unsigned long v;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/mmlab_pci/parameters/%s",
		 name);
	f = fopen(path, "r");
	if (!f)
		return ~0UL;
	if (fscanf(f, "%lu", &v) != 1)
		v = ~0UL;
	fclose(f);
	return v;
}

bool iomem_claimed(uint64_t start, uint64_t end, const char *name)
{
	return resource_claimed("/proc/iomem", start, end, name);
}

bool ioports_claimed(uint64_t start, uint64_t end, const char *name)
{
	return resource_claimed("/proc/ioports", start, end, name);
}

/* The CPU columns of /proc/interrupts: as many as its header names. */
static int irq_cpus(FILE *f, char *line, size_t len)
{
	int n = 0;

	if (!fgets(line, len, f))
		return 0;
	for (char *p = strstr(line, "CPU"); p; p = strstr(p + 3, "CPU"))
		n++;
	return n;
}

/*
 * Does a /proc/interrupts line name the action @name? Actions are its last
 * field, comma-separated when the line is shared.
 */
static bool irq_line_names(const char *line, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = strstr(line, name); len && p;
	     p = strstr(p + 1, name))
		if (p > line && p[-1] == ' ' && strchr(",\n", p[len]))
			return true;
	return false;
}

long irq_count(unsigned int irq, const char *name)
{
	FILE *f = fopen("/proc/interrupts", "r");
	char line[512];
	long sum = -1;
	int cpus;

	if (!f)
		return -1;
	cpus = irq_cpus(f, line, sizeof(line));
	while (sum < 0 && fgets(line, sizeof(line), f)) {
		char *p = line, *end;
		unsigned long n = strtoul(p, &end, 10);

		if (end == p || *end != ':' || n != irq ||
		    !irq_line_names(line, name))
			continue;
		p = end + 1;
		sum = 0;
		for (int c = 0; c < cpus; c++) {
			sum += strtol(p, &end, 10);
			p = end;
		}
	}
	fclose(f);
	return sum;
}

bool irq_named(const char *name)
{
	FILE *f = fopen("/proc/interrupts", "r");
	char line[512];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = irq_line_names(line, name);
	fclose(f);
	return found;
}

bool pte_walk(const void *addr, struct mmlab_walk *w)
{
	int fd = open("/dev/mmlab-mm", O_RDWR);
	bool ok;

	if (fd < 0)
		return false;
	memset(w, 0, sizeof(*w));
	w->addr = (uintptr_t)addr;
	ok = ioctl(fd, MMLAB_MM_IOC_WALK, w) == 0;
	close(fd);
	return ok;
}

int child_read_signal(const void *addr)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		mmio_read32(addr, 0);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}
