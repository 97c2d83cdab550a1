#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# install-check.sh OUTDIR SERIES...: install mmlab as a user would, for
# each Debian kernel SERIES (6.1, 6.12), into scratch trees under OUTDIR,
# never into the machine itself, and check the result; flat KTAP on
# stdout, a result per step and kernel:
#
#   install_<release>    make install DESTDIR=...: both modules under
#                        lib/modules/<release>/updates, built for that
#                        release (their vermagic), named by the modules.dep
#                        that depmod wrote, and the udev rule in place
#   uninstall_<release>  make uninstall DESTDIR=...: all of it gone again
#   dkms_<release>       dkms add and build from the tree's dkms.conf, in a
#                        DKMS tree and source tree of its own: both modules
#                        built for that release
#
# Nothing is loaded: modules run only in the test VMs.

set -u

. "$(dirname "$0")/lib.sh"

out=$1
shift
rm -rf "$out"
mkdir -p "$out"
n=0

result() {	# result NAME STATUS
	n=$((n + 1))
	if [ "$2" -eq 0 ]; then
		echo "ok $n $1"
	else
		echo "not ok $n $1"
	fi
}

# The kernel side of the tree, as a release tarball or DKMS would hold it.
copy_sources() {
	mkdir -p "$1"
	(cd "$MMLAB_TOP" &&
		cp -R Kbuild Kconfig Makefile dkms.conf drivers include kunit \
			scripts udev "$1/")
}

# vermagic_is FILE RELEASE: the module was built for RELEASE.
vermagic_is() {
	v=$(modinfo -F vermagic "$1" 2>/dev/null) || return 1
	[ "${v%% *}" = "$2" ] || {
		echo "# $1: vermagic $v"
		return 1
	}
}

# installed ROOT RELEASE: what make install must leave under ROOT.
installed() {
	dir=$1/lib/modules/$2/updates
	for m in mmlab mmlab_pci; do
		f=$(find "$dir" -name "$m.ko*" 2>/dev/null | head -n 1)
		[ -n "$f" ] || { echo "# no $m.ko under $dir"; return 1; }
		vermagic_is "$f" "$2" || return 1
		grep -q "^updates/$m.ko[^:]*:" "$1/lib/modules/$2/modules.dep" ||
			{ echo "# modules.dep does not name $m"; return 1; }
	done
	[ -f "$1/lib/udev/rules.d/99-mmlab.rules" ] ||
		{ echo "# no udev rule"; return 1; }
}

# removed ROOT RELEASE: nothing of it left.
removed() {
	if find "$1" -name 'mmlab*.ko*' -o -name '99-mmlab.rules' | grep .; then
		return 1
	fi
	! grep -q 'mmlab' "$1/lib/modules/$2/modules.dep"
}

for series in "$@"; do
	krel=$(kernel_release "$series") || {
		result "install_linux_$series" 1
		continue
	}
	kdir=$(kernel_headers "$krel")
	src=$out/$krel/src
	root=$out/$krel/root
	copy_sources "$src"
	make -C "$src" KDIR="$kdir" DESTDIR="$root" install \
		> "$out/$krel/install.log" 2>&1 &&
		installed "$root" "$krel"
	result "install_$krel" $?
	make -C "$src" KDIR="$kdir" DESTDIR="$root" uninstall \
		> "$out/$krel/uninstall.log" 2>&1 &&
		removed "$root" "$krel"
	result "uninstall_$krel" $?

	# DKMS finds a package's sources as <sourcetree>/<name>-<version>.
	version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$src/dkms.conf")
	dk=$out/$krel/dkms
	copy_sources "$dk/src/mmlab-$version"
	mkdir -p "$dk/tree"
	status=1
	if dkms add -m mmlab -v "$version" --sourcetree "$dk/src" \
		--dkmstree "$dk/tree" > "$dk/dkms.log" 2>&1 &&
	   dkms build -m mmlab -v "$version" -k "$krel" --sourcetree "$dk/src" \
		--dkmstree "$dk/tree" >> "$dk/dkms.log" 2>&1; then
		status=0
		for m in mmlab mmlab_pci; do
			f=$(find "$dk/tree/mmlab/$version/$krel" -name "$m.ko*" |
			    head -n 1)
			if [ -z "$f" ] || ! vermagic_is "$f" "$krel"; then
				echo "# DKMS built no $m.ko for $krel"
				status=1
			fi
		done
	fi
	[ $status -eq 0 ] || tail -n 20 "$dk/dkms.log" | sed 's/^/# /'
	result "dkms_$krel" $status
done
echo "1..$n"
