#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# check.sh: mmlab's whole test suite ("make check").
#
# Installs what is missing, then:
# - for each kernel of the matrix (MMLAB_KERNELS, scripts/lib.sh),
#   Debian's 6.1, 6.12 and 6.12 with PREEMPT_RT, and the debug test kernel
#   (scripts/debug-kernel.sh), run as a user's own kernel is ("user":
#   make check KERNEL=bzImage KDIR=tree, which runs only that kernel):
#   checks its config against what the guest needs, builds the modules with W=1,
#   packs an initramfs with the static probes, boots it under QEMU, loads
#   the modules, runs the probes, unloads, and judges the KTAP (read by
#   the kernel's kunit.py parse) and the guest's kernel log
#   (scripts/verdict.py), and what the guest wrote
#   through its ivshmem device into the host's file (scripts/ivshmem.py),
#   and to its isa-debugcon port (scripts/debugcon.py);
#   on the debug kernel the KUnit suites also run as modules, their KTAP
#   read by kunit.py parse;
# - the KUnit suites under kunit.py run (scripts/kunit.sh);
# - make install and DKMS into scratch trees (scripts/install-check.sh);
# - checkpatch --strict, sparse, coccicheck, shellcheck, kernel-doc;
# each kernel and each other row a job, MMLAB_JOBS of them at once, and the
# debug kernel's log verdict boot a job of its own.
# The kunit.py run and the install row are of Debian's and mmlab's own
# 6.12 trees: a run of a user's kernel leaves them out.
# Ends with a table and "N passed, N failed"; exit 0 only when everything
# passed. Logs stay in out/.

set -u

# make check KERNEL=... KDIR=...: that kernel alone, unless asked for more.
[ -n "${MMLAB_KERNEL:-}" ] || [ -z "${MMLAB_KDIR:-}" ] ||
	echo "check.sh: KDIR=$MMLAB_KDIR without KERNEL=: Debian's kernels" >&2
if [ -n "${MMLAB_KERNEL:-}" ]; then
	[ -n "${MMLAB_KDIR:-}" ] || {
		echo "check.sh: KERNEL= needs KDIR=, the tree it was built in" >&2
		exit 1
	}
	case " ${MMLAB_KERNELS:-user} " in
	*" user "*) MMLAB_KERNELS=${MMLAB_KERNELS:-user} ;;
	*) MMLAB_KERNELS="user $MMLAB_KERNELS" ;;
	esac
	MMLAB_SKIP_KUNIT=1
	MMLAB_SKIP_INSTALL=1
fi

. "$(dirname "$0")/lib.sh"

"$MMLAB_TOP/scripts/deps.sh" || die "dependencies missing"

mkdir -p "$MMLAB_OUT"
probes=$MMLAB_OUT/userspace
make -s -C "$MMLAB_TOP/userspace" OUT="$probes" > "$MMLAB_OUT/userspace.log" 2>&1
userspace_ok=$?

[ -n "${MMLAB_ACCEL:-}" ] || {
	MMLAB_ACCEL=tcg
	krel=$(kernel_release 6.12) &&
		"$MMLAB_TOP/scripts/kvm-works.sh" "$(kernel_image "$krel")" &&
		MMLAB_ACCEL=kvm
}
export MMLAB_ACCEL
echo "check: accelerator $MMLAB_ACCEL"

# The kernel source that every job reads (kunit.py, which parses each
# kernel's KTAP too, the debug kernel, the static checks), unpacked once,
# before the jobs start: two unpacking it at once would clobber each other.
"$MMLAB_TOP/scripts/kernel-source.sh" > /dev/null || die "no kernel source"

# What follows runs as jobs, MMLAB_JOBS at once (as many as the machine has
# CPUs by default), each job a kernel of the matrix or a host-side row. A
# guest under TCG keeps the host's CPUs only partly busy: it waits on edu's
# DMA timer and on the fixed seconds of the torture and fuzz probes, and a
# one-threaded probe leaves its second vCPU idle, so that two guests on two
# CPUs take little longer than one (Documentation/test-runner.rst). Each
# job lists its rows in $jobs/N.rows, N its place in the table.
MMLAB_JOBS=${MMLAB_JOBS:-$(nproc)}
case $MMLAB_JOBS in
'' | *[!0-9]* | 0) die "MMLAB_JOBS=$MMLAB_JOBS: a number of jobs, 1 or more" ;;
esac
jobs=$MMLAB_OUT/jobs
rm -rf "$jobs"
mkdir -p "$jobs"
rows=/dev/null

