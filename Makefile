# SPDX-License-Identifier: GPL-2.0
#
# mmlab: build the modules out of tree, build the userspace probes, and run
# the main job (make demo) or the whole test suite (make check).
#
#   make [KDIR=/path/to/kernel/build]   modules + userspace probes
#   make W=1                            modules with extra warnings
#   make clean

# The scripts' targets find their own kernels: look for KDIR only to build.
ifeq ($(filter deps demo bench check stress checkpatch kunit,$(MAKECMDGOALS)),)
KDIR ?= $(shell scripts/find-kdir.sh)
KREL := $(shell scripts/kernel-release.sh $(KDIR) 2>/dev/null)
endif

# Feature-probe results for KDIR, keyed by its release: see scripts/conftest.sh.
CONFTEST_DIR := $(CURDIR)/.conftest/$(KREL)
CONFTEST_H := $(CONFTEST_DIR)/mmlab_conftest.h

# The KUnit suites build as a module wherever the kernel has KUnit.
HAVE_KUNIT := $(shell grep -qsE '^CONFIG_KUNIT=(y|m)' $(KDIR)/.config && echo m)
KBUILD_ARGS := -C $(KDIR) M=$(CURDIR) MMLAB_CONFTEST_DIR=$(CONFTEST_DIR) \
	       CONFIG_MMLAB=m CONFIG_MMLAB_PCI=m CONFIG_MMLAB_KUNIT_TEST=$(HAVE_KUNIT)

all: modules userspace

modules: $(CONFTEST_H)
	$(MAKE) $(KBUILD_ARGS) modules

$(CONFTEST_H): scripts/conftest.sh $(wildcard scripts/conftest/*.c) $(KDIR)/include/generated/utsrelease.h
	scripts/conftest.sh $(KDIR) $@

userspace:
	$(MAKE) -C userspace

clean:
	@if [ -d "$(KDIR)" ]; then $(MAKE) $(KBUILD_ARGS) clean; fi
	$(MAKE) -C userspace clean
	rm -rf .conftest

deps:
	scripts/deps.sh

demo:
	scripts/demo.sh

bench:
	scripts/demo.sh bench

check:
	scripts/check.sh

# DURATION=seconds per race, torture and fuzz case (default 60).
stress:
	scripts/stress.sh

checkpatch:
	scripts/checkpatch.sh

kunit:
	scripts/kunit.sh

.PHONY: all modules userspace clean deps demo bench check stress checkpatch kunit
