#!/usr/bin/env bash
# Install what the test suite needs on a fresh Debian machine, idempotently:
#   - Debian's Chromium (for the real-browser test), fonts and poppler-utils (the PDF tests),
#   - PostgreSQL and a pinned Balsam server in its own virtualenv (for the live-source tests),
#   - a virtualenv in .venv with reportgen (editable) and its test extras.
# apt-get needs root (or sudo); `apt-get update` runs only when a package is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
APT_PACKAGES=(chromium fonts-liberation poppler-utils)

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        echo "install-test-deps: need root (or sudo) to run: $*" >&2; exit 1
    fi
}

missing=()
for package in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
command -v npm >/dev/null || missing+=(npm)  # any npm will do (Debian's, or NodeSource's)
if [ ${#missing[@]} -gt 0 ]; then
    echo "install-test-deps: apt-get install ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -q >/dev/null
    as_root apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
    echo "install-test-deps: creating .venv" >&2
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"

# PostgreSQL (Debian) and the Balsam server's own virtualenv; the tests start and stop it
"$PYTHON" scripts/balsam_server.py install

# axe-core (accessibility checks the browser tests inject into pages; never into a build)
if [ ! -f tests/js/node_modules/axe-core/axe.min.js ]; then
    echo "install-test-deps: npm ci (tests/js: axe-core)" >&2
    npm ci --prefix tests/js --no-audit --no-fund --silent
fi
