#!/usr/bin/env bash
# The onair benchmark, in one command: builds the release binaries, installs what it needs
# if it is missing (wrk from Debian, oha from crates.io; valgrind from Debian for
# --instructions), and runs onair-bench pinned to core 1; it pins onair, the floor and the
# fake X to core 0. Extra arguments go to onair-bench (see `onair-bench --help`).
#
#   scripts/bench.sh                  closed loop (wrk), open loop (oha), cold lookups, memory
#   scripts/bench.sh --instructions   instructions per cached request, under callgrind
set -euo pipefail
cd "$(dirname "$0")/.."
instructions=false
open_loop=true
previous=""
for arg in "$@"; do
    case "$arg" in
        --instructions) instructions=true ;;
        --rate=0) open_loop=false ;;
    esac
    if [ "$previous" = "--rate" ] && [ "$arg" = "0" ]; then open_loop=false; fi
    previous="$arg"
done
apt_install() {
    apt-get update -qq && apt-get install -y -qq "$@"
}
if $instructions; then
    command -v valgrind >/dev/null || apt_install valgrind
else
    command -v wrk >/dev/null || apt_install wrk
    # Plain HTTP on loopback only, so without TLS.
    if $open_loop && ! command -v oha >/dev/null; then
        cargo install oha --locked --no-default-features --features native-tls
    fi
fi
cargo build --release --locked -p onair-server -p onair-bench
target="${CARGO_TARGET_DIR:-target}/release"
exec taskset -c 1 "$target/onair-bench" "$@"
