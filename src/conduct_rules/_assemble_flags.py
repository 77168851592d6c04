"""The assembled path for lazy evaluations: assessment parts keyed by the units that decide them.

Why a second path: a lazy evaluation (``engines.lazy_evaluation``, the fast backend's) carries one
truth value per unit and promises the standard semantics for its facts, so every part of the
assessment follows from the truth values of a few units, and a case whose parts were seen before
costs a few tuple look-ups instead of reading the ~75 facts an assessment reports. Each part is
still built, the first time, by the reference code of ``_assemble`` (``_validated_*``), and
``tests/test_assemble_memo.py`` compares this path with ``_assemble._validated`` byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import compress
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from conduct_rules._assemble import (
    _FIELDS,
    _VERDICTS,
    _Fallback,
    _sources_of,
    _verdict,
)
from conduct_rules.assessment import Assessment, RulesetRef, Warning_
from conduct_rules.conditions import All
from conduct_rules.engines import Evaluation
from conduct_rules.ruleset import Ruleset

if TYPE_CHECKING:
    from conduct_rules._assemble import _Plan

__all__ = ["ByFlags", "NotByFlags"]

_new = object.__new__
_set = object.__setattr__


class NotByFlags(Exception):  # noqa: N818 - a control-flow signal, not an error
    """This ruleset's assessments do not follow from the fired units alone (see ``ByFlags``)."""


def _key_of(indices: Iterable[int]) -> Callable[[tuple[Any, ...]], Any]:
    """A function picking these flags out of a flag tuple, in C (``itemgetter``)."""
    if not indices:
        return lambda flags: ()
    return itemgetter(*sorted(indices))


