"""The compiled form of a rule: conclusions, rules and the units engines evaluate.

Kept apart from the loader so that the checks (``rules.checks``) and the loader (``ruleset.py``)
can both build and read these without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from conduct_rules.rules.conditions import Condition
from conduct_rules.rules.facts import main_key, second_key

__all__ = ["EXTRA_KEY", "KINDS", "Conclusion", "Rule", "Unit", "extra_effect", "main_effect"]


@dataclass(frozen=True)
class Conclusion:
    """One conclusion of a rule: its kind, the item id, and an optional second condition."""

    kind: str  # derive | verdict | permit | safeguard | document | finding
    target: str
    extra: Condition | None = None  # met_when / recorded_when / required_when


@dataclass(frozen=True)
class Rule:
    """A rule as written, with its condition parsed and its stratum computed."""

    id: str
    index: int
    cites: tuple[str, ...]
    when: Condition
    then: tuple[Conclusion, ...]
    note: str | None
    exception_to: str | None
    stratum: int = 0
    note_fr: str | None = None  # ``note`` in French


@dataclass(frozen=True)
class Unit:
    """What an engine evaluates: a bound condition and the facts it makes true."""

    name: str
    rule: str
    stratum: int
    condition: Condition
    effects: tuple[str, ...]
    main: bool


def main_effect(c: Conclusion) -> str:
    """The fact a conclusion makes true when its rule fires (``rules.facts.main_key``)."""
    return main_key(c.kind, c.target)


def extra_effect(c: Conclusion) -> str:
    """The fact a conclusion's second condition makes true (``rules.facts.second_key``)."""
    return second_key(c.kind, c.target)


EXTRA_KEY = {"permit": "required_when", "safeguard": "met_when", "document": "recorded_when"}
KINDS = ("derive", "verdict", "permit", "safeguard", "document", "finding")
