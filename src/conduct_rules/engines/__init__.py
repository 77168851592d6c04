"""Backends that evaluate a compiled ruleset over one case's features.

Every backend takes the same units (``Ruleset.units``) and features (``FeatureExtractor``) and
returns an ``Evaluation``: the units that fired, in evaluation order, and the final facts. The
assessment is then built from it by one shared function, so backends can only differ in *what
fired*, which the differential tests compare.
"""

from __future__ import annotations

from collections.abc import Callable, ItemsView, Iterator, KeysView, Mapping, ValuesView
from dataclasses import dataclass
from typing import Any, Protocol

from conduct_rules.case import Case
from conduct_rules.ruleset import Ruleset

__all__ = ["Backend", "Evaluation", "FactSource", "LazyFacts"]


@dataclass(frozen=True)
class Evaluation:
    """What a backend found: fired unit names (evaluation order) and every fact's final value."""

    fired: tuple[str, ...]
    facts: Mapping[str, Any]


class FactSource(Protocol):
    """What ``LazyFacts`` computes its facts with: one compiled ruleset."""

    fingerprint: str  # the ruleset's ``fingerprint``
    rules: tuple[Any, ...]  # the ruleset's ``rules`` object (identity: a reload is another)

    def facts(self, case: Case) -> dict[str, Any]:
        """Every fact's final value for ``case``, as the python backend holds them."""
        ...


class LazyFacts(Mapping[str, Any]):
    """An evaluation's facts, computed only when first read.

    Why: most callers (``build_assessment``, audit rows) need only which units fired, and building
    the dict of every fact is most of an evaluation's cost. The mapping reads like the dict the
    python backend returns (equal to it, ``dict(...)`` of it is that dict, a copy or pickle is a
    plain dict), so callers that read facts are unaffected.

    It also states a guarantee ``build_assessment`` relies on: ``flags`` holds one truth value
    per unit of the ruleset ``source`` was compiled from (unit order), ``fired`` exactly the
    names of the true ones in unit order, and the facts are the case's features, ``True`` for
    each effect of a fired unit, and the ``_facts.add_auto_facts`` facts: the standard semantics,
    so everything concluded follows from ``flags`` alone.
    """

    __slots__ = ("_case", "_facts", "fired", "flags", "source")

    def __init__(
        self, flags: tuple[Any, ...], fired: tuple[str, ...], case: Case, source: FactSource
    ) -> None:
        self.flags = flags
        self.fired = fired
        self.source = source
        self._case = case
        self._facts: dict[str, Any] | None = None

    def materialize(self) -> dict[str, Any]:
        """The facts as a dict (computed once; the same object afterwards)."""
        facts = self._facts
        if facts is None:  # two threads may both compute it: equal dicts, either is kept
            facts = self._facts = self.source.facts(self._case)
        return facts

    def __getitem__(self, key: str) -> Any:
        return self.materialize()[key]

    def get(self, key: str, default: Any = None) -> Any:
        """As ``dict.get`` (overridden: the mixin's goes through an exception)."""
        return self.materialize().get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self.materialize()

    def __iter__(self) -> Iterator[str]:
        return iter(self.materialize())

    def __len__(self) -> int:
        return len(self.materialize())

    def keys(self) -> KeysView[str]:
        """The dict's own view (the mixin's would go through ``__getitem__``)."""
        return self.materialize().keys()

    def items(self) -> ItemsView[str, Any]:
        """The dict's own view."""
        return self.materialize().items()

    def values(self) -> ValuesView[Any]:
        """The dict's own view."""
        return self.materialize().values()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyFacts):
            other = other.materialize()
        return self.materialize() == other

    __hash__ = None  # type: ignore[assignment]  # a mapping: unhashable, like dict

    def __repr__(self) -> str:
        return repr(self.materialize())

    def __reduce__(self) -> tuple[Callable[..., dict[str, Any]], tuple[dict[str, Any]]]:
        # A copy or a pickle is the plain dict: the compiled functions stay in this process.
        return (dict, (dict(self.materialize()),))


class Backend(Protocol):
    """The one method a backend has."""

    name: str

    def evaluate(self, ruleset: Ruleset, case: Case) -> Evaluation:
        """Evaluate every unit of ``ruleset`` over ``case``."""
        ...
