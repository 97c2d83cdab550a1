#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print the release (uname -r) of the kernel built in KDIR. Debian's header
# packages carry the upstream version in include/config/kernel.release, so
# read UTS_RELEASE, which is what the kernel itself reports.

sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$1/include/generated/utsrelease.h"
