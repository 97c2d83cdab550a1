#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The host's side of the isa-debugcon probe: the file behind the port.

  debugcon.py FILE N   after the guest ran: FILE holds N records, each
                       what pci_pio_test.c's debugcon_writes_host_file
                       wrote, and nothing else; prints KTAP, exits 1 if
                       not

A record is DEBUGCON_RECORD bytes of pattern_fill(DEBUGCON_SEED) from
offset 0 (userspace/lib/pci_dev.h), the same pattern as ivshmem.py's. The
test runs once per build of the probe (64- and 32-bit): N is how many of
those runs the guest's KTAP says passed (scripts/check.sh counts them).
"""

import sys

from ivshmem import pattern

SEED = 0x64626763
RECORD = 3072


def main():
    if len(sys.argv) != 3 or not sys.argv[2].isdigit():
        sys.exit(__doc__)
    path, runs = sys.argv[1], int(sys.argv[2])
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        data = b""
    want = pattern(SEED, 0, RECORD)
    records = len(data) // RECORD
    print("KTAP version 1\n1..1")
    bad = None
    if len(data) != runs * RECORD:
        bad = "%d bytes, not the %d records of %d bytes that %d runs wrote" % (
            len(data), runs, RECORD, runs)
    elif not runs:
        bad = "no run of the test passed"
    else:
        for i in range(records):
            got = data[i * RECORD:(i + 1) * RECORD]
            if got != want:
                at = next(j for j in range(RECORD) if got[j] != want[j])
                bad = "record %d differs at byte %d" % (i, at)
                break
    if bad:
        print("# %s: %s" % (path, bad))
        print("not ok 1 debugcon_guest_bytes_in_host_file")
        sys.exit(1)
    print("# %s: %d records" % (path, records))
    print("ok 1 debugcon_guest_bytes_in_host_file")


if __name__ == "__main__":
    main()
