// SPDX-License-Identifier: GPL-2.0
/*
 * mmlab_reread FILE THREADS READS: THREADS threads each open FILE and
 * read it whole READS times, from offset 0 each time, back to back. A
 * seq_file runs its show function again for every such read, so the
 * threads run one report generator concurrently, as often as the CPUs
 * allow: what a shell loop of cat, mostly busy with fork and exec, does
 * not. Fails (exit 1) on any read error; prints the reads done.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *path;
static long reads;

static void *reader(void *arg)
{
	static __thread char buf[65536];
	long *failed = arg;
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		*failed = errno;
		return NULL;
	}
	for (long i = 0; i < reads && !*failed; i++) {
		if (pread(fd, buf, sizeof(buf), 0) <= 0)
			*failed = errno ? errno : EIO;
	}
	close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	int nthreads = argc == 4 ? atoi(argv[2]) : 0;
	pthread_t tid[64];
	long failed[64] = { 0 };
	int status = 0;

	if (nthreads < 1 || nthreads > 64) {
		fprintf(stderr, "usage: %s FILE THREADS(1-64) READS\n", argv[0]);
		return 2;
	}
	path = argv[1];
	reads = atol(argv[3]);
	for (int i = 0; i < nthreads; i++)
		pthread_create(&tid[i], NULL, reader, &failed[i]);
	for (int i = 0; i < nthreads; i++) {
		pthread_join(tid[i], NULL);
		if (failed[i]) {
			printf("thread %d: %s\n", i, strerror(failed[i]));
			status = 1;
		}
	}
	printf("%d threads, %ld reads each of %s\n", nthreads, reads, path);
	return status;
}
