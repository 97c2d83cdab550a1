#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# check.sh: mmlab's whole test suite ("make check").
#
# Installs what is missing, then for each kernel of the matrix (Debian 6.1
# and 6.12): builds the modules with W=1, packs an initramfs with the static
# probes, boots it under QEMU, loads the modules, runs the probes, unloads,
# and judges the KTAP and the guest's kernel log (scripts/verdict.py).
# Ends with a table per kernel and "N passed, N failed"; exit 0 only when
# everything passed. Logs stay in out/<kernel-release>/.

set -u

. "$(dirname "$0")/lib.sh"

"$MMLAB_TOP/scripts/deps.sh" || die "dependencies missing"

mkdir -p "$MMLAB_OUT"
probes=$MMLAB_OUT/userspace
make -s -C "$MMLAB_TOP/userspace" OUT="$probes" > "$MMLAB_OUT/userspace.log" 2>&1
userspace_ok=$?

[ -n "${MMLAB_ACCEL:-}" ] || {
	MMLAB_ACCEL=tcg
	for series in $MMLAB_KERNELS; do
		krel=$(kernel_release "$series") || continue
		"$MMLAB_TOP/scripts/kvm-works.sh" "$(kernel_image "$krel")" &&
			MMLAB_ACCEL=kvm
		break
	done
}
export MMLAB_ACCEL
echo "check: accelerator $MMLAB_ACCEL"

rundirs=
for series in $MMLAB_KERNELS; do
	start=$(date +%s)
	if ! krel=$(kernel_release "$series"); then
		run=$MMLAB_OUT/linux-$series
		mkdir -p "$run"
		echo "linux-$series" > "$run/name"
		printf 'not ok 1 kernel_%s_installed\n' "$series" > "$run/host.ktap"
		rundirs="$rundirs $run"
		continue
	fi
	out=$MMLAB_OUT/$krel
	run=$out/run
	rm -rf "$run"
	mkdir -p "$run"
	echo "$krel" > "$run/name"
	rundirs="$rundirs $run"

	n=0
	host() {	# host NAME STATUS: one host-side result
		n=$((n + 1))
		if [ "$2" -eq 0 ]; then
			echo "ok $n $1" >> "$run/host.ktap"
		else
			echo "not ok $n $1" >> "$run/host.ktap"
		fi
	}

	"$MMLAB_TOP/scripts/build-modules.sh" "$(kernel_headers "$krel")" "$out"
	built=$?
	host build_modules_w1_clean $built
	host build_userspace $userspace_ok
	if [ $built -ne 0 ] || [ $userspace_ok -ne 0 ]; then
		continue
	fi
	"$MMLAB_TOP/scripts/mkinitramfs.sh" "$krel" "$out/modules" "$probes" \
		"$out/initramfs.cpio"
	host pack_initramfs $?

	echo "check: booting $krel"
	"$MMLAB_TOP/scripts/vm-run.sh" "$(kernel_image "$krel")" \
		"$out/initramfs.cpio" "$run" check
	"$MMLAB_TOP/scripts/verdict.py" run "$run"
	echo "check: $krel done in $(($(date +%s) - start))s; logs in $run"
done

if [ -z "${MMLAB_SKIP_CHECKPATCH:-}" ]; then
	run=$MMLAB_OUT/style
	rm -rf "$run"
	mkdir -p "$run"
	echo "checkpatch" > "$run/name"
	if "$MMLAB_TOP/scripts/checkpatch.sh" > "$run/checkpatch.log" 2>&1; then
		echo "ok 1 checkpatch_strict_clean" > "$run/host.ktap"
	else
		cat "$run/checkpatch.log"
		echo "not ok 1 checkpatch_strict_clean" > "$run/host.ktap"
	fi
	"$MMLAB_TOP/scripts/verdict.py" run "$run"
	rundirs="$rundirs $run"
fi

echo
# shellcheck disable=SC2086
"$MMLAB_TOP/scripts/verdict.py" table $rundirs
