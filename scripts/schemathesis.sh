#!/usr/bin/env bash
# Checks that the API matches its own OpenAPI document: schemathesis (pinned, in a virtualenv)
# runs every operation of /api/openapi.json against a real `attain serve` on a throwaway
# SQLite demo database, once per role with that role's API token, and fails on any failure.
#
#   scripts/schemathesis.sh            # bounded examples per operation (the CI budget)
#   EXAMPLES=100 scripts/schemathesis.sh
#   REPORTS=DIR scripts/schemathesis.sh   # keep each run's JUnit report and VCR cassette in DIR
#
# Everything it writes (venv aside) lives in a temporary directory removed on exit, so the
# destructive operations it fuzzes (PUT, POST, DELETE) only ever touch the throwaway database.
#
# Each role's token must stay alive for the whole of that role's run, or the run proves
# nothing about the role. The fuzzing phase feeds values it reads from responses back into
# paths, so with every operation in one run each role revoked its own token (GET /tokens, then
# DELETE /tokens/{id}) and the admin reset other demo users' passwords (GET /users, then POST
# /users/{login}/password), which revokes their tokens. So there are two rounds:
#   1. every role, every operation except the three that take credentials away (disabling a
#      user, setting a password, revoking a token), in two lanes side by side;
#   2. every role, those three with the ones that give them something to act on (GET and POST
#      /users, POST /tokens, enable) and none that lists token ids (GET /tokens, GET /audit):
#      the only tokens a run can revoke are those it made itself. One role at a time, the
#      admin last, as it is the one role that can disable or reset the others (itself it cannot:
#      the server refuses, and if it ever did not, the check below would fail).
# Afterwards scripts/schemathesis_statuses.py counts each run's test cases by the status of the
# answer and fails the step if a run's token died (more than a small share of 401s) or a run
# got no 2xx. docs/api.md (Conformance) has the figures.
# The stateful phase is off (time budget): the fuzzing phase already reuses ids it reads.
set -euo pipefail
cd "$(dirname "$0")/.."

version="4.32.5"
examples="${EXAMPLES:-8}"
# With a live token no test case is answered 401 (measured: none); a token revoked part-way
# through a run showed as 6% and more.
max_401_percent=1
target="${CARGO_TARGET_DIR:-target}"
venv="${SCHEMATHESIS_VENV:-$target/schemathesis-venv}"
work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
reports="${REPORTS:-$work}"
mkdir -p "$reports"

if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$version"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi
"$venv/bin/schemathesis" --version

# --workspace, as CI's `cargo test --workspace` built it: selecting one package would unify
# features differently and rebuild half the dependency tree (minutes) for the same binary.
cargo build --locked --quiet --workspace --bins
attain="$target/debug/attain"
export ATTAIN_DATABASE_URL="sqlite://$work/attain.db"
"$attain" demo --no-serve > "$work/demo.txt"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
RUST_LOG=warn "$attain" serve --listen "127.0.0.1:$port" > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  if python3 -c "import urllib.request; urllib.request.urlopen('$base/api/health')" 2>/dev/null; then break; fi
  sleep 0.2
done

# One API token per demo role, made the way a person would: sign in, then POST /api/v1/tokens.
"$venv/bin/python" - "$base" "$work/demo.txt" "$work/tokens" <<'PY'
import re, sys
import requests

base, demo, out = sys.argv[1], sys.argv[2], sys.argv[3]
# The demo prints "  <role label>  <login>  <password> (<person>)" per demo user.
roles = {"Administrator": "admin", "Comp admin / sales ops": "comp_admin", "Finance": "finance",
         "Executive": "executive", "Sales manager": "manager", "Sales rep": "rep"}
tokens = []
for line in open(demo, encoding="utf-8"):
    line = line.rstrip()
    for label, role in roles.items():
        m = re.match(r"^\s+" + re.escape(label) + r"\s{2,}(\S+)\s+(\S+)", line)
        if m and role not in dict(tokens):
            login, password = m.group(1), m.group(2)
            s = requests.Session()
            page = s.get(f"{base}/login").text
            csrf = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
            r = s.post(f"{base}/login", data={"login": login, "password": password, "_csrf": csrf},
                       allow_redirects=False)
            assert r.status_code in (302, 303), (login, r.status_code, r.text[:300])
            page = s.get(f"{base}/account").text
            csrf = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
            r = s.post(f"{base}/api/v1/tokens", json={"name": "schemathesis"}, headers={"X-CSRF-Token": csrf})
            assert r.status_code == 201, (login, r.status_code, r.text)
            tokens.append((role, r.json()["secret"]))
assert len(tokens) == 6, f"expected a token per role, got {[r for r, _ in tokens]}"
with open(out, "w") as f:
    for role, secret in tokens:
        f.write(f"{role} {secret}\n")
PY

# Round 1 leaves out, and round 2 is made of, these operations (names as schemathesis gives them);
# one variable for both, so an operation cannot fall out of both rounds.
revoking='POST /api/v1/users/\{login\}/(disable|password)|DELETE /api/v1/tokens/\{id\}'
round2="^($revoking|(GET|POST) /api/v1/users|POST /api/v1/users/\\{login\\}/enable|POST /api/v1/tokens)\$"
secret_of() { awk -v role="$1" '$1 == role { print $2 }' "$work/tokens"; }

# run ROLE LABEL FILTER...: one schemathesis run with ROLE's token, its output in LABEL.log
# and its cassette kept for the status count.
run() {
  local role=$1 label=$2
  shift 2
  "$venv/bin/schemathesis" --config-file scripts/schemathesis.toml run "$base/api/openapi.json" \
    "$@" \
    --header "Authorization: Bearer $(secret_of "$role")" \
    --max-examples "$examples" --seed 1 --no-shrink --workers 1 \
    --phases examples,coverage,fuzzing --generation-with-security-parameters false \
    --generation-database none \
    --report junit,vcr --report-junit-path "$reports/junit-$label.xml" \
    --report-vcr-path "$reports/$label.yaml" \
    --no-color > "$reports/$label.log" 2>&1
}
# lane ROLE...: round 1 for these roles, one after another; fails if any run failed.
lane() {
  local status=0 role
  for role in "$@"; do
    run "$role" "$role" --exclude-name-regex "^($revoking)\$" || status=1
  done
  return "$status"
}

# Round 1 in two lanes, one per core: nothing in it can take a token away, so the roles may run
# side by side. (--workers above 1 would share one Python process, and hypothesis's threads
# break there: "AST constructor recursion depth mismatch".)
failed=0
lane admin finance rep & first=$!
lane comp_admin manager executive || failed=1
wait "$first" || failed=1
# Round 2 one role at a time, the admin last: it is the one that can disable the others or
# reset their passwords.
for role in comp_admin finance manager rep executive admin; do
  run "$role" "$role-credentials" --include-name-regex "$round2" || failed=1
done

runs=()
for label in admin comp_admin finance manager rep executive \
    comp_admin-credentials finance-credentials manager-credentials rep-credentials \
    executive-credentials admin-credentials; do
  echo
  echo "== schemathesis: $label"
  cat "$reports/$label.log"
  runs+=("$label=$reports/$label.yaml")
done
echo
echo "== test cases per run under /api/v1, by the status of the answer"
if ! "$venv/bin/python" scripts/schemathesis_statuses.py "$max_401_percent" "${runs[@]}"; then
  failed=1
fi
if [ "$failed" -ne 0 ]; then
  echo "schemathesis found failures (server log follows)" >&2
  tail -n 50 "$work/serve.log" >&2
  exit 1
fi
echo "schemathesis: every operation conforms for every role, and every role's token held"
