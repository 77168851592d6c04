"""``conduct-rules train``: placeholder until its issue lands."""

from __future__ import annotations

import click

__all__ = ["train_cmd"]


@click.command("train")
def train_cmd() -> None:
    """Not available yet."""
    raise click.UsageError("'train' is not available yet")