class ByFlags:
    """The assembled path for evaluations that carry unit flags (``engines.lazy_evaluation``).

    Why: such an evaluation's facts are the case's features plus what the fired units conclude
    plus the auto facts, and the build reads no feature (checked here, else ``NotByFlags``), so
    each part of the assessment is a function of the flags of the few units that can change it:
    the units concluding a fact the part reads (for an ``outstanding`` or ``missing`` fact, those
    concluding its ``required`` and ``met`` / ``recorded`` facts) and the rules that can conclude
    one of its items (their order in ``fired`` is unit order, so the flags fix it). A cached
    part is therefore exactly what the reference code gives, and a case whose parts are all
    cached needs no facts at all: its lazy ``facts`` (and ``fired``) are never computed.
    ``rules_fired`` is read from the flags directly (``_rule_slots``).
    """

    def __init__(self, plan: _Plan, ruleset: Ruleset) -> None:
        units = ruleset.units
        by_id = {r.id: r for r in ruleset.rules}
        features = frozenset(ruleset.feature_keys)
        producers: dict[str, set[int]] = {}
        concluders: dict[str, set[int]] = {}  # kind -> units whose rule concludes that kind
        for i, u in enumerate(units):
            for e in u.effects:
                producers.setdefault(e, set()).add(i)
            if "#" not in u.name:  # what ``_sources_of`` reads
                rule = by_id.get(u.name)
                if rule is None:
                    raise NotByFlags
                for c in rule.then:
                    concluders.setdefault(c.kind, set()).add(i)
        out = ruleset.outputs
        auto = {f"safeguard.{s}.outstanding": ("required", "met") for s in out.safeguards}
        auto |= {f"documentation.{d}.missing": ("required", "recorded") for d in out.documentation}

        def deps(keys: Iterable[str]) -> set[int]:
            found: set[int] = set()
            for key in keys:
                read = [key]
                if key in auto:  # ``add_auto_facts`` decides it from two concluded facts
                    stem = key.rsplit(".", 1)[0]
                    read = [f"{stem}.{suffix}" for suffix in auto[key]]
                for k in read:
                    if k in features:  # a case value: the flags do not decide it
                        raise NotByFlags
                    found |= producers.get(k, set())
            return found

        actions, safeguards, missing, findings = (
            deps(part.keys) | concluders.get(kind, set())
            for part, kind in zip(
                plan.parts, ("permit", "safeguard", "document", "finding"), strict=True
            )
        )
        # Three caches, each keyed by the flags of its own units only. The head (verdict,
        # derived facts, actions, findings) takes few values on any corpus, so one look-up
        # serves them all; so does the documentation (required and missing records: the units
        # deciding the first are among those deciding the second). Safeguards and records vary
        # independently: a key over both would see every combination of their values.
        self.keys = tuple(
            _key_of(k)
            for k in (
                deps(f"verdict.{v}" for v in out.verdicts)
                | deps(["termination_required", *ruleset.header.derived])
                | actions
                | findings,
                safeguards,
                deps(f"documentation.{d}.required" for d in out.documentation) | missing,
            )
        )
        self.caches: tuple[dict[Any, Any], ...] = tuple({} for _ in self.keys)
        self.unit_rules = tuple(plan.unit_rule[u.name] for u in units)
        self.rule_slots = _rule_slots(plan, ruleset)
        self.ref_values = dict(plan.ref.__dict__)
        self.ref_fields = frozenset(plan.ref.__pydantic_fields_set__)

    def assemble(
        self,
        plan: _Plan,
        case_id: str,
        ev: Evaluation,
        flags: tuple[Any, ...],
        engine: str,
        warnings: tuple[Warning_, ...],
    ) -> Assessment:
        # Unrolled: this runs for every case, and a loop costs more than the look-ups.
        keys, caches, slots = self.keys, self.caches, self.rule_slots
        head = caches[0].get(keys[0](flags))
        if head is None:  # first: an ambiguous verdict raises, and is never cached
            head = self._miss(plan, 0, case_id, ev, flags)
        safeguards = caches[1].get(keys[1](flags))
        if safeguards is None:
            safeguards = self._miss(plan, 1, case_id, ev, flags)
        records = caches[2].get(keys[2](flags))
        if records is None:
            records = self._miss(plan, 2, case_id, ev, flags)
        ref_values = dict(self.ref_values)
        ref_values["parameters"] = dict(ref_values["parameters"])
        ref = _new(RulesetRef)
        _set(ref, "__dict__", ref_values)
        _set(ref, "__pydantic_fields_set__", set(self.ref_fields))
        _set(ref, "__pydantic_extra__", None)
        _set(ref, "__pydantic_private__", None)
        values = {
            "case_id": case_id,
            "lang": plan.lang,
            "verdict": head[0],
            "verdict_explanation": head[1],
            "termination_required": head[2],
            "permitted_actions": head[4],
            "required_safeguards": safeguards,
            "missing_documentation": records[0],
            "required_documentation": records[1],
            "findings": head[5],
            "derived_facts": dict(head[3]),
            "rules_fired": tuple(filter(None, compress(slots, flags)))
            if slots is not None
            else tuple(dict.fromkeys(compress(self.unit_rules, flags))),
            "ruleset": ref,
            "engine": engine,
            "warnings": warnings,
        }
        assessment: Assessment = _new(Assessment)
        _set(assessment, "__dict__", values)
        _set(assessment, "__pydantic_fields_set__", set(_FIELDS))
        _set(assessment, "__pydantic_extra__", None)
        _set(assessment, "__pydantic_private__", None)
        return assessment

    def _miss(self, plan: _Plan, which: int, case_id: str, ev: Evaluation, flags: Any) -> Any:
        """Component ``which`` built by the reference code (reading the facts), then cached."""
        rs = plan.ruleset
        facts = ev.facts
        get = facts.get
        value: Any
        if which == 0:
            verdict = _verdict(rs, facts, case_id, ev)
            if verdict not in _VERDICTS:
                raise _Fallback  # the reference build raises pydantic's error
            vspec = rs.outputs.verdicts[verdict]
            sources = _sources_of(rs, ev)
            actions, findings = (
                tuple(plan._intern(i) for i in part.build(rs, facts, sources, plan.fr))
                for part in (plan.parts[0], plan.parts[3])
            )
            value = (
                verdict,
                vspec.fr if plan.fr else vspec.en,
                bool(get("termination_required", False)),
                {k: bool(get(k, False)) for k in rs.header.derived},
                actions,
                findings,
            )
        elif which == 1:
            built = plan.parts[1].build(rs, facts, _sources_of(rs, ev), plan.fr)
            value = tuple(plan._intern(i) for i in built)
        else:
            built = plan.parts[2].build(rs, facts, _sources_of(rs, ev), plan.fr)
            value = (
                tuple(plan._intern(i) for i in built),
                tuple(d for d in rs.outputs.documentation if get(f"documentation.{d}.required")),
            )
        plan._store(self.caches[which], self.keys[which](flags), value)
        return value


def _rule_slots(plan: _Plan, ruleset: Ruleset) -> tuple[str, ...] | None:
    """Per unit, its rule's id, or ``""`` where the unit can never be its rule's first to fire.

    Why: ``rules_fired`` lists each rule once, at its first fired unit. A unit whose condition
    is ``all`` of an earlier unit's condition and more, in the same rule (``rule#met:x``,
    ``rule#document:y``), fires only if that unit fired, so it never adds a rule. If the other
    units name each rule once, ``rules_fired`` is the non-empty slots of the fired units, picked
    in C with no de-duplication. None when they do not (``dict.fromkeys`` then de-duplicates).
    """
    units = ruleset.units
    rule_of = [plan.unit_rule[u.name] for u in units]
    slots: list[str] = []
    for i, u in enumerate(units):
        args = u.condition.args if isinstance(u.condition, All) else ()
        implied = any(rule_of[j] == rule_of[i] and units[j].condition in args for j in range(i))
        slots.append("" if implied else rule_of[i])
    kept = [r for r in slots if r]
    if not all(rule_of) or len(kept) != len(set(kept)):  # an empty id would read as skipped
        return None
    return tuple(slots)
