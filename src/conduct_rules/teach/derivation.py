"""Evaluating a case for explanations, and what makes a concluded fact true.

Why apart from ``explain``: explanations, "why not" and counterfactuals all evaluate a case with
the python backend (so that they can never disagree with ``assess``) and all follow derived facts
back to the rules that conclude them; keeping these two in one small module lets each of them
import it without importing the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from conduct_rules.api import get_ruleset
from conduct_rules.engines import Evaluation
from conduct_rules.engines.python import PythonBackend
from conduct_rules.model.case import Case
from conduct_rules.rules.conditions import All, Any_, Condition, Not, Ref
from conduct_rules.rules.facts import ANY_MISSING, DOCUMENT_MISSING, keys_of, unmet_from
from conduct_rules.rules.ruleset import Ruleset, Unit

__all__ = ["definition", "evaluate_case", "producers"]


def evaluate_case(
    case: Case | Mapping[str, Any],
    ruleset: str | Path | Ruleset | None = None,
    parameters: Mapping[str, int] | None = None,
) -> tuple[Case, Ruleset, Evaluation]:
    """Parse the case, resolve the ruleset and evaluate with the python backend."""
    rs = get_ruleset(ruleset, parameters)
    c = rs.vocabulary.parse(case)
    return c, rs, PythonBackend().evaluate(rs, c)


def definition(rs: Ruleset, key: str) -> Condition | None:
    """What makes a concluded fact true, as one condition; None for a case feature.

    Facts set by the engine between strata (``rules/facts.py``) get their definition written out:
    *outstanding* is required and not met, *missing* is required and not recorded.
    """
    parts = unmet_from(key)
    if parts is not None:
        return All((Ref(parts[0]), Not(Ref(parts[1]))))
    if key == ANY_MISSING:
        return Any_(tuple(Ref(k) for k in keys_of(DOCUMENT_MISSING, rs.outputs.documentation)))
    units = producers(rs, key)
    if not units:
        return None
    return units[0].condition if len(units) == 1 else Any_(tuple(u.condition for u in units))


def producers(rs: Ruleset, key: str) -> list[Unit]:
    """The units whose effects include ``key``, in evaluation order."""
    return [u for u in rs.units if key in u.effects]
