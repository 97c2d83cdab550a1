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
# Not what an in-tree "make" left in the checkout: its objects and .cmd
# files, copied over these, would make kbuild rebuild everything.
for f in Kbuild Kconfig Makefile; do
	cp -p "$MMLAB_TOP/$f" "$src/"
done
(cd "$MMLAB_TOP" && find drivers include kunit scripts -type f \
	! -name '*.o' ! -name '*.ko' ! -name '*.mod' ! -name '*.mod.c' \
	! -name '.*.cmd' ! -name '*.a' ! -name modules.order \
	-exec cp -p --parents -t "$src" {} +)

if ! make -C "$src" KDIR="$kdir" W=1 "$@" modules > "$outdir/build.log" 2>&1; then
	tail -n 40 "$outdir/build.log" >&2
	die "build against $kdir failed; see $outdir/build.log"
fi
if grep -E 'warning:|error:' "$outdir/build.log" >&2; then
	die "W=1 $* build against $kdir warns; see $outdir/build.log"
fi
find "$src" -name '*.ko' -exec cp {} "$outdir/modules/" \;
