#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# checkpatch.sh [FILE...]: run the kernel's checkpatch.pl --strict on
# mmlab's C sources (default: all of them). checkpatch.pl comes from
# Debian's linux-source-6.12, unpacked once into the cache.

set -eu

. "$(dirname "$0")/lib.sh"

tarball=$(find /usr/src -maxdepth 1 -name 'linux-source-6.12*.tar.xz' | sort |
	head -n 1)
[ -n "$tarball" ] || die "no linux-source-6.12 tarball; run scripts/deps.sh"
version=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || echo local)
tools=$MMLAB_CACHE/checkpatch-$version

if [ ! -x "$tools/scripts/checkpatch.pl" ]; then
	rm -rf "$tools.tmp"
	mkdir -p "$tools.tmp"
	top=$(tar -tJf "$tarball" | head -n 1 | cut -d/ -f1)
	tar -xJf "$tarball" -C "$tools.tmp" --strip-components=1 \
		"$top/scripts/checkpatch.pl" "$top/scripts/spelling.txt" \
		"$top/scripts/const_structs.checkpatch"
	rm -rf "$tools"
	mv "$tools.tmp" "$tools"
fi

cd "$MMLAB_TOP"
checkpatch() {
	"$tools/scripts/checkpatch.pl" --strict --no-tree --quiet --show-types \
		--ignore FILE_PATH_CHANGES "$@"
}

if [ $# -gt 0 ]; then
	checkpatch -f "$@"
	exit
fi
# Userspace programs use the C library's types and have no BIT_ULL().
# The KUnit suites call kmap() and kmap_atomic() on purpose, to show what
# they return next to kmap_local_page().
kernel=$(find drivers include scripts/conftest -name '*.[ch]' | sort)
tests=$(find kunit -name '*.[ch]' | sort)
user=$(find userspace -name '*.[ch]' -not -path '*/build/*' | sort)
status=0
# One argument per file, split on purpose: no file name here has a space.
# shellcheck disable=SC2086
{
	checkpatch -f $kernel || status=1
	checkpatch --ignore DEPRECATED_API -f $tests || status=1
	checkpatch --ignore PREFER_KERNEL_TYPES,BIT_MACRO -f $user || status=1
	[ $status -eq 0 ] &&
		echo "checkpatch --strict: $(echo $kernel $tests $user | wc -w) files clean"
}
exit $status
