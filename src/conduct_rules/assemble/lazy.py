"""The assembled path for evaluations with flags: assessment parts keyed by the deciding units.

Why a second path: an evaluation with flags (``Evaluation.from_flags``, the fast backend's) carries
the truth value of every unit and promises the standard semantics for its facts, so every part of
the assessment follows from the truth values of a few units, and a case whose parts were seen before
costs a few tuple look-ups instead of reading the ~75 facts an assessment reports. Each part is
still built, the first time, by the reference code of ``assemble.reference`` (``_validated_*``),
from facts and rule sources read off the same few truth values, and
``tests/unit/test_assemble_memo.py`` compares this path with ``assemble.reference._validated`` byte
for byte, on cached and on new cases.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import compress
from typing import Any, Protocol

from conduct_rules.assemble.reference import (
    _VERDICTS,
    Sources,
    _Fallback,
    _part_keys,
    _verdict,
)
from conduct_rules.engines import Evaluation, FactSource, register_flag_layout
from conduct_rules.model.assessment import Assessment, Warning_
from conduct_rules.rules.conditions import All
from conduct_rules.rules.facts import (
    ANY_MISSING,
    DOCUMENT_REQUIRED,
    TERMINATION_REQUIRED,
    UNMET_SOURCE,
    VERDICT,
    auto_facts,
    keys_of,
)
from conduct_rules.rules.ruleset import Ruleset


class Plan(Protocol):
    """What this module reads of the assembler's ``Plan`` (``assemble/build.py``), stated here so
    that the lazy path does not import the module that imports it (no cycle, not even for types)."""

    @property
    def ruleset(self) -> Ruleset: ...
    @property
    def fr(self) -> bool: ...
    @property
    def parts(self) -> tuple[Any, ...]: ...
    @property
    def make(self) -> Callable[..., Any]: ...
    @property
    def finish(self) -> Callable[..., Assessment]: ...
    @property
    def _store(self) -> Callable[[dict[Any, Any], Any, Any], None]: ...

__all__ = ["ByFlags", "NotByFlags", "flag_layout"]

class NotByFlags(Exception):  # noqa: N818 - a control-flow signal, not an error
    """This ruleset's assessments do not follow from the fired units alone (see ``ByFlags``)."""


Truths = tuple[tuple[str, tuple[int, ...], tuple[int, ...] | None], ...]
Concluding = tuple[tuple[int, str, tuple[tuple[str, str], ...]], ...]


