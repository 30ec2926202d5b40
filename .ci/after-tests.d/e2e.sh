#!/usr/bin/env bash
# Browser tests: the offline API explorer in Debian's headless Chromium (test/e2e, npm run test:e2e).
# Installs the `chromium` package when it is missing; results go to test-results/jest-e2e.json,
# which .ci/run adds to its totals; the screenshot is test-results/explorer.png.
set -euo pipefail
cd "$(dirname "$0")/../.."

CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
  echo "e2e: installing Debian's chromium"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq chromium >/dev/null
fi
if [ ! -x "$CHROMIUM" ]; then
  echo "e2e: no Chromium at $CHROMIUM after installing it" >&2
  exit 1
fi

mkdir -p test-results
npm run test:e2e -- --ci --json --outputFile=test-results/jest-e2e.json