# new_run DIR NAME: an empty results directory, a row NAME of the table.
new_run() {
	run=$1
	rm -rf "$run"
	mkdir -p "$run"
	echo "$2" > "$run/name"
	echo "$run" >> "$rows"
}

# The KUnit suites under kunit.py.
job_kunit() {
	MMLAB_KUNIT_TABLE='' "$MMLAB_TOP/scripts/kunit.sh"
	echo "$MMLAB_OUT/kunit" >> "$rows"
}

# check_kernel NAME: build, boot and judge one kernel of the matrix.
check_kernel() {
	series=$1
	start=$(date +%s)
	# Bounds, not expectations: alone, a Debian kernel's run takes about
	# 300 s here, and beside three other jobs about 450 s.
	limit=1200
	probe_timeout=300
	MMLAB_KERNEL_ARGS=
	tree_image=${MMLAB_KERNEL:-}
	tree_kdir=${MMLAB_KDIR:-}
	if [ "$series" = debug ]; then
		# Built here, then run exactly as a user's own kernel is.
		tree_kdir=$debug_kdir
		if [ -z "$tree_kdir" ]; then
			new_run "$MMLAB_OUT/debug" "debug kernel"
			echo "not ok 1 build_debug_kernel" > "$run/host.ktap"
			return
		fi
		tree_image=$tree_kdir/arch/x86/boot/bzImage
		# preempt=full: a task can lose the CPU anywhere outside a
		# lock, which widens the windows the race probes aim at.
		# acpi=noirq: edu's INTx pin routed by the BIOS's PIRQ table,
		# not by ACPI's AML, which under KASAN and lockdep took about
		# 25 s at every bind and unbind (Documentation/test-runner.rst);
		# Debian's kernels keep ACPI's routing.
		MMLAB_KERNEL_ARGS="preempt=full acpi=noirq"
	fi
	if [ "$series" = debug ] || [ "$series" = user ]; then
		if ! tree_kernel "$tree_image" "$tree_kdir" \
			2> "$MMLAB_OUT/$series-tree.log"; then
			cat "$MMLAB_OUT/$series-tree.log" >&2
			new_run "$MMLAB_OUT/$series" "$series kernel"
			echo "not ok 1 usable_kernel_tree" > "$run/host.ktap"
			return
		fi
		# A kernel built from a tree may have debugging aids on (the
		# debug kernel: KASAN, lockdep, page poisoning), slow under
		# TCG.
		limit=2400
		probe_timeout=900
	elif debian_kernel "$series"; then
		# 6.1 runs with 4-level paging, the others with 5 (-cpu max
		# offers LA57), so the page-table walk is tested on both; and
		# without MSI, so that edu's interrupt is the shared INTx line.
		[ "$series" = 6.1 ] && MMLAB_KERNEL_ARGS="no5lvl pci=nomsi"
	else
		new_run "$MMLAB_OUT/linux-$series" "linux-$series"
		printf 'not ok 1 kernel_%s_installed\n' "$series" > "$run/host.ktap"
		return
	fi
	# The kernel's own modules the guest loads, as its config has them.
	MMLAB_GUEST_KMODS=$(guest_kmods "$config")
	MMLAB_KERNEL_ARGS="$MMLAB_KERNEL_ARGS $(guest_args "$config")"
	base_args=$MMLAB_KERNEL_ARGS
	# MMLAB_PROBES=name,...: run only those probes (a faster loop).
	[ -z "${MMLAB_PROBES:-}" ] ||
		MMLAB_KERNEL_ARGS="$MMLAB_KERNEL_ARGS mmlab_probes=$MMLAB_PROBES"
	# make stress: the race, torture and fuzz probes run this many
	# seconds per case instead of their short defaults.
	if [ -n "${MMLAB_STRESS_SECONDS:-}" ]; then
		s=$MMLAB_STRESS_SECONDS
		MMLAB_KERNEL_ARGS="$MMLAB_KERNEL_ARGS mmlab_stress_seconds=$s"
		probe_timeout=$((probe_timeout + 60 * s))
		limit=$((limit + 200 * s))
	fi
	[ -z "${MMLAB_FUZZ_SEED:-}" ] ||
		MMLAB_KERNEL_ARGS="$MMLAB_KERNEL_ARGS mmlab_fuzz_seed=$MMLAB_FUZZ_SEED"
	MMLAB_KERNEL_ARGS="$MMLAB_KERNEL_ARGS mmlab_probe_timeout=$probe_timeout"
	export MMLAB_GUEST_KMODS MMLAB_KERNEL_ARGS
	# One job per release, whose files are out/<release>: a series named
	# twice, or KERNEL= a Debian kernel that is in the run too.
	if ! mkdir "$jobs/release-$krel" 2> /dev/null; then
		new_run "$MMLAB_OUT/$series-again" "$series"
		echo "ok 1 one_job_per_release # SKIP $krel: another job tests it" \
			> "$run/host.ktap"
		"$MMLAB_TOP/scripts/verdict.py" run "$run"
		return
	fi
	out=$MMLAB_OUT/$krel
	new_run "$out/run" "$krel"

	n=0
	host() {	# host NAME STATUS: one host-side result
		n=$((n + 1))
		if [ "$2" -eq 0 ]; then
			echo "ok $n $1" >> "$run/host.ktap"
		else
			echo "not ok $n $1" >> "$run/host.ktap"
		fi
	}

	"$MMLAB_TOP/scripts/kernel-config-check.sh" "$config"
	host kernel_config_has_guest_needs $?
	[ "$series" = debug ] && check_tree_refusals
	"$MMLAB_TOP/scripts/build-modules.sh" "$kdir" "$out"
	built=$?
	host build_modules_w1_clean $built
	# sparse on every file, once the modules are known to build, beside
	# the guest (which leaves a CPU idle much of the time; the job waits
	# for it): a result of the sparse row, put together after the jobs.
	if [ $built -eq 0 ] && [ -z "${MMLAB_SKIP_CHECKPATCH:-}" ]; then
		(
			"$MMLAB_TOP/scripts/analyze.sh" sparse "$kdir" \
				"$out/sparse" > "$out/sparse.log" 2>&1
			echo "$? $krel $out/sparse.log" > "$rows.sparse"
		) &
	fi
	host build_userspace $userspace_ok
	[ $built -eq 0 ] && [ $userspace_ok -eq 0 ] || return
	"$MMLAB_TOP/scripts/mkinitramfs.sh" "$kmoddir" "$out/modules" "$probes" \
		"$out/initramfs.cpio"
	host pack_initramfs $?

	echo "check: booting $krel"
	"$MMLAB_TOP/scripts/vm-run.sh" "$image" "$out/initramfs.cpio" "$run" \
		check "$limit"
	# What the guest wrote through ivshmem must be in the host's file,
	# when pci_ivshmem_test ran.
	case ",${MMLAB_PROBES:-pci_ivshmem_test}," in
	*,pci_ivshmem_test,*)
		"$MMLAB_TOP/scripts/ivshmem.py" check "$run/ivshmem.bin" \
			> "$run/ivshmem.ktap"
		;;
	esac
	# And what pci_pio_test wrote to isa-debugcon, in the file behind it,
	# a record for each run of the test that passed.
	case ",${MMLAB_PROBES:-pci_pio_test}," in
	*,pci_pio_test,*)
		runs=$(grep -c '^ *ok [0-9]* pio\.debugcon_writes_host_file\b' \
			"$run/ktap.log")
		"$MMLAB_TOP/scripts/debugcon.py" "$run/debugcon.bin" "$runs" \
			> "$run/debugcon.ktap"
		;;
	esac
	# The probes' nested KTAP, read by the kernel's own parser.
	"$MMLAB_TOP/scripts/kunit-parse.sh" "$run/ktap.log" "$run/ktap.json" \
		> "$run/ktap-parse.log" 2>&1
	if [ -f "$out/modules/mmlab_kunit.ko" ]; then
		# The suites ran at insmod; their KTAP is in the kernel log.
		"$MMLAB_TOP/scripts/kunit-parse.sh" "$run/dmesg.log" \
			"$run/kunit.json" > "$run/kunit-parse.log" 2>&1
		host kunit_parse_module_ktap $?
	fi
	"$MMLAB_TOP/scripts/verdict.py" run "$run"
	# DMA into pinned user memory once more, through an IOMMU.
	[ -n "${MMLAB_SKIP_IOMMU:-}" ] ||
	case ",${MMLAB_PROBES:-pci_dma_pin_test}," in
	*,pci_dma_pin_test,*)
		check_iommu "$image" "$out" "$config"
		;;
	esac
	echo "check: $krel done in $(($(date +%s) - start))s; logs in $run"
}