class _Analysis:
    """Which units decide each part of an assessment (see ``ByFlags``); ``NotByFlags`` if not."""

    def __init__(self, ruleset: Ruleset) -> None:
        units = ruleset.units
        self.by_id = {r.id: r for r in ruleset.rules}
        self.features = frozenset(ruleset.feature_keys)
        self.producers: dict[str, set[int]] = {}
        self.concluders: dict[str, set[int]] = {}  # kind -> units whose rule concludes it
        for i, u in enumerate(units):
            for e in u.effects:
                self.producers.setdefault(e, set()).add(i)
            if "#" not in u.name:  # what ``_sources_of`` reads
                rule = self.by_id.get(u.name)
                if rule is None:
                    raise NotByFlags
                for c in rule.then:
                    self.concluders.setdefault(c.kind, set()).add(i)
        out = ruleset.outputs
        #: auto key -> (its required key, its met / recorded key): ``rules.facts.auto_facts``
        self.auto = {a.key: (a.required, a.met) for a in auto_facts(ruleset)}
        # Three caches, each keyed by the flags of its own units only. The head (verdict,
        # derived facts, actions, findings) takes few values on any corpus, so one look-up
        # serves them all; so does the documentation (required and missing records: the units
        # deciding the first are among those deciding the second). Safeguards and records vary
        # independently: a key over both would see every combination of their values.
        # Each cache: the facts its reference code reads, and the kinds of item it lists.
        actions, safeguards, missing, findings = _part_keys(out)
        reads = (
            [
                *keys_of(VERDICT, out.verdicts),
                TERMINATION_REQUIRED,
                *ruleset.header.derived,
                *actions,
                *findings,
            ],
            safeguards,
            [*keys_of(DOCUMENT_REQUIRED, out.documentation), *missing],
        )
        kinds = (("permit", "finding"), ("safeguard",), ("document",))
        groups = [
            tuple(sorted(self.deps(keys).union(*(self.concluders.get(k, ()) for k in wanted))))
            for keys, wanted in zip(reads, kinds, strict=True)
        ]
        rule_of = tuple(u.name.split("#", 1)[0] for u in units)
        slots = _rule_slots(ruleset, rule_of)
        #: ``rules_fired`` is ``rule_names`` compressed by the fourth group's flags (then, unless
        #: ``unique``, de-duplicated): each rule's possible first units, or every unit
        self.unique = slots is not None
        firsts = [i for i, r in enumerate(slots) if r] if slots is not None else range(len(units))
        self.rule_names = tuple(rule_of[i] for i in firsts)
        rest = set(range(len(units))).difference(*groups, firsts)
        #: every unit has a place, so ``fired`` and ``facts`` can be read back
        self.layout = (*groups, tuple(firsts), *([tuple(sorted(rest))] if rest else []))
        # What a miss of each cache reads, from that cache's own group of flags (``_miss``).
        self.truths = tuple(self.truths_of(keys, g) for keys, g in zip(reads, groups, strict=True))
        self.concluding = tuple(
            self.concluding_of(units, g, wanted) for g, wanted in zip(groups, kinds, strict=True)
        )

    def deps(self, keys: Iterable[str]) -> set[int]:
        """The units whose flags decide the truth of these facts."""
        found: set[int] = set()
        for key in keys:
            # An auto fact is decided by two concluded facts (``rules.facts.unmet``).
            read = list(self.auto[key]) if key in self.auto else [key]
            for k in read:
                if k in self.features or k == ANY_MISSING:  # not a function of producers
                    raise NotByFlags
                found |= self.producers.get(k, set())
        return found

    def truths_of(self, keys: Iterable[str], group: tuple[int, ...]) -> Truths:
        """Per fact: its places in ``group`` of the units concluding it (and, for an auto fact,
        those concluding its ``required`` fact, then its ``met`` / ``recorded`` fact)."""
        at = {unit: place for place, unit in enumerate(group)}

        def places(fact: str) -> tuple[int, ...]:
            return tuple(sorted(at[u] for u in self.producers.get(fact, ())))  # in the group

        truths: list[tuple[str, tuple[int, ...], tuple[int, ...] | None]] = []
        for key in dict.fromkeys(keys):
            if key in self.auto:
                required, met = self.auto[key]
                truths.append((key, places(required), places(met)))
            else:
                truths.append((key, places(key), None))
        return tuple(truths)

    def concluding_of(
        self, units: tuple[Any, ...], group: tuple[int, ...], kinds: tuple[str, ...]
    ) -> Concluding:
        """Per unit of ``group`` (in order) that ``_sources`` reads and whose rule concludes
        items of these kinds: its place, its rule, and those conclusions (``(kind, target)``)."""
        out: list[tuple[int, str, tuple[tuple[str, str], ...]]] = []
        for place, u in enumerate(group):
            name = units[u].name
            if "#" not in name:
                then = self.by_id[name].then
                concluded = tuple((c.kind, c.target) for c in then if c.kind in kinds)
                if concluded:
                    out.append((place, name, concluded))
        return tuple(out)


def flag_layout(ruleset: Ruleset) -> tuple[tuple[int, ...], ...]:
    """How a backend should group a lazy evaluation's unit flags for ``ByFlags`` (see there).

    Groups of unit indices: the units keying each of the three caches, then the units
    ``rules_fired`` reads, then any other unit. A ruleset whose assessments do not follow from
    the flags gets one group of every unit (``ByFlags`` is not used for it).
    """
    try:
        return _Analysis(ruleset).layout
    except NotByFlags:
        return (tuple(range(len(ruleset.units))),)


register_flag_layout(flag_layout)  # the fast backend builds its flags in these groups


