#!/usr/bin/env python3
"""Runs one peer of Attain's scale benchmark and writes each payee's full-year payout.

    run_peer.py PEER --workspace DIR --out PAYOUTS.csv [--csv-workspace DIR] [--runs 5]
                [--dsn postgresql://...] [--json RESULT.json]

PEER is one of duckdb_plain, duckdb_tuned, polars_tuned, postgres_tuned. DIR is a workspace
written by `attain generate --format parquet`; postgres_tuned reads the CSV form
(`--csv-workspace`, written by `attain generate --format csv`) because COPY reads CSV.

Two figures, each the median of `--runs` runs after one warm-up, each measured in its own
child process so its peak RSS is its own:

- compute-only: the data is loaded once (DuckDB/PostgreSQL tables, Polars data frames in
  memory); each run computes every payee's payout from the loaded data;
- end to end: each run starts from the files (a fresh DuckDB connection, fresh Polars scans, a
  fresh PostgreSQL schema), loads them and computes.

The plan files (`plans/*.toml`) are read here and handed to the peers as two small tables
(`plan_kinds`: which credit kinds each plan's measure counts, `plan_tiers`: its marginal
tiers). The peers implement exactly the plan shape `attain generate` writes (one year-to-date
marginal commission on the booked amount per plan, negative months paid, no caps, draws or
filters); anything else is refused here, by name, rather than computed differently.

Peak RSS: for DuckDB and Polars the child process's (`ru_maxrss`); for PostgreSQL the server
backend's high-water mark (`VmHWM` of `pg_backend_pid()`), which excludes parallel workers.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import tomllib
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEERS = ("duckdb_plain", "duckdb_tuned", "polars_tuned", "postgres_tuned")


class Refused(Exception):
    """The workspace holds something the peers do not compute."""


# ---------------------------------------------------------------------------------------------
# Plans


def share(text: str) -> Decimal:
    """A rate or share as docs/plans.md writes it: `"4%"` or `"0.04"`."""
    text = text.strip()
    if text.endswith("%"):
        return Decimal(text[:-1]) / 100
    return Decimal(text)


PLAN_KEYS = {"id", "name", "version", "valid_from", "valid_to", "currency", "credit_on",
             "negative_balance", "measures", "components", "description"}
COMPONENT_KEYS = {"id", "name", "type", "measure", "scope", "mode", "tiers", "description"}


def read_plans(workspace: Path) -> dict:
    """The plan book as the peers' two tables, after checking it has the shape they compute."""
    folder = workspace / "plans"
    rules = tomllib.loads((folder / "crediting.toml").read_text())
    if rules.get("primary") != ["splits", "territory_owner"] or rules.get("overlay_splits") is not True \
            or rules.get("roll_up") is not True or set(rules) - {"primary", "overlay_splits", "roll_up"}:
        raise Refused(f"crediting.toml: the peers compute primary = [splits, territory_owner], "
                      f"overlay_splits and roll_up only, not {rules}")
    kinds, tiers, years, currencies = [], [], set(), set()
    seen = set()
    for path in sorted(folder.glob("*.toml")):
        if path.name == "crediting.toml":
            continue
        plan = tomllib.loads(path.read_text())
        where = path.name
        extra = set(plan) - PLAN_KEYS
        if extra:
            raise Refused(f"{where}: keys the peers do not compute: {sorted(extra)}")
        if plan["id"] in seen:
            raise Refused(f"{where}: a second version of plan {plan['id']}")
        seen.add(plan["id"])
        if plan.get("credit_on") != "booking" or plan.get("negative_balance") != "pay":
            raise Refused(f"{where}: the peers compute credit_on = booking, negative_balance = pay")
        valid_from, valid_to = str(plan["valid_from"]), str(plan.get("valid_to", ""))
        year = int(valid_from[:4])
        if valid_from != f"{year}-01-01" or valid_to != f"{year + 1}-01-01":
            raise Refused(f"{where}: the peers compute plans valid for exactly one calendar year")
        years.add(year)
        currencies.add(plan.get("currency"))
        (component,) = plan["components"]
        if set(component) - COMPONENT_KEYS or component.get("type") != "commission" \
                or component.get("scope") != "ytd" or component.get("mode") != "marginal":
            raise Refused(f"{where}: the peers compute one ytd marginal commission per plan")
        measure = plan["measures"][component["measure"]]
        if set(measure) - {"sum", "credit"} or measure.get("sum") != "amount":
            raise Refused(f"{where}: the peers compute measures summing `amount`, unfiltered")
        for kind in measure["credit"]:
            if kind not in ("direct", "overlay", "rollup"):
                raise Refused(f"{where}: unknown credit kind {kind}")
            kinds.append((plan["id"], kind))
        steps = [(Decimal(str(t["from"])), share(str(t["rate"]))) for t in component["tiers"]]
        for start, rate in steps:
            # The SQL peers hold tier starts as DECIMAL(24, 4) and rates as DECIMAL(18, 8).
            if start != start.quantize(Decimal("0.0001")) or rate != rate.quantize(Decimal("1e-8")):
                raise Refused(f"{where}: tier starts finer than 4 decimals or rates finer than 8")
        for i, (start, rate) in enumerate(steps):
            if set(component["tiers"][i]) - {"from", "rate"}:
                raise Refused(f"{where}: tier {i} has more than from and rate")
            end = steps[i + 1][0] if i + 1 < len(steps) else None
            tiers.append((plan["id"], start, end, rate))
    if len(years) != 1:
        raise Refused(f"the plans cover the years {sorted(years)}; the peers compute one")
    (year,) = years
    with open(workspace / "company.csv", newline="") as f:
        (company,) = list(csv.DictReader(f))
    return {"year": year, "base": company["base_currency"], "currencies": currencies, "kinds": kinds,
            "tiers": tiers}


