"""``conduct-rules compare CASE.json --rulesets ontario,crpo-6.3``: one case, several colleges.

Why its own subcommand: a dual registrant (a social worker who is also a registered
psychotherapist) needs the stricter of two answers, with what each college asks; ``assess`` gives
one ruleset's answer. Text for people, JSON for programs (``Comparison.model_dump``), HTML for a
file or a browser (the assessments side by side). Failures are one line on stderr, exit code 2.
"""

from __future__ import annotations

import datetime as dt

import click

from conduct_rules.api import BACKENDS, get_ruleset
from conduct_rules.cli.assess import policies_met
from conduct_rules.cli.common import (
    EXIT_FAILED,
    as_of_option,
    check_fail_on,
    did_you_mean,
    emit,
    fail,
    fail_on_option,
    lang_option,
    output_option,
    parameters_option,
    parse_parameters,
    read_case,
    ruleset_option,
)
from conduct_rules.compare import DEFAULT_PAIR, STRICTNESS, compare
from conduct_rules.errors import ConductRulesError
from conduct_rules.rules.ruleset import Ruleset

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
@ruleset_option("Not used here: compare takes its rulesets from --rulesets.")
@parameters_option()
@fail_on_option(
    "Exit 1 when the combined answer meets this policy: a verdict id (not_permitted, "
    "conditional), findings or attention. Repeatable or comma-separated."
)
def compare_cmd(
    case_file: str,
    rulesets: str,
    lang: str,
    fmt: str,
    backend: str,
    as_of: dt.date | None,
    output: str | None,
    ruleset: str | None,
    params: tuple[str, ...],
    fail_on: tuple[str, ...],
) -> None:
    """Assess one case file against several rulesets and print the stricter, combined answer.

    --parameters apply to each ruleset that has the parameter. Exit status: 0 when the case was
    compared (whatever the verdicts); 1 when the combined answer meets a --fail-on policy (the
    output is still written); 2 for a bad file, an unknown ruleset, parameter or policy, or a
    ruleset not in force on --as-of.
    """
    policies = check_fail_on(fail_on, STRICTNESS)
    if ruleset is not None:
        fail("--ruleset: compare takes several rulesets; give them with --rulesets")
    parameters = parse_parameters(params)
    names = [n.strip() for n in rulesets.split(",") if n.strip()]
    case = read_case(case_file)
    try:
        chosen = _with_parameters(names, parameters)
        result = compare(case, chosen, lang=lang, backend=backend, as_of=as_of)  # type: ignore[arg-type]
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
    met = policies_met(result, policies)
    if met:
        fail(f"exit 1 under --fail-on: {'; '.join(met)}", EXIT_FAILED)


def _with_parameters(names: list[str], parameters: dict[str, int] | None) -> list[str | Ruleset]:
    """Each ruleset with the parameters it declares; a parameter none declares is refused."""
    if parameters is None:
        return list(names)
    loaded = [get_ruleset(n) for n in names]
    for key in parameters:
        if not any(key in rs.parameters for rs in loaded):
            known = sorted({k for rs in loaded for k in rs.parameters})
            fail(
                f"--parameters: no ruleset compared has a parameter '{key}'"
                f"{did_you_mean(key, known)}; known parameters: {', '.join(known) or 'none'}"
            )
    return [
        get_ruleset(rs, {k: v for k, v in parameters.items() if k in rs.parameters})
        for rs in loaded
    ]
