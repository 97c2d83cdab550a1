#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# module_lifecycle.sh MODULE.ko: probes for loading and unloading mmlab,
# run as root in the test VM with MODULE loaded. Prints KTAP; leaves the
# module loaded with its default parameters.
#
# Truth comes from the kernel's own files: /sys/module, /dev, dmesg.

ko=${1:-/lib/mmlab/mmlab.ko}
bin=$(dirname "$0")
modes="remap fault faultaround mkwrite pfn mixed vmalloc vmalloc-fault insert insert-page shmem huge"

# The kernel's own KTAP helpers (tools/testing/selftests/kselftest/),
# which the initramfs carries beside the probes.
# shellcheck source=/dev/null
. "$bin/ktap_helpers.sh"

loaded() {
	[ -d /sys/module/mmlab ]
}

# The kernel log from a marker on: counting lines would miss messages once
# the ring buffer wraps.
mark() {
	echo "module_lifecycle: mark $1" > /dev/kmsg
}

since_mark() {
	dmesg | sed -n "/module_lifecycle: mark $1\$/,\$p"
}

ktap_print_header
ktap_set_plan 12

# Every mode has its node, and each hands out kernel memory: root only,
# like /dev/mem.
status=0
for mode in $modes; do
	perm=$(stat -c '%a %u' "/dev/mmlab-$mode" 2>&1)
	if [ "$perm" != "600 0" ]; then
		echo "# /dev/mmlab-$mode mode and owner: $perm"
		status=1
	fi
done
ktap_test_result device_nodes_root_only [ $status -eq 0 ]

# busybox's setpriv cannot change ids: mmlab_runas does. The open must
# fail for want of permission, not for any other reason.
status=0
for mode in $modes; do
	if err=$("$bin/mmlab_runas" 65534 65534 cat "/dev/mmlab-$mode" 2>&1 \
		 > /dev/null); then
		echo "# uid 65534 could read /dev/mmlab-$mode"
		status=1
	elif ! echo "$err" | grep -q "Permission denied"; then
		echo "# uid 65534, /dev/mmlab-$mode: $err"
		status=1
	fi
done
ktap_test_result unprivileged_open_refused [ $status -eq 0 ]

# The demonstration slab cache lives exactly as long as the module: a
# cache with a constructor is never merged, so slabinfo names it.
status=0
if ! grep -q '^mmlab_obj ' /proc/slabinfo; then
	echo "# no mmlab_obj in /proc/slabinfo"
	status=1
fi
ktap_test_result slab_cache_in_slabinfo [ $status -eq 0 ]

# Each allocator report runs its demonstration and says what it got.
status=0
for topic in kmalloc slab buddy vmalloc kmap gfp; do
	f=/sys/kernel/debug/mmlab/alloc/$topic
	if ! cat "$f" > /tmp/report 2>&1 || [ ! -s /tmp/report ] ||
	   grep -qw -e NO -e NOT /tmp/report; then
		echo "# $f:"
		sed 's/^/#   /' /tmp/report
		status=1
	fi
done
ktap_test_result alloc_reports [ $status -eq 0 ]

# Readers of one report at once each get all of it, and the kernel log
# stays clean: the slab report's cache has one name, so two readers must
# not create it at the same time. mmlab_reread runs the report back to
# back in several threads.
mark "concurrent readers"
"$bin/mmlab_reread" /sys/kernel/debug/mmlab/alloc/slab 8 200 > /tmp/reread 2>&1
status=$?
sed 's/^/# /' /tmp/reread
if since_mark "concurrent readers" | grep -e 'duplicate' -e 'Call Trace'; then
	status=1
fi
ktap_test_result alloc_report_concurrent_readers [ $status -eq 0 ]

# Allocations that fail: failslab (the debug kernel has it) fails every
# slab allocation of a task that asked for it, once a budget of bytes is
# spent. The kmalloc and slab reports are read with budgets that make
# each of their allocations the first to fail in turn: each read gives a
# report or an error, and the kernel log, judged by the host, stays
# clean. (The other reports use vmalloc, whose failures are logged with
# a stack by design.) Then, with failslab off, every report is whole.
# mmlab_failslab_read reads with memory locked: a page fault of the
# reader would fail its page-table allocations too, and the kernel
# retries such a fault for ever.
fs=/sys/kernel/debug/failslab
if [ ! -d $fs ]; then
	echo "# no failslab in this kernel"
	ktap_test_skip alloc_reports_when_allocations_fail
else
	echo N > $fs/ignore-gfp-wait
	echo Y > $fs/task-filter
	echo 0 > $fs/verbose
	echo 100 > $fs/probability
	echo 1 > $fs/interval
	echo -1 > $fs/times
	tries=0
	for topic in kmalloc slab; do
		budget=0
		while [ $budget -le 4000 ]; do
			"$bin/mmlab_failslab_read" \
				/sys/kernel/debug/mmlab/alloc/$topic $budget \
				> /dev/null 2>&1
			tries=$((tries + 1))
			budget=$((budget + 100))
		done
	done
	echo 0 > $fs/probability
	status=0
	for topic in kmalloc slab; do
		if ! cat /sys/kernel/debug/mmlab/alloc/$topic > /tmp/report ||
		   grep -qw -e NO -e NOT -e failed /tmp/report; then
			sed 's/^/#   /' /tmp/report
			status=1
		fi
	done
	echo "# $tries reads with slab allocations failing"
	ktap_test_result alloc_reports_when_allocations_fail [ $status -eq 0 ]
