// SPDX-License-Identifier: GPL-2.0
/*
 * mmlab_hold DEVICE: map DEVICE, close it, print "mapped" and hold the
 * mapping until killed. Lets a test check what a live mapping prevents
 * (rmmod) after the file descriptor is gone.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long psize = sysconf(_SC_PAGESIZE);
	int fd;
	void *p;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DEVICE\n", argv[0]);
		return 2;
	}
	fd = open(argv[1], O_RDWR);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	p = mmap(NULL, psize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	close(fd);
	printf("mapped\n");
	fflush(stdout);
	for (;;)
		pause();
}
