#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kunit-parse.sh LOG JSON: hand a kernel log holding KUnit's KTAP (from
# suites loaded as modules) to the kernel's own kunit.py parse, which prints
# its summary and writes JSON. Fails if kunit.py found no test.

set -u

. "$(dirname "$0")/lib.sh"

tree=$("$MMLAB_TOP/scripts/kernel-source.sh") || exit 1
python3 "$tree/tools/testing/kunit/kunit.py" parse --json="$2" "$1"
grep -q '"test_cases"' "$2"
