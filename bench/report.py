#!/usr/bin/env python3
"""Writes one size's side-by-side figures into BENCHMARKS.md (called by bench/run.sh).

    report.py --size N --dir SCRATCH/N --runs R --peers "duckdb_plain ..." --benchmarks BENCHMARKS.md

Reads Attain's scale-bench output (`attain.log`), each peer's `PEER.json` (run_peer.py) and,
when it exists, `attain-e2e.json` (Attain end to end: bench/attain_e2e.py). The
section "Side by side: Attain, DuckDB, Polars, PostgreSQL" is created at the end of the file if
missing; inside it, the block of this size (between `<!-- BEGIN side-by-side N -->` and
`<!-- END side-by-side N -->`) is replaced, or added in size order. Nothing else is touched.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

HEADING = "## Side by side: Attain, DuckDB, Polars, PostgreSQL"
INTRO = """
The same calculation — the generated company's full year of pay (`attain generate`: seed 42,
10,000 payees, 20,000 territories, 2025) — in Attain and in four peers, with every peer's
per-payee full-year payouts checked equal to Attain's in the same run (a mismatch fails the
run and names the first differing payee). How it is run and what each peer does:
bench/README.md. One command writes the blocks below (one per size; re-running a size replaces
its block):

```sh
bench/run.sh 100000 1000000
```

- **compute-only**: the data already in memory. Attain: the engine over a resident fact store
  (`cargo bench -p attain-bench --bench scale`: preparing the run and the twelve monthly runs
  with every statement). DuckDB: the tables loaded; PostgreSQL: the tables loaded, indexed and
  analysed; Polars: the data frames collected. Each then computes every payee's payout.
- **end to end**: from the files (`transactions.parquet` and the workspace's CSV files; CSV
  transactions for PostgreSQL, whose COPY reads CSV): loading included. Attain: `attain calc
  --workspace DIR --period FY2025 --format csv`, a fresh process per run (every row checked).
- Median of the runs after one warm-up; the range in parentheses. **Attain ÷ peer** is Attain's median
  over the peer's: below 1, Attain is faster (0.10 = ten times faster).
- Peak RSS: the whole process (Attain: the bench, including the generated fact store; DuckDB and
  Polars: the Python process); PostgreSQL: the server backend's high-water mark (parallel
  workers not included).
