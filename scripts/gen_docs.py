"""Regenerate the generated docs and schemas from the rulesets and models.

Usage::

    .venv/bin/python scripts/gen_docs.py          # rewrite what changed, list it
    .venv/bin/python scripts/gen_docs.py --check  # exit 1 if anything is out of date

Writes docs/provisions.md, docs/rulesets/<name>.md and schemas/*.schema.json (see
``conduct_rules_dev.docs``). tests/integration/test_docs_in_step.py fails when a committed file
differs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from conduct_rules_dev.docs import generated_files, write_generated

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check`` only compare) every generated file; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 if stale")
    args = parser.parse_args(argv)
    if args.check:
        stale = [
            rel
            for rel, content in generated_files().items()
            if not (ROOT / rel).is_file() or (ROOT / rel).read_text(encoding="utf-8") != content
        ]
        for rel in stale:
            print(f"out of date: {rel}")
        return 1 if stale else 0
    changed = write_generated(ROOT)
    for rel in changed:
        print(f"wrote {rel}")
    if not changed:
        print("generated docs and schemas are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
