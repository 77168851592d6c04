"""Backends that evaluate a compiled ruleset over one case's features.

Every backend takes the same units (``Ruleset.units``) and features (``FeatureExtractor``) and
returns an ``Evaluation``: the units that fired, in evaluation order, and the final facts (and,
from the fast backend, every unit's truth value: ``Evaluation.flags``). The assessment is then
built from it by one shared function, so backends can only differ in *what fired*, which the
differential tests compare.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from conduct_rules.model.case import Case
from conduct_rules.rules.ruleset import Ruleset

__all__ = [
    "Backend",
    "Evaluation",
    "FactSource",
    "flag_layout",
    "register_flag_layout",
]


#: How a backend groups a lazy evaluation's unit flags (``Evaluation.flags``), given by the
#: assembler, which knows which units key each of its caches (``assemble.lazy.flag_layout``).
#: Why a registry: the engines sit below the assembler and must not import it; the assembler
#: registers its layout when it is imported, which the package does before any case is assessed.
#: Unset, every unit is one group, which the assembler reads through its general path.
_FLAG_LAYOUT: list[Callable[[Ruleset], tuple[tuple[int, ...], ...]]] = []


def register_flag_layout(layout: Callable[[Ruleset], tuple[tuple[int, ...], ...]]) -> None:
    """Called once by ``assemble.lazy``: the layout the fast backend builds its flags in."""
    _FLAG_LAYOUT[:] = [layout]


def flag_layout(ruleset: Ruleset) -> tuple[tuple[int, ...], ...]:
    """The registered layout for ``ruleset``, or one group of every unit when none is."""
    if _FLAG_LAYOUT:
        return _FLAG_LAYOUT[0](ruleset)
    return (tuple(range(len(ruleset.units))),)

_new = object.__new__


class _FromFlags:
    """A field of an ``Evaluation``: its value in the instance dict, else computed from the flags.

    Why a descriptor without ``__set__`` (as ``functools.cached_property``): an attribute found
    in the instance dict is then read as a plain attribute, with no call, so an evaluation that
    holds its value (every backend's but the fast one's, and the fast one's names for small
    rulesets) costs nothing extra to read; only a missing value calls ``compute``, once.
    """

    __slots__ = ("compute", "name")

    def __init__(self, compute: Callable[[dict[str, Any]], Any]) -> None:
        self.compute = compute
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        if obj is None:
            return self
        d = obj.__dict__
        value = d[self.name] = self.compute(d)  # two threads may both compute it: equal values
        return value


class Evaluation:
    """What a backend found: fired unit names (evaluation order) and every fact's final value.

    One shape for every backend. An evaluation may also carry the truth value of every unit,
    ``flags`` (grouped as ``source.layout``), and the compiled ruleset they come from, ``source``
    (a ``FactSource``): the fast backend's evaluations do (``from_flags``), the others' hold
    None in both. Then ``fired`` and ``facts`` are computed from the flags when first read. Why:
    building the tuple of names and, above all, the dict of every fact is most of an
    evaluation's cost, and the most common reader, the assembler, needs neither once it has
    seen a combination of fired units: it reads ``flags`` and ``source`` instead. Evaluations
    with the same ``fired`` and ``facts`` are equal, read, copy and pickle alike, flags or not;
    a copy or pickle holds no flags (compiled functions stay in their process).

    Immutable: attributes cannot be set.
    """

    # The values live in the instance dict, set in one step (``_set_dict``) by the constructors
    # of this module: one dict per evaluation, the cheapest object CPython makes per case. A
    # key left out reads as the class's default: None for ``flags`` and ``source``; ``fired``
    # and ``facts`` are then computed from the flags (``_FromFlags``).
    flags: tuple[tuple[Any, ...], ...] | None = None
    source: FactSource | None = None
    if TYPE_CHECKING:  # for type checkers, two plain fields
        fired: tuple[str, ...]
        facts: Mapping[str, Any]
    else:
        #: The names of the units that fired, in unit order.
        fired = _FromFlags(lambda d: d["source"].fired(d["flags"]))
        #: Every fact's final value: features, concluded facts and automatic facts.
        facts = _FromFlags(lambda d: d["source"].facts(d["_case"], d["flags"]))

    def __init__(
        self,
        fired: tuple[str, ...],
        facts: Mapping[str, Any],
    ) -> None:
        _set_dict(self, {"fired": fired, "facts": facts})

    @classmethod
    def from_flags(
        cls,
        flags: tuple[tuple[Any, ...], ...],
        case: Case,
        source: FactSource,
        fired: tuple[str, ...] | None = None,
    ) -> Evaluation:
        """An evaluation holding the truth value of every unit of ``source`` (``source.layout``).

        The promise the caller makes, which the assembler relies on: ``fired`` is the names of
        the units whose flag is true, in unit order (``fired``, when given, must be them), and
        ``facts`` is ``source.facts(case, flags)``: the case's features, ``True`` for each
        effect of a fired unit, and the auto facts (``rules.facts.add_auto_facts``), as the python
        backend computes them.
        """
        ev: Evaluation = _new(cls)
        if fired is None:
            _set_dict(ev, {"flags": flags, "source": source, "_case": case})
        else:
            _set_dict(ev, {"fired": fired, "flags": flags, "source": source, "_case": case})
        return ev

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"an Evaluation is immutable: cannot set '{name}'")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"an Evaluation is immutable: cannot delete '{name}'")

    def __eq__(self, other: object) -> bool:
        # Any two evaluations with the same values are equal, flags or not.
        if not isinstance(other, Evaluation):
            return NotImplemented
        return self.fired == other.fired and self.facts == other.facts

    __hash__ = None  # type: ignore[assignment]  # ``facts`` is a dict: never hashable

    def __repr__(self) -> str:
        return f"Evaluation(fired={self.fired!r}, facts={self.facts!r})"

    def __reduce__(self) -> tuple[type[Evaluation], tuple[tuple[str, ...], Mapping[str, Any]]]:
        # A copy or pickle holds the values: compiled functions stay in this process.
        return (Evaluation, (self.fired, self.facts))


#: ``object.__setattr__(ev, "__dict__", d)`` minus the look-up of the class's descriptor (one
#: call per case: ``Evaluation.from_flags``)
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
        """The names of the units whose flag is true, in unit order."""
        ...


class Backend(Protocol):
    """The one method a backend has."""

    name: str

    def evaluate(self, ruleset: Ruleset, case: Case) -> Evaluation:
        """Evaluate every unit of ``ruleset`` over ``case``."""
        ...
