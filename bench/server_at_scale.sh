#!/usr/bin/env bash
# The server under load at scale (issue E1, item 6): a generated company of N transactions
# imported into SQLite, a month run, a rep, a manager and an admin with the bench password;
# then the load bench's scale mode (crates/attain-bench/benches/load.rs) serves it and hits
# the rep's statement, the manager's team statements and the transactions list.
#
#   cargo build --release -p attain-cli
#   bench/server_at_scale.sh 10000000        # N transactions (default 1000000)
#
# The prepared database is kept in $ATTAIN_SCALE_DIR (default /tmp/attain-scale-N) and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000000}"
bin="${ATTAIN_BIN:-target/release/attain}"
dir="${ATTAIN_SCALE_DIR:-/tmp/attain-scale-$n}"
month="${ATTAIN_BENCH_MONTH:-2025-01}"
password="BenchPassword2026" # the load bench's
db="$dir/attain.db"
mkdir -p "$dir"
timed() { local t0; t0=$(date +%s.%N); "$@"; echo "  $(echo "$(date +%s.%N) - $t0" | bc) s: $*" >&2; }

if [ ! -f "$dir/workspace/company.csv" ]; then
  timed "$bin" generate --transactions "$n" --out "$dir/workspace"
fi
if [ ! -f "$dir/ready" ]; then
  rm -f "$db" "$db-wal" "$db-shm"
  timed "$bin" import "$dir/workspace" --db "$db"
  timed "$bin" pay run --period "$month" --db "$db" > /dev/null
  # A manager with reps below them in the month, and one of those reps.
  read -r manager rep < <(python3 - "$dir/workspace" "$month-15" <<'PY'
import csv, sys
ws, day = sys.argv[1], sys.argv[2]
def rows(name):
    with open(f"{ws}/{name}.csv", newline="") as f:
        return list(csv.DictReader(f))
def current(r):
    return r["valid_from"] <= day and (not r.get("valid_to") or day < r["valid_to"])
positions = [p for p in rows("positions") if current(p)]
holder = {a["position_id"]: a["person_id"] for a in rows("assignments") if current(a)}
for m in positions:
    if m["role"] != "manager" or m["id"] not in holder:
        continue
    reps = [p for p in positions if p.get("reports_to") == m["id"] and p["role"] == "rep" and p["id"] in holder]
    if reps:
        print(holder[m["id"]], holder[reps[0]["id"]])
        break
PY
)
  for user in "admin admin" "manager manager $manager" "rep rep $rep"; do
    set -- $user
    echo "$password" | "$bin" user add "$1" --role "$2" --name "Bench $1" ${3:+--person "$3"} \
      --password-stdin --db "$db" > /dev/null
  done
  touch "$dir/ready"
fi
ls -l "$db"
ATTAIN_BENCH_DB="$db" ATTAIN_BENCH_MONTH="$month" ATTAIN_BIN="$bin" \
  cargo bench -p attain-bench --bench load
