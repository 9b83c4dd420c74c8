#!/usr/bin/env bash
# Runs every fuzz target of fuzz/ (libFuzzer, through cargo-fuzz) in turn, each for
# SECONDS_PER_TARGET seconds (default 60), and exits non-zero if any of them crashed.
# A crashing input is saved under fuzz/artifacts/<target>/, each run's log beside it
# (run.log); the corpus grows in fuzz/corpus/<target>/ and is reused by the next run.
#
# cargo-fuzz passes nightly-only flags to rustc; RUSTC_BOOTSTRAP=1 lets the stable
# toolchain accept them. Install it once with `cargo install cargo-fuzz --locked`.
# The instrumented build takes about 15 minutes from scratch, which is why CI runs the
# property tests (scripts/test.sh) and not this.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET [TARGET...]]
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

seconds="${1:-60}"
shift || true
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || ((seconds == 0)); then
  echo "usage: $0 [SECONDS_PER_TARGET [TARGET...]]" >&2
  exit 2
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz: cargo-fuzz is missing; install it with: cargo install cargo-fuzz --locked" >&2
  exit 2
fi

export RUSTC_BOOTSTRAP=1
# No sanitizer: the workspace forbids unsafe code, so the fuzzers look for panics and
# broken invariants, and run about twice as fast without AddressSanitizer. Debug
# assertions (-a) keep integer overflow checks on.
flags=(--debug-assertions --sanitizer none)

if (($# > 0)); then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list)
fi
cargo fuzz build "${flags[@]}"

failed=()
for target in "${targets[@]}"; do
  mkdir -p "artifacts/$target"
  log="artifacts/$target/run.log"
  echo "fuzz: $target for ${seconds}s"
  # -timeout: an input that takes this long (a hang) counts as a crash.
  if cargo fuzz run "${flags[@]}" "$target" -- \
    -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 \
    >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    echo "fuzz: $target: no crash in $runs runs"
  else
    echo "fuzz: $target: CRASHED; see fuzz/$log"
    grep -m1 -A3 'panicked at' "$log" || tail -n 20 "$log"
    failed+=("$target")
  fi
done

if ((${#failed[@]} > 0)); then
  echo "fuzz: crashes in: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: all ${#targets[@]} targets ran ${seconds}s without a crash"
