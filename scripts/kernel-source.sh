#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kernel-source.sh: print the path of a pristine Linux 6.12 tree unpacked
# from Debian's linux-source-6.12 into the cache, unpacking it the first
# time. The directory is keyed by the package version, so an updated
# package gets a fresh tree.

set -eu

. "$(dirname "$0")/lib.sh"

tarball=$(find /usr/src -maxdepth 1 -name 'linux-source-6.12*.tar.xz' | sort |
	head -n 1)
[ -n "$tarball" ] || die "no linux-source-6.12 tarball; run scripts/deps.sh"
version=$(dpkg-query -W -f='${Version}' linux-source-6.12)
tree=$MMLAB_CACHE/linux-$version

if [ ! -f "$tree/.mmlab-unpacked" ]; then
	echo "kernel-source: unpacking $tarball" >&2
	rm -rf "$tree" "$tree.tmp"
	mkdir -p "$tree.tmp"
	tar -xJf "$tarball" -C "$tree.tmp" --strip-components=1
	touch "$tree.tmp/.mmlab-unpacked"
	mv "$tree.tmp" "$tree"
fi
echo "$tree"
