#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge test-VM runs and print mmlab's results.

  verdict.py run RUNDIR      judge one kernel's run: its KTAP, as the
                             kernel's kunit.py parse read it, its kernel
                             log, whether the guest finished; write
                             RUNDIR/results.json and, as flat KTAP,
                             RUNDIR/results.ktap; print the failures
  verdict.py kunit RUNDIR    judge a kunit.py run: every test case of
                             RUNDIR/kunit.json, at least one of them, and
                             a clean RUNDIR/console.log (the raw kernel log)
  verdict.py lockups RUNDIR  check that the log verdict catches the soft
                             lockup, RCU stall and hung task that the
                             guest's lockups job provoked
  verdict.py table [--json OUT] RUNDIR...
                             print a table per kernel and the final
                             "N passed, N failed[, N skipped]" line; exit 1
                             unless every test passed; with --json, write
                             every row's results to OUT as one document in
                             kunit.py's JSON format

RUNDIR holds the files of scripts/vm-run.sh; what kunit.py parse made of
the guest's KTAP (ktap.log): ktap.json and its summary, ktap-parse.log;
and the results of host-side steps in flat KTAP, each in a *.ktap file:
host.ktap (build, initramfs), written by scripts/check.sh,
ivshmem.ktap (the guest's bytes in the host's file), by
scripts/ivshmem.py, and debugcon.ktap (the bytes written to isa-debugcon),
by scripts/debugcon.py.
"""

import json
import os
import re
import sys

# Any of these in the guest's console or dmesg fails the run: oopses,
# WARN()s, sanitizer and leak reports, lockdep splats, hung tasks and
# userspace crashes that the kernel logs.
BAD_LOG = re.compile(
    r"BUG:|WARNING:|Oops|general protection|Call Trace|Kernel panic"
    r"|BUG: KASAN|UBSAN:|BUG: KFENCE|unreferenced object|suspected memory leak"
    r"|possible circular locking|possible recursive locking"
    r"|inconsistent lock state|suspicious RCU usage|DEBUG_LOCKS_WARN"
    r"|INFO: task .* blocked|INFO: .* stall|soft lockup|hard LOCKUP"
    r"|segfault at|trap invalid")

RESULT = re.compile(r"^(\s*)(not ok|ok) (\d+) ([^#]*?)\s*(?:#\s*(.*))?$")


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read().replace("\r", "")
    except FileNotFoundError:
        return ""


def parse_flat_ktap(text):
    """Results of the host's own flat KTAP files as (name, status, diagnostics).

    They are written by scripts/check.sh and scripts/ivshmem.py: one
    result per line, no nesting. The guest's KTAP is kunit.py's to read.
    """
    results = []
    for line in text.splitlines():
        m = RESULT.match(line)
        if not m or m.group(1):
            continue
        _, word, _, name, directive = m.groups()
        status = "pass" if word == "ok" else "fail"
        if directive and directive.upper().startswith("SKIP"):
            status = "skip"
        results.append((name, status, [directive] if status == "fail" and directive else []))
    return results


def failure_diagnostics(job, name):
    """The diagnostic lines the guest printed just before "not ok N NAME"."""
    lines = job.splitlines()
    for i, line in enumerate(lines):
        m = RESULT.match(line)
        if m and m.group(2) == "not ok" and m.group(4) == name:
            diags = []
            for prev in reversed(lines[:i]):
                if RESULT.match(prev):
                    break
                if prev.strip().startswith("#"):
                    diags.insert(0, prev.strip())
            return diags[-20:]
    return []


def guest_results(rundir, job):
    """The guest's nested KTAP, as the kernel's kunit.py parse read it.

    scripts/check.sh hands ktap.log to kunit.py parse (kunit-parse.sh),
    which writes ktap.json and prints its summary to ktap-parse.log. The
    JSON keeps the leaf tests only; the summary also counts what has no
    leaf of its own: a probe that failed after its last test passed, a
    test missing from its plan (an error). Those must add up.
    """
    log = read(os.path.join(rundir, "ktap-parse.log"))
    try:
        with open(os.path.join(rundir, "ktap.json")) as f:
            cases = kunit_cases(json.load(f))
    except (FileNotFoundError, ValueError):
        return [("guest_ktap_parsed", "fail",
                 ["kunit.py parse wrote no ktap.json; ktap-parse.log ends:"]
                 + log.splitlines()[-10:])]
    cases = [(n, st, failure_diagnostics(job, n.split(".", 1)[-1])
              if st == "fail" else d) for n, st, d in cases]
    summary = re.search(r"Testing complete\. Ran \d+ tests: (.*)$", log, re.M)
    counts = {k: int(v) for k, v in
              re.findall(r"(\w+): (\d+)", summary.group(1) if summary else "")}
    leaf_fails = sum(1 for c in cases if c[1] == "fail")
    unseen = (counts.get("failed", 0) + counts.get("crashed", 0)
              + counts.get("errors", 0) - leaf_fails)
    bad = [line.strip() for line in log.splitlines()
           if re.search(r"\[(FAILED|CRASHED|ERROR)\]", line)]
    whole = summary is not None and unseen == 0
    cases.append(("guest_ktap_whole", "pass" if whole else "fail",
                  [] if whole else
                  ["kunit.py parse: %s" % (summary.group(1) if summary else
                                           "no summary")] + bad[:20]))
    return cases


def host_results(rundir):
    results = []
    for name in sorted(os.listdir(rundir)):
        if name.endswith(".ktap"):
            results += parse_flat_ktap(read(os.path.join(rundir, name)))
    return results


def write_results(rundir, results):
    """A run's results, judged: RUNDIR/results.json, and the same as flat
    KTAP in RUNDIR/results.ktap, each failure's diagnostics as comments."""
    with open(os.path.join(rundir, "results.json"), "w") as f:
        json.dump([{"name": n, "status": s, "diagnostics": d}
                   for n, s, d in results], f, indent=1)
    with open(os.path.join(rundir, "results.ktap"), "w") as f:
        f.write("KTAP version 1\n1..%d\n" % len(results))
        for i, (name, status, diags) in enumerate(results, 1):
            if status == "fail":
                f.writelines("# %s\n" % d for d in diags)
            f.write("%s %d %s%s\n" % ("not ok" if status == "fail" else "ok",
                                       i, name,
                                       " # SKIP" if status == "skip" else ""))


