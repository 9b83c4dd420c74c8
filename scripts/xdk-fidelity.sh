#!/usr/bin/env bash
# Checks the fake X API (onair-fake-x) against X's official Python SDK, xdk: every Spaces
# endpoint called through xdk's client must parse, and every error must surface the way xdk
# surfaces X's errors. Exits non-zero on any failure.
#
#   ONAIR_FAKE_X_BIN=path/to/onair-fake-x scripts/xdk-fidelity.sh   # use a built binary
#   scripts/xdk-fidelity.sh                                          # build it with cargo
set -euo pipefail

XDK_VERSION=0.10.6
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
APP_TOKEN="AAAAAAAAAAAAAAAAAAAAAxdkFidelityCheckAppToken"
USER_TOKEN="xdkFidelityCheckUserTokenOjE6YXQ"
CREATOR_ID="1065249714214457345" # the creator of the seed's ticketed Space

if [[ -n "${ONAIR_FAKE_X_BIN:-}" ]]; then
  BIN="$ONAIR_FAKE_X_BIN"
else
  (cd "$ROOT" && cargo build --quiet -p onair-testkit --bin onair-fake-x)
  BIN="$TARGET_DIR/debug/onair-fake-x"
fi
if [[ ! -x "$BIN" ]]; then
  echo "xdk-fidelity: no onair-fake-x binary at $BIN" >&2
  exit 1
fi

VENV="$TARGET_DIR/xdk-venv"
if ! "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('xdk') != '$XDK_VERSION')" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "xdk==$XDK_VERSION"
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

# Starts a fake on a free port with the given extra arguments; sets URL to its base URL.
start_fake() {
  local name="$1"
  shift
  "$BIN" --port 0 --token "$APP_TOKEN" --user-token "$CREATOR_ID:$USER_TOKEN" "$@" \
    >"$WORK/$name.out" 2>"$WORK/$name.err" &
  PIDS+=("$!")
  for _ in $(seq 1 100); do
    if [[ $(wc -l <"$WORK/$name.out") -ge 2 ]]; then
      URL="$(head -n 1 "$WORK/$name.out")"
      return 0
    fi
    if ! kill -0 "$!" 2>/dev/null; then
      break
    fi
    sleep 0.1
  done
  echo "xdk-fidelity: the $name fake did not start" >&2
  cat "$WORK/$name.err" >&2
  exit 1
}

start_fake x --problem-host x
X_URL="$URL"
start_fake twitter --problem-host twitter
TWITTER_URL="$URL"
# The faults tests/xdk/check_fake_x.py expects, in its order.
start_fake faults --problem-host x \
  --fault credits-depleted --fault client-forbidden --fault unsupported-authentication \
  --fault usage-capped --fault rate-limited \
  --fault status-500 --fault status-502 --fault status-503 --fault status-504 \
  --fault malformed-body --fault truncated-body --fault drop-connection
FAULTS_URL="$URL"

"$VENV/bin/python" "$ROOT/tests/xdk/check_fake_x.py" \
  --x-url "$X_URL" --twitter-url "$TWITTER_URL" --faults-url "$FAULTS_URL" \
  --app-token "$APP_TOKEN" --user-token "$USER_TOKEN"
