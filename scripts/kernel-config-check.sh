#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kernel-config-check.sh CONFIG: exit 0 when the kernel configuration
# CONFIG (a .config) has every option the test VM's guest needs, and none
# it cannot have (scripts/guest/kernel.config); else name each option
# wrong, with the value it has, and exit 1, so that a kernel that cannot run the suite is
# refused before it boots.

set -u

. "$(dirname "$0")/lib.sh"

config=$1
[ -f "$config" ] || die "no kernel configuration $config"

missing=0
while read -r line; do
	case $line in
	CONFIG_*)
		opt=${line%%=*}
		want=${line#*=}
		;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }
		opt=${opt%% *}
		want=n
		;;
	*)
		continue
		;;
	esac
	have=$(sed -n "s/^$opt=//p" "$config")
	# "=m": built in serves as well as a module.
	case "$want:$have" in
	y:y|m:m|m:y|n:) continue ;;
	esac
	echo "$config: $opt=${have:-n}, the guest needs $opt=$want" \
	     "(scripts/guest/kernel.config)" >&2
	missing=1
done < "$MMLAB_TOP/scripts/guest/kernel.config"
exit $missing
