#!/usr/bin/env bash
# Attain side by side with DuckDB (plain and tuned SQL), Polars (tuned) and PostgreSQL
# (tuned) on the generated company: every peer must pay every payee exactly what Attain pays.
#
#   bench/run.sh [SIZES...]        (default: 100000)
#
# For each size: `attain generate` the company once as Parquet (and once as CSV, for
# PostgreSQL's COPY) into a scratch directory; run Attain's scale bench (compute-only: the
# engine over a resident fact store), writing each payee's full-year payout; unless
# BENCH_MODES=compute, time Attain end to end (bench/attain_e2e.py: `attain calc --workspace`
# over the Parquet files) and check its payouts against the scale bench's; run each peer
# (bench/peers/run_peer.py: compute-only and end to end, median of BENCH_RUNS after a warm-up,
# peak RSS); compare every peer's payouts with Attain's (bench/compare.py: the first differing
# payee is printed and the run fails). Then the figures go into BENCHMARKS.md, section "Side by
# side: Attain, DuckDB, Polars, PostgreSQL", one block per size (a later run of a size replaces
# its block).
#
# Settings (environment):
#   BENCH_RUNS=5            timed runs per figure, after one warm-up
#   BENCH_PEERS="duckdb_plain duckdb_tuned polars_tuned postgres_tuned"
#   BENCH_MODES=both        compute | e2e | both (the peers' figures to take)
#   BENCH_PROFILE=release   release | debug (debug reuses a `cargo test` build: bench/ci.sh)
#   BENCH_WRITE=1           0: do not touch BENCHMARKS.md (never written for a size where a
#                           peer's payouts differ from Attain's; a peer that did not finish is
#                           marked so in its block)
#   BENCH_DUCKDB_MEMORY=12GB  DuckDB's memory_limit (it spills or stops there, never taking the
#                           shared machine down)
#   BENCH_PG=postgresql://postgres@127.0.0.1:5432   (trust auth; database attain_bench_<pid>)
#   BENCH_SCRATCH=bench/scratch                      (removed afterwards)
# duckdb and polars (and psycopg, PostgreSQL's client) are installed from PyPI into
# bench/.venv on first use (bench/requirements.txt pins the versions).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# Where cargo puts its builds (CARGO_TARGET_DIR, as cargo reads it).
target_dir=${CARGO_TARGET_DIR:-$root/target}
if [ "$#" -gt 0 ]; then sizes=("$@"); else sizes=(100000); fi
runs=${BENCH_RUNS:-5}
peers=${BENCH_PEERS:-duckdb_plain duckdb_tuned polars_tuned postgres_tuned}
modes=${BENCH_MODES:-both}
profile=${BENCH_PROFILE:-release}
write=${BENCH_WRITE:-1}
pg=${BENCH_PG:-postgresql://postgres@127.0.0.1:5432}
scratch_root=${BENCH_SCRATCH:-$root/bench/scratch}
venv=$root/bench/.venv
db=attain_bench_$$
scratch=$scratch_root/run-$$
started=$(date +%s)
say() { echo "== $* ($(( $(date +%s) - started ))s)" >&2; }

cleanup() {
  local status=$?
  if [ "${db_made:-0}" = 1 ]; then
    psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 ||
      echo "could not drop database $db" >&2
  fi
  rm -rf "$scratch"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "Python environment (bench/.venv)"
if ! "$venv/bin/python" -c 'import duckdb, polars, psycopg' >/dev/null 2>&1; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r bench/requirements.txt
fi
py=$venv/bin/python

say "building attain and the scale bench ($profile)"
if [ "$profile" = release ]; then
  cargo build --quiet -p attain-cli --release
  cargo bench --quiet -p attain-bench --bench scale --no-run
  attain=$target_dir/release/attain
  scale_bench() { cargo bench --quiet -p attain-bench --bench scale; }
else
  # --workspace, as CI's `cargo test --workspace` built it: selecting one package would unify
  # dependency features differently and rebuild much of the tree.
  cargo build --quiet --workspace --bins
  cargo test --quiet --workspace --bench scale --no-run
  attain=$target_dir/debug/attain
  scale_bench() { cargo test --quiet --workspace --bench scale; }
fi

needs_pg=0
case " $peers " in *" postgres_tuned "*) needs_pg=1 ;; esac
if [ "$needs_pg" = 1 ]; then
  say "PostgreSQL database $db"
  psql "$pg/postgres" -qc "CREATE DATABASE $db" >/dev/null
  db_made=1
fi

mkdir -p "$scratch"
passed=0
failed=0
for n in "${sizes[@]}"; do
  dir=$scratch/$n
  mkdir -p "$dir"
  say "$n transactions: generating the company (Parquet, and CSV for PostgreSQL)"
  "$attain" generate --transactions "$n" --out "$dir/parquet" --format parquet >"$dir/generate.log"
  if [ "$needs_pg" = 1 ]; then
    "$attain" generate --transactions "$n" --out "$dir/csv" --format csv >>"$dir/generate.log"
  fi

  say "$n transactions: Attain (scale bench, compute-only)"
  ATTAIN_BENCH_TRANSACTIONS=$n ATTAIN_BENCH_RUNS=$runs ATTAIN_BENCH_PAYOUTS=$dir/attain.csv scale_bench \
    | tee "$dir/attain.log" >&2
  failed_here=0
  # Attain end to end, as a user runs it: `attain calc --workspace` over the Parquet workspace
  # (files read into memory, every row checked, the year calculated), when the peers' end-to-end
  # figures are taken too; its payouts must be the compute-only ones.
  if [ "$modes" != compute ]; then
    say "$n transactions: Attain (end to end, attain calc --workspace)"
    if ! "$py" bench/attain_e2e.py "$attain" --workspace "$dir/parquet" --runs "$runs" \
        --out "$dir/attain-e2e.csv" --json "$dir/attain-e2e.json"; then
      echo "FAIL: attain calc --workspace did not finish at $n transactions (see above)" >&2
      failed=$((failed + 1))
      failed_here=1
    elif "$py" bench/compare.py "$dir/attain.csv" "$dir/attain-e2e.csv" --name "attain calc --workspace"; then
      passed=$((passed + 1))
    else
      echo "FAIL: attain calc --workspace does not pay what the scale bench pays at $n transactions" >&2
      failed=$((failed + 1))
      failed_here=1
    fi
  fi

  unfinished=""
  for peer in $peers; do
    say "$n transactions: $peer"
    extra=()
    if [ "$peer" = postgres_tuned ]; then
      extra=(--csv-workspace "$dir/csv" --dsn "$pg/$db")
    fi
    if ! "$py" bench/peers/run_peer.py "$peer" --workspace "$dir/parquet" --runs "$runs" --mode "$modes" \
        --out "$dir/$peer.csv" --json "$dir/$peer.json" "${extra[@]}"; then
      # Did not finish (out of memory, a crash): reported as such, and the run fails.
      echo "FAIL: $peer did not finish at $n transactions (see above)" >&2
      unfinished="$unfinished $peer"
      failed=$((failed + 1))
    elif "$py" bench/compare.py "$dir/attain.csv" "$dir/$peer.csv" --name "$peer"; then
      passed=$((passed + 1))
    else
      echo "FAIL: $peer does not pay what Attain pays at $n transactions (see above)" >&2
      failed=$((failed + 1))
      failed_here=1
    fi
  done

  if [ "$write" = 1 ] && [ "$failed_here" = 0 ]; then
    say "$n transactions: writing BENCHMARKS.md"
    "$py" bench/report.py --size "$n" --dir "$dir" --runs "$runs" --peers "$peers" --unfinished "$unfinished" \
      --benchmarks BENCHMARKS.md
  fi
  rm -rf "$dir/parquet" "$dir/csv"
done
echo "peers: $passed passed, $failed failed"
if [ "$failed" -gt 0 ]; then
  say "a peer does not pay what Attain pays (or failed to run): see above"
  exit 1
fi
say "done: every peer pays every payee what Attain pays"
