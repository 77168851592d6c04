#!/usr/bin/env bash
# One command for a new user: set up .venv (scripts/setup.sh), then assess the practice note's
# scenario 1 at each of its three moments with the command-line tool. Extra arguments go to
# `conduct-rules assess`, e.g. `bash scripts/demo.sh --lang fr` or `--format json`.
set -euo pipefail
cd "$(dirname "$0")/.."
# The demo needs the library alone; scripts/test.sh installs the development extras.
CONDUCT_RULES_EXTRAS="${CONDUCT_RULES_EXTRAS-}" bash scripts/setup.sh
for case_file in examples/scenario-1/*.json; do
  echo
  echo "══ ${case_file}"
  .venv/bin/conduct-rules assess "${case_file}" "$@"
done
