"""The CLI's shared grammar: options every command takes, reading inputs, writing outputs.

Every command takes ``-o/--output FILE`` (``-`` or nothing: standard output), ``--lang en|fr``,
``--format``, ``--ruleset NAME|FOLDER`` and ``--parameters KEY=VALUE|FILE`` (repeatable; a FILE
is a JSON or YAML mapping of parameter names to whole numbers), and reads ``-`` as standard input.

Exit codes: 0 success; 1 findings or failures under a ``--fail-on`` policy, where a command has
one; 2 invalid input (bad JSON, a field that does not fit the contract, a missing file, an
unknown parameter). Errors are one line on stderr naming the file or field, never a traceback,
never a Python class name and never a case value.
"""

from __future__ import annotations

import datetime as dt
import difflib
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NoReturn

import click
import yaml

from conduct_rules.api import get_ruleset
from conduct_rules.errors import CaseValidationError, ConductRulesError
from conduct_rules.model.case import parse_case
from conduct_rules.model.strict_json import DuplicateKeyError, loads
from conduct_rules.render.terminal import shown, terminal_safe
from conduct_rules.rules.ruleset import available_rulesets
from conduct_rules.rules.vocabulary import Vocabulary

__all__ = [
    "EXIT_FAILED",
    "EXIT_INVALID",
    "FAIL_ON_WORDS",
    "LANGS",
    "as_of_option",
    "check_fail_on",
    "did_you_mean",
    "emit",
    "fail",
    "fail_on_option",
    "format_option",
    "lang_option",
    "output_option",
    "parameters_option",
    "parse_parameters",
    "plural",
    "read_case",
    "reason",
    "refuse_parameters",
    "ruleset_option",
]

EXIT_FAILED = 1
EXIT_INVALID = 2
LANGS = ("en", "fr")

#: Plain words for the reasons a file cannot be read (never a Python class name).
_OS_REASONS: dict[type[BaseException], str] = {
    PermissionError: "permission denied",
    IsADirectoryError: "is a directory",
    FileNotFoundError: "no such file",
    UnicodeDecodeError: "not UTF-8 text",
}


def reason(exc: BaseException) -> str:
    """Why a file could not be read or written, in words."""
    for kind, words in _OS_REASONS.items():
        if isinstance(exc, kind):
            return words
    return "input/output error"


def plural(n: int, one: str, many: str | None = None) -> str:
    """ "1 row", "2 rows" (``many`` for irregular plurals)."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """ " (did you mean 'x'?)" when a choice is close to ``word``, else ""."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def output_option() -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The ``-o/--output FILE`` option (parameter ``output``); ``-`` is standard output."""
    return click.option(
        "-o",
        "--output",
        "output",
        metavar="FILE",
        default=None,
        help="Write to FILE instead of standard output ('-': standard output).",
    )


def parameters_option() -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The ``--parameters KEY=VALUE|FILE`` option (parameter ``params``), repeatable."""
    return click.option(
        "--parameters",
        "params",
        metavar="KEY=VALUE|FILE",
        multiple=True,
        help=(
            "Change a threshold of the ruleset, e.g. min_attempts=3; or a JSON/YAML file of "
            "them. Repeatable."
        ),
    )


def refuse_parameters(values: Iterable[str], why: str) -> None:
    """``--parameters`` on a command that has no rules to adjust: one line, exit 2.

    Why accept the option at all: every command takes the same options (one grammar), so a
    script can pass them uniformly; a value that cannot apply is refused in words, never ignored.
    """
    if tuple(values):
        fail(f"--parameters: {why}")


def parse_parameters(values: Iterable[str]) -> dict[str, int] | None:
    """``KEY=VALUE`` items and files as one mapping (None when none were given)."""
    out: dict[str, int] = {}
    for raw in values:
        if "=" in raw:
            key, _, value = raw.partition("=")
            key = key.strip()
            try:
                out[key] = int(value.strip())
            except ValueError:
                fail(f"--parameters: {key} must be a whole number")
            continue
        try:
            text = sys.stdin.read() if raw == "-" else Path(raw).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"{raw}: cannot read parameters ({reason(exc)})")
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            fail(f"{raw}: not valid JSON or YAML")
        if not isinstance(data, dict):
            fail(f"{raw}: parameters must be a mapping of names to whole numbers")
        for key, value in data.items():
            if not isinstance(value, int) or isinstance(value, bool):
                fail(f"{raw}: parameter {key} must be a whole number")
            out[str(key)] = value
    return out or None


def emit(text: str, output: str | None, *, raw: bool = False) -> None:
    """Write ``text`` (ending in a newline) to ``output``, or standard output.

    Text for people goes through ``terminal_safe`` (control characters from the input escaped);
    ``raw`` output (JSON, schemas) is written exactly as it is.
    """
    if not raw:
        text = terminal_safe(text)
    if not text.endswith("\n"):
        text += "\n"
    if output in (None, "-"):
        click.echo(text, nl=False)
        return
    assert output is not None
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"{output}: cannot write ({reason(exc)})")


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
    help_text: str = "Built-in ruleset name, or a folder as a path: ./NAME (default: ontario).",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The ``--ruleset NAME|FOLDER`` option, the same for every subcommand that reads rules."""
    return click.option("--ruleset", default=None, help=help_text, callback=_check_ruleset)


