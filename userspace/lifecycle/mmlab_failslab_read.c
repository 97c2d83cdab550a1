// SPDX-License-Identifier: GPL-2.0
/*
 * mmlab_failslab_read FILE BUDGET: read FILE whole while every slab
 * allocation of this task fails once BUDGET bytes of them are spent
 * (failslab, set up by the caller with task-filter on; this task opts in
 * through /proc/self/make-it-fail). Prints "read N bytes" or the error.
 *
 * No page fault may happen meanwhile: its page-table allocations would
 * fail too, and the kernel retries a user fault that fails that way for
 * ever ("Huh VM_FAULT_OOM leaked out to the #PF handler. Retrying PF").
 * So memory is locked and the stack and buffer touched before the budget
 * is set, and only system calls run until the task opts out again.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static char buf[65536];

/* Touch @depth KiB of stack below the caller's frame. */
static void touch_stack(int depth)
{
	char page[1024];

	memset(page, 0, sizeof(page));
	if (depth > 1)
		touch_stack(depth - 1);
	/*
	 * @page is used after the call, so each call has a frame of its own
	 * (no tail call), and the memset() cannot be dropped.
	 */
	asm volatile("" : : "r" (page) : "memory");
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	int ok = fd >= 0 && write(fd, s, strlen(s)) == (ssize_t)strlen(s);

	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	ssize_t n, total = 0;
	int fd, err = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: %s FILE BUDGET\n", argv[0]);
		return 2;
	}
	if (mlockall(MCL_CURRENT | MCL_FUTURE)) {
		perror("mlockall");
		return 1;
	}
	touch_stack(64);
	memset(buf, 0, sizeof(buf));
	if (write_str("/sys/kernel/debug/failslab/space", argv[2])) {
		perror("failslab/space");
		return 1;
	}

	/* From here to the opt-out, system calls only. */
	if (write_str("/proc/self/make-it-fail", "1"))
		return 1;
	fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		err = errno;
	} else {
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			total += n;
		if (n < 0)
			err = errno;
		close(fd);
	}
	write_str("/proc/self/make-it-fail", "0");

	if (err)
		printf("budget %s: %s\n", argv[2], strerror(err));
	else
		printf("budget %s: read %zd bytes\n", argv[2], total);
	return 0;
}
