"""Backends that evaluate a compiled ruleset over one case's features.

Every backend takes the same units (``Ruleset.units``) and features (``FeatureExtractor``) and
returns an ``Evaluation``: the units that fired, in evaluation order, and the final facts. The
assessment is then built from it by one shared function, so backends can only differ in *what
fired*, which the differential tests compare.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import chain, compress
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Protocol

from conduct_rules.model.case import Case
from conduct_rules.rules.ruleset import Ruleset

__all__ = [
    "Backend",
    "Evaluation",
    "FactSource",
    "fired_names",
    "lazy_evaluation",
    "lazy_facts_evaluation",
    "unit_flags",
]

_new = object.__new__
_set = object.__setattr__


@dataclass(frozen=True, eq=False, repr=False)
class Evaluation:
    """What a backend found: fired unit names (evaluation order) and every fact's final value.

    A backend may return it *lazy* (``lazy_evaluation``): it then holds the truth value of
    every unit, and ``fired`` and ``facts`` are computed when first read. Why: building the tuple
    of names and, above all, the dict of every fact is most of an evaluation's cost, and the most
    common caller, ``build_assessment``, needs neither once it has seen a combination of fired
    units (``unit_flags``). A lazy evaluation reads, compares, copies and pickles as the eager
    one with the same values: only ``vars()`` and its class show the difference.
    """

    fired: tuple[str, ...]
    facts: Mapping[str, Any]

    def __eq__(self, other: object) -> bool:
        # Any two evaluations with the same values are equal, lazy or not.
        if not isinstance(other, Evaluation):
            return NotImplemented
        return self.fired == other.fired and self.facts == other.facts

    __hash__ = None  # type: ignore[assignment]  # ``facts`` is a dict: never hashable

    def __repr__(self) -> str:  # the same for the lazy subclasses
        return f"Evaluation(fired={self.fired!r}, facts={self.facts!r})"

    def __reduce__(self) -> tuple[type[Evaluation], tuple[tuple[str, ...], Mapping[str, Any]]]:
        # A copy or pickle is the eager evaluation: compiled functions stay in this process.
        return (Evaluation, (self.fired, self.facts))


class _LazyEvaluation(Evaluation):
    """An evaluation whose two fields are computed from its unit flags when first read.

    The fields are properties of this subclass (a data descriptor wins over the instance dict),
    so the eager class keeps plain attributes and no ``__getattr__`` hook slows every miss.
    """

    if not TYPE_CHECKING:  # at run time only: for mypy these stay the dataclass's fields

        def __init__(self, fired: tuple[str, ...], facts: Mapping[str, Any]) -> None:
            # What ``dataclasses.replace`` calls: the values given, nothing left to compute.
            self.__dict__.update(_fired=fired, _facts=facts)

        @property
        def fired(self) -> tuple[str, ...]:
            d = self.__dict__
            value = d.get("_fired")
            if value is None:  # two threads may both compute it: equal values
                value = d["_fired"] = d["_source"].fired(d["_flags"])
            return value

        @property
        def facts(self) -> Mapping[str, Any]:
            d = self.__dict__
            value = d.get("_facts")
            if value is None:
                value = d["_facts"] = d["_source"].facts(d["_case"], d["_flags"])
            return value


class _LazyFacts(Evaluation):
    """An evaluation whose ``fired`` is given and whose ``facts`` are computed when first read."""

    if not TYPE_CHECKING:

        def __init__(self, fired: tuple[str, ...], facts: Mapping[str, Any]) -> None:
            self.__dict__.update(fired=fired, _facts=facts)  # as ``_LazyEvaluation.__init__``

        facts = _LazyEvaluation.facts


#: ``object.__setattr__(ev, "__dict__", d)`` minus the look-up of the class's descriptor (one
#: call per case: ``lazy_evaluation``)
_set_dict = vars(Evaluation)["__dict__"].__set__


class FactSource(Protocol):
    """What a lazy evaluation computes its fields with: one compiled ruleset.

    Its flags come in groups: ``flags[g][j]`` is the truth value of unit ``layout[g][j]``, and
    every unit is in some group. Why groups, not one tuple in unit order: the consumer
    (``assemble.lazy.flag_layout``) keys its caches by groups of units, and a backend that
    builds each group from its own locals saves the picking and one long tuple per case.
    """

    fingerprint: str  # the ruleset's ``fingerprint``
    rules: tuple[Any, ...]  # the ruleset's ``rules`` object (identity: a reload is another)
    names: tuple[str, ...]  # the ruleset's unit names, in unit order
    layout: tuple[tuple[int, ...], ...]  # the unit indices of each group of flags

    def facts(self, case: Case, flags: tuple[tuple[Any, ...], ...]) -> dict[str, Any]:
        """Every fact's final value for ``case`` (whose unit truth values are ``flags``)."""
        ...

    def fired(self, flags: tuple[tuple[Any, ...], ...]) -> tuple[str, ...]:
        """The names of the units whose flag is true, in unit order (``fired_names``)."""
        ...


