#!/usr/bin/env bash
# Issue 16 part 15: schemathesis (from PyPI) over the served OpenAPI document of a fresh
# demo, logged out and logged in as the office (with its second factor, through an API
# token), bounded in time; fails on any 5xx or any response that does not match the
# document. Usage: scripts/schemathesis.sh [path to the anjian binary] (default: the
# debug build under $CARGO_TARGET_DIR, which the test build leaves there).
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
bin="${1:-$target/debug/anjian}"
venv="${ANJIAN_VENV:-/var/tmp/anjian-venv}"
seconds="${SCHEMATHESIS_SECONDS:-60}"
port="${SCHEMATHESIS_PORT:-18931}"
password='Schema#2022check'
secret='JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'

if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q 'schemathesis==4.32.5'
fi
st="$venv/bin/schemathesis"

dir="$(mktemp -d)"
ANJIAN_DEMO_PASSWORD="$password" ANJIAN_DEMO_TOTP_SECRET="$secret" \
  "$bin" demo --data-dir "$dir" --bind "127.0.0.1:$port" >"$dir/out.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$dir"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 300); do
  curl -fs "$base/healthz" >/dev/null 2>&1 && break
  sleep 1
done
curl -fs "$base/healthz" >/dev/null || { cat "$dir/out.log"; exit 1; }

checks=not_a_server_error,response_schema_conformance
# The coverage phase is left out: schemathesis 4.32.5 raised an internal KeyError in its
# coverage module on a CI run (every generated case had passed); the examples, fuzzing
# and stateful phases still generate every operation's cases.
common=(--checks "$checks" --max-time "$seconds" --workers 2 --seed 20221205 --no-color
  --phases examples,fuzzing,stateful)

# The office's token first: the logged-out run spends the login route's rate limit.
code="$(python3 - "$secret" <<'EOF'
import base64, hashlib, hmac, struct, sys, time
key = base64.b32decode(sys.argv[1])
mac = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
o = mac[-1] & 15
print("%06d" % ((struct.unpack(">I", mac[o:o + 4])[0] & 0x7FFFFFFF) % 1000000))
EOF
)"
jar="$dir/cookies"
curl -fs -c "$jar" -H 'content-type: application/json' \
  -d "{\"username\":\"office\",\"password\":\"$password\",\"totp\":\"$code\"}" \
  "$base/api/v1/auth/login" >/dev/null
token="$(curl -fs -b "$jar" -H 'content-type: application/json' \
  -d '{"name":"schemathesis","days":1}' "$base/api/v1/tokens" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')"
echo "== schemathesis, logged out"
"$st" run "$base/api/v1/openapi.json" "${common[@]}"

echo "== schemathesis, logged in as the office"
# Ending the sessions or changing the password would only log the run out.
"$st" run "$base/api/v1/openapi.json" "${common[@]}" \
  -H "Authorization: Bearer $token" \
  --exclude-path /api/v1/auth/logout --exclude-path /api/v1/me/password