def _check_ruleset(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A name that is neither a built-in ruleset nor a folder: say so, with a suggestion."""
    if value is None or Path(value).is_dir() or "/" in value or "\\" in value:
        return value
    names = available_rulesets()
    if value not in names:
        fail(
            f"--ruleset: no ruleset named '{value}'{did_you_mean(value, names)}; "
            f"available: {', '.join(names)}"
        )
    return value


#: ``--fail-on`` words besides a verdict id: possible breaches, or anything needing attention.
FAIL_ON_WORDS = ("findings", "attention")


def fail_on_option(
    help_text: str,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The ``--fail-on POLICY`` option (parameter ``fail_on``), repeatable or comma-separated."""
    return click.option(
        "--fail-on",
        "fail_on",
        metavar="VERDICT|findings|attention",
        multiple=True,
        help=help_text,
    )


def check_fail_on(values: Iterable[str], verdicts: Iterable[str]) -> tuple[str, ...]:
    """The ``--fail-on`` policies, checked against the ruleset's verdict ids and the words.

    A mistyped policy is bad input (exit 2) with a suggestion: a CI job whose policy is never
    met because of a typo would pass forever.
    """
    known = [*verdicts, *FAIL_ON_WORDS]
    out: list[str] = []
    for raw in values:
        for item in (x.strip() for x in raw.split(",")):
            if item not in known:
                fail(
                    f"--fail-on: unknown policy '{item}'{did_you_mean(item, known)}; "
                    f"choose from {', '.join(known)}"
                )
            if item not in out:
                out.append(item)
    return tuple(out)


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
    """Print one line on stderr and exit (control characters in it escaped: ``shown``)."""
    click.echo(f"conduct-rules: {shown(message)}", err=True)
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
    """Read and validate a case file (JSON, or YAML for ``.yaml``/``.yml``; ``-``: stdin).

    The case is a ``Case``, or the flat record of ``ruleset`` when that ruleset declares one.
    """
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        fail(f"{path}: no such file")
    except IsADirectoryError:
        fail(f"{path}: is a directory, not a case file")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{path}: cannot read ({reason(exc)})")
    data: Any = None
    try:
        data = loads(text)
    except DuplicateKeyError as exc:
        fail(f"{path}: {exc.field}: duplicate key (each field may appear once)")
    except (ValueError, RecursionError):
        if not path.endswith((".yaml", ".yml")):
            fail(f"{path}: not valid JSON")
    if data is None and path.endswith((".yaml", ".yml")):  # e.g. a filled-in template
        try:
            data = yaml.safe_load(text)
        except (yaml.YAMLError, RecursionError):
            fail(f"{path}: not valid YAML")
    vocab = _vocabulary(ruleset)
    try:
        return parse_case(data) if vocab is None or vocab.is_case else vocab.parse(data)
    except CaseValidationError as exc:
        fail(f"{path}: {exc}")
    except ConductRulesError as exc:  # pragma: no cover - defensive
        fail(f"{path}: {exc}")