def judge(rundir):
    results = host_results(rundir)
    job = read(os.path.join(rundir, "ktap.log"))
    if job or os.path.exists(os.path.join(rundir, "console.log")):
        results += guest_results(rundir, job)
        finished = re.search(r"^MMLAB-DONE", job, re.M) is not None
        results.append(("guest_finished", "pass" if finished else "fail",
                        [] if finished else
                        ["guest did not finish; the console's last lines:"]
                        + read(os.path.join(rundir, "console.log")).splitlines()[-30:]
                        + read(os.path.join(rundir, "qemu.log")).splitlines()[-5:]))
        bad = []
        for log in ("console.log", "dmesg.log"):
            for line in read(os.path.join(rundir, log)).splitlines():
                if BAD_LOG.search(line):
                    bad.append("%s: %s" % (log, line.strip()))
        results.append(("kernel_log_clean", "fail" if bad else "pass", bad[:40]))
    # KUnit suites run as modules in the guest, parsed by kunit.py parse.
    try:
        with open(os.path.join(rundir, "kunit.json")) as f:
            results += [("kunit." + n, st, d) for n, st, d in kunit_cases(json.load(f))]
    except (FileNotFoundError, ValueError):
        pass
    write_results(rundir, results)
    return results


def kunit_cases(group, prefix=""):
    """Leaf test cases of kunit.py's --json output, named suite.case.param."""
    name = group.get("name", "")
    if name in ("", "KUnit Test Group"):
        path = prefix
    else:
        path = prefix + "." + name if prefix else name
    cases = []
    for sub in group.get("sub_groups", []):
        cases += kunit_cases(sub, path)
    for case in group.get("test_cases", []):
        status = {"PASS": "pass", "SKIP": "skip"}.get(case.get("status"), "fail")
        # kunit.py names a test missing from its plan "".
        cases.append(((path + "." if path else "") +
                      (case["name"] or "(missing from the plan)"), status,
                      [case.get("status", "")]))
    return cases


def judge_kunit(rundir):
    results = host_results(rundir)
    try:
        with open(os.path.join(rundir, "kunit.json")) as f:
            cases = kunit_cases(json.load(f))
    except (FileNotFoundError, ValueError):
        cases = []
    results += cases
    # kunit.py exits 0 when its filter matches no test.
    results.append(("kunit_ran_tests", "pass" if cases else "fail",
                    [] if cases else ["kunit.py ran no test"]))
    log = read(os.path.join(rundir, "console.log"))
    if log:
        bad = [line.strip() for line in log.splitlines() if BAD_LOG.search(line)]
        results.append(("kernel_log_clean", "fail" if bad else "pass", bad[:40]))
    write_results(rundir, results)
    return results


