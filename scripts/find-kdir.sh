#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print the default kernel build directory: the running kernel's if it has
# one, else the newest installed Debian linux-headers-*-amd64 tree.

build=/lib/modules/$(uname -r)/build
if [ -f "$build/Makefile" ]; then
	echo "$build"
	exit 0
fi
# An unmatched pattern comes out as itself, and has no Makefile.
for d in $(printf '%s\n' /usr/src/linux-headers-*-amd64 | sort -V -r); do
	case "$d" in
	*-rt-amd64|*-cloud-amd64) continue ;;
	esac
	if [ -f "$d/Makefile" ] && [ -f "$d/Module.symvers" ]; then
		echo "$d"
		exit 0
	fi
done
echo "find-kdir.sh: no kernel headers found; run scripts/deps.sh or set KDIR" >&2
echo /nonexistent-kdir
