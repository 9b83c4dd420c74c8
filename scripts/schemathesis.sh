#!/usr/bin/env bash
# Checks onair's REST API the way an independent client would: schemathesis (from PyPI)
# reads the server's own /openapi.json, generates valid and invalid requests for every
# operation, and fails on any 5xx, any answer the spec does not document (status, content
# type, body), valid data refused or invalid data accepted, and one tenant reading another's
# objects. X Spaces are served by the fake X. The exceptions, with their reasons, are in
# tests/schemathesis/schemathesis.toml. Exits non-zero on any finding.
#
#   scripts/schemathesis.sh path/to/onair   # use a built binary (onair-fake-x beside it)
#   scripts/schemathesis.sh                 # build both with cargo
#
# SCHEMATHESIS_SEED picks another seed (the default one keeps runs reproducible);
# SCHEMATHESIS_MAX_EXAMPLES sets how many cases each operation gets per phase.
set -euo pipefail

SCHEMATHESIS_VERSION=4.32.5
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
SEED="${SCHEMATHESIS_SEED:-1}"
MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-50}"
APP_TOKEN="AAAAAAAAAAAAAAAAAAAAAschemathesisCheckAppToken"

BIN="${1:-${ONAIR_BIN:-}}"
if [[ -z "$BIN" ]]; then
  (cd "$ROOT" && cargo build --quiet --bin onair --bin onair-fake-x)
  BIN="$TARGET_DIR/debug/onair"
fi
FAKE_X_BIN="${ONAIR_FAKE_X_BIN:-$(dirname "$BIN")/onair-fake-x}"
for bin in "$BIN" "$FAKE_X_BIN"; do
  if [[ ! -x "$bin" ]]; then
    echo "schemathesis: no binary at $bin" >&2
    exit 1
  fi
done
absolute() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
BIN="$(absolute "$BIN")"
FAKE_X_BIN="$(absolute "$FAKE_X_BIN")"

mkdir -p "$TARGET_DIR"
VENV="$(absolute "$TARGET_DIR/schemathesis-venv")"
if ! "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('schemathesis') != '$SCHEMATHESIS_VERSION')" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
  echo "schemathesis: $*" >&2
  for log in "$WORK"/*.log; do
    echo "--- $(basename "$log")" >&2
    tail -n 20 "$log" >&2
  done
  exit 1
}

# Only this script's settings reach the processes it starts.
for var in $(compgen -e | grep '^ONAIR_' || true); do unset "$var"; done

# The fake X, with limits the run cannot spend: an upstream 429 would be answered with 503.
"$FAKE_X_BIN" --port 0 --token "$APP_TOKEN" --rate-limit 1000000 --creator-ids-per-second 0 \
  >"$WORK/fake-x.out" 2>"$WORK/fake-x.log" &
PIDS+=("$!")
for _ in $(seq 1 100); do
  [[ $(wc -l <"$WORK/fake-x.out") -ge 2 ]] && break
  kill -0 "${PIDS[-1]}" 2>/dev/null || break
  sleep 0.1
done
[[ $(wc -l <"$WORK/fake-x.out") -ge 2 ]] || fail "the fake X did not start"
X_URL="$(head -n 1 "$WORK/fake-x.out")"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
export ONAIR_DATABASE_URL="sqlite://$WORK/data/onair.db"
export ONAIR_SECRET_KEY="schemathesis-check-secret-key-0123456789abcdef"
export ONAIR_LISTEN="127.0.0.1:$PORT"
export ONAIR_PROVIDERS__X__BASE_URL="$X_URL"
export ONAIR_PROVIDERS__X__BEARER_TOKEN="$APP_TOKEN"
export ONAIR_PROVIDERS__X__CREATOR_IDS_MIN_INTERVAL_MS=0
export ONAIR_RATE_LIMIT__PER_MINUTE=1000000
export ONAIR_RATE_LIMIT__BURST=100000
export ONAIR_LOG_LEVEL=warn

# Two tenants; the run acts as the first and checks that the second sees none of its objects.
api_key() {
  (cd "$WORK" && "$BIN" tenant create --name "$1" --json) |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["api_key"])'
}
OWNER_KEY="$(api_key schemathesis-owner)"
OTHER_KEY="$(api_key schemathesis-other)"

(cd "$WORK" && exec "$BIN" serve >"$WORK/onair.log" 2>&1) &
PIDS+=("$!")
for _ in $(seq 1 100); do
  curl -fs "$BASE/readyz" >/dev/null 2>&1 && break
  kill -0 "${PIDS[-1]}" 2>/dev/null || break
  sleep 0.1
done
curl -fs "$BASE/readyz" >/dev/null 2>&1 || fail "onair did not start"

ONAIR_CHECK_SPARE_KEY_ID=$(curl -fs -X POST "$BASE/v1/api-keys" \
  -H "Authorization: Bearer $OWNER_KEY" -H "Content-Type: application/json" -d '{"name": "spare"}' |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["data"]["id"])')
export ONAIR_CHECK_SPARE_KEY_ID
export ONAIR_CHECK_AUTH_FILE="$WORK/auth.json"
cat >"$ONAIR_CHECK_AUTH_FILE" <<EOF
{"auth": [
  {"name": "owner", "fixedHeaders": [{"name": "Authorization", "value": "Bearer $OWNER_KEY"}]},
  {"name": "other", "fixedHeaders": [{"name": "Authorization", "value": "Bearer $OTHER_KEY"}]}
]}
EOF

# Run from the work directory: schemathesis keeps its cache and reports there.
status=0
(cd "$WORK" && "$VENV/bin/schemathesis" --config-file "$ROOT/tests/schemathesis/schemathesis.toml" \
  run "$BASE/openapi.json" --max-examples "$MAX_EXAMPLES" --seed "$SEED" \
  --generation-database none --no-color) || status=$?
if [[ $status -ne 0 ]]; then
  fail "findings above (seed $SEED; schemathesis exited $status)"
fi
echo "schemathesis: ok (seed $SEED, $MAX_EXAMPLES examples per operation and phase)"
