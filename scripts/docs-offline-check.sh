#!/usr/bin/env bash
# Checks that the API reference at /docs renders in a real browser with no internet: the
# page and its assets come from the onair binary, and any request to another host fails.
#
# Usage: scripts/docs-offline-check.sh [path/to/onair]
# Needs Debian's `chromium`; in CI (CI=true) it is installed when missing, elsewhere the
# check is skipped with a message.
set -euo pipefail
cd "$(dirname "$0")/.."

bin="${1:-${ONAIR_BIN:-}}"
if [[ -z "$bin" ]]; then
  cargo build --quiet -p onair-server --bin onair
  bin="${CARGO_TARGET_DIR:-target}/debug/onair"
fi

if ! command -v chromium >/dev/null 2>&1; then
  if [[ "${CI:-}" == "true" ]]; then
    (apt-get install -y -qq chromium >/dev/null 2>&1) || { apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null; }
  else
    echo "docs-offline-check: skipped (chromium is not installed; apt-get install chromium)"
    exit 0
  fi
fi

work=$(mktemp -d)
cleanup() { [[ -n "${server:-}" ]] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$work" && ONAIR_LISTEN="127.0.0.1:$port" ONAIR_PROVIDERS__X__BASE_URL=http://127.0.0.1:9 exec "$OLDPWD/$bin" serve >"$work/onair.log" 2>&1) &
server=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done

# Every host but the server's is unresolvable, as on a machine with no internet.
dom=$(chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/profile" \
  --host-resolver-rules="MAP * ~NOTFOUND , EXCLUDE 127.0.0.1" \
  --virtual-time-budget=15000 --dump-dom "http://127.0.0.1:$port/docs/" 2>"$work/chromium.log")

fail() { echo "docs-offline-check: FAILED: $*"; echo "--- onair log"; tail -20 "$work/onair.log"; exit 1; }
grep -q 'class="swagger-ui' <<<"$dom" || fail "Swagger UI did not render"
# Rendered operations prove the spec was fetched from /openapi.json and laid out.
ops=$(grep -o 'class="opblock opblock-' <<<"$dom" | wc -l)
(( ops >= 13 )) || fail "only $ops operations rendered"
for path in /v1/spaces/search /v1/networks /v1/api-keys /v1/profiles; do
  grep -q "data-path=\"$path\"" <<<"$dom" || fail "operation $path not rendered"
done
grep -qi 'onair' <<<"$dom" || fail "the title is missing"
echo "docs-offline-check: ok ($ops operations rendered with no outside network)"
