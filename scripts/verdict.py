#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge test-VM runs and print mmlab's results.

  verdict.py run RUNDIR      judge one kernel's run: its KTAP, its kernel
                             log, whether the guest finished; write
                             RUNDIR/results.json and print the failures
  verdict.py kunit RUNDIR    judge a kunit.py run: every test case of
                             RUNDIR/kunit.json, at least one of them, and
                             a clean RUNDIR/console.log (the raw kernel log)
  verdict.py lockups RUNDIR  check that the log verdict catches the soft
                             lockup, RCU stall and hung task that the
                             guest's lockups job provoked
  verdict.py table RUNDIR... print a table per kernel and the final
                             "N passed, N failed[, N skipped]" line; exit 1
                             unless every test passed

RUNDIR holds the files of scripts/vm-run.sh, plus the results of host-side
steps in KTAP, each in a *.ktap file: host.ktap (build, initramfs), written
by scripts/check.sh, and ivshmem.ktap (the guest's bytes in the host's
file), by scripts/ivshmem.py.
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


def parse_ktap(text, prefix=""):
    """Leaf results of nested KTAP as (name, status, diagnostics).

    A line at some indent closes the subtest that was printed above it at a
    deeper indent; a closing "not ok" whose subtests all passed still counts
    (the probe crashed or hung after its last case), as does a plan that
    promised more cases than were printed.
    """
    results = []
    stack = [[]]            # per indent level: leaf results not yet closed
    plans = {}              # indent -> (planned, seen)
    diags = []
    for line in text.splitlines():
        m = RESULT.match(line)
        if not m:
            s = line.strip()
            pm = re.match(r"^(\s*)1\.\.(\d+)", line)
            if pm:
                depth = len(pm.group(1)) // 4
                plans[depth] = [int(pm.group(2)), 0]
            elif s.startswith("#") and not s.startswith("# Totals"):
                diags.append(s)
            continue
        indent, word, _, name, directive = m.groups()
        depth = len(indent) // 4
        while len(stack) <= depth + 1:
            stack.append([])
        if depth in plans:
            plans[depth][1] += 1
        status = "pass" if word == "ok" else "fail"
        if directive and directive.upper().startswith("SKIP"):
            status = "skip"
        children = stack[depth + 1]
        child_plan = plans.pop(depth + 1, None)
        stack[depth + 1] = []
        if children:
            results.extend(children)
            lost = child_plan and child_plan[1] < child_plan[0]
            if lost:
                results.append((name + ": cases missing", "fail",
                                ["planned %d, ran %d" % tuple(child_plan)]))
            elif status == "fail" and all(c[1] != "fail" for c in children):
                results.append((name, "fail", [directive or ""]))
        else:
            stack[depth].append((name, status, diags if status == "fail" else []))
        diags = []
    for level in stack:
        results.extend(level)
    for depth, (planned, seen) in plans.items():
        if seen < planned:
            results.append(("plan at depth %d" % depth, "fail",
                            ["planned %d, ran %d" % (planned, seen)]))
    return results


def host_results(rundir):
    results = []
    for name in sorted(os.listdir(rundir)):
        if name.endswith(".ktap"):
            results += parse_ktap(read(os.path.join(rundir, name)))
    return results


def judge(rundir):
    results = host_results(rundir)
    job = read(os.path.join(rundir, "ktap.log"))
    if job or os.path.exists(os.path.join(rundir, "console.log")):
        results += parse_ktap(job)
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
    with open(os.path.join(rundir, "results.json"), "w") as f:
        json.dump([{"name": n, "status": s, "diagnostics": d}
                   for n, s, d in results], f, indent=1)
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
        cases.append(((path + "." if path else "") + case["name"], status,
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
    with open(os.path.join(rundir, "results.json"), "w") as f:
        json.dump([{"name": n, "status": s, "diagnostics": d}
                   for n, s, d in results], f, indent=1)
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
    with open(os.path.join(rundir, "results.json"), "w") as f:
        json.dump([{"name": n, "status": s, "diagnostics": d}
                   for n, s, d in results], f, indent=1)
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


def cmd_table(rundirs):
    totals = {"pass": 0, "fail": 0, "skip": 0}
    rows = []
    for rundir in rundirs:
        try:
            with open(os.path.join(rundir, "results.json")) as f:
                results = json.load(f)
        except FileNotFoundError:
            results = [{"name": "run", "status": "fail"}]
        count = {"pass": 0, "fail": 0, "skip": 0}
        for r in results:
            count[r["status"]] += 1
            totals[r["status"]] += 1
        accel = read(os.path.join(rundir, "accel")).strip() or "-"
        name = (read(os.path.join(rundir, "name")).strip()
                or os.path.basename(rundir.rstrip("/")))
        rows.append((name, accel, count))
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
    if len(argv) >= 3 and argv[1] == "table":
        return cmd_table(argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