#: ``id(layout)`` -> (that layout, a getter putting its flattened flags in unit order). Checked
#: by identity; a compiled program keeps its layout, so a batch computes the getter once.
_ORDERS: dict[int, tuple[Any, Callable[[tuple[Any, ...]], Any]]] = {}
_MAX_ORDERS = 64


def fired_names(source: FactSource, flags: tuple[tuple[Any, ...], ...]) -> tuple[str, ...]:
    """The names of the units whose flag is true, in unit order (picked in C: ``itemgetter``).

    A generic ``FactSource.fired`` for sources that do not generate their own.
    """
    layout = source.layout
    hit = _ORDERS.get(id(layout))
    if hit is None or hit[0] is not layout:
        first: dict[int, int] = {}  # unit -> its first place in the flattened flags
        for place, unit in enumerate(chain.from_iterable(layout)):
            first.setdefault(unit, place)
        places = [first[i] for i in range(len(source.names))]
        getter = itemgetter(*places) if len(places) != 1 else lambda flat: (flat[places[0]],)
        hit = (layout, getter if places else lambda flat: ())
        if len(_ORDERS) >= _MAX_ORDERS:
            _ORDERS.clear()
        _ORDERS[id(layout)] = hit
    flat: tuple[Any, ...] = sum(flags, ())  # a few groups: concatenation beats ``chain``
    return tuple(compress(source.names, hit[1](flat)))


def lazy_evaluation(
    flags: tuple[tuple[Any, ...], ...], case: Case, source: FactSource
) -> Evaluation:
    """An evaluation holding the truth value of every unit of ``source`` (``source.layout``).

    The promise the caller makes, which ``build_assessment`` relies on: ``fired`` is the names
    of the units whose flag is true, in unit order, and ``facts`` is ``source.facts(case, flags)``:
    the case's features, ``True`` for each effect of a fired unit, and the auto facts
    (``rules.facts.add_auto_facts``), as the python backend computes them.
    """
    ev: Evaluation = _new(_LazyEvaluation)
    _set_dict(ev, {"_flags": flags, "_case": case, "_source": source})
    return ev


def lazy_facts_evaluation(
    flags: tuple[tuple[Any, ...], ...], fired: tuple[str, ...], case: Case, source: FactSource
) -> Evaluation:
    """``lazy_evaluation`` with ``fired`` already known (``source.fired(flags)`` must equal it).

    Why: for a small ruleset the names cost less to build with the flags than through the
    lazy field later (``engines.fast.EAGER_FIRED_MAX_UNITS``).
    """
    ev: Evaluation = _new(_LazyFacts)
    _set_dict(ev, {"fired": fired, "_flags": flags, "_case": case, "_source": source})
    return ev


def unit_flags(ev: Evaluation) -> tuple[tuple[tuple[Any, ...], ...], FactSource] | None:
    """A lazy evaluation's unit flags (grouped as ``source.layout``) and source; None if eager."""
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
