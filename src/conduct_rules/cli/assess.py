"""``conduct-rules assess CASE.json``: one case, as a report or as JSON.

Why these defaults: the person at the terminal is usually a practitioner or a supervisor, so the
default is the plain-text report in their language; programs ask for ``--format json``, which is
exactly ``assess(...).model_dump(mode="json")``. Every failure is one line on stderr and exit code
2 (see ``cli/common.py``): a report tool must never answer a bad file with a traceback.
"""

from __future__ import annotations

import datetime as dt

import click

from conduct_rules.api import BACKENDS, assess, get_ruleset
from conduct_rules.cli.common import (
    EXIT_FAILED,
    as_of_option,
    check_fail_on,
    emit,
    fail,
    fail_on_option,
    format_option,
    lang_option,
    output_option,
    parameters_option,
    parse_parameters,
    plural,
    read_case,
    ruleset_option,
)
from conduct_rules.compare import Comparison
from conduct_rules.errors import ConductRulesError
from conduct_rules.model.assessment import Assessment
from conduct_rules.render.text import render_text

__all__ = ["assess_cmd", "policies_met"]


@click.command("assess")
@click.argument("case_file", metavar="CASE.json")
@lang_option("Language of the report and of every explanation.")
@format_option("text: a report for people; json: the assessment, for programs.")
@click.option(
    "--backend",
    type=click.Choice(list(BACKENDS)),
    default="auto",
    show_default=True,
    help="Rule engine; auto is fast (same results as durable_rules and python).",
)
@ruleset_option()
@parameters_option()
@output_option()
@as_of_option()
@fail_on_option(
    "Exit 1 when the answer meets this policy: a verdict id (not_permitted, conditional), "
    "findings (a possible breach) or attention (not permitted, a finding or a blocking "
    "safeguard outstanding). Repeatable or comma-separated."
)
def assess_cmd(
    case_file: str,
    lang: str,
    fmt: str,
    backend: str,
    ruleset: str | None,
    params: tuple[str, ...],
    output: str | None,
    as_of: dt.date | None,
    fail_on: tuple[str, ...],
) -> None:
    """Assess one case file (JSON; '-' reads standard input) and print the result.

    Exit status: 0 when the case was assessed (whatever the verdict, unless --fail-on says
    otherwise); 1 when the answer meets a --fail-on policy (the output is still written); 2 when
    the file is missing, is not JSON, or does not fit the case format — with one line naming the
    file and the field.
    """
    parameters = parse_parameters(params)
    try:
        verdicts = get_ruleset(ruleset).outputs.verdicts
    except ConductRulesError as exc:
        fail(str(exc))
    policies = check_fail_on(fail_on, verdicts)
    case = read_case(case_file, ruleset)
    try:
        result = assess(
            case,
            lang=lang,  # type: ignore[arg-type]
            backend=backend,
            ruleset=ruleset,
            parameters=parameters,
            as_of=as_of,
        )
    except ConductRulesError as exc:
        fail(str(exc))
    emit(
        result.model_dump_json(indent=2) if fmt == "json" else render_text(result),
        output,
        raw=fmt == "json",
    )
    met = policies_met(result, policies)
    if met:
        fail(f"exit 1 under --fail-on: {'; '.join(met)}", EXIT_FAILED)


def policies_met(result: Assessment | Comparison, policies: tuple[str, ...]) -> list[str]:
    """The ``--fail-on`` policies an assessment (or a comparison's combined answer) meets, each
    said in words (no case value)."""
    met: list[str] = []
    for policy in policies:
        if policy == "findings" and result.findings:
            met.append(plural(len(result.findings), "possible breach", "possible breaches"))
        elif policy == "attention" and _needs_attention(result):
            met.append("the case needs attention")
        elif policy == result.verdict:
            met.append(f"the verdict is {policy}")
    return met


def _needs_attention(result: Assessment | Comparison) -> bool:
    """As the audit counts it: not permitted, a finding, or a blocking safeguard outstanding."""
    return (
        result.verdict == "not_permitted"
        or bool(result.findings)
        or any(s.blocking for s in result.outstanding_safeguards)
    )
