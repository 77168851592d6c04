"""``conduct-rules template``: print a blank case to fill in, with what each field means.

Why: a newcomer's first question is "what do I put in the file?". The template answers with every
field, its default and its meaning (the schema's descriptions), ready to edit and assess.
"""

from __future__ import annotations

import click

from conduct_rules.cli.common import emit, output_option
from conduct_rules.render.template import template_json, template_yaml

__all__ = ["template_cmd"]


@click.command("template")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["yaml", "json"]),
    default="yaml",
    show_default=True,
    help="yaml: commented, for people; json: the same defaults, without comments.",
)
@output_option()
def template_cmd(fmt: str, output: str | None) -> None:
    """Print a blank case (every field with its default and meaning) to fill in and assess."""
    emit(template_json() if fmt == "json" else template_yaml(), output, raw=True)
