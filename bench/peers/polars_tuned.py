"""Attain's full-year pay for the generated company in Polars (lazy), tuned the same way as
duckdb_tuned.sql: the org resolved before the transactions meet it (account → holder over time,
every position's ancestors with their holders and plans over time), transactions summed per
(payee, position, day, currency) before the roll-up, FX applied to month sums.

Money is exact integers, never floats: minor units (Int64) on the hot path; once shares and FX
rates come in, Int128 in fixed units — a credited value in 1e-8 of its currency (cents × share
in millionths), a base-currency total in 1e-16 (× the rate in 1e-8), earnings in 1e-24 (× the
tier rate in 1e-8). Polars' Decimal multiplication keeps only the larger scale of its operands,
so it is not used for products. Rounding is half-even, written out.

run_peer.py calls `load` (data frames in memory: compute-only runs start from them), `scan`
(lazy frames over the files: end-to-end runs) and `compute`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

END = date(9999, 12, 31)
SHARE = 10**6  # shares in millionths
RATE = 10**8  # rates in 1e-8
# A tier start in base-currency units → 1e-16 units.
TOTAL = 10**16


IDS = {"id", "person_id", "position_id", "reports_to", "territory_id", "account_id", "opportunity_id", "original_id"}


def _csv(path: Path, columns: list[str], dates: tuple[str, ...] = ()) -> pl.LazyFrame:
    frame = pl.scan_csv(path, infer_schema=False).select(columns)
    return frame.with_columns(
        [pl.col(c).cast(pl.Categorical) for c in columns if c in IDS]
    ).with_columns(
        [pl.col(c).str.to_date("%Y-%m-%d") for c in dates if c not in ("valid_to", "termination_date")]
        + [pl.col(c).str.to_date("%Y-%m-%d").fill_null(END) for c in dates if c in ("valid_to", "termination_date")]
    )


def scan(workspace: Path, plans: dict) -> dict[str, pl.LazyFrame]:
    w = Path(workspace)
    frames = {
        "people": _csv(w / "people.csv", ["id", "hire_date", "termination_date"], ("hire_date", "termination_date")),
        "positions": _csv(w / "positions.csv", ["id", "valid_from", "valid_to", "reports_to"],
                          ("valid_from", "valid_to")),
        "assignments": _csv(w / "assignments.csv", ["person_id", "position_id", "valid_from", "valid_to"],
                            ("valid_from", "valid_to")),
        "territory_owners": _csv(w / "territory_owners.csv", ["territory_id", "position_id", "valid_from", "valid_to"],
                                 ("valid_from", "valid_to")),
        "accounts": _csv(w / "accounts.csv", ["id", "territory_id"]),
        "opportunities": _csv(w / "opportunities.csv", ["id", "account_id"]),
        "credit_splits": _csv(w / "credit_splits.csv", ["opportunity_id", "person_id", "role", "percent"])
        .with_columns(share=pl.col("percent").cast(pl.Decimal(18, 4)).mul(10_000).cast(pl.Int64))
        .drop("percent"),
        "fx_rates": _csv(w / "fx_rates.csv", ["from_currency", "to_currency", "rate", "valid_from", "valid_to"],
                         ("valid_from", "valid_to"))
        .with_columns(rate=pl.col("rate").cast(pl.Decimal(18, 8)).mul(RATE).cast(pl.Int64)),
        "plan_assignments": _csv(w / "plan_assignments.csv", ["position_id", "plan_id", "valid_from", "valid_to"],
                                 ("valid_from", "valid_to")),
        "transactions": pl.scan_parquet(w / "transactions.parquet").select(
            "id", "date", pl.col("kind").cast(pl.Categorical), pl.col("account_id").cast(pl.Categorical),
            pl.col("currency").cast(pl.Categorical), "amount", pl.col("opportunity_id").cast(pl.Categorical),
            "original_id"),
        "plan_kinds": pl.LazyFrame(plans["kinds"], schema=["plan_id", "kind"], orient="row"),
        "plan_tiers": pl.LazyFrame(
            [(p, int(start * TOTAL), None if end is None else int(end * TOTAL), int(rate * RATE))
             for p, start, end, rate in plans["tiers"]],
            schema={"plan_id": pl.String, "tier_from": pl.Int128, "tier_to": pl.Int128, "rate": pl.Int64},
            orient="row"),
    }
    return frames


def load(workspace: Path, plans: dict) -> dict[str, pl.DataFrame]:
    frames = scan(workspace, plans)
    return dict(zip(frames, pl.collect_all(list(frames.values()))))


def _within(column: str = "date") -> pl.Expr:
    return (pl.col(column) >= pl.col("f")) & (pl.col(column) < pl.col("t"))


def _rollup_closure(positions: pl.DataFrame) -> pl.DataFrame:
    """Every (position, ancestor) link over time: each version of each link, intersected up."""
    links = positions.filter(pl.col("reports_to").is_not_null()).select(
        "id", "reports_to", f="valid_from", t="valid_to")
    level = links.select(position_id="id", ancestor="reports_to", f="f", t="t")
    out = [level]
    for _ in range(64):
        level = (
            level.join(links, left_on="ancestor", right_on="id", suffix="_up")
            .with_columns(f=pl.max_horizontal("f", "f_up"), t=pl.min_horizontal("t", "t_up"))
            .filter(pl.col("f") < pl.col("t"))
            .select("position_id", ancestor="reports_to", f="f", t="t")
        )
        if level.height == 0:
            break
        out.append(level)
    return pl.concat(out)


def compute(f: dict, plans: dict, stages: dict | None = None) -> pl.LazyFrame:
    """Every payee's payout in cents; `stages`, if given, receives the intermediate frames."""
    lazy = {k: (v.lazy() if isinstance(v, pl.DataFrame) else v) for k, v in f.items()}
    year, base = plans["year"], plans["base"]
    first, after = date(year, 1, 1), date(year + 1, 1, 1)
    people, assignments = lazy["people"], lazy["assignments"]

    # Who holds which plan when; on which days each credit kind counts for which plan.
    held = (
        assignments.join(lazy["plan_assignments"], on="position_id", suffix="_pa")
        .join(people, left_on="person_id", right_on="id")
        .with_columns(
            f=pl.max_horizontal("valid_from", "valid_from_pa", "hire_date", pl.lit(first)),
            t=pl.min_horizontal("valid_to", "valid_to_pa", "termination_date", pl.lit(after)),
        )
        .filter(pl.col("f") < pl.col("t"))
        .select("person_id", "plan_id", "f", "t")
    )
    counts = held.join(lazy["plan_kinds"], on="plan_id")

    # Account → the holder of the seat owning its territory, over time.
    account_holder = (
        lazy["accounts"].join(lazy["territory_owners"], on="territory_id")
        .join(assignments, on="position_id", suffix="_a")
        .join(people.select("id"), left_on="person_id", right_on="id", how="semi")
        .with_columns(f=pl.max_horizontal("valid_from", "valid_from_a"), t=pl.min_horizontal("valid_to", "valid_to_a"))
        .filter(pl.col("f") < pl.col("t"))
        .select(account_id="id", person_id="person_id", position_id="position_id", f="f", t="t")
    )

    # Position → each ancestor's holder over time, on the days their roll-up credit counts.
    positions = f["positions"] if isinstance(f["positions"], pl.DataFrame) else f["positions"].collect()
    closure = _rollup_closure(positions).lazy()
    rollup_to = (
        closure.join(assignments, left_on="ancestor", right_on="position_id")
        .join(counts.filter(pl.col("kind") == "rollup"), on="person_id", suffix="_c")
        .with_columns(f=pl.max_horizontal("f", "valid_from", "f_c"), t=pl.min_horizontal("t", "valid_to", "t_c"))
        .filter(pl.col("f") < pl.col("t"))
        .select("position_id", "person_id", "plan_id", "f", "t")
    )

    splits = lazy["credit_splits"].join(people.select("id"), left_on="person_id", right_on="id", how="semi")
    primary = splits.filter(pl.col("role") == "primary").select("opportunity_id", "person_id", "share")
    overlays = splits.filter(pl.col("role") == "overlay").select("opportunity_id", "person_id", "share")

    # Counted transactions with their opportunity and account resolved.
    t = lazy["transactions"]
    in_year = (pl.col("date") >= first) & (pl.col("date") < after)
    plain_rows = t.filter((pl.col("kind") == "booking") & pl.col("original_id").is_null() & in_year).select(
        "date", "currency", "amount", opp="opportunity_id", acc="account_id")
    reversal_rows = (
        t.filter(pl.col("kind").is_in(["booking", "cancellation"]) & pl.col("original_id").is_not_null() & in_year)
        .join(t.select("id", o_kind="kind", o_opp="opportunity_id", o_acc="account_id"),
              left_on="original_id", right_on="id")
        .filter((pl.col("kind") == "booking") | (pl.col("o_kind") == "booking"))
        .select("date", "currency", "amount", opp=pl.coalesce("opportunity_id", "o_opp"),
                acc=pl.coalesce("account_id", "o_acc"))
    )
    rows0 = pl.concat([plain_rows, reversal_rows])
    counted = pl.concat([
        rows0.filter(pl.col("acc").is_not_null() | pl.col("opp").is_null()),
        rows0.filter(pl.col("acc").is_null())
        .join(lazy["opportunities"], left_on="opp", right_on="id")
        .select("date", "currency", "amount", "opp", acc="account_id"),
    ])

    # Each (person, position) assignment in the year cut into pieces inside which nothing that
    # decides pay changes: the month, the person's plan holding, the position's roll-up targets.
    assigned = (
        assignments.with_columns(f=pl.max_horizontal("valid_from", pl.lit(first)),
                                 t=pl.min_horizontal("valid_to", pl.lit(after)))
        .filter(pl.col("f") < pl.col("t"))
        .select("person_id", "position_id", "f", "t")
    )
    month_starts = pl.LazyFrame({"d": [date(year, m, 1) for m in range(2, 13)]})
    bounds_of_counts = pl.concat([counts.select("person_id", d="f"), counts.select("person_id", d="t")])
    bounds_of_rollup = pl.concat([rollup_to.select("position_id", d="f"), rollup_to.select("position_id", d="t")])
    inside = (pl.col("d") > pl.col("f")) & (pl.col("d") < pl.col("t"))
    cuts = pl.concat([
        assigned.select("person_id", "position_id", "f", "t", d="f"),
        assigned.join(month_starts, how="cross").filter(inside).select("person_id", "position_id", "f", "t", "d"),
        assigned.join(bounds_of_counts, on="person_id").filter(inside).select("person_id", "position_id", "f", "t", "d"),
        assigned.join(bounds_of_rollup, on="position_id").filter(inside).select("person_id", "position_id", "f", "t", "d"),
    ]).unique()
    # Sorted on a total order, so the row index (the piece's number) is the same wherever the
    # plan evaluates `pieces`.
    pieces = (
        cuts.sort("person_id", "position_id", "d")
        .with_columns(end=pl.col("d").shift(-1).over("person_id", "position_id", "f"))
        .select("person_id", "position_id", month=pl.col("d").dt.month(), f=pl.col("d"),
                t=pl.coalesce("end", "t"))
        .with_row_index("piece")
    )
    piece_direct = (
        pieces.join(counts.filter(pl.col("kind") == "direct"), on="person_id", suffix="_c")
        .filter((pl.col("f") >= pl.col("f_c")) & (pl.col("t") <= pl.col("t_c")))
        .select("piece", "person_id", "plan_id", "month")
    )
    piece_rollup = (
        pieces.join(rollup_to, on="position_id", suffix="_r")
        .filter((pl.col("f") >= pl.col("f_r")) & (pl.col("t") <= pl.col("t_r")))
        .select("piece", person_id="person_id_r", plan_id="plan_id", month="month")
    )

    # The org-side tables are small (10^4–10^5 rows) and each is read several times below:
    # computed once, together, before the pass over the transactions.
    primary_opps = primary.select("opportunity_id").unique()
    piece_targets = pl.concat([piece_direct, piece_rollup])
    (counts, account_holder, pieces, piece_targets, primary, overlays, primary_opps) = [
        frame.lazy() for frame in pl.collect_all(
            [counts, account_holder, pieces, piece_targets, primary, overlays, primary_opps])
    ]

    # Primary credit per piece, in millionths of a minor unit: by territory (no primary
    # split), or by split to the person's position on the day.
    territory = (
        counted.join(primary_opps, left_on="opp", right_on="opportunity_id", how="anti")
        .join(account_holder, left_on="acc", right_on="account_id")
        .filter(_within())
        .select("person_id", "position_id", "date", "currency", "amount", month=pl.col("date").dt.month())
        .join(pieces, on=["person_id", "position_id", "month"])
        .filter(_within())
        .group_by("piece", "currency")
        .agg(pl.col("amount").sum())
        .select("piece", "currency", units=pl.col("amount").cast(pl.Int128) * SHARE)
    )
    split = (
        counted.join(primary, left_on="opp", right_on="opportunity_id")
        .with_columns(month=pl.col("date").dt.month())
        .join(pieces, on=["person_id", "month"])
        .filter(_within())
        .group_by("piece", "currency")
        .agg(units=(pl.col("amount").cast(pl.Int128) * pl.col("share")).sum())
    )
    direct = pl.concat([territory, split])
    overlay = (
        counted.join(overlays, left_on="opp", right_on="opportunity_id")
        .join(counts.filter(pl.col("kind") == "overlay"), on="person_id").filter(_within())
        .group_by(pl.col("person_id"), pl.col("plan_id"), pl.col("date").dt.month().alias("month"), pl.col("currency"))
        .agg(units=(pl.col("amount").cast(pl.Int128) * pl.col("share")).sum())
    )

    month_key = ["person_id", "plan_id", "month", "currency"]
    # Each piece's sum goes to the person's own plan (direct) and up the line (roll-up): one
    # join with both target lists, so the pass over the transactions is planned once.
    by_month = pl.concat([
        direct.join(piece_targets, on="piece").group_by(month_key).agg(pl.col("units").sum()),
        overlay.select(month_key + ["units"]),
    ])

    # Month sums in the base currency at the rate of the first of the month (1e-16 units).
    months = pl.LazyFrame({"month": list(range(1, 13))}, schema={"month": pl.Int8})
    rates = (
        months.with_columns(day=pl.date(year, pl.col("month"), 1))
        .join(lazy["fx_rates"].filter(pl.col("to_currency") == base), how="cross")
        .filter((pl.col("day") >= pl.col("valid_from")) & (pl.col("day") < pl.col("valid_to")))
        .select("month", currency="from_currency", rate="rate")
    )
    monthly = (
        by_month.with_columns(pl.col("currency").cast(pl.String))
        .join(rates, on=["month", "currency"], how="left")
        .with_columns(rate=pl.when(pl.col("currency") == base).then(RATE).otherwise(pl.col("rate")))
        .group_by("person_id", "plan_id", "month")
        .agg(total=(pl.col("units") * pl.col("rate")).sum())
    )

    statements = (
        held.join(months, how="cross")
        .filter((pl.col("f") < pl.date(year, pl.col("month"), 1).dt.offset_by("1mo"))
                & (pl.date(year, pl.col("month"), 1) < pl.col("t")))
        .select("person_id", "plan_id", "month")
        .unique()
    )
    ytd = (
        statements.join(monthly, on=["person_id", "plan_id", "month"], how="left")
        .sort("month")
        .with_columns(measure=pl.col("total").fill_null(0).cast(pl.Int128).cum_sum().over("person_id", "plan_id"))
    )
    earned = (
        ytd.join(lazy["plan_tiers"], on="plan_id")
        .with_columns(top=pl.when(pl.col("tier_to").is_null()).then(pl.col("measure"))
                      .otherwise(pl.min_horizontal("measure", "tier_to")))
        .with_columns(slice=pl.when(pl.col("measure") <= pl.col("tier_from")).then(0)
                      .otherwise(pl.col("top") - pl.col("tier_from")).cast(pl.Int128))
        .group_by("person_id", "plan_id", "month")
        .agg(earned=(pl.col("slice") * pl.col("rate")).sum())  # 1e-24 units
    )

    # The lines, month by month: paid so far p (cents); this month's line is
    # round_half_even(earned − p), computed in 1e-24 units (a cent is 1e22 of them).
    cent = pl.lit(10**22, dtype=pl.Int128)
    half = pl.lit(5 * 10**21, dtype=pl.Int128)
    wide = earned.group_by("person_id", "plan_id").agg(
        [pl.col("earned").filter(pl.col("month") == m).first().alias(f"e{m}") for m in range(1, 13)]
    ).with_columns(p0=pl.lit(0, dtype=pl.Int128))
    for m in range(1, 13):
        d = pl.col(f"e{m}") - pl.col(f"p{m - 1}") * cent
        wide = wide.with_columns(q=d // cent, r=d % cent).with_columns(
            pl.when(pl.col(f"e{m}").is_null()).then(pl.col(f"p{m - 1}"))
            .otherwise(pl.col(f"p{m - 1}") + pl.col("q")
                       + pl.when(pl.col("r") > half).then(1)
                       .when(pl.col("r") < half).then(0)
                       .when(pl.col("q") % 2 == 0).then(0)
                       .otherwise(1))
            .cast(pl.Int128).alias(f"p{m}")
        )
    if stages is not None:
        stages.update(account_holder=account_holder, rollup_to=rollup_to, pieces=pieces, piece_targets=piece_targets, counted=counted, territory=territory,
                      split=split, overlay=overlay, by_month=by_month, monthly=monthly, ytd=ytd, earned=earned,
                      wide=wide)
    return wide.group_by("person_id").agg(payout_cents=pl.col("p12").sum())