def check_workspace(workspace: Path, plans: dict) -> None:
    """What the peers assume of the records besides the plans."""
    with open(workspace / "company.csv", newline="") as f:
        (company,) = list(csv.DictReader(f))
    if company["fiscal_year_start_month"] != "1":
        raise Refused("the peers compute fiscal years that start in January")
    if plans["currencies"] != {company["base_currency"]}:
        raise Refused("the peers compute plans in the company's base currency")
    with open(workspace / "people.csv", newline="") as f:
        if any(row["pay_currency"] not in ("", company["base_currency"]) for row in csv.DictReader(f)):
            raise Refused("the peers pay everyone in the base currency")
    for name in ("adjustments.csv", "objective_scores.csv"):
        with open(workspace / name, newline="") as f:
            if len(f.read().splitlines()) > 1:
                raise Refused(f"the peers compute no {name[:-4]}")


# ---------------------------------------------------------------------------------------------
# SQL files: `-- @load` and `-- @compute` sections of `;`-terminated statements.


def sql_sections(path: Path, subs: dict[str, str]) -> dict[str, list[str]]:
    text = path.read_text()
    for key, value in subs.items():
        text = text.replace("${" + key + "}", value)
    sections: dict[str, list[str]] = {}
    current = None
    buf: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("-- @"):
            current = stripped[4:].split()[0]
            sections.setdefault(current, [])
            continue
        if current is None or stripped.startswith("--"):
            continue
        buf.append(line)
        if stripped.endswith(";"):
            statement = "\n".join(buf).strip().rstrip(";").strip()
            if statement:
                sections[current].append(statement)
            buf = []
    return sections


def decimal_text(d) -> str:
    d = Decimal(d)
    cents = d.quantize(Decimal("0.01"))
    return format(cents if cents == d else d, "f")


# ---------------------------------------------------------------------------------------------
# DuckDB


