"""``conduct-rules explain`` and ``what-if``: placeholders until their issue lands."""

from __future__ import annotations

import click

__all__ = ["explain_cmd", "what_if_cmd"]


@click.command("explain")
def explain_cmd() -> None:
    """Not available yet."""
    raise click.UsageError("'explain' is not available yet")


@click.command("what-if")
def what_if_cmd() -> None:
    """Not available yet."""
    raise click.UsageError("'what-if' is not available yet")
