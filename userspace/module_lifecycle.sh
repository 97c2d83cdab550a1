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
n=0
fails=0

result() {	# result NAME STATUS [diagnostic]
	n=$((n + 1))
	if [ "$2" -eq 0 ]; then
		echo "ok $n $1"
	else
		[ -n "$3" ] && echo "# $3"
		echo "not ok $n $1"
		fails=$((fails + 1))
	fi
}

loaded() {
	[ -d /sys/module/mmlab ]
}

echo "KTAP version 1"
echo "1..6"

# The node hands out kernel memory: root only, like /dev/mem.
mode=$(stat -c '%a %u' /dev/mmlab)
[ "$mode" = "600 0" ]
result device_node_root_only $? "/dev/mmlab mode and owner: $mode"

if setpriv --reuid=65534 --regid=65534 --clear-groups \
	cat /dev/mmlab > /dev/null 2>&1; then
	result unprivileged_open_refused 1 "uid 65534 could read /dev/mmlab"
else
	result unprivileged_open_refused 0
fi

# A vma holds its file, and the file holds the module: rmmod must fail
# while a mapping lives, even with no file descriptor open.
fifo=/tmp/hold.out
rm -f "$fifo"
"$bin/mmlab_hold" /dev/mmlab > "$fifo" 2>&1 &
holder=$!
i=0
while ! grep -q mapped "$fifo" 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
if ! grep -q mapped "$fifo"; then
	result rmmod_refused_while_mapped 1 "mmlab_hold: $(cat "$fifo")"
elif rmmod mmlab 2>/dev/null; then
	result rmmod_refused_while_mapped 1 "rmmod succeeded with a live mapping"
else
	loaded
	result rmmod_refused_while_mapped $? "module gone after a failed rmmod"
fi
kill "$holder"
wait "$holder" 2>/dev/null

rmmod mmlab && ! loaded && [ ! -e /dev/mmlab ]
result rmmod_after_munmap $? "rmmod after the mapping ended failed"

# Bad sizes refuse to load, each with a message naming the parameter.
status=0
for bad in 0 12345 4198400 abc -4096 0x100000000; do
	seen=$(dmesg | wc -l)
	if insmod "$ko" buf_size="$bad" 2>/dev/null || loaded; then
		echo "# buf_size=$bad loaded"
		rmmod mmlab 2>/dev/null
		status=1
	elif ! dmesg | tail -n +$((seen + 1)) | grep -q "mmlab: buf_size=$bad "; then
		echo "# buf_size=$bad: no message in dmesg"
		status=1
	fi
done
result bad_buf_size_refused $status

# The smallest buffer remap_test accepts, 8 pages: it passes there too.
status=1
if insmod "$ko" buf_size=32768; then
	size=$(cat /sys/module/mmlab/parameters/buf_size)
	if [ "$size" = 32768 ] && "$bin/remap_test" > /tmp/remap_small.ktap; then
		status=0
	else
		echo "# buf_size reads $size; remap_test at 8 pages:"
		sed 's/^/# /' /tmp/remap_small.ktap | grep -v '^# ok'
	fi
	rmmod mmlab
fi
insmod "$ko"
result small_buffer_works $status

echo "# Totals: pass:$((n - fails)) fail:$fails xfail:0 xpass:0 skip:0 error:0"
[ $fails -eq 0 ]
