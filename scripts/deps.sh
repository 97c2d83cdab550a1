#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh: install, idempotently and without questions, everything mmlab
# needs on Debian 12: the compiler and kbuild tools, gcc-multilib for the
# 32-bit probes, QEMU, a static busybox, the test kernels (6.1 and 6.12
# LTS, and 6.12 with PREEMPT_RT) with their headers, the 6.12 source (for checkpatch.pl, kunit.py,
# kernel-doc and coccicheck's semantic patches), sparse, coccinelle and
# ShellCheck, and dkms (make check builds through it into a scratch tree).
# Not root: print the command to run instead and fail.

set -eu

packages="build-essential gcc-multilib bc bison flex libelf-dev libssl-dev
	pahole kmod
	cpio python3 python3-matplotlib qemu-system-x86 busybox-static xz-utils
	linux-image-amd64 linux-headers-amd64
	linux-image-6.12-amd64 linux-headers-6.12-amd64
	linux-image-6.12-rt-amd64 linux-headers-6.12-rt-amd64
	linux-source-6.12 trinity stress-ng
	sparse coccinelle ocaml-nox shellcheck dkms"

missing=
for p in $packages; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) || status=
	[ "$status" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "mmlab needs:$missing" >&2
	echo "run as root: sh -c '$cmd'" >&2
	exit 1
fi
echo "deps: installing$missing"
apt-get update -q
# One argument per package, split on purpose.
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	$missing
