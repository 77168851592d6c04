"""Backends that evaluate a compiled ruleset over one case's features.

Every backend takes the same units (``Ruleset.units``) and features (``FeatureExtractor``) and
returns an ``Evaluation``: the units that fired, in evaluation order, and the final facts. The
assessment is then built from it by one shared function, so backends can only differ in *what
fired*, which the differential tests compare.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import compress
from typing import TYPE_CHECKING, Any, Protocol

from conduct_rules.case import Case
from conduct_rules.ruleset import Ruleset

__all__ = ["Backend", "Evaluation", "FactSource", "lazy_evaluation", "unit_flags"]

_new = object.__new__
_set = object.__setattr__


@dataclass(frozen=True)
class Evaluation:
    """What a backend found: fired unit names (evaluation order) and every fact's final value.

    A backend may return it *lazy* (``lazy_evaluation``): it then holds one truth value per
    unit, and ``fired`` and ``facts`` are computed when first read. Why: building the tuple of
    names and, above all, the dict of every fact is most of an evaluation's cost, and the most
    common caller, ``build_assessment``, needs neither once it has seen a combination of fired
    units (``unit_flags``). A lazy evaluation reads, compares, copies and pickles as the eager
    one with the same values: only ``vars()`` shows the difference.
    """

    fired: tuple[str, ...]
    facts: Mapping[str, Any]

    if not TYPE_CHECKING:  # at run time only: mypy keeps checking attribute names

        def __getattr__(self, name: str) -> Any:
            # Called only for attributes the instance lacks: the two fields of a lazy evaluation.
            d = self.__dict__
            if name in ("fired", "facts") and "_flags" in d:
                source = d["_source"]
                if name == "fired":
                    value = tuple(compress(source.names, d["_flags"]))
                else:
                    value = source.facts(d["_case"], d["_flags"])
                _set(self, name, value)  # two threads may both compute it: equal values
                return value
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __reduce__(self) -> tuple[type[Evaluation], tuple[tuple[str, ...], Mapping[str, Any]]]:
        # A copy or pickle is the eager evaluation: compiled functions stay in this process.
        return (Evaluation, (self.fired, self.facts))


class FactSource(Protocol):
    """What a lazy evaluation computes its fields with: one compiled ruleset."""

    fingerprint: str  # the ruleset's ``fingerprint``
    rules: tuple[Any, ...]  # the ruleset's ``rules`` object (identity: a reload is another)
    names: tuple[str, ...]  # the ruleset's unit names, in unit order

    def facts(self, case: Case, flags: tuple[Any, ...]) -> dict[str, Any]:
        """Every fact's final value for ``case`` (whose unit truth values are ``flags``)."""
        ...


def lazy_evaluation(flags: tuple[Any, ...], case: Case, source: FactSource) -> Evaluation:
    """An evaluation holding one truth value per unit of ``source`` (unit order).

    The promise the caller makes, which ``build_assessment`` relies on: ``fired`` is the names
    of the units whose flag is true, in unit order, and ``facts`` is ``source.facts(case, flags)``:
    the case's features, ``True`` for each effect of a fired unit, and the auto facts
    (``_facts.add_auto_facts``), as the python backend computes them.
    """
    ev: Evaluation = _new(Evaluation)
    _set(ev, "__dict__", {"_flags": flags, "_case": case, "_source": source})
    return ev


def unit_flags(ev: Evaluation) -> tuple[tuple[Any, ...], FactSource] | None:
    """A lazy evaluation's unit flags and source; None for an eager one."""
    d = ev.__dict__
    if "_flags" not in d:
        return None
    return d["_flags"], d["_source"]


class Backend(Protocol):
    """The one method a backend has."""

    name: str

    def evaluate(self, ruleset: Ruleset, case: Case) -> Evaluation:
        """Evaluate every unit of ``ruleset`` over ``case``."""
        ...
