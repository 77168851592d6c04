"""``conduct-rules schema [NAME]``: print the JSON Schema of the input or of a JSON output.

Why a command: integrators validate case files in their own tools (editors, CI, other languages)
before calling us. The text is the same generator's as the committed ``schemas/*.schema.json``,
so the command and the files never disagree.

Why ``--lang``, ``--format`` and ``--parameters`` although a schema has one form: one grammar for
every command. The schemas are JSON and their descriptions English, and parameters change
answers, never shapes; any other value is refused in one line (exit 2).
"""

from __future__ import annotations

import click

from conduct_rules.api import get_ruleset
from conduct_rules.cli.common import (
    emit,
    fail,
    lang_option,
    output_option,
    parameters_option,
    refuse_parameters,
    ruleset_option,
)
from conduct_rules.cli.schemas import SCHEMAS, schema_text
from conduct_rules.errors import ConductRulesError

__all__ = ["schema_cmd"]


@click.command("schema")
@click.argument("which", type=click.Choice(list(SCHEMAS)), default="case", required=False)
@ruleset_option(
    "For 'case': the record of a ruleset that declares its own (default: the standard case)."
)
@output_option()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json"]),
    default="json",
    show_default=True,
    help="Schemas are JSON (JSON Schema 2020-12).",
)
@lang_option("Language of the descriptions (the schemas are published in English only).")
@parameters_option()
def schema_cmd(
    which: str,
    ruleset: str | None,
    output: str | None,
    fmt: str,
    lang: str,
    params: tuple[str, ...],
) -> None:
    """Print the JSON Schema of a case file (default) or of a JSON output: assessment,
    explanation, why-not, what-if, audit-row, audit-compared-row, audit-summary,
    training-marking, exercise-set, comparison.

    Exit status: 0 printed, 2 an unknown name or an option value that cannot apply.
    """
    del fmt  # one choice: JSON
    if lang != "en":
        fail("--lang: the schemas are published in English only")
    refuse_parameters(params, "parameters change answers, not the shape of a file")
    rs = None
    if ruleset is not None:
        try:
            rs = get_ruleset(ruleset)
        except ConductRulesError as exc:
            fail(str(exc))
    emit(schema_text(which, rs), output, raw=True)  # type: ignore[arg-type]  # click.Choice
