"""``conduct-rules template``: print a blank case to fill in, with what each field means.

Why: a newcomer's first question is "what do I put in the file?". The template answers with every
field, its default and its meaning (the schema's descriptions), ready to edit and assess.

Why it takes ``--lang``, ``--ruleset`` and ``--parameters`` although a blank case has little use
for them: every command takes the same options (one grammar). A value that cannot apply is
refused in one line (exit 2), never silently ignored: the field descriptions exist in English
only, a ruleset with its own record has no template yet, and a blank case has no parameters.
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
from conduct_rules.errors import ConductRulesError
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
@lang_option("Language of the comments (the field descriptions exist in English only).")
@ruleset_option("A ruleset that reads the standard case (the default, ontario, crpo-6.3).")
@parameters_option()
def template_cmd(
    fmt: str, output: str | None, lang: str, ruleset: str | None, params: tuple[str, ...]
) -> None:
    """Print a blank case (every field with its default and meaning) to fill in and assess.

    Exit status: 0 printed, 2 an option value that cannot apply (see --lang, --ruleset).
    """
    if lang != "en":
        fail("--lang: the case fields are described in English only; no French template yet")
    refuse_parameters(params, "a blank case has no parameters; give them to assess or audit")
    if ruleset is not None:
        try:
            own_record = not get_ruleset(ruleset).vocabulary.is_case
        except ConductRulesError as exc:
            fail(str(exc))
        if own_record:
            fail("--ruleset: this ruleset reads its own record; its template does not exist yet")
    emit(template_json() if fmt == "json" else template_yaml(), output, raw=True)
