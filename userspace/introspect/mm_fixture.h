/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kselftest harness fixture of the /dev/mmlab-mm probes
 * (introspect_*_test): "mm", whose setup opens the device, or skips every
 * test where there is none. Included once, after harness.h, by
 * each probe: it defines the fixture, so it has no include guard, on
 * purpose.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <linux/mmlab_mm.h>

#include "probe.h"

FIXTURE(mm) {
	int fd;		/* /dev/mmlab-mm */
};

FIXTURE_SETUP(mm)
{
	psize = sysconf(_SC_PAGESIZE);
	self->fd = open("/dev/mmlab-mm", O_RDWR);
	if (self->fd < 0)
		SKIP(return, "/dev/mmlab-mm: %s", strerror(errno));
}

FIXTURE_TEARDOWN(mm)
{
	if (self->fd >= 0)
		close(self->fd);
}
