"""Helpers shared by subcommands: reading a case file with one-line, privacy-safe errors.

Exit codes: 0 success, 2 invalid input (bad JSON, a field that does not fit the contract, a missing
file). Errors are one line on stderr naming the file or field, never a traceback and never a case
value.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from conduct_rules._validation import parse_case
from conduct_rules.case import Case
from conduct_rules.errors import CaseValidationError, ConductRulesError

__all__ = ["EXIT_INVALID", "LANGS", "fail", "lang_option", "read_case"]

EXIT_INVALID = 2
LANGS = ("en", "fr")


def lang_option(
    help_text: str = "Language of every explanation.",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The ``--lang en|fr`` option, the same for every subcommand that explains."""
    return click.option(
        "--lang", type=click.Choice(LANGS), default="en", show_default=True, help=help_text
    )


def fail(message: str, code: int = EXIT_INVALID) -> NoReturn:
    """Print one line on stderr and exit."""
    click.echo(f"conduct-rules: {message}", err=True)
    raise SystemExit(code)


def read_case(path: str) -> Case:
    """Read and validate a case file (JSON; ``-`` for standard input)."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        fail(f"{path}: no such file")
    except IsADirectoryError:
        fail(f"{path}: is a directory, not a case file")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{path}: cannot read ({type(exc).__name__})")
    try:
        data: Any = json.loads(text)
    except (ValueError, RecursionError):
        fail(f"{path}: not valid JSON")
    try:
        return parse_case(data)
    except CaseValidationError as exc:
        fail(f"{path}: {exc}")
    except ConductRulesError as exc:  # pragma: no cover - defensive
        fail(f"{path}: {exc}")