# What scripts/guest/init's lockups job provokes, each as the kernel
# reports it: the log verdict must catch every one.
PROVOKED = {
    "soft_lockup": re.compile(r"BUG: soft lockup"),
    "rcu_stall": re.compile(r"rcu: INFO: .* detected (expedited )?stalls"
                            r"|rcu: INFO: .* self-detected stall"),
    "hung_task": re.compile(r"INFO: task .* blocked for more than"),
}


def judge_lockups(rundir):
    """The log verdict catches each report the lockups job provoked."""
    job = read(os.path.join(rundir, "ktap.log"))
    finished = re.search(r"^MMLAB-DONE", job, re.M) is not None
    results = [("guest_finished", "pass" if finished else "fail",
                [] if finished else ["the lockups job did not finish"])]
    caught = [line for log in ("console.log", "dmesg.log")
              for line in read(os.path.join(rundir, log)).splitlines()
              if BAD_LOG.search(line)]
    for kind, pattern in PROVOKED.items():
        seen = any(pattern.search(line) for line in caught)
        results.append(("verdict_catches_" + kind, "pass" if seen else "fail",
                         [] if seen else ["no %s among the lines it caught" % kind]))
    write_results(rundir, results)
    return results


def report(rundir, results):
    for name, status, diags in results:
        if status == "fail":
            print("FAIL %s: %s" % (rundir, name))
            for d in diags:
                print("     %s" % d)
    return 0


def cmd_run(rundir):
    return report(rundir, judge(rundir))


# kunit.py's status words (tools/testing/kunit/kunit_json.py).
KUNIT_STATUS = {"pass": "PASS", "fail": "FAIL", "skip": "SKIP"}


def kunit_json(groups):
    """All rows' results as one document in kunit.py's JSON format, which
    follows KernelCI's test API: a group per row, a case per result, the
    failures' diagnostics as each case's log."""
    common = {"arch": "x86_64", "defconfig": None, "build_environment": None,
              "lab_name": None, "kernel": None, "job": "mmlab",
              "git_branch": None}
    doc = {"name": "mmlab", "sub_groups": [], "test_cases": []}
    doc.update(common)
    for name, accel, results in groups:
        group = {"name": name, "sub_groups": [], "test_cases": [
            {"name": r["name"], "status": KUNIT_STATUS[r["status"]],
             "log": "\n".join(r.get("diagnostics") or [])}
            for r in results]}
        group.update(common)
        group["kernel"] = name
        group["accel"] = accel
        doc["sub_groups"].append(group)
    return doc


def cmd_table(rundirs, json_out=None):
    totals = {"pass": 0, "fail": 0, "skip": 0}
    rows = []
    groups = []
    for rundir in rundirs:
        try:
            with open(os.path.join(rundir, "results.json")) as f:
                results = json.load(f)
        except FileNotFoundError:
            results = [{"name": "run", "status": "fail",
                        "diagnostics": ["no results.json in " + rundir]}]
        count = {"pass": 0, "fail": 0, "skip": 0}
        for r in results:
            count[r["status"]] += 1
            totals[r["status"]] += 1
        accel = read(os.path.join(rundir, "accel")).strip() or "-"
        name = (read(os.path.join(rundir, "name")).strip()
                or os.path.basename(rundir.rstrip("/")))
        rows.append((name, accel, count))
        groups.append((name, accel, results))
    if json_out:
        with open(json_out, "w") as f:
            json.dump(kunit_json(groups), f, indent=1)
    width = max([len(r[0]) for r in rows] + [6])
    print("%-*s  %-5s  %6s  %6s  %7s" % (width, "kernel", "accel", "passed",
                                         "failed", "skipped"))
    for name, accel, c in rows:
        print("%-*s  %-5s  %6d  %6d  %7d" % (width, name, accel, c["pass"],
                                             c["fail"], c["skip"]))
    line = "%d passed, %d failed" % (totals["pass"], totals["fail"])
    if totals["skip"]:
        line += ", %d skipped" % totals["skip"]
    print(line)
    return 0 if totals["fail"] == 0 and totals["pass"] > 0 else 1


def main(argv):
    if len(argv) >= 3 and argv[1] == "run":
        return cmd_run(argv[2])
    if len(argv) >= 3 and argv[1] == "kunit":
        return report(argv[2], judge_kunit(argv[2]))
    if len(argv) >= 3 and argv[1] == "lockups":
        return report(argv[2], judge_lockups(argv[2]))
    if len(argv) >= 5 and argv[1] == "table" and argv[2] == "--json":
        return cmd_table(argv[4:], argv[3])
    if len(argv) >= 3 and argv[1] == "table":
        return cmd_table(argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
