#!/usr/bin/env bash
# Create .venv with a Python that durable_rules supports (3.11 or 3.12) and install the project
# with its development extras. Idempotent: a second run only re-installs the project.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  for cand in python3.11 python3.12 python3; do
    if command -v "$cand" >/dev/null 2>&1; then PY="$cand"; break; fi
  done
fi
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
EXTRAS="${CONDUCT_RULES_EXTRAS-dev}"  # empty: the library alone (what the demo needs)
TARGET="."
[ -n "$EXTRAS" ] && TARGET=".[${EXTRAS}]"
.venv/bin/python -m pip install -q -e "$TARGET" 2>&1 | grep -v "WARNING: Location" || true
.venv/bin/python -c "import conduct_rules as c; print('conduct-rules', c.__version__, '- engine:', c.default_backend())"