# check_tree_refusals: what make check KERNEL=... KDIR=... refuses before
# it boots, tried on the debug kernel's tree: an image built elsewhere
# (Debian's 6.12), and a .config without an option the guest needs,
# named in the message; brd built in is as good as a module.
check_tree_refusals() {
	bad=$out/refusals
	mkdir -p "$bad"
	! (tree_kernel "$(kernel_image "$(kernel_release 6.12)")" "$kdir") \
		2> "$bad/image.log" && grep -qF "but $kdir builds" "$bad/image.log"
	host tree_kernel_refuses_another_image $?
	sed -e '/^CONFIG_DEVTMPFS=/d' -e 's/^CONFIG_BLK_DEV_RAM=m/CONFIG_BLK_DEV_RAM=y/' \
		"$config" > "$bad/config"
	"$MMLAB_TOP/scripts/kernel-config-check.sh" "$bad/config" \
		2> "$bad/config.log"
	[ $? -eq 1 ] && grep -q 'CONFIG_DEVTMPFS=n' "$bad/config.log" &&
		! grep -q CONFIG_BLK_DEV_RAM "$bad/config.log"
	host kernel_config_check_names_what_is_missing $?
}

# check_iommu IMAGE OUTDIR CONFIG: boot the kernel once more, on the q35
# machine with its IOMMU on (scripts/vm-run.sh), to run the edu probes
# there: every page edu's DMA is given is then translated, none bounced
# (drivers/pci/edu_pin.c). A kernel without the Intel IOMMU skips it.
check_iommu() {
	new_run "$2/iommu" "$krel iommu"
	if ! grep -qx 'CONFIG_INTEL_IOMMU=y' "$3"; then
		echo "ok 1 intel_iommu # SKIP not in $3" > "$run/host.ktap"
		return
	fi
	echo "check: booting $krel with an IOMMU"
	MMLAB_IOMMU=1 MMLAB_KERNEL_ARGS="$base_args mmlab_kunit=off \
mmlab_probes=pci_edu_test,pci_dma_pin_test,pci_dma_pin_test-32 \
mmlab_probe_timeout=$probe_timeout" \
		"$MMLAB_TOP/scripts/vm-run.sh" "$1" "$2/initramfs.cpio" "$run" \
		check "$limit"
	"$MMLAB_TOP/scripts/kunit-parse.sh" "$run/ktap.log" "$run/ktap.json" \
		> "$run/ktap-parse.log" 2>&1
	"$MMLAB_TOP/scripts/verdict.py" run "$run"
}

