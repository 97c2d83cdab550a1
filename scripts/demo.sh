#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh [demo|bench]: mmlab's main job ("make demo"). Installs what is
# missing, builds the modules and tools for Debian's 6.12 kernel (or the
# user's, KERNEL= and KDIR=, see scripts/lib.sh's tree_kernel), boots it
# under QEMU, loads mmlab, and prints what each /dev/mmlab-<mode> does: its
# vm_flags, faults and pagemap, and bytes crossing between mmap() and
# read()/write(). With "bench" ("make bench"), prints mmap_bench's figures
# instead, and collects them into out/bench/bench.json and bench.png. Logs
# stay in out/<kernel-release>/<job>/.

set -u

. "$(dirname "$0")/lib.sh"

"$MMLAB_TOP/scripts/deps.sh" || die "dependencies missing"

job=${1:-demo}
if [ -n "${MMLAB_KERNEL:-}" ]; then
	# make demo KERNEL=... KDIR=...: a kernel of the user's own.
	[ -n "${MMLAB_KDIR:-}" ] || die "KERNEL= needs KDIR=, the tree it was built in"
	tree_kernel "$MMLAB_KERNEL" "$MMLAB_KDIR" ||
		die "cannot run on $MMLAB_KERNEL (KDIR=${MMLAB_KDIR:-})"
else
	series=${MMLAB_DEMO_KERNEL:-6.12}
	debian_kernel "$series" || die "no Debian $series kernel installed"
fi
out=$MMLAB_OUT/$krel
run=$out/$job
probes=$MMLAB_OUT/userspace
mkdir -p "$MMLAB_OUT"

echo "demo: building mmlab for $krel"
make -s -C "$MMLAB_TOP/userspace" OUT="$probes" > "$MMLAB_OUT/userspace.log" 2>&1 ||
	die "userspace build failed; see $MMLAB_OUT/userspace.log"
"$MMLAB_TOP/scripts/build-modules.sh" "$kdir" "$out" || exit 1
MMLAB_GUEST_KMODS=$(guest_kmods "$config") \
	"$MMLAB_TOP/scripts/mkinitramfs.sh" "$kmoddir" "$out/modules" "$probes" \
	"$out/initramfs.cpio" || die "cannot pack the initramfs"
MMLAB_KERNEL_ARGS=$(guest_args "$config")
export MMLAB_KERNEL_ARGS

# make bench: the guest's tables, without the records it printed as JSON
# lines among them; those go to $MMLAB_OUT/bench/bench.json, drawn in
# bench.png.
bench_report() {
	tr -d '\r' < "$run/ktap.log" |
		grep -v -e '^MMLAB-DONE' -e '^MMLAB-BENCH-JSON '
	echo
	echo "demo: the guest took $(($(date +%s) - started)) s"
	"$MMLAB_TOP/scripts/bench-plot.py" --kernel "$krel" \
		--accel "$(cat "$run/accel")" "$run/ktap.log" "$MMLAB_OUT/bench" ||
		die "cannot collect or draw the records; logs in $run"
}

echo "demo: booting $krel under QEMU"
echo
started=$(date +%s)
if "$MMLAB_TOP/scripts/vm-run.sh" "$image" \
	"$out/initramfs.cpio" "$run" "$job" 600; then
	if [ "$job" = bench ]; then
		bench_report
	else
		tr -d '\r' < "$run/ktap.log" | grep -v '^MMLAB-DONE'
	fi
	echo
	echo "demo: the guest ran under $(cat "$run/accel"); its logs are in $run"
else
	tr -d '\r' < "$run/ktap.log" | grep -v '^MMLAB-BENCH-JSON '
	tail -n 30 "$run/console.log"
	die "the guest did not finish; logs in $run"
fi
