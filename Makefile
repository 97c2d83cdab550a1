# SPDX-License-Identifier: GPL-2.0
#
# mmlab: build the modules out of tree, build the userspace probes, and run
# the main job (make demo) or the whole test suite (make check).
#
#   make [KDIR=/path/to/kernel/build]   modules + userspace probes
#   make W=1                            modules with extra warnings
#   make install [DESTDIR=/image/root]  the modules, depmod, the udev rule
#   make uninstall [DESTDIR=...]        and away again
#   make clean
#   make demo|bench|check [KERNEL=bzImage KDIR=its build tree]
#                                       in a VM; KERNEL: a kernel of yours

# The scripts' targets find their own kernels: look for KDIR only to build.
ifeq ($(filter deps demo bench check quick stress checkpatch kunit,$(MAKECMDGOALS)),)
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

# Where make install puts things, under DESTDIR (an image's root, or the
# machine's own when empty): kbuild's modules_install for external modules,
# in the directory that overrides the distribution's (updates/), then
# depmod, as for any out-of-tree module; and the udev rule.
INSTALL_MOD_DIR ?= updates
MOD_DIR := $(DESTDIR)/lib/modules/$(KREL)/$(INSTALL_MOD_DIR)
UDEV_RULE := $(DESTDIR)/lib/udev/rules.d/99-mmlab.rules

# Signed only where the build tree has the kernel's own key: Debian's
# headers sign everything (CONFIG_MODULE_SIG_ALL) but ship no key, and
# its kernels load unsigned modules (tainted). DKMS signs with its own.
NO_SIGN := $(if $(wildcard $(KDIR)/certs/signing_key.pem),,CONFIG_MODULE_SIG_ALL=)

install: modules
	$(MAKE) $(KBUILD_ARGS) INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) $(NO_SIGN) modules_install
	depmod -b "$(or $(DESTDIR),/)" $(KREL)
	install -D -m 0644 udev/99-mmlab.rules $(UDEV_RULE)

uninstall:
	rm -f $(MOD_DIR)/mmlab.ko* $(MOD_DIR)/mmlab_pci.ko* \
		$(MOD_DIR)/mmlab_kunit.ko*
	depmod -b "$(or $(DESTDIR),/)" $(KREL)
	rm -f $(UDEV_RULE)

clean:
	@if [ -d "$(KDIR)" ]; then $(MAKE) $(KBUILD_ARGS) clean; fi
	@# A DKMS copy of the sources has no userspace.
	@if [ -d userspace ]; then $(MAKE) -C userspace clean; fi
	rm -rf .conftest

deps:
	scripts/deps.sh

# A kernel of the user's own, built in KDIR (make bzImage modules there):
# the VM boots KERNEL instead of Debian's (Documentation/test-runner.rst).
TREE_KERNEL := MMLAB_KERNEL="$(KERNEL)" MMLAB_KDIR="$(KDIR)"

demo:
	$(TREE_KERNEL) scripts/demo.sh

bench:
	$(TREE_KERNEL) scripts/demo.sh bench

check:
	$(TREE_KERNEL) scripts/check.sh

# AREA=mmap|introspect|pci|alloc|lifecycle|attack, default: what changed.
quick:
	scripts/quick.sh $(AREA)

# DURATION=seconds per race, torture and fuzz case (default 60).
stress:
	scripts/stress.sh

checkpatch:
	scripts/checkpatch.sh

kunit:
	scripts/kunit.sh

.PHONY: all modules userspace install uninstall clean deps demo bench check quick stress \
	checkpatch kunit
