"""``conduct-rules schema [NAME]``: print the JSON Schema of the input or of a JSON output.

Why a command: integrators validate case files in their own tools (editors, CI, other languages)
before calling us. The text is the same generator's as the committed ``schemas/*.schema.json``,
so the command and the files never disagree.
"""

from __future__ import annotations

import click

from conduct_rules.api import get_ruleset
from conduct_rules.cli.common import emit, fail, output_option, ruleset_option
from conduct_rules.cli.schemas import SCHEMAS, schema_text
from conduct_rules.errors import ConductRulesError

__all__ = ["schema_cmd"]


@click.command("schema")
@click.argument("which", type=click.Choice(list(SCHEMAS)), default="case", required=False)
@ruleset_option(
    "For 'case': the record of a ruleset that declares its own (default: the standard case)."
)
@output_option()
def schema_cmd(which: str, ruleset: str | None, output: str | None) -> None:
    """Print the JSON Schema of a case file (default) or of a JSON output: assessment,
    explanation, why-not, what-if, audit-row, audit-summary, training-marking."""
    rs = None
    if ruleset is not None:
        try:
            rs = get_ruleset(ruleset)
        except ConductRulesError as exc:
            fail(str(exc))
    emit(schema_text(which, rs), output, raw=True)  # type: ignore[arg-type]  # click.Choice
