#!/usr/bin/env bash
# The project's test command: set up .venv if needed, then lint (ruff), type-check (mypy --strict)
# and run the test suite (pytest, hypothesis "ci" profile) on two workers (pytest-xdist;
# PYTEST_WORKERS=0 runs in one process). Extra arguments go to pytest: -m "not slow" is the quick
# run (docs/testing.md).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check src tests benchmarks scripts examples
.venv/bin/mypy
HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}" .venv/bin/python -m pytest -q \
  -n "${PYTEST_WORKERS:-2}" "$@"
