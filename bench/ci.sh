#!/usr/bin/env bash
# CI's check that the peers still agree with Attain (issue E1, item 5): the 100,000-transaction
# company only, every peer's per-payee payouts against Attain's; any mismatch (or a peer that
# fails to run) fails. Compute-only, one timed run after the warm-up, BENCHMARKS.md untouched,
# and the debug build CI's test step has already made (BENCH_PROFILE=release for release).
# Needs PostgreSQL at 127.0.0.1:5432 (trust auth) and PyPI for bench/.venv on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
export BENCH_RUNS="${BENCH_RUNS:-1}"
export BENCH_MODES="${BENCH_MODES:-compute}"
export BENCH_WRITE=0
export BENCH_PROFILE="${BENCH_PROFILE:-debug}"
exec bench/run.sh 100000
