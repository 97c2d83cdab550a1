#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# bench-plot.py --kernel KREL --accel tcg|kvm LOG OUTDIR: collect the
# records that mmap_bench printed in the guest, one JSON object a line
# after "MMLAB-BENCH-JSON ", from LOG (the guest's ktap.log) into
# OUTDIR/bench.json, and draw OUTDIR/bench.png with python3-matplotlib:
# Debian's, installed by scripts/deps.sh for Debian's python3, which the
# first line names rather than whichever python3 comes first in PATH.
#
# bench.json: {"kernel", "accel", "guest": the run's "meta" record,
# "records": [...]}. Every record has the keys of COMMON, null where they
# do not apply, so that a reader need not test for them; see
# userspace/mmap/mmap_bench.c for what each kind measures.

import argparse
import json
import os
import sys

PREFIX = "MMLAB-BENCH-JSON "

# The keys every record has.
COMMON = ("kind", "subject", "baseline", "op", "timing", "size_bytes",
          "pages", "threads", "reps", "rounds", "ns_per_page_median",
          "ns_per_page_min", "ns_per_page_max", "minflt_per_page",
          "driver_faults_per_page", "ratio_to_memfd", "refused")


def collect(log):
    """The meta record and the others, in the order printed."""
    meta, records, bad = None, [], 0
    with open(log, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if not line.startswith(PREFIX):
                continue
            try:
                rec = json.loads(line[len(PREFIX):])
            except json.JSONDecodeError:
                # A line the serial console cut or garbled.
                bad += 1
                continue
            if rec.get("kind") == "meta":
                meta = rec
                continue
            for key in COMMON:
                rec.setdefault(key, None)
            records.append(rec)
    if bad:
        print(f"bench-plot: {bad} record(s) unreadable in {log}",
              file=sys.stderr)
    return meta, records


def label_counts(rec):
    """The exact counts behind a bar: faults per page, kernel's and driver's."""
    text = f"minflt {rec['minflt_per_page']:.3g}"
    if rec["driver_faults_per_page"] is not None:
        text += f", ->fault {rec['driver_faults_per_page']:.3g}"
    return text


def touch_panel(ax, records, op, timing, pick, title):
    """One bar per subject, ns/page on a log scale, min..max as a range."""
    rows = [r for r in records
            if r["kind"] == "touch" and r["op"] == op and
            r["timing"] == timing and r["ns_per_page_median"] and pick(r)]
    if not rows:
        ax.set_title(title + ": no records")
        ax.axis("off")
        return
    names = [f"{r['subject']} ({r['pages']} pg)" for r in rows]
    med = [r["ns_per_page_median"] for r in rows]
    err = [[m - r["ns_per_page_min"] for m, r in zip(med, rows)],
           [r["ns_per_page_max"] - m for m, r in zip(med, rows)]]
    colors = ["tab:red" if r["subject"] == "memfd" else
              "tab:orange" if r["baseline"] else "tab:blue" for r in rows]
    y = range(len(rows))
    ax.barh(y, med, xerr=err, color=colors, capsize=2)
    ax.set_xscale("log")
    ax.set_yticks(list(y))
    ax.set_yticklabels(names, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("ns per page, median of reps (bar: min..max)")
    ax.set_title(title, fontsize=9)
    ref = [r for r in rows if r["subject"] == "memfd"]
    if ref:
        ax.axvline(ref[0]["ns_per_page_median"], color="tab:red",
                   linestyle="--", linewidth=0.8)
    for i, r in enumerate(rows):
        ax.text(r["ns_per_page_max"] * 1.1, i, label_counts(r),
                va="center", fontsize=6)
    lo = min(r["ns_per_page_min"] for r in rows)
    hi = max(r["ns_per_page_max"] for r in rows)
    # Room on the right for the labels.
    ax.set_xlim(lo / 2, hi * 10)


def mmap_panel(ax, records):
    """mmap() cost per page against N, log-log: flat where it is linear."""
    subjects = []
    for r in records:
        if r["kind"] == "mmap" and r["subject"] not in subjects:
            subjects.append(r["subject"])
    for s in subjects:
        rows = [r for r in records if r["kind"] == "mmap" and
                r["subject"] == s and r["ns_per_page_median"]]
        if rows:
            ax.plot([r["pages"] for r in rows],
                    [r["ns_per_page_median"] for r in rows], marker="o",
                    label=s)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("pages mapped by one mmap()")
    ax.set_ylabel("ns per page of the mmap() call")
    ax.set_title("mmap() alone: batch vm_insert_pages against per-page",
                 fontsize=9)
    ax.legend(fontsize=7)


def scale_panel(ax, records):
    """Write-touch pages/s per worker at T workers over that at 1."""
    keys = []
    for r in records:
        if r["kind"] == "scale" and r["op"] == "write":
            key = (r["subject"], r["timing"])
            if key not in keys:
                keys.append(key)
    for subject, timing in keys:
        rows = [r for r in records if r["kind"] == "scale" and
                r["op"] == "write" and r["subject"] == subject and
                r["timing"] == timing and
                r.get("per_worker_vs_1_worker") is not None]
        if rows:
            ax.plot([r["threads"] for r in rows],
                    [r["per_worker_vs_1_worker"] for r in rows],
                    marker="o" if timing == "threads" else "s",
                    linestyle="-" if timing == "threads" else ":",
                    label=f"{subject} {timing}")
    ax.axhline(1, color="grey", linewidth=0.8)
    ax.set_xticks(sorted({r["threads"] for r in records
                          if r["kind"] == "scale"}))
    ax.set_xlabel("workers (threads: one mapping; processes: one each)")
    ax.set_ylabel("pages/s per worker / at 1 worker (1: scales)")
    ax.set_title("scaling, write-touch, medians over rounds", fontsize=9)
    ax.legend(fontsize=5, ncol=2)


def plot(doc, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    records = doc["records"]
    fig, axes = plt.subplots(2, 2, figsize=(16, 14))
    touch_panel(axes[0][0], records, "write", "cycle",
                lambda r: r["size_bytes"] == 1 << 20,
                "write-touch cycle (mmap + touch + munmap), 1 MiB")
    touch_panel(axes[0][1], records, "write", "cycle",
                lambda r: r.get("largest"),
                "write-touch cycle, each subject's largest size")
    mmap_panel(axes[1][0], records)
    scale_panel(axes[1][1], records)
    meta = doc.get("guest") or {}
    fig.suptitle(f"mmlab mmap_bench: {doc['kernel']} under {doc['accel']}, "
                 f"{meta.get('cpus', '?')} CPUs; blue: mmlab modes, "
                 f"orange: kernel baselines, red: memfd (reference)")
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def main():
    ap = argparse.ArgumentParser(
        description="collect mmap_bench records, draw them")
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--accel", required=True)
    ap.add_argument("log")
    ap.add_argument("outdir")
    args = ap.parse_args()

    meta, records = collect(args.log)
    if not records:
        print(f"bench-plot: no records in {args.log}", file=sys.stderr)
        return 1
    doc = {"kernel": args.kernel, "accel": args.accel, "guest": meta,
           "records": records}
    os.makedirs(args.outdir, exist_ok=True)
    out = os.path.join(args.outdir, "bench.json")
    with open(out, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, allow_nan=False)
        f.write("\n")
    kinds = {}
    for r in records:
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
    print(f"bench: {len(records)} records ("
          + ", ".join(f"{n} {k}" for k, n in kinds.items()) + f") in {out}")
    png = os.path.join(args.outdir, "bench.png")
    try:
        plot(doc, png)
    except ImportError as e:
        print(f"bench-plot: no matplotlib ({e}): run scripts/deps.sh",
              file=sys.stderr)
        return 1
    print(f"bench: plot in {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
