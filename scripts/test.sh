#!/usr/bin/env bash
# The project's test command: set up .venv if needed, then lint (ruff), type-check (mypy --strict)
# and run the test suite (pytest, hypothesis "ci" profile). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check src tests benchmarks scripts examples
.venv/bin/mypy
HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}" .venv/bin/python -m pytest -q "$@"
