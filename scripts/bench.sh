#!/usr/bin/env bash
# The onair benchmark, in one command: builds the release binaries, installs wrk if it is
# missing (Debian), and runs onair-bench pinned to core 1; it pins onair and the fake X to
# core 0. Extra arguments go to onair-bench (see `onair-bench --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null; then
    apt-get update -qq && apt-get install -y -qq wrk
fi
cargo build --release --locked -p onair-server -p onair-bench
target="${CARGO_TARGET_DIR:-target}/release"
exec taskset -c 1 "$target/onair-bench" "$@"
