#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# fuzz.sh: the kernel community's own attackers against mmlab's devices,
# run as root in the test VM with mmlab loaded. Prints KTAP.
#
# - trinity, the syscall fuzzer, on the file and mm syscalls with the
#   mode devices as its victim files, as root and as an unprivileged user
#   (given nodes it may open, as a udev rule granting a group would), run
#   through mmlab_runas;
# - stress-ng's device stressor on each node, concurrently with its mmap,
#   mmapfork, madvise and fork stressors and memory pressure.
#
# Each tool is bounded by seconds (MMLAB_STRESS_SECONDS, default 20) and
# trinity also by a syscall count; its seed is printed so that a failure
# replays (MMLAB_FUZZ_SEED sets it; stress-ng's stressors take none). A run counts only if it reached the
# devices, by their own counters (debugfs): stress-ng each device, which
# it names one by one; trinity, which picks its victims at random, the
# devices together. Splats and hangs are judged by the host from the
# kernel log.

secs=${MMLAB_STRESS_SECONDS:-20}
# trinity spends its first seconds setting up: under 20 s it may never
# reach a device, and the run would prove nothing.
[ "$secs" -ge 20 ] || secs=20
seed=${MMLAB_FUZZ_SEED:-$(date +%s)}
# The mode devices, from their counters' files (debugfs: mmlab/<mode>).
modes=$(for f in /sys/kernel/debug/mmlab/*; do
	[ -f "$f" ] && echo "${f##*/}"
done)
victims=/tmp/fuzz-victims

# The kernel's own KTAP helpers (tools/testing/selftests/kselftest/),
# which the initramfs carries beside the probes.
# shellcheck source=/dev/null
. "$(dirname "$0")/ktap_helpers.sh"

# counter MODE NAME: one of the device's debugfs counters.
counter() {
	awk -v k="$2" '$1 == k { print $2 }' /sys/kernel/debug/mmlab/"$1"
}

# snapshot FILE: a line per mode: mode, mmap() calls that mapped, that
# were refused, faults (->fault and ->map_pages calls), ioctl() calls.
snapshot() {
	for m in $modes; do
		echo "$m $(counter "$m" mmap_calls) $(counter "$m" mmap_refused)" \
		     "$(($(counter "$m" faults) + $(counter "$m" map_pages_calls)))" \
		     "$(counter "$m" ioctl_calls)"
	done > "$1"
}

# reached BEFORE AFTER: did any mmap() and any ioctl() reach the devices?
reached() {
	paste -d ' ' "$1" "$2" | awk '
		{ mmaps += $7 + $8 - $2 - $3; ioctls += $10 - $5 }
		END { exit !(mmaps > 0 && ioctls > 0) }'
}

# moved BEFORE AFTER WHAT each|any: print each device's deltas, and fail
# unless mmap() and ioctl() calls reached each device (each), or reached
# the devices at all (any: a fuzzer spreads its calls at random).
moved() {
	echo "# $3: mode, mmap() calls mapped and refused, faults, ioctl() calls"
	paste -d ' ' "$1" "$2" | awk -v what="$3" -v need="$4" '
		{
			mapped = $7 - $2; refused = $8 - $3
			faults = $9 - $4; ioctl = $10 - $5
			printf "#   %-14s %6d %6d %6d %6d\n", $1, mapped, \
				refused, faults, ioctl
			if (need == "each" && (mapped + refused <= 0 || ioctl <= 0)) {
				printf "# %s never reached mmlab-%s\n", what, $1
				bad = 1
			}
			mmaps += mapped + refused; ioctls += ioctl
		}
		END {
			if (mmaps <= 0 || ioctls <= 0) {
				printf "# %s reached no device: %d mmap(), %d ioctl()\n", \
					what, mmaps, ioctls
				bad = 1
			}
			exit bad
		}'
}

ktap_print_header
ktap_set_plan 4
echo "# seed $seed, $secs s per tool"

# The victims: nodes for the mode devices in a directory of their own, as
# trinity walks its victim path; 0666 for the unprivileged run.
rm -rf "$victims"
mkdir -p "$victims/root" "$victims/user"
for m in $modes; do
	dev=$(cat "/sys/class/misc/mmlab-$m/dev")
	mknod "$victims/root/mmlab-$m" c "${dev%:*}" "${dev#*:}"
	mknod -m 0666 "$victims/user/mmlab-$m" c "${dev%:*}" "${dev#*:}"
