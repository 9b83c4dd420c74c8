#!/usr/bin/env bash
# Runs every test of onair:
#   1. the workspace's Rust tests (unit, property, in-process API, store conformance on
#      SQLite and Postgres, and the end-to-end tests of the built binary);
#   2. the fake X's fidelity check with X's official Python SDK (xdk, from PyPI);
#   3. the REST API checked against its own /openapi.json by schemathesis (from PyPI), as an
#      independent client would: no 5xx, only documented answers, valid input taken and
#      invalid input refused, no tenant reading another's objects (scripts/schemathesis.sh);
#   4. the API reference at /docs, rendered in headless Chromium with no outside network.
#
# Postgres tests use ONAIR_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres).
# Outside CI they are skipped, with a printed reason, when Postgres is unreachable;
# with CI=true they fail instead.
set -euo pipefail
cd "$(dirname "$0")/.."

if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast
else
  cargo test --workspace --no-fail-fast
fi

# The test build above also built both binaries (cargo builds a package's binaries for
# its integration tests). A separate `cargo build` would resolve features differently
# and compile much of the workspace a second time.
target_dir="${CARGO_TARGET_DIR:-target}"
for bin in onair onair-fake-x onair-fake-discord; do
  [[ -x "$target_dir/debug/$bin" ]] || cargo build --quiet --bin "$bin"
done
ONAIR_FAKE_X_BIN="$target_dir/debug/onair-fake-x" bash scripts/xdk-fidelity.sh
ONAIR_FAKE_DISCORD_BIN="$target_dir/debug/onair-fake-discord" bash scripts/discord-fidelity.sh
bash scripts/schemathesis.sh "$target_dir/debug/onair"
bash scripts/docs-offline-check.sh "$target_dir/debug/onair"
