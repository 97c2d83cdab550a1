#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# build-modules.sh KDIR OUTDIR [MAKE-ARGS...]: build mmlab's modules with
# W=1 (and MAKE-ARGS: C=2 for sparse) for the kernel in KDIR, in a copy of
# the sources under OUTDIR/src (so that several kernels can be built from
# one checkout), log to OUTDIR/build.log and copy the .ko files to
# OUTDIR/modules. Fails on an error or on any warning.

set -eu

. "$(dirname "$0")/lib.sh"

kdir=$1
outdir=$2
shift 2
src=$outdir/src
mkdir -p "$src" "$outdir/modules"
rm -f "$outdir"/modules/*.ko

# Copy only what kbuild needs; keep old objects so rebuilds are incremental.
for f in Kbuild Kconfig Makefile; do
	cp -p "$MMLAB_TOP/$f" "$src/"
done
for d in drivers include kunit scripts; do
	mkdir -p "$src/$d"
	cp -pR "$MMLAB_TOP/$d/." "$src/$d/"
done

if ! make -C "$src" KDIR="$kdir" W=1 "$@" modules > "$outdir/build.log" 2>&1; then
	tail -n 40 "$outdir/build.log" >&2
	die "build against $kdir failed; see $outdir/build.log"
fi
if grep -E 'warning:|error:' "$outdir/build.log" >&2; then
	die "W=1 $* build against $kdir warns; see $outdir/build.log"
fi
find "$src" -name '*.ko' -exec cp {} "$outdir/modules/" \;