fi

# A vma holds its file, and the file holds the module: rmmod must fail
# while a mapping lives, even with no file descriptor open.
fifo=/tmp/hold.out
rm -f "$fifo"
"$bin/mmlab_hold" /dev/mmlab-fault > "$fifo" 2>&1 &
holder=$!
# Bounded at 60 s, for a holder that never maps, not a guess at its speed.
i=0
while ! grep -q mapped "$fifo" 2>/dev/null && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
status=1
if ! grep -q mapped "$fifo"; then
	echo "# mmlab_hold: $(cat "$fifo")"
elif rmmod mmlab 2>/dev/null; then
	echo "# rmmod succeeded with a live mapping"
elif ! loaded; then
	echo "# module gone after a failed rmmod"
else
	status=0
fi
ktap_test_result rmmod_refused_while_mapped [ $status -eq 0 ]
kill "$holder"
wait "$holder" 2>/dev/null

status=0
if ! rmmod mmlab || loaded || [ -e /dev/mmlab-fault ] ||
   grep -q '^mmlab_obj ' /proc/slabinfo; then
	echo "# rmmod after the mapping ended failed, or left mmlab_obj"
	status=1
fi
ktap_test_result rmmod_after_munmap [ $status -eq 0 ]

# Bad sizes refuse to load, each with a message naming the parameter.
status=0
for bad in 0 12345 4198400 abc -4096 0x100000000; do
	mark "buf_size=$bad"
	if insmod "$ko" buf_size="$bad" 2>/dev/null || loaded; then
		echo "# buf_size=$bad loaded"
		rmmod mmlab 2>/dev/null
		status=1
	elif ! since_mark "buf_size=$bad" | grep -q "mmlab: buf_size=$bad "; then
		echo "# buf_size=$bad: no message in dmesg"
		status=1
	fi
done
ktap_test_result bad_buf_size_refused [ $status -eq 0 ]

# The smallest buffer the probes accept, 8 pages: they pass there too.
status=1
if insmod "$ko" buf_size=32768; then
	size=$(cat /sys/module/mmlab/parameters/buf_size)
	if [ "$size" = 32768 ] &&
	   "$bin/mmap_semantics_test" > /tmp/small.ktap 2>&1 &&
	   "$bin/mmap_faults_test" >> /tmp/small.ktap 2>&1; then
		status=0
	else
		echo "# buf_size reads $size; the mode probes at 8 pages:"
		grep -v '^ok' /tmp/small.ktap | sed 's/^/# /'
	fi
	rmmod mmlab
fi
ktap_test_result small_buffer_works [ $status -eq 0 ]

# Loading takes each device's buffer from free memory; unloading gives
# every page back. The kernel's count, not the module's: free pages in the
# buddy allocator (/proc/vmstat) plus those on the per-CPU lists
# (/proc/zoneinfo), where freed pages wait before they are counted free,
# plus slab pages, which KASAN's quarantine of freed objects inflates.
free_pages() {
	pcp=$(awk '$1 == "count:" { n += $2 } END { print n + 0 }' /proc/zoneinfo)
	other=$(awk '$1 == "nr_free_pages" || $1 ~ /^nr_slab_/ { n += $2 }
		     END { print n + 0 }' /proc/vmstat)
	echo $((other + pcp))
}
before=$(free_pages)
insmod "$ko"
loaded=$(free_pages)
rmmod mmlab
# What unloading freed need not count as free at once (vmap areas go in
# lazy batches, some frees after an RCU grace period): wait for it,
# bounded by 30 s, rather than read the count once.
i=0
while after=$(free_pages) && [ $((before - after)) -ge 256 ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
# 10 devices that allocate their 1 MiB at load (shmem's pages come only
# when used), 2560 pages: allow 256 pages of other traffic.
echo "# free and slab pages: $before, loaded $loaded, unloaded $after"
status=1
[ $((before - loaded)) -ge 2304 ] && [ $((before - after)) -lt 256 ] &&
	status=0
ktap_test_result unload_frees_every_buffer [ $status -eq 0 ]
insmod "$ko"

# Load and unload, over and over: each must work, each load gives every
# device its buffer, and what one cycle leaks, kmemleak's scan at the end
# of the run reports. 20 cycles; 100 under make stress.
cycles=20
[ -n "${MMLAB_STRESS_SECONDS:-}" ] && cycles=100
status=0
i=0
while [ $i -lt $cycles ]; do
	if ! rmmod mmlab || ! insmod "$ko"; then
		echo "# cycle $i: rmmod or insmod failed"
		status=1
		break
	fi
	for mode in $modes; do
		[ -c "/dev/mmlab-$mode" ] && continue
		echo "# cycle $i: no /dev/mmlab-$mode"
		status=1
	done
	[ $status -eq 0 ] || break
	i=$((i + 1))
done
echo "# $i load and unload cycles"
ktap_test_result load_unload_cycles [ $status -eq 0 ]

ktap_finished
