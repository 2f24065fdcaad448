#!/usr/bin/env python3
"""Attain end to end: `attain calc --workspace DIR --period FY2025 --format csv`, from the files
(transactions.parquet) to every payee's full-year payout, as a user runs it (called by
bench/run.sh, beside the peers' end-to-end figures).

    attain_e2e.py ATTAIN_BINARY --workspace DIR --runs R --out PAYOUTS.csv --json RESULT.json

One warm-up run, then R timed runs, each a fresh process; the figure is the median wall time
(range too). Peak RSS is the largest of the runs' (`ru_maxrss` of each finished child, read
with wait4). The last run's output (person_id,name,currency,months,payout: one row per payee,
the year's payout) is written to --out as person_id,payout for bench/compare.py. The JSON has
run_peer.py's shape: {"e2e": {"median_s", "min_s", "max_s", "warmup_s", "peak_rss_mib",
"payees", "version"}}.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import statistics
import subprocess
import sys
import time


def run_once(command: list[str]) -> tuple[float, int, bytes]:
    """Wall seconds, peak RSS (KiB) and stdout of one run; a failed run stops the benchmark."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE)
    out = child.stdout.read() if child.stdout else b""
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"{' '.join(command)} failed with exit status {code}")
    return seconds, usage.ru_maxrss, out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("attain")
    p.add_argument("--workspace", required=True)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--period", default="FY2025")
    p.add_argument("--out", required=True)
    p.add_argument("--json", required=True)
    args = p.parse_args()
    command = [args.attain, "calc", "--workspace", args.workspace, "--period", args.period, "--format", "csv"]
    times, peak, out = [], 0, b""
    for _ in range(args.runs + 1):
        seconds, rss, out = run_once(command)
        times.append(seconds)
        peak = max(peak, rss)
    rows = list(csv.DictReader(io.StringIO(out.decode())))
    with open(args.out, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["person_id", "payout"])
        for row in rows:
            w.writerow([row["person_id"], row["payout"]])
    version = subprocess.run([args.attain, "--version"], capture_output=True, text=True).stdout.strip()
    runs = times[1:]
    result = {
        "mode": "e2e",
        "median_s": statistics.median(runs),
        "min_s": min(runs),
        "max_s": max(runs),
        "warmup_s": times[0],
        "load_s": None,
        "peak_rss_mib": peak // 1024,
        "payees": len(rows),
        "version": version or None,
    }
    with open(args.json, "w") as f:
        json.dump({"e2e": result}, f, indent=2)
    print(f"attain          e2e      median {result['median_s']:.3f} s (range {result['min_s']:.3f}-"
          f"{result['max_s']:.3f}, warm-up {result['warmup_s']:.3f}), peak RSS {result['peak_rss_mib']} MiB, "
          f"{result['payees']} payees", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