class ByFlags:
    """The assembled path for evaluations that carry unit flags (``Evaluation.flags``).

    Why: such an evaluation's facts are the case's features plus what the fired units conclude
    plus the auto facts, and the build reads no feature (checked here, else ``NotByFlags``), so
    each part of the assessment is a function of the flags of the few units that can change it:
    the units concluding a fact the part reads (for an ``outstanding`` or ``missing`` fact, those
    concluding its ``required`` and ``met`` / ``recorded`` facts) and the rules that can conclude
    one of its items (their order in ``fired`` is unit order, so the flags fix it). A cached
    part is therefore exactly what the reference code gives, and a case whose parts are all
    cached needs no facts at all: its lazy ``facts`` (and ``fired``) are never computed.

    Why flag *groups* (``flag_layout``): a backend that builds the flags in these groups hands
    over each cache's key ready-made, a tuple of a few dozen truth values (the fast backend's
    generated code builds it from its locals), so a look-up costs one hash of that tuple: no
    picking, and no tuple of every unit (one of more than about 60 items is too big for
    Python's small-object allocator). ``rules_fired`` has its own group: each rule's possible
    first units in unit order (``_rule_slots``), compressed in C. A source with another layout
    takes ``Plan.assemble``.

    Why a miss reads the flags too (``_miss``): a stream of new cases keeps meeting new
    combinations (8,700 parts built over 200,000 random cases), and computing the evaluation's
    facts dict and fired units for each cost more than the build itself.
    """

    def __init__(self, plan: Plan, ruleset: Ruleset) -> None:
        analysis = _Analysis(ruleset)
        self.layout = analysis.layout
        self.fact_functions = tuple(_truth_function(t) for t in analysis.truths)
        self.concluding = analysis.concluding
        self.unique = analysis.unique
        self.rule_names = analysis.rule_names
        #: head, safeguards, records. (Not ``rules_fired``: a cache of it, 9,000 combinations
        #: on 200,000 random cases, saved less on a stream of new cases than it cost.)
        self.caches: tuple[dict[Any, Any], ...] = ({}, {}, {})
        self.rules = ruleset.rules
        self.fingerprint = ruleset.fingerprint
        #: The fact source accepted last (``accepts``): a batch has one, and ``is`` is cheapest.
        self.source: FactSource | None = None

    def accepts(self, source: FactSource) -> bool:
        """Whether ``source`` compiled this ruleset in this layout: then its flags are the keys.

        A plan serves every ``Ruleset`` object with this one's fingerprint and data objects
        (``Plan.matches``), so the answer depends on the source alone, and the source accepted
        last is kept (held, so ``is`` cannot match another object).
        """
        ok = (
            source.rules is self.rules
            and source.fingerprint == self.fingerprint
            and getattr(source, "layout", None) == self.layout  # else read its facts
        )
        if ok:
            self.source = source
        return ok

    def assemble(
        self,
        plan: Plan,
        case_id: str,
        ev: Evaluation,
        flags: tuple[Any, ...],
        engine: str,
        warnings: tuple[Warning_, ...],
    ) -> Assessment:
        # Unrolled: this runs for every case, and a loop costs more than the look-ups.
        caches = self.caches
        head = caches[0].get(flags[0])
        if head is None:  # first: an ambiguous verdict raises, and is never cached
            head = self._miss(plan, 0, case_id, ev, flags)
        safeguards = caches[1].get(flags[1])
        if safeguards is None:
            safeguards = self._miss(plan, 1, case_id, ev, flags)
        records = caches[2].get(flags[2])
        if records is None:
            records = self._miss(plan, 2, case_id, ev, flags)
        fired = compress(self.rule_names, flags[3])
        rules_fired = tuple(fired) if self.unique else tuple(dict.fromkeys(fired))
        return plan.finish(
            case_id, head[0], head[1], head[2], head[3], head[4], safeguards, records, head[5],
            rules_fired, engine, warnings,
        )  # fmt: skip

    def _miss(self, plan: Plan, which: int, case_id: str, ev: Evaluation, flags: Any) -> Any:
        """Component ``which`` built by the reference code, then cached.

        The reference code reads facts (for their truth only) and the rules that concluded each
        item (``_sources``). Both are taken from this component's own group of flags, which
        holds every unit that concludes a fact it reads or one of its items (that is how the
        key was chosen): a concluded fact is true if one of its units fired, an ``outstanding``
        or ``missing`` fact is ``required`` and not ``met`` / ``recorded`` (``add_auto_facts``),
        and a group lists its units in unit order, the order of ``fired``. So a miss costs
        neither the facts dict of every fact nor ``fired``
        (``tests/unit/test_assemble_memo.py`` compares both with the evaluation's).
        """
        rs = plan.ruleset
        group = flags[which]
        facts = self.facts(which, group)
        sources = self.sources(which, group)
        get = facts.get
        value: Any
        if which == 0:
            verdict = _verdict(rs, facts, case_id, ev)
            if verdict not in _VERDICTS:
                raise _Fallback  # the reference build raises pydantic's error
            vspec = rs.outputs.verdicts[verdict]
            actions, findings = (
                part.build(rs, facts, sources, plan.fr, plan.make)
                for part in (plan.parts[0], plan.parts[3])
            )
            value = (
                verdict,
                vspec.fr if plan.fr else vspec.en,
                bool(get(TERMINATION_REQUIRED, False)),
                {k: bool(get(k, False)) for k in rs.header.derived},
                actions,
                findings,
            )
        elif which == 1:
            value = plan.parts[1].build(rs, facts, sources, plan.fr, plan.make)
        else:
            value = (
                plan.parts[2].build(rs, facts, sources, plan.fr, plan.make),
                tuple(d for d in rs.outputs.documentation if get(DOCUMENT_REQUIRED.format(d))),
            )
        plan._store(self.caches[which], group, value)
        return value

    def facts(self, which: int, group: tuple[Any, ...]) -> dict[str, Any]:
        """Every fact component ``which`` reads, as true or false as it is, from its flags."""
        return self.fact_functions[which](group)

    def sources(self, which: int, group: tuple[Any, ...]) -> Sources:
        """``assemble.build._sources`` for the kinds of item component ``which`` lists."""
        out: Sources = {}
        for place, rule, concluded in self.concluding[which]:
            if group[place]:
                for key in concluded:
                    out.setdefault(key, []).append(rule)
        return out


