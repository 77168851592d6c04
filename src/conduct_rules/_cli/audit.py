"""``conduct-rules audit``: placeholder until its issue lands."""

from __future__ import annotations

import click

__all__ = ["audit_cmd"]


@click.command("audit")
def audit_cmd() -> None:
    """Not available yet."""
    raise click.UsageError("'audit' is not available yet")
