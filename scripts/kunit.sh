#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kunit.sh: run mmlab's KUnit suites with the kernel's own
# tools/testing/kunit/kunit.py, on x86_64 under QEMU ("make kunit").
#
# Unpacks Debian's linux-source-6.12 into the cache (kernel-source.sh),
# grafts mmlab into it (graft.sh), runs the feature probes against the
# configured build, then lets kunit.py build and run the kernel with
# kunit/.kunitconfig and the debugging aids of kunit/debug.config. The build
# directory is cached and keyed by the source version; kunit.py and make
# rebuild what a changed config or source needs.
#
# The result is kunit.py's own summary, its --json output and the raw
# kernel log, kept in out/kunit/, judged by scripts/verdict.py.

set -u

. "$(dirname "$0")/lib.sh"

"$MMLAB_TOP/scripts/deps.sh" || die "dependencies missing"

tree=$("$MMLAB_TOP/scripts/kernel-source.sh") || exit 1
build=$MMLAB_CACHE/kunit-build-$(basename "$tree")
run=$MMLAB_OUT/kunit
rm -rf "$run"
mkdir -p "$run" "$build"
echo "kunit.py (x86_64)" > "$run/name"

kunit() {
	(cd "$tree" && python3 tools/testing/kunit/kunit.py "$@" \
		--arch=x86_64 --build_dir="$build" \
		--kunitconfig="$MMLAB_TOP/kunit/.kunitconfig" \
		--kunitconfig="$MMLAB_TOP/kunit/debug.config")
}

status=0
"$MMLAB_TOP/scripts/graft.sh" "$tree" || status=1
if [ $status -eq 0 ]; then
	# The graft's feature probes need a configured, prepared tree.
	kunit config > "$run/config.log" 2>&1 &&
		make -C "$tree" O="$build" ARCH=x86_64 -j"$(nproc)" \
			modules_prepare > "$run/prepare.log" 2>&1 &&
		"$MMLAB_TOP/scripts/conftest.sh" "$build" \
			"$tree/drivers/mmlab/.conftest/graft/mmlab_conftest.h" \
			>> "$run/prepare.log" 2>&1 || status=1
fi
if [ $status -eq 0 ]; then
	start=$(date +%s)
	echo "kunit: building and running in $build"
	kunit run --jobs="$(nproc)" --timeout=900 \
		--kernel_args=panic_on_warn=1 --json="$run/kunit.json" 'mmlab*' \
		> "$run/kunit.log" 2>&1 || status=1
	echo "kunit: kunit.py took $(($(date +%s) - start))s"
	# kunit.py's own summary.
	grep -E '^\[..:..:..\] (Testing complete|Elapsed time)' "$run/kunit.log" |
		sed 's/^\[..:..:..\] /kunit: /'
	cp "$build/test.log" "$run/console.log" 2>/dev/null
fi
if [ $status -ne 0 ]; then
	echo "not ok 1 kunit_py_run" > "$run/host.ktap"
	tail -n 30 "$run/kunit.log" "$run/config.log" "$run/prepare.log" 2>/dev/null
else
	echo "ok 1 kunit_py_run" > "$run/host.ktap"
fi
"$MMLAB_TOP/scripts/verdict.py" kunit "$run"
[ -z "${MMLAB_KUNIT_TABLE:-1}" ] || "$MMLAB_TOP/scripts/verdict.py" table "$run"