class DuckPeer:
    def __init__(self, name: str, workspace: Path, plans: dict, **_):
        import duckdb

        self.duckdb = duckdb
        self.plans = plans
        self.sections = sql_sections(HERE / f"{name}.sql", {
            "DIR": str(workspace),
            "TRANSACTIONS": str(workspace / "transactions.parquet"),
            "YEAR": str(plans["year"]),
        })
        self.con = None

    def version(self) -> str:
        return f"duckdb {self.duckdb.__version__}"

    def load(self) -> None:
        if self.con is not None:
            self.con.close()
        # A memory limit, so a large size spills or stops instead of taking the machine down.
        self.con = self.duckdb.connect(":memory:", config={"memory_limit": os.environ.get("BENCH_DUCKDB_MEMORY", "12GB")})
        self.con.execute("CREATE TABLE plan_kinds (plan_id VARCHAR, kind VARCHAR)")
        self.con.executemany("INSERT INTO plan_kinds VALUES (?, ?)", self.plans["kinds"])
        self.con.execute("CREATE TABLE plan_tiers (plan_id VARCHAR, tier_from DECIMAL(24, 4), "
                         "tier_to DECIMAL(24, 4), rate DECIMAL(18, 8))")
        for plan_id, start, end, rate in self.plans["tiers"]:
            self.con.execute("INSERT INTO plan_tiers VALUES (?, CAST(? AS DECIMAL(24, 4)), "
                             "CAST(? AS DECIMAL(24, 4)), CAST(? AS DECIMAL(18, 8)))",
                             [plan_id, decimal_text(start),
                              None if end is None else decimal_text(end), decimal_text(rate)])
        for statement in self.sections["load"]:
            self.con.execute(statement)

    def compute(self) -> None:
        for statement in self.sections["compute"]:
            self.con.execute(statement)

    def payouts(self) -> list[tuple[str, Decimal]]:
        return self.con.execute("SELECT person_id, payout FROM payouts ORDER BY person_id").fetchall()

    def peak_rss_kib(self) -> int:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    def close(self) -> None:
        if self.con is not None:
            self.con.close()


# ---------------------------------------------------------------------------------------------
# Polars


class PolarsPeer:
    def __init__(self, name: str, workspace: Path, plans: dict, **_):
        import importlib.util

        spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
        self.module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(self.module)
        self.workspace = workspace
        self.plans = plans
        self.frames = None
        self.result = None

    def version(self) -> str:
        import polars

        return f"polars {polars.__version__}"

    def load(self) -> None:
        self.frames = self.module.load(self.workspace, self.plans)

    def compute(self) -> None:
        self.result = self.module.compute(self.frames, self.plans).collect()

    def end_to_end(self) -> None:
        self.result = self.module.compute(self.module.scan(self.workspace, self.plans), self.plans).collect()

    def payouts(self) -> list[tuple[str, Decimal]]:
        cents = self.result["payout_cents"].to_list()
        return sorted(zip(self.result["person_id"].to_list(), (Decimal(c).scaleb(-2) for c in cents)))

    def peak_rss_kib(self) -> int:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    def close(self) -> None:
        pass


# ---------------------------------------------------------------------------------------------
# PostgreSQL


class PostgresPeer:
    def __init__(self, name: str, workspace: Path, plans: dict, csv_workspace: Path | None = None,
                 dsn: str | None = None, **_):
        import psycopg

        if csv_workspace is None or dsn is None:
            raise SystemExit(f"{name} needs --csv-workspace and --dsn")
        self.psycopg = psycopg
        self.plans = plans
        self.sections = sql_sections(HERE / f"{name}.sql", {"DIR": str(csv_workspace), "YEAR": str(plans["year"])})
        self.con = psycopg.connect(dsn, autocommit=True)

    def version(self) -> str:
        return "PostgreSQL " + self.con.execute("SHOW server_version").fetchone()[0]

    def load(self) -> None:
        con = self.con
        con.execute("DROP SCHEMA IF EXISTS bench CASCADE")
        con.execute("CREATE SCHEMA bench")
        con.execute("SET search_path = bench")
        con.execute("CREATE TABLE plan_kinds (plan_id text, kind text)")
        con.execute("CREATE TABLE plan_tiers (plan_id text, tier_from numeric, tier_to numeric, rate numeric)")
        with con.cursor() as cur:
            cur.executemany("INSERT INTO plan_kinds VALUES (%s, %s)", self.plans["kinds"])
            cur.executemany("INSERT INTO plan_tiers VALUES (%s, %s, %s, %s)", self.plans["tiers"])
        for statement in self.sections["load"]:
            head = statement.split(None, 1)[0].upper()
            if head == "COPY" and " FROM '" in statement:
                # COPY table FROM 'file' (options): stream the file from here (client side).
                target, rest = statement.split(" FROM '", 1)
                path, options = rest.split("'", 1)
                with con.cursor() as cur, open(path, "rb") as f:
                    with cur.copy(f"{target} FROM STDIN {options}") as copy:
                        while chunk := f.read(1 << 20):
                            copy.write(chunk)
            else:
                con.execute(statement)

    def compute(self) -> None:
        for statement in self.sections["compute"]:
            self.con.execute(statement)

    def payouts(self) -> list[tuple[str, Decimal]]:
        return self.con.execute("SELECT person_id, payout FROM payouts ORDER BY person_id").fetchall()

    def peak_rss_kib(self) -> int:
        pid = self.con.execute("SELECT pg_backend_pid()").fetchone()[0]
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        return 0

    def close(self) -> None:
        self.con.execute("DROP SCHEMA IF EXISTS bench CASCADE")
        self.con.close()


