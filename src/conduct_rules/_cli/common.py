"""Helpers shared by subcommands: reading a case file with one-line, privacy-safe errors.

Exit codes: 0 success, 2 invalid input (bad JSON, a field that does not fit the contract, a missing
file). Errors are one line on stderr naming the file or field, never a traceback and never a case
value.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from conduct_rules._fields import Vocabulary
from conduct_rules._validation import parse_case
from conduct_rules.api import get_ruleset
from conduct_rules.errors import CaseValidationError, ConductRulesError

__all__ = [
    "EXIT_INVALID",
    "LANGS",
    "as_of_option",
    "fail",
    "format_option",
    "lang_option",
    "read_case",
    "ruleset_option",
]

EXIT_INVALID = 2
LANGS = ("en", "fr")


def lang_option(
    help_text: str = "Language of every explanation.",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The ``--lang en|fr`` option, the same for every subcommand that explains."""
    return click.option(
        "--lang", type=click.Choice(LANGS), default="en", show_default=True, help=help_text
    )


def format_option(
    help_text: str | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The ``--format text|json`` option (parameter ``fmt``): text for people, JSON for programs."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help=help_text,
    )


def ruleset_option(
    help_text: str = "Built-in ruleset name or folder (default: ontario).",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The ``--ruleset NAME|FOLDER`` option, the same for every subcommand that reads rules."""
    return click.option("--ruleset", default=None, help=help_text)


def as_of_option() -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The ``--as-of YYYY-MM-DD`` option (parameter ``as_of``, a ``date`` or None): refuse a
    ruleset whose sources were not in force that day (issue 15)."""

    def to_date(ctx: click.Context, param: click.Parameter, value: Any) -> dt.date | None:
        del ctx, param
        return value.date() if value is not None else None

    return click.option(
        "--as-of",
        "as_of",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        callback=to_date,
        help="Assess under the standards in force on this date (YYYY-MM-DD); a ruleset whose "
        "sources were not in force then is refused.",
    )


def fail(message: str, code: int = EXIT_INVALID) -> NoReturn:
    """Print one line on stderr and exit."""
    click.echo(f"conduct-rules: {message}", err=True)
    raise SystemExit(code)


def _vocabulary(ruleset: str | None) -> Vocabulary | None:
    """The case vocabulary of ``--ruleset``; None for the default or a ruleset that fails to load
    (the command then reports that error where it loads the ruleset, as for any ruleset)."""
    if ruleset is None:
        return None
    try:
        return get_ruleset(ruleset).vocabulary
    except ConductRulesError:
        return None


def read_case(path: str, ruleset: str | None = None) -> Any:
    """Read and validate a case file (JSON; ``-`` for standard input).

    The case is a ``Case``, or the flat record of ``ruleset`` when that ruleset declares one.
    """
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
    vocab = _vocabulary(ruleset)
    try:
        return parse_case(data) if vocab is None or vocab.is_case else vocab.parse(data)
    except CaseValidationError as exc:
        fail(f"{path}: {exc}")
    except ConductRulesError as exc:  # pragma: no cover - defensive
        fail(f"{path}: {exc}")
