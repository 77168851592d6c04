"""The pure-Python backend: interprets the same compiled units, stratum by stratum.

Why it exists: it is the reference the durable_rules backend is checked against, the engine on
Python 3.13+ where durable_rules' C extension cannot load, and the engine behind explanations and
counterfactuals, which need to evaluate many variants of a case quickly.
"""

from __future__ import annotations

from typing import Any

from conduct_rules.engines import Evaluation
from conduct_rules.model.case import Case
from conduct_rules.rules.conditions import evaluate
from conduct_rules.rules.facts import add_auto_facts
from conduct_rules.rules.ruleset import Ruleset
from conduct_rules.rules.vocabulary import FeatureExtractor

__all__ = ["PythonBackend"]


class PythonBackend:
    """Interprets conditions directly. Stateless, so safe to share between threads."""

    name = "python"

    def __init__(self) -> None:
        self._extractors: dict[str, FeatureExtractor] = {}

    def _extractor(self, ruleset: Ruleset) -> FeatureExtractor:
        ex = self._extractors.get(ruleset.fingerprint)
        if ex is None:
            ex = FeatureExtractor(ruleset.feature_keys)
            self._extractors[ruleset.fingerprint] = ex
        return ex

    def evaluate(self, ruleset: Ruleset, case: Case) -> Evaluation:
        """Evaluate every unit in order; auto facts are added after each stratum."""
        facts: dict[str, Any] = self._extractor(ruleset)(case)
        return self.evaluate_features(ruleset, facts)

    def evaluate_features(self, ruleset: Ruleset, facts: dict[str, Any]) -> Evaluation:
        """Evaluate from already computed features (used by explain and counterfactuals)."""
        fired: list[str] = []
        stratum = 0
        for unit in ruleset.units:
            if unit.stratum != stratum:
                add_auto_facts(ruleset, facts)
                stratum = unit.stratum
            if evaluate(unit.condition, facts):
                fired.append(unit.name)
                for effect in unit.effects:
                    facts[effect] = True
        add_auto_facts(ruleset, facts)
        return Evaluation(tuple(fired), facts)