def _truth_function(truths: Truths) -> Callable[[tuple[Any, ...]], dict[str, Any]]:
    """A function from a group of flags to the facts ``truths`` lists, each as true or false
    as the evaluation's fact (``facts[key]`` is ``g[i] or g[j]`` for the units at ``i`` and
    ``j``; an auto fact is ``required and not met``, as ``add_auto_facts`` has it).

    Why generated: a miss costs one dict display instead of a loop over a few dozen facts.
    Safe to compile: the source holds only ``repr`` of fact names (``str``), subscripts by
    ``int`` and ``or`` / ``not``, and runs with no builtins.
    """

    def any_of(places: tuple[int, ...]) -> str:
        return "(" + " or ".join(f"g[{int(p)}]" for p in places) + ")" if places else "False"

    entries = [
        f"{str(key)!r}: "
        + (
            any_of(made)
            if unmet is None
            else UNMET_SOURCE.format(met=any_of(unmet), required=any_of(made))
        )
        for key, made, unmet in truths
    ]
    source = "def facts(g):\n    return {" + ", ".join(entries) + "}\n"
    namespace: dict[str, Any] = {"__builtins__": {}}
    exec(compile(source, "<conduct_rules.assemble.lazy>", "exec"), namespace)  # see above
    function: Callable[[tuple[Any, ...]], dict[str, Any]] = namespace["facts"]
    return function


def _rule_slots(ruleset: Ruleset, rule_of: tuple[str, ...]) -> tuple[str, ...] | None:
    """Per unit, its rule's id, or ``""`` where the unit can never be its rule's first to fire.

    Why: ``rules_fired`` lists each rule once, at its first fired unit. A unit whose condition
    is ``all`` of an earlier unit's condition and more, in the same rule (``rule#met:x``,
    ``rule#document:y``), fires only if that unit fired, so it never adds a rule. If the other
    units name each rule once, ``rules_fired`` is the rules of the fired units among the others,
    in unit order, with no de-duplication. None when they do not (``dict.fromkeys`` then
    de-duplicates the rules of every fired unit).
    """
    units = ruleset.units
    slots: list[str] = []
    for i, u in enumerate(units):
        args = u.condition.args if isinstance(u.condition, All) else ()
        implied = any(rule_of[j] == rule_of[i] and units[j].condition in args for j in range(i))
        slots.append("" if implied else rule_of[i])
    kept = [r for r in slots if r]
    if not all(rule_of) or len(kept) != len(set(kept)):  # an empty id would read as skipped
        return None
    return tuple(slots)
