#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# graft.sh TREE: put mmlab's sources into the kernel tree TREE as
# drivers/mmlab/, with one line in drivers/Kconfig and one in
# drivers/Makefile, so that Kconfig symbols CONFIG_MMLAB and
# CONFIG_MMLAB_KUNIT_TEST build it in tree. Only files whose contents
# changed are copied, so that an incremental kernel build stays incremental;
# files removed from mmlab are removed from the tree.

set -eu

. "$(dirname "$0")/lib.sh"

tree=$1
dst=$tree/drivers/mmlab
lock_source_tree -x
mkdir -p "$dst"

cd "$MMLAB_TOP"
files=$(find Kbuild Kconfig drivers include kunit -type f \
	\( -name '*.[ch]' -o -name Kbuild -o -name Kconfig \) | sort)
for f in $files; do
	if ! cmp -s "$f" "$dst/$f"; then
		mkdir -p "$(dirname "$dst/$f")"
		cp "$f" "$dst/$f"
	fi
done
(cd "$dst" && find Kbuild Kconfig drivers include kunit -type f \
	\( -name '*.[ch]' -o -name Kbuild -o -name Kconfig \) | sort) |
while read -r f; do
	[ -e "$MMLAB_TOP/$f" ] || rm -f "$dst/$f"
done

grep -q '^source "drivers/mmlab/Kconfig"' "$tree/drivers/Kconfig" ||
	sed -i 's|^endmenu$|source "drivers/mmlab/Kconfig"\n\nendmenu|' \
		"$tree/drivers/Kconfig"
# $(CONFIG_MMLAB) is make's to expand, not the shell's.
# shellcheck disable=SC2016
grep -q 'mmlab/' "$tree/drivers/Makefile" ||
	echo 'obj-$(CONFIG_MMLAB)		+= mmlab/' >> "$tree/drivers/Makefile"
