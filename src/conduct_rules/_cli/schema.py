"""``conduct-rules schema [case|assessment]``: print the JSON Schema of the input or output.

Why a command: integrators validate case files in their own tools (editors, CI, other languages)
before calling us. The text is the same generator's as the committed ``schemas/*.schema.json``,
so the command and the files never disagree.
"""

from __future__ import annotations

import click

from conduct_rules._docs import SCHEMAS, schema_text

__all__ = ["schema_cmd"]


@click.command("schema")
@click.argument("which", type=click.Choice(list(SCHEMAS)), default="case", required=False)
def schema_cmd(which: str) -> None:
    """Print the JSON Schema of a case file (default) or of an assessment."""
    click.echo(schema_text(which), nl=False)  # type: ignore[arg-type]  # checked by click.Choice