# job_lockups: boot the debug kernel once more to provoke a soft lockup, an
# RCU stall and a hung task with the kernel's test_lockup module
# (scripts/guest/init), and check that the log verdict that judges every
# run catches each of them. None of mmlab's modules is packed.
job_lockups() {
	tree_kernel "$debug_kdir/arch/x86/boot/bzImage" "$debug_kdir" ||
		return
	out=$MMLAB_OUT/$krel
	new_run "$out/lockups" "log verdict"
	mkdir -p "$out/no-modules"
	MMLAB_GUEST_KMODS=lib/test_lockup "$MMLAB_TOP/scripts/mkinitramfs.sh" \
		"$kdir" "$out/no-modules" "$probes" "$out/lockups.cpio" ||
		return
	echo "check: provoking lockups on $krel"
	MMLAB_KERNEL_ARGS="rcupdate.rcu_cpu_stall_timeout=3" \
		"$MMLAB_TOP/scripts/vm-run.sh" "$image" "$out/lockups.cpio" "$run" \
		lockups 600
	"$MMLAB_TOP/scripts/verdict.py" lockups "$run"
}

# make install, make uninstall and a DKMS build, into scratch trees, for
# each Debian kernel of the run (scripts/install-check.sh).
job_install() {
	new_run "$MMLAB_OUT/install" "install, dkms"
	# shellcheck disable=SC2046 # the series, one argument each
	"$MMLAB_TOP/scripts/install-check.sh" "$run/work" \
		$(echo "$MMLAB_KERNELS" | tr ' ' '\n' | grep -vx -e debug -e user) \
		> "$run/host.ktap" 2> "$run/install.log"
	"$MMLAB_TOP/scripts/verdict.py" run "$run"
}

# static_check N TEST LOG COMMAND...: result N of the current row, TEST,
# as COMMAND ends; its output in LOG, and on the terminal if it fails.
static_check() {
	n=$1
	test=$2
	log=$3
	shift 3
	if "$@" > "$log" 2>&1; then
		echo "ok $n $test" >> "$run/host.ktap"
	else
		cat "$log"
		echo "not ok $n $test" >> "$run/host.ktap"
	fi
}

# The kernel community's static checks, a row each (scripts/analyze.sh).
job_checkpatch() {
	new_run "$MMLAB_OUT/style" checkpatch
	static_check 1 checkpatch_strict_clean "$run/checkpatch.log" \
		"$MMLAB_TOP/scripts/checkpatch.sh"
	"$MMLAB_TOP/scripts/verdict.py" run "$run"
}

