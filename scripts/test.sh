#!/usr/bin/env bash
# Runs every test of onair:
#   1. the workspace's Rust tests (unit, property, in-process API, store conformance on
#      SQLite and Postgres, and the end-to-end tests of the built binary);
#   2. the fake X's fidelity check with X's official Python SDK (xdk, from PyPI);
#   3. the API reference at /docs, rendered in headless Chromium with no outside network.
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

cargo build --quiet -p onair-server --bin onair -p onair-testkit --bin onair-fake-x
target_dir="${CARGO_TARGET_DIR:-target}"
ONAIR_FAKE_X_BIN="$target_dir/debug/onair-fake-x" bash scripts/xdk-fidelity.sh
bash scripts/docs-offline-check.sh "$target_dir/debug/onair"
