"""Backends that evaluate a compiled ruleset over one case's features.

Every backend takes the same units (``Ruleset.units``) and features (``FeatureExtractor``) and
returns an ``Evaluation``: the units that fired, in evaluation order, and the final facts. The
assessment is then built from it by one shared function, so backends can only differ in *what
fired*, which the differential tests compare.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from conduct_rules.case import Case
from conduct_rules.ruleset import Ruleset

__all__ = ["Backend", "Evaluation"]


@dataclass(frozen=True)
class Evaluation:
    """What a backend found: fired unit names (evaluation order) and every fact's final value."""

    fired: tuple[str, ...]
    facts: Mapping[str, Any]


class Backend(Protocol):
    """The one method a backend has."""

    name: str

    def evaluate(self, ruleset: Ruleset, case: Case) -> Evaluation:
        """Evaluate every unit of ``ruleset`` over ``case``."""
        ...