"""


def duration_s(text: str) -> float:
    """A Rust `Duration` debug print (`1.23s`, `497.42ms`, `12.3µs`) in seconds."""
    m = re.fullmatch(r"([0-9.]+)(s|ms|µs|us|ns)", text.strip())
    if not m:
        raise ValueError(f"not a duration: {text!r}")
    scale = {"s": 1, "ms": 1e-3, "µs": 1e-6, "us": 1e-6, "ns": 1e-9}[m.group(2)]
    return float(m.group(1)) * scale


def attain_figures(log: str) -> dict:
    median = re.search(r"^full year:\s+median (\S+) \(range (\S+) – (\S+),", log, re.M)
    rss = re.search(r"^peak RSS:\s+(\d+) MiB", log, re.M)
    checksum = re.search(r"^checksum:\s+(\S+)", log, re.M)
    statements = re.search(r"^statements:\s+(\d+) \(12 months\), (\d+) payees paid, total (\S+)", log, re.M)
    return {
        "median_s": duration_s(median.group(1)),
        "min_s": duration_s(median.group(2)),
        "max_s": duration_s(median.group(3)),
        "peak_rss_mib": int(rss.group(1)),
        "checksum": checksum.group(1),
        "statements": int(statements.group(1)),
        "payees": int(statements.group(2)),
        "total": statements.group(3),
    }


def seconds(s: float) -> str:
    if s >= 10:
        return f"{s:.1f} s"
    if s >= 1:
        return f"{s:.2f} s"
    return f"{s * 1000:.0f} ms" if s >= 0.1 else f"{s * 1000:.1f} ms"


def figure(r: dict | None) -> str:
    if not r:
        return "–"
    return f"{seconds(r['median_s'])} ({seconds(r['min_s'])} – {seconds(r['max_s'])})"


def ratio(attain: dict | None, peer: dict | None) -> str:
    if not attain or not peer:
        return "–"
    return f"{attain['median_s'] / peer['median_s']:.3f}"


def machine() -> str:
    mem = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores ({cpu}), {mem}, Linux {platform.release()}; load average at the end: {load}"


def rustc() -> str:
    try:
        return subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "rustc ?"


NAMES = {
    "duckdb_plain": "DuckDB, plain SQL",
    "duckdb_tuned": "DuckDB, tuned SQL",
    "polars_tuned": "Polars, tuned (lazy)",
    "postgres_tuned": "PostgreSQL, tuned SQL",
}


def block(n: int, folder: Path, runs: int, peers: list[str], unfinished: list[str]) -> str:
    log = (folder / "attain.log").read_text()
    attain = attain_figures(log)
    e2e_path = folder / "attain-e2e.json"
    attain_e2e = json.loads(e2e_path.read_text()).get("e2e") if e2e_path.exists() else None
    results = {p: json.loads((folder / f"{p}.json").read_text()) for p in peers if p not in unfinished}
    versions = []
    for p in results:
        v = (results[p].get("compute") or results[p].get("e2e") or {}).get("version")
        if v and v not in versions:
            versions.append(v)
    today = datetime.date.today().isoformat()
    rows = [
        "| system | compute-only, median (range) | Attain ÷ peer | end to end, median (range) | Attain ÷ peer "
        "| peak RSS compute-only / end to end |",
        "|---|---|---|---|---|---|",
        f"| **Attain** (engine, resident fact store) | {figure(attain)} | 1 | "
        f"{figure(attain_e2e) if attain_e2e else 'not taken (BENCH_MODES=compute)'} | "
        f"{'1' if attain_e2e else '–'} | {attain['peak_rss_mib']} MiB / "
        f"{str(attain_e2e['peak_rss_mib']) + ' MiB' if attain_e2e else '–'} |",
    ]
    for p in peers:
        if p in unfinished:
            rows.append(f"| {NAMES.get(p, p)} | did not finish (see the run's log) | – | – | – | – |")
            continue
        c, e = results[p].get("compute"), results[p].get("e2e")
        rss = " / ".join(f"{r['peak_rss_mib']} MiB" if r else "–" for r in (c, e))
        rows.append(f"| {NAMES.get(p, p)} | {figure(c)} | {ratio(attain, c)} | {figure(e)} | "
                    f"{ratio(attain_e2e, e)} | {rss} |")
    commands = [
        f"bench/run.sh {n}   # BENCH_RUNS={runs}",
        "# which runs, with $S its scratch directory:",
        f"target/release/attain generate --transactions {n} --out $S/parquet --format parquet",
        f"target/release/attain generate --transactions {n} --out $S/csv --format csv",
        f"ATTAIN_BENCH_TRANSACTIONS={n} ATTAIN_BENCH_RUNS={runs} ATTAIN_BENCH_PAYOUTS=$S/attain.csv \\",
        "  cargo bench -p attain-bench --bench scale",
    ]
    for p in peers:
        extra = " --csv-workspace $S/csv --dsn postgresql://postgres@127.0.0.1:5432/attain_bench_$PID" \
            if p == "postgres_tuned" else ""
        commands.append(f"bench/.venv/bin/python bench/peers/run_peer.py {p} --workspace $S/parquet "
                        f"--runs {runs} --out $S/{p}.csv --json $S/{p}.json{extra}")
        commands.append(f"bench/.venv/bin/python bench/compare.py $S/attain.csv $S/{p}.csv --name {p}")
    attain_lines = [line for line in log.splitlines()
                    if re.match(r"^(company|fact store|warm-up|statements|checksum|full year|peak RSS):", line)]
    return "\n".join([
        f"<!-- BEGIN side-by-side {n} -->",
        f"### {n:,} transactions",
        "",
        f"Recorded {today} by `bench/run.sh {n}` ({runs} runs after a warm-up per figure). Machine: "
        f"{machine()}. Versions: {rustc()}; {'; '.join(versions)}.",
        "",
        f"**Every peer {'that finished ' if unfinished else ''}paid all {attain['payees']:,} payees exactly what "
        f"Attain paid** (total "
        f"{attain['total']} USD over {attain['statements']:,} statements; checksum {attain['checksum']}).",
        "",
        *rows,
        "",
        "Commands:",
        "",
        "```sh",
        *commands,
        "```",
        "",
        "Attain's scale bench printed:",
        "",
        "```",
        *attain_lines,
        "```",
        f"<!-- END side-by-side {n} -->",
    ])


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", type=int, required=True)
    p.add_argument("--dir", type=Path, required=True)
    p.add_argument("--runs", type=int, required=True)
    p.add_argument("--peers", required=True)
    p.add_argument("--unfinished", default="", help="peers that did not finish")
    p.add_argument("--benchmarks", type=Path, required=True)
    args = p.parse_args()
    new = block(args.size, args.dir, args.runs, args.peers.split(), args.unfinished.split())
    text = args.benchmarks.read_text()
    if HEADING not in text:
        text = text.rstrip("\n") + "\n\n" + HEADING + "\n" + INTRO
    head, _, section = text.partition(HEADING)
    # The section runs to the next `## ` heading (or the end).
    nxt = re.search(r"^## ", section, re.M)
    body, tail = (section[: nxt.start()], section[nxt.start():]) if nxt else (section, "")
    pattern = re.compile(r"<!-- BEGIN side-by-side (\d+) -->.*?<!-- END side-by-side \1 -->\n?", re.S)
    blocks = {int(m.group(1)): m.group(0).rstrip("\n") for m in pattern.finditer(body)}
    intro = pattern.sub("", body).rstrip("\n")
    blocks[args.size] = new
    body = intro + "\n\n" + "\n\n".join(blocks[k] for k in sorted(blocks)) + "\n"
    args.benchmarks.write_text(head + HEADING + body + ("\n" + tail if tail else ""))
    print(f"BENCHMARKS.md: side-by-side block for {args.size} transactions written", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
