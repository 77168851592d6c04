"""The compiled form of a rule: conclusions, rules and the units engines evaluate.

Kept apart from the loader so that the checks (``checks.py``) and the loader (``ruleset.py``) can
both build and read these without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from conduct_rules.rules.conditions import Condition

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
    """The fact a conclusion makes true when its rule fires."""
    return {
        "derive": c.target,
        "verdict": f"verdict.{c.target}",
        "permit": f"action.{c.target}",
        "safeguard": f"safeguard.{c.target}.required",
        "document": f"documentation.{c.target}.required",
        "finding": f"finding.{c.target}",
    }[c.kind]


def extra_effect(c: Conclusion) -> str:
    """The fact a conclusion's second condition makes true."""
    return {
        "permit": f"action.{c.target}.required",
        "safeguard": f"safeguard.{c.target}.met",
        "document": f"documentation.{c.target}.recorded",
    }[c.kind]


EXTRA_KEY = {"permit": "required_when", "safeguard": "met_when", "document": "recorded_when"}
KINDS = ("derive", "verdict", "permit", "safeguard", "document", "finding")
