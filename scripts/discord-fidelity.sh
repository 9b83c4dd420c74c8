#!/usr/bin/env bash
# Checks the fake Discord (onair-fake-discord) against two independent Python clients of
# Discord's HTTP API, discord.py and hikari (from PyPI): every route called through each
# library must parse into its models, Discord's errors must surface as its own exception
# types with Discord's codes, and 429s must be waited out as rate limits. Exits non-zero on
# any failure.
#
#   ONAIR_FAKE_DISCORD_BIN=path/to/onair-fake-discord scripts/discord-fidelity.sh
#   scripts/discord-fidelity.sh                                   # build it with cargo
#
# Outside CI, a missing python3 (or venv module) skips the check with a printed reason;
# with CI=true it fails instead.
set -euo pipefail

DISCORD_PY_VERSION=2.7.1
HIKARI_VERSION=2.7.0
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
TOKEN="MTE5MTAwMDAwMDAwMDAwMDAwMQ.fidelity.discord-check-token"

skip_or_fail() {
  if [[ "${CI:-}" == "true" ]]; then
    echo "discord-fidelity: $1" >&2
    exit 1
  fi
  echo "discord-fidelity: skipped: $1"
  exit 0
}

if ! command -v python3 >/dev/null 2>&1; then
  skip_or_fail "python3 is not installed"
fi
if ! python3 -c "import venv, ensurepip" >/dev/null 2>&1; then
  skip_or_fail "python3 has no venv/ensurepip module (apt-get install python3-venv)"
fi

if [[ -n "${ONAIR_FAKE_DISCORD_BIN:-}" ]]; then
  BIN="$ONAIR_FAKE_DISCORD_BIN"
else
  (cd "$ROOT" && cargo build --quiet -p onair-testkit --bin onair-fake-discord)
  BIN="$TARGET_DIR/debug/onair-fake-discord"
fi
if [[ ! -x "$BIN" ]]; then
  echo "discord-fidelity: no onair-fake-discord binary at $BIN" >&2
  exit 1
fi

VENV="$TARGET_DIR/discord-venv"
if ! "$VENV/bin/python" -c "
import importlib.metadata as m, sys
sys.exit(m.version('discord.py') != '$DISCORD_PY_VERSION' or m.version('hikari') != '$HIKARI_VERSION')
" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    "discord.py==$DISCORD_PY_VERSION" "hikari==$HIKARI_VERSION"
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

# Starts a fake on a free port with the given extra arguments; sets URL to its API base.
start_fake() {
  local name="$1"
  shift
  "$BIN" --port 0 --token "$TOKEN" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
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
  echo "discord-fidelity: the $name fake did not start" >&2
  cat "$WORK/$name.err" >&2
  exit 1
}

# Each library writes, so each gets a fresh demo seed.
start_fake discordpy
DISCORDPY_URL="$URL"
start_fake hikari
HIKARI_URL="$URL"
# The faults each check expects, in their order.
start_fake faults --fault rate-limited-300 --fault global-rate-limited-300
FAULTS_URL="$URL"
start_fake hikari-faults --fault rate-limited-300 --fault global-rate-limited-300 --fault status-503
HIKARI_FAULTS_URL="$URL"
start_fake limits --rate-limit 2 --window-ms 500
LIMITS_URL="$URL"
start_fake hikari-limits --rate-limit 2 --window-ms 500
HIKARI_LIMITS_URL="$URL"

"$VENV/bin/python" "$ROOT/tests/discord/check_fake_discord.py" \
  --url "$DISCORDPY_URL" --hikari-url "$HIKARI_URL" \
  --faults-url "$FAULTS_URL" --hikari-faults-url "$HIKARI_FAULTS_URL" \
  --limits-url "$LIMITS_URL" --hikari-limits-url "$HIKARI_LIMITS_URL" --token "$TOKEN"
