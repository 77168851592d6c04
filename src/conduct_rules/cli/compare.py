"""``conduct-rules compare CASE.json --rulesets ontario,crpo-6.3``: one case, several colleges.

Why its own subcommand: a dual registrant (a social worker who is also a registered
psychotherapist) needs the stricter of two answers, with what each college asks; ``assess`` gives
one ruleset's answer. Text for people, JSON for programs (``Comparison.model_dump``), HTML for a
file or a browser (the assessments side by side). Failures are one line on stderr, exit code 2.
"""

from __future__ import annotations

import datetime as dt

import click

from conduct_rules.api import BACKENDS
from conduct_rules.cli.common import (
    as_of_option,
    emit,
    fail,
    lang_option,
    output_option,
    read_case,
)
from conduct_rules.compare import DEFAULT_PAIR, compare
from conduct_rules.errors import ConductRulesError

__all__ = ["compare_cmd"]


@click.command("compare")
@click.argument("case_file", metavar="CASE.json")
@click.option(
    "--rulesets",
    default=",".join(DEFAULT_PAIR),
    show_default=True,
    help="Comma-separated ruleset names or folders; the combined answer is the stricter.",
)
@lang_option("Language of the report and of every explanation.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "html"]),
    default="text",
    show_default=True,
    help="text: a report for people; json: the comparison, for programs; html: side by side.",
)
@click.option("--backend", type=click.Choice(list(BACKENDS)), default="auto", show_default=True)
@as_of_option()
@output_option()
def compare_cmd(
    case_file: str,
    rulesets: str,
    lang: str,
    fmt: str,
    backend: str,
    as_of: dt.date | None,
    output: str | None,
) -> None:
    """Assess one case file against several rulesets and print the stricter, combined answer.

    Exit status: 0 when the case was compared (whatever the verdicts), 2 for a bad file, an
    unknown ruleset, or a ruleset not in force on --as-of.
    """
    names = [n.strip() for n in rulesets.split(",") if n.strip()]
    case = read_case(case_file)
    try:
        result = compare(case, names, lang=lang, backend=backend, as_of=as_of)  # type: ignore[arg-type]
    except ConductRulesError as exc:
        fail(str(exc))
    if fmt == "json":
        emit(result.model_dump_json(indent=2), output, raw=True)
    elif fmt == "html":
        emit(
            '<!DOCTYPE html><html lang="' + lang + '"><head><meta charset="utf-8">'
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            "style-src 'unsafe-inline'\"><title>conduct-rules</title></head><body>"
            + result._repr_html_()
            + "</body></html>",
            output,
            raw=True,
        )
    else:
        emit(result.render_text(), output)
