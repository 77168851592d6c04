"""``conduct-rules assess CASE.json``: one case, as a report or as JSON."""

from __future__ import annotations

import click

from conduct_rules._cli.common import fail, read_case
from conduct_rules._report import render_text
from conduct_rules.api import BACKENDS, assess
from conduct_rules.errors import ConductRulesError

__all__ = ["assess_cmd"]


@click.command("assess")
@click.argument("case_file", metavar="CASE.json")
@click.option("--lang", type=click.Choice(["en", "fr"]), default="en", show_default=True)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--backend", type=click.Choice(list(BACKENDS)), default="auto", show_default=True)
@click.option("--ruleset", default=None, help="Built-in ruleset name or folder (default: ontario).")
def assess_cmd(case_file: str, lang: str, fmt: str, backend: str, ruleset: str | None) -> None:
    """Assess one case file and print the result."""
    case = read_case(case_file)
    try:
        result = assess(case, lang=lang, backend=backend, ruleset=ruleset)  # type: ignore[arg-type]
    except ConductRulesError as exc:
        fail(str(exc))
    if fmt == "json":
        click.echo(result.model_dump_json(indent=2))
    else:
        click.echo(render_text(result))
