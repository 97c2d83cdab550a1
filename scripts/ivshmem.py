#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The host's side of the ivshmem probe: the file behind the guest's BAR2.

  ivshmem.py init FILE   write FILE (1 MiB): the host's pattern in the
                         first half, zeroes in the second
  ivshmem.py check FILE  after the guest ran: the first half still the
                         host's, the second the guest's (userspace/pci/
                         pci_ivshmem_test.c); prints KTAP, exits 1 on
                         mismatch

The pattern is pattern_fill() of userspace/lib/mmlab_dev.c at the file's own
offsets, with the seeds of userspace/lib/pci_dev.h.
"""

import sys

SIZE = 1 << 20
HOST_SEED = 0x686f7374
GUEST_SEED = 0x67756573
M32 = 0xffffffff


def pattern(seed, start, length):
    """Bytes of pattern_byte(seed, offset) for offset in [start, +length)."""
    s = (seed * 0x9e3779b9) & M32
    out = bytearray(length)
    for i in range(length):
        x = s ^ (((start + i) * 0x85ebca6b) & M32)
        x ^= x >> 15
        x = (x * 0xc2b2ae35) & M32
        x ^= x >> 13
        out[i] = x & 0xff
    return bytes(out)


def first_difference(a, b):
    return next(i for i in range(len(a)) if a[i] != b[i])


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("init", "check"):
        sys.exit(__doc__)
    half = SIZE // 2
    path = sys.argv[2]
    if sys.argv[1] == "init":
        with open(path, "wb") as f:
            f.write(pattern(HOST_SEED, 0, half) + bytes(half))
        return
    with open(path, "rb") as f:
        data = f.read()
    checks = [("ivshmem_host_half_intact", HOST_SEED, 0),
              ("ivshmem_guest_reply_in_host_file", GUEST_SEED, half)]
    failed = 0
    print("KTAP version 1\n1..%d" % len(checks))
    for n, (name, seed, start) in enumerate(checks, 1):
        got, want = data[start:start + half], pattern(seed, start, half)
        if got == want:
            print("ok %d %s" % (n, name))
            continue
        failed += 1
        where = first_difference(got, want) if len(got) == half else len(got)
        print("# %s: byte %d of %d differs" % (path, start + where, SIZE))
        print("not ok %d %s" % (n, name))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
