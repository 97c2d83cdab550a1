#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# stress.sh: "make stress [DURATION=seconds] [MMLAB_KERNELS=...]": the
# race, torture and fuzz probes of make check, each case for DURATION
# seconds (default 60) instead of their short defaults, on the debug
# kernel unless MMLAB_KERNELS says otherwise. Ends like make check, with
# "N passed, N failed", the kernel log judged the same way.

set -u

# Its own logs, apart from make check's (lib.sh defaults to out/).
MMLAB_OUT=${MMLAB_OUT:-$(cd "$(dirname "$0")/.." && pwd)/out/stress}
# Before lib.sh, which defaults to the whole matrix.
MMLAB_KERNELS=${MMLAB_KERNELS:-debug}
. "$(dirname "$0")/lib.sh"

MMLAB_STRESS_SECONDS=${DURATION:-60}
case $MMLAB_STRESS_SECONDS in
''|*[!0-9]*) die "DURATION must be a number of seconds" ;;
esac
export MMLAB_STRESS_SECONDS
export MMLAB_KERNELS
export MMLAB_PROBES="${MMLAB_PROBES:-introspect_walk_test,torture_test,fuzz}"
export MMLAB_SKIP_KUNIT=1 MMLAB_SKIP_CHECKPATCH=1 MMLAB_SKIP_INSTALL=1
export MMLAB_OUT
exec "$MMLAB_TOP/scripts/check.sh"
