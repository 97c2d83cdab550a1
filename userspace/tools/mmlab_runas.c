// SPDX-License-Identifier: GPL-2.0
/*
 * mmlab_runas UID GID PROGRAM [ARG...]: run PROGRAM as UID:GID with no
 * supplementary groups and no capabilities left. The guest's busybox
 * setpriv cannot change ids, and su needs a password database: the
 * unprivileged probes run their caller through this instead.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	uid_t uid;
	gid_t gid;

	if (argc < 4) {
		fprintf(stderr, "usage: %s UID GID PROGRAM [ARG...]\n", argv[0]);
		return 2;
	}
	uid = strtoul(argv[1], NULL, 10);
	gid = strtoul(argv[2], NULL, 10);
	/* Groups and gid first: without CAP_SETGID they cannot change. */
	if (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid)) {
		fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
		return 2;
	}
	/* A uid change from 0 to non-0 clears the capability sets. */
	execvp(argv[3], argv + 3);
	fprintf(stderr, "%s: %s: %s\n", argv[0], argv[3], strerror(errno));
	return 127;
}
