"""Print the assessment of every example: the practice note's three scenarios, moment by moment.

Usage (from anywhere)::

    .venv/bin/python examples/run_scenarios.py                 # text reports, English
    .venv/bin/python examples/run_scenarios.py --lang fr       # en français
    .venv/bin/python examples/run_scenarios.py --format json   # one JSON object, file -> assessment
    .venv/bin/python examples/run_scenarios.py scenario-2      # one scenario only

Why a script and not only the CLI: it shows the Python API a program would use (``assess`` on a
mapping, ``model_dump(mode="json")``), and it walks the moments in order so the reader sees the
verdict move as the member acts. ``examples/README.md`` says what each moment is and what to expect.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from conduct_rules import assess, render_text
from conduct_rules.api import BACKENDS

EXAMPLES = Path(__file__).resolve().parent


def example_files(scenarios: list[str] | None = None) -> list[Path]:
    """The example case files, scenario by scenario, moment by moment (file names sort in order)."""
    folders = sorted(p for p in EXAMPLES.glob("scenario-*") if p.is_dir())
    if scenarios:
        folders = [f for f in folders if f.name in scenarios]
    return [p for folder in folders for p in sorted(folder.glob("*.json"))]


def main(argv: list[str] | None = None) -> int:
    """Assess every example and print the reports (or one JSON object); return the exit code."""
    parser = argparse.ArgumentParser(description="Assess the practice note's scenarios.")
    parser.add_argument("scenario", nargs="*", help="scenario folders to run (default: all)")
    parser.add_argument("--lang", choices=["en", "fr"], default="en")
    parser.add_argument("--format", dest="fmt", choices=["text", "json"], default="text")
    parser.add_argument("--backend", choices=list(BACKENDS), default="auto")
    args = parser.parse_args(argv)
    files = example_files(args.scenario)
    if not files:
        print(f"no example matches {args.scenario}", file=sys.stderr)
        return 2
    results = {}
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        results[path.relative_to(EXAMPLES).as_posix()] = assess(
            data, lang=args.lang, backend=args.backend
        )
    if args.fmt == "json":
        payload = {name: a.model_dump(mode="json") for name, a in results.items()}
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        return 0
    for name, assessment in results.items():
        print(f"══ {name} " + "═" * max(3, 76 - len(name)))
        print(render_text(assessment))
        print()
    return 0


def run() -> int:
    """``main``, with a failed write to standard output ending quietly instead of a traceback.

    A reader that goes away (``| head -1``) ends the run with status 1 and no message; a full
    disk (``> /dev/full``) with status 1 and one line on stderr, as the ``conduct-rules`` command.
    """
    try:
        code = main()
        sys.stdout.flush()
    except OSError as exc:
        if not isinstance(exc, BrokenPipeError):
            print(f"run_scenarios: cannot write the output ({exc.strerror})", file=sys.stderr)
        # Nothing more may reach the broken output, not even the flush when Python exits.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return code


if __name__ == "__main__":
    sys.exit(run())