def make_peer(name: str, **kwargs):
    if name.startswith("duckdb"):
        return DuckPeer(name, **kwargs)
    if name.startswith("polars"):
        return PolarsPeer(name, **kwargs)
    return PostgresPeer(name, **kwargs)


# ---------------------------------------------------------------------------------------------
# Timing


def timed(f) -> float:
    started = time.perf_counter()
    f()
    return time.perf_counter() - started


def measure(args, mode: str) -> dict:
    """One mode in this process: warm-up, then `runs` timed runs."""
    plans = read_plans(args.workspace)
    peer = make_peer(args.peer, workspace=args.workspace, plans=plans,
                     csv_workspace=args.csv_workspace, dsn=args.dsn)
    times = []
    try:
        if mode == "compute":
            load_seconds = timed(peer.load)
            for _ in range(args.runs + 1):
                times.append(timed(peer.compute))
        else:
            def once():
                if hasattr(peer, "end_to_end"):
                    peer.end_to_end()
                else:
                    peer.load()
                    peer.compute()
            load_seconds = None
            for _ in range(args.runs + 1):
                times.append(timed(once))
        payouts = peer.payouts()
        rss = peer.peak_rss_kib()
        version = peer.version()
    finally:
        peer.close()
    if args.out and mode == "compute":
        with open(args.out, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["person_id", "payout"])
            for person, paid in payouts:
                w.writerow([person, decimal_text(paid)])
    runs = times[1:]
    return {
        "mode": mode,
        "median_s": statistics.median(runs),
        "min_s": min(runs),
        "max_s": max(runs),
        "warmup_s": times[0],
        "load_s": load_seconds,
        "peak_rss_mib": rss // 1024,
        "payees": len(payouts),
        "version": version,
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("peer", choices=PEERS)
    p.add_argument("--workspace", type=Path, required=True)
    p.add_argument("--csv-workspace", type=Path)
    p.add_argument("--out", type=Path, help="where to write person_id,payout (from the compute-only run)")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--dsn")
    p.add_argument("--json", type=Path, help="where to write the figures")
    p.add_argument("--mode", choices=("compute", "e2e", "both"), default="both")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()

    try:
        plans = read_plans(args.workspace)
        check_workspace(args.workspace, plans)
    except Refused as e:
        print(f"{args.peer}: refused: {e}", file=sys.stderr)
        return 2

    if args.child:
        print(json.dumps(measure(args, args.mode)))
        return 0

    results = {}
    modes = ("compute", "e2e") if args.mode == "both" else (args.mode,)
    for mode in modes:
        cmd = [sys.executable, __file__, args.peer, "--workspace", str(args.workspace), "--runs", str(args.runs),
               "--mode", mode, "--child"]
        if args.csv_workspace:
            cmd += ["--csv-workspace", str(args.csv_workspace)]
        if args.dsn:
            cmd += ["--dsn", args.dsn]
        if args.out and mode == "compute":
            cmd += ["--out", str(args.out)]
        done = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
        if done.returncode != 0:
            print(f"{args.peer}: {mode} run failed (exit {done.returncode})", file=sys.stderr)
            return done.returncode or 1
        results[mode] = json.loads(done.stdout.strip().splitlines()[-1])
        r = results[mode]
        print(f"{args.peer:15} {mode:8} median {r['median_s']:.3f} s (range {r['min_s']:.3f}-{r['max_s']:.3f}, "
              f"warm-up {r['warmup_s']:.3f}), peak RSS {r['peak_rss_mib']} MiB, {r['payees']} payees",
              file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps({"peer": args.peer, **results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
