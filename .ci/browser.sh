#!/usr/bin/env bash
# Installs what the visual Turing test's browser tests need: Debian's chromium (the browser
# itself, never a browser download at run time) and Playwright's Python package (the driver).
# Idempotent: returns at once when both are already there.
set -euo pipefail

PLAYWRIGHT_SPEC="${PLAYWRIGHT_SPEC:-playwright>=1.49,<2}"

have_chromium() { command -v chromium >/dev/null 2>&1; }
have_playwright() { python -c "import playwright.sync_api" >/dev/null 2>&1; }

if ! have_chromium; then
  if [ "$(id -u)" -eq 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
  else
    echo "browser.sh: chromium missing and not root; browser tests will skip" >&2
  fi
fi

if ! have_playwright; then
  # Only the Python package: PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD keeps it from fetching a browser;
  # the tests launch /usr/bin/chromium through executable_path.
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 python -m pip install -q "$PLAYWRIGHT_SPEC"
fi

if have_chromium; then chromium --version 2>/dev/null || true; fi
python -c "from importlib.metadata import version; print('playwright', version('playwright'))" 2>/dev/null || true