job_analyze() {
	new_run "$MMLAB_OUT/$1" "$1"
	static_check 1 "$(echo "$1" | tr - _)_clean" "$run/$1.log" \
		"$MMLAB_TOP/scripts/analyze.sh" "$1" "$run/work"
	"$MMLAB_TOP/scripts/verdict.py" run "$run"
}

# sparse on every kernel whose modules built, from the kernels' jobs: a
# result each, in the order of the matrix.
sparse_row() {
	new_run "$MMLAB_OUT/sparse" "sparse (C=2)"
	n=0
	for f in "$jobs"/*.rows.sparse; do
		[ -f "$f" ] || continue
		read -r status krel log < "$f"
		n=$((n + 1))
		cp "$log" "$run/$krel.log"
		if [ "$status" -eq 0 ]; then
			echo "ok $n sparse_clean_$krel" >> "$run/host.ktap"
		else
			cat "$log"
			echo "not ok $n sparse_clean_$krel" >> "$run/host.ktap"
		fi
	done
	"$MMLAB_TOP/scripts/verdict.py" run "$run"
}

# The debug kernel first, when it is in the run: a kernel build is CPU
# bound, and two jobs need it.
debug_kdir=
case " $MMLAB_KERNELS " in
*" debug "*) debug_kdir=$("$MMLAB_TOP/scripts/debug-kernel.sh") ;;
esac

# The jobs, in the order of the table.
set --
[ -n "${MMLAB_SKIP_KUNIT:-}" ] || set -- "$@" job_kunit
for series in $MMLAB_KERNELS; do
	set -- "$@" "check_kernel $series"
	# Once per whole run, not when only some probes were asked for.
	[ "$series" != debug ] || [ -n "${MMLAB_PROBES:-}" ] ||
		[ -z "$debug_kdir" ] || set -- "$@" job_lockups
done
[ -n "${MMLAB_SKIP_INSTALL:-}" ] || set -- "$@" job_install
[ -n "${MMLAB_SKIP_CHECKPATCH:-}" ] ||
	set -- "$@" job_checkpatch "job_analyze coccicheck" \
		"job_analyze shellcheck" "job_analyze kernel-doc"

# start_job N COMMAND RANK: COMMAND in the background, as job N, once fewer
# than MMLAB_JOBS jobs run; below the others' priority unless its RANK is 0.
started=0
start_job() {
	while [ $((started - $(find "$jobs" -name '*.done' | wc -l))) -ge \
		"$MMLAB_JOBS" ]; do
		sleep 1
	done
	started=$((started + 1))
	rows=$jobs/$(printf %02d "$1").rows
	# The mark that frees the job's place, made however the job ends.
	( (
		: > "$rows"
		# The longest job takes the CPUs when it needs them, the others
		# what it leaves idle: a guest whose vCPU loses the host's CPU
		# while it holds a spinlock leaves its other vCPU spinning.
		# /proc/self, opened by this subshell itself, is its own PID.
		read -r pid _ < /proc/self/stat
		[ "$3" -eq 0 ] || renice -n 10 -p "$pid" > /dev/null
		# One word per argument, split on purpose.
		# shellcheck disable=SC2086
		$2
		# And what the job left running in the background.
		wait
	); : > "$rows.done" ) &
}

# rank JOB: when it starts: a kernel built from a tree first (the debug
# kernel, slowed by its debugging aids), then the other kernels, then the
# rest; each in the order of the table.
rank() {
	case $1 in
	"check_kernel debug" | "check_kernel user") echo 0 ;;
	"check_kernel "*) echo 1 ;;
	*) echo 2 ;;
	esac
}

# Jobs started in the background ignore SIGINT: on Ctrl-C, or when make
# check is killed, end them too rather than leave them writing into out/.
trap 'trap "" INT TERM HUP; kill -TERM 0; exit 130' INT TERM HUP
for r in 0 1 2; do
	n=0
	for j; do
		n=$((n + 1))
		[ "$(rank "$j")" != $r ] || start_job $n "$j" $r
	done
done
wait

rows=$jobs/$(printf %02d $((n + 1))).rows
[ -n "${MMLAB_SKIP_CHECKPATCH:-}" ] || sparse_row

echo
# shellcheck disable=SC2046 # the rows' directories, one argument each
"$MMLAB_TOP/scripts/verdict.py" table --json "$MMLAB_OUT/results.json" \
	$(cat "$jobs"/*.rows)
