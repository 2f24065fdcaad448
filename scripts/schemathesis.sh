#!/usr/bin/env bash
# Checks that the API matches its own OpenAPI document: schemathesis (pinned, in a virtualenv)
# runs every operation of /api/openapi.json against a real `attain serve` on a throwaway
# SQLite demo database, once per role with that role's API token, and fails on any failure.
#
#   scripts/schemathesis.sh            # bounded examples per operation (the CI budget)
#   EXAMPLES=100 scripts/schemathesis.sh
#
# Everything it writes (venv aside) lives in a temporary directory removed on exit, so the
# destructive operations it fuzzes (PUT, POST, DELETE) only ever touch the throwaway database.
# The stateful phase is off: it would feed ids read from responses into DELETE and disable
# calls, revoking the run's own token or disabling the next role's user half-way through; the
# other phases send generated ids, which name nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

version="4.32.5"
examples="${EXAMPLES:-8}"
target="${CARGO_TARGET_DIR:-target}"
venv="${SCHEMATHESIS_VENV:-$target/schemathesis-venv}"
work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$version"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi
"$venv/bin/schemathesis" --version

cargo build --locked --quiet -p attain-cli
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

failed=0
while read -r role secret; do
  echo
  echo "== schemathesis as $role"
  if ! "$venv/bin/schemathesis" --config-file scripts/schemathesis.toml run "$base/api/openapi.json" \
      --header "Authorization: Bearer $secret" \
      --max-examples "$examples" --seed 1 --no-shrink --workers 1 \
      --phases examples,coverage,fuzzing --generation-with-security-parameters false \
      --generation-database none \
      --report junit --report-junit-path "$work/junit-$role.xml" \
      --no-color; then
    failed=1
  fi
done < "$work/tokens"
if [ "$failed" -ne 0 ]; then
  echo "schemathesis found failures (server log follows)" >&2
  tail -n 50 "$work/serve.log" >&2
  exit 1
fi
echo "schemathesis: every operation conforms for every role"