done
chmod 0755 "$victims" "$victims/user"

# trinity NAME VICTIMS [setpriv args]: bounded trinity runs, until one
# has reached the devices. trinity draws its calls' file descriptors at
# random among all it opened, so a run of $secs s may, by chance, send no
# ioctl() to a device at all: rather than fail on that chance, run again
# with the next seed, up to $tries runs. Each run's seed is printed.
tries=5
trinity_run() {
	name=$1
	dir=$2
	shift 2
	snapshot /tmp/fuzz.before
	try=0
	while [ $try -lt $tries ]; do
		s=$((seed + try))
		try=$((try + 1))
		echo "# $name: run $try, seed $s"
		# Only the "pseudo" provider, the victim files: no sockets.
		timeout -s INT "$secs" "$@" trinity --dangerous -q -l off -C 2 \
			-s "$s" -N 200000 -V "$dir" --enable-fds=pseudo \
			-c mmap -c munmap -c mremap -c mprotect -c madvise \
			-c msync -c mlock -c read -c write -c pread64 \
			-c pwrite64 -c lseek -c ioctl -c fork \
			> /tmp/trinity.log 2>&1
		rc=$?
		grep -E 'Ran [0-9]+ syscalls|tainted|Bailing' /tmp/trinity.log |
			sed 's/^/# /'
		snapshot /tmp/fuzz.after
		# 0: its syscall count done; 124 (timeout): its seconds up.
		case $rc in
		0|124|130) ;;
		*)
			tail -n 20 /tmp/trinity.log | sed 's/^/# /'
			echo "# trinity exit status $rc"
			return 1
			;;
		esac
		reached /tmp/fuzz.before /tmp/fuzz.after && break
	done
	moved /tmp/fuzz.before /tmp/fuzz.after "$name" any
}

if ! command -v trinity > /dev/null; then
	echo "# trinity is not in the guest"
	ktap_test_fail trinity_root
	ktap_test_fail trinity_unprivileged
else
	ktap_test_result trinity_root trinity_run trinity_root "$victims/root"
	ktap_test_result trinity_unprivileged trinity_run trinity_unprivileged \
		"$victims/user" mmlab_runas 65534 65534
fi

# stress-ng: a device stressor per node, and the mm stressors, at once.
if ! command -v stress-ng > /dev/null; then
	echo "# stress-ng is not in the guest"
	ktap_test_fail stress_ng_devices
else
	snapshot /tmp/fuzz.before
	pids=
	for m in $modes; do
		stress-ng --dev 1 --dev-file "/dev/mmlab-$m" --timeout "$secs" \
			--metrics-brief --temp-path /tmp \
			> "/tmp/stress-$m.log" 2>&1 &
		pids="$pids $!"
	done
	# As uid 65534: as root, the madvise stressor injects memory
	# failures (MADV_HWPOISON), poisoning the guest's pages for good
	# and killing itself with SIGBUS.
	mmlab_runas 65534 65534 \
	stress-ng --mmap 1 --mmap-bytes 16M --mmapfork 1 --madvise 1 \
		--fork 1 --vm 1 --vm-bytes 64M --timeout "$secs" \
		--metrics-brief --temp-path /tmp \
		> /tmp/stress-mm.log 2>&1
	status=$?
	for p in $pids; do
		wait "$p" || status=1
	done
	grep -h -E 'dev |mmap |mmapfork|madvise|fork |vm ' /tmp/stress-*.log |
		grep -v -e 'stressor' | sed 's/^/# /'
	snapshot /tmp/fuzz.after
	if [ $status -ne 0 ]; then
		grep -h -v 'metrc' /tmp/stress-*.log | sed 's/^/# /'
	fi
	moved /tmp/fuzz.before /tmp/fuzz.after stress-ng each || status=1
	ktap_test_result stress_ng_devices [ $status -eq 0 ]
fi

# Afterwards every mapping is gone: no device holds a vma.
status=0
for m in $modes; do
	live=$(counter "$m" live_vmas)
	if [ "$live" != 0 ]; then
		echo "# mmlab-$m: $live vmas left"
		status=1
	fi
done
ktap_test_result no_vma_left [ $status -eq 0 ]

ktap_finished
