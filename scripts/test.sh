#!/usr/bin/env bash
# The whole test suite on a fresh machine: install what it needs, then lint, type-check, test.
# Extra arguments go to pytest (e.g. `bash scripts/test.sh -k spec`).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-test-deps.sh
export PATH="$PWD/.venv/bin:$PATH"
echo "== ruff" && ruff check . && ruff format --check .
echo "== mypy --strict" && mypy
echo "== pytest"
# pytest exits 5 when it collects no test: that fails this script like any other failure
pytest "$@"
