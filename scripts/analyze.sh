#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# analyze.sh TOOL [ARGS]: one of the kernel community's static checks on
# mmlab, printing what it finds; exits non-zero on any finding.
#
#   sparse KDIR OUTDIR   the modules built with C=2 (sparse on every file)
#                        against the kernel in KDIR, in OUTDIR
#   coccicheck OUTDIR    the kernel's semantic patches (make coccicheck
#                        MODE=report) over a copy of the kernel sources
#                        in OUTDIR, from the 6.12 source tree
#   "shellcheck"         every shell script, as POSIX sh
#   kernel-doc           kernel-doc -Wall on every header and C file of
#                        the kernel side, the uapi headers among them
#
# All come from Debian: sparse, coccinelle (with ocaml-nox, which some
# semantic patches' scripts need), shellcheck; kernel-doc and the semantic
# patches from linux-source-6.12 (scripts/deps.sh installs them).

set -eu

. "$(dirname "$0")/lib.sh"

cd "$MMLAB_TOP"

# The kernel side: what kbuild compiles, and the feature probes.
kernel_files() {
	find drivers include kunit scripts/conftest -name '*.[ch]' | sort
}

tool=${1:-}
[ $# -gt 0 ] && shift
case "$tool" in
sparse)
	# build-modules.sh fails on any warning, sparse's among them.
	exec "$MMLAB_TOP/scripts/build-modules.sh" "$1" "$2" C=2
	;;
coccicheck)
	out=$1
	tree=$("$MMLAB_TOP/scripts/kernel-source.sh")
	rm -rf "$out"
	mkdir -p "$out/src"
	cp -R drivers include kunit scripts Kbuild "$out/src/"
	# Each report names a file of ours; anything else is the tool's own
	# chatter (spatch's warnings about the semantic patches themselves).
	make -C "$tree" M="$out/src" coccicheck MODE=report J=2 \
		> "$out/coccicheck.log" 2>&1 ||
		die "coccicheck failed; see $out/coccicheck.log"
	if grep "^$out/src/" "$out/coccicheck.log"; then
		exit 1
	fi
	echo "coccicheck: no report on $(kernel_files | wc -l) files"
	;;
shellcheck)
	scripts=$(find scripts userspace -name '*.sh' | sort)
	# One argument per script, split on purpose: no name has a space.
	# shellcheck disable=SC2086
	{
		shellcheck -x -P SCRIPTDIR -s sh -f gcc $scripts scripts/guest/init
		echo "shellcheck: $(echo $scripts | wc -w) scripts and the guest's init clean"
	}
	;;
kernel-doc)
	tree=$("$MMLAB_TOP/scripts/kernel-source.sh")
	files=$(kernel_files)
	# shellcheck disable=SC2086
	out=$(perl "$tree/scripts/kernel-doc" -Wall -none $files 2>&1)
	if [ -n "$out" ]; then
		echo "$out"
		exit 1
	fi
	echo "kernel-doc -Wall: $(echo "$files" | wc -l) files clean"
	;;
*)
	die "usage: analyze.sh sparse KDIR OUTDIR | coccicheck OUTDIR | shellcheck | kernel-doc"
	;;
esac
