#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh: build the debug test kernel and print its build
# directory. It comes from the same Linux 6.12 source as the KUnit run
# (kernel-source.sh), with the same debugging aids (kunit/debug.config),
# plus what the VM runner's guest needs (scripts/guest/kernel.config), KUnit
# as a module (kunit/vm.config), and without mmlab built in: the runner
# loads mmlab and its KUnit suites as out-of-tree modules there, as it
# does on a kernel a user built (make check KERNEL=... KDIR=...).
#
# The build directory is cached, keyed by the source version; make rebuilds
# what a changed config needs. Every requested option is checked in the
# final .config, as kunit.py does.

set -eu

. "$(dirname "$0")/lib.sh"

tree=$("$MMLAB_TOP/scripts/kernel-source.sh")
lock_source_tree -s
build=$MMLAB_CACHE/debug-build-$(basename "$tree")
log=$MMLAB_OUT/debug-kernel.log
mkdir -p "$build" "$MMLAB_OUT"

frags="$MMLAB_TOP/scripts/guest/kernel.config $MMLAB_TOP/kunit/debug.config
	$MMLAB_TOP/kunit/vm.config"
want=$build/.mmlab-want.config
# shellcheck disable=SC2086 # two file names, split on purpose
cat $frags | grep '^CONFIG_' | sort -u > "$want.new"
if ! cmp -s "$want.new" "$want" || [ ! -f "$build/.config" ]; then
	# tinyconfig-sized base, as kunit.py's: defaults plus what we ask for.
	cp "$want.new" "$build/.config"
	make -C "$tree" O="$build" ARCH=x86_64 olddefconfig > "$log" 2>&1
	mv "$want.new" "$want"
fi
rm -f "$want.new"

missing=$(while read -r line; do
	grep -qx "$line" "$build/.config" || echo "$line"
done < "$want")
[ -z "$missing" ] || die "options not in the final .config: $missing"

echo "debug-kernel: building in $build" >&2
make -C "$tree" O="$build" ARCH=x86_64 -j"$(nproc)" bzImage modules \
	>> "$log" 2>&1 || die "kernel build failed; see $log"
echo "$build"
