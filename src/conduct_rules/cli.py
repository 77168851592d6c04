"""The ``conduct-rules`` command: a click group whose subcommands live in ``conduct_rules._cli``.

Why one module per subcommand: each one (assess, audit, explain, what-if, train) has its own
options and output formats; keeping them apart keeps every module small and lets heavy optional
imports (pandas, matplotlib) happen only when their command runs.
"""

from __future__ import annotations

import click

from conduct_rules import __version__
from conduct_rules._cli.assess import assess_cmd
from conduct_rules._cli.audit import audit_cmd
from conduct_rules._cli.compare import compare_cmd
from conduct_rules._cli.explain import explain_cmd, what_if_cmd
from conduct_rules._cli.schema import schema_cmd
from conduct_rules._cli.train import train_cmd

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="conduct-rules")
def main() -> None:
    """Assess the ending of a client relationship against professional standards."""


main.add_command(assess_cmd)
main.add_command(audit_cmd)
main.add_command(explain_cmd)
main.add_command(what_if_cmd)
main.add_command(train_cmd)
main.add_command(schema_cmd)
main.add_command(compare_cmd)
