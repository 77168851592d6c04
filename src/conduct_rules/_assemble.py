"""Build the ``Assessment`` from what a backend concluded — one function for every backend.

Why one function: the backends must only be able to differ in which units fired. Texts, ordering,
citations and the verdict check all happen here, in the ruleset's catalogue order, so the JSON is
stable byte for byte.

Why a plan per ruleset and language: validating an assessment with pydantic costs about 100 µs,
most of it rebuilding items (actions, safeguards, records, findings) whose text, citations and
force are the same for every case that has them. So each *part* of an assessment is built and
validated by pydantic the first time a given combination is seen (``_validated_*``, the reference
code) and reused afterwards; the assessment around them is assembled from those validated parts
plus checked per-case values (``case_id``, ``engine``, ``warnings``). Each part's cache key holds
everything its reference code depends on — the truth of each fact it tests (it tests nothing
else about them) and which of the rules that can conclude it fired — so a cached part is exactly
what a fresh build would give. When the order of two fired rules matters (an item concluded by
both), the part is rebuilt for every case. Cases that are not ordinary (a unit listed twice, a
unit the ruleset lacks, a verdict or engine outside the contract) take the reference build.
``tests/test_backends_agree.py`` compares both paths on generated cases, byte for byte.

What remains per case (about 13 µs, ``docs/benchmarks.md``) is mostly reading the ~75 facts an
assessment reports and the two model instances.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import compress
from operator import itemgetter, truth
from typing import Any, get_args

from conduct_rules.assessment import (
    Action,
    Assessment,
    Documentation,
    Finding,
    Item,
    RulesetRef,
    Safeguard,
    Warning_,
)
from conduct_rules.case import Case
from conduct_rules.engines import Evaluation, LazyFacts
from conduct_rules.errors import EvaluationError
from conduct_rules.ruleset import Ruleset

__all__ = ["build_assessment"]

#: Entries kept per part cache; beyond this a part is built for each case (memory stays bounded
#: on adversarial input; random cases give at most a few thousand safeguard combinations).
MAX_ENTRIES = 16384
#: (ruleset, language) plans kept; the oldest is dropped beyond this (parameter sweeps).
MAX_PLANS = 64

_FIELD_ORDER = (
    "case_id", "lang", "verdict", "verdict_explanation", "termination_required",
    "permitted_actions", "required_safeguards", "missing_documentation",
    "required_documentation", "findings", "derived_facts", "rules_fired", "ruleset", "engine",
    "warnings",
)  # fmt: skip
#: The assembled path is used only while the model still has exactly these fields.
_ASSEMBLY_OK = tuple(Assessment.model_fields) == _FIELD_ORDER
_ENGINES = frozenset(get_args(Assessment.model_fields["engine"].annotation))
_VERDICTS = frozenset(get_args(Assessment.model_fields["verdict"].annotation))
_FIELDS = frozenset(Assessment.model_fields)
_new = object.__new__
_set = object.__setattr__
_UNSET = object()

Sources = dict[tuple[str, str], list[str]]


def _sources(ruleset: Ruleset, fired_rules: Sequence[str]) -> Sources:
    by_id = {r.id: r for r in ruleset.rules}
    out: Sources = {}
    for rid in fired_rules:
        for c in by_id[rid].then:
            out.setdefault((c.kind, c.target), []).append(rid)
    return out


def _sources_of(ruleset: Ruleset, ev: Evaluation) -> Sources:
    return _sources(ruleset, tuple(n for n in ev.fired if "#" not in n))


def _citations(ruleset: Ruleset, rules: Sequence[str]) -> tuple[str, ...]:
    by_id = {r.id: r for r in ruleset.rules}
    seen: dict[str, None] = {}
    for rid in rules:
        for cite in by_id[rid].cites:
            seen.setdefault(cite, None)
    return tuple(seen)


# --------------------------------------------------------------------------------------------
# The reference code: each part built and validated by pydantic


def _common(
    ruleset: Ruleset, sources: Sources, fr: bool, kind: str, item_id: str, spec: Any
) -> dict[str, Any]:
    rules = sources.get((kind, item_id), [])
    return {
        "id": item_id,
        "label": spec.label["fr" if fr else "en"],
        "explanation": spec.fr if fr else spec.en,
        "citations": _citations(ruleset, rules),
        "force": spec.force,
        "rules": tuple(rules),
    }


def _validated_actions(
    ruleset: Ruleset, facts: Mapping[str, Any], sources: Sources, fr: bool
) -> tuple[Action, ...]:
    return tuple(
        Action(
            **_common(ruleset, sources, fr, "permit", a, spec),
            required=bool(facts.get(f"action.{a}.required")),
        )
        for a, spec in ruleset.outputs.actions.items()
        if facts.get(f"action.{a}")
    )


def _validated_safeguards(
    ruleset: Ruleset, facts: Mapping[str, Any], sources: Sources, fr: bool
) -> tuple[Safeguard, ...]:
    return tuple(
        Safeguard(
            **_common(ruleset, sources, fr, "safeguard", sid, spec),
            status="outstanding" if facts.get(f"safeguard.{sid}.outstanding") else "met",
            blocking=spec.blocking,
        )
        for sid, spec in ruleset.outputs.safeguards.items()
        if facts.get(f"safeguard.{sid}.required")
    )


def _validated_missing(
    ruleset: Ruleset, facts: Mapping[str, Any], sources: Sources, fr: bool
) -> tuple[Documentation, ...]:
    return tuple(
        Documentation(**_common(ruleset, sources, fr, "document", d, spec))
        for d, spec in ruleset.outputs.documentation.items()
        if facts.get(f"documentation.{d}.missing")
    )


def _validated_findings(
    ruleset: Ruleset, facts: Mapping[str, Any], sources: Sources, fr: bool
) -> tuple[Finding, ...]:
    return tuple(
        Finding(**_common(ruleset, sources, fr, "finding", f, spec))
        for f, spec in ruleset.outputs.findings.items()
        if facts.get(f"finding.{f}")
    )


def _verdict(ruleset: Ruleset, facts: Mapping[str, Any], case_id: str, ev: Evaluation) -> str:
    verdicts = [v for v in ruleset.outputs.verdicts if facts.get(f"verdict.{v}")]
    if len(verdicts) != 1:
        sources = _sources_of(ruleset, ev)
        rules = [r for v in verdicts for r in sources.get(("verdict", v), [])]
        what = "no verdict" if not verdicts else "opposite verdicts " + ", ".join(verdicts)
        raise EvaluationError(
            f"ruleset {ruleset.id} {ruleset.version} concluded {what} for case "
            f"'{case_id}' (rules: {', '.join(rules) or 'none'})"
        )
    return verdicts[0]


def _validated(
    ruleset: Ruleset,
    case_id: str,
    ev: Evaluation,
    *,
    lang: str,
    engine: str,
    warnings: Sequence[Warning_] = (),
) -> Assessment:
    """The reference build: every value validated by pydantic."""
    facts = ev.facts
    fr = lang == "fr"
    verdict = _verdict(ruleset, facts, case_id, ev)
    sources = _sources_of(ruleset, ev)
    out = ruleset.outputs
    vspec = out.verdicts[verdict]
    return Assessment(
        case_id=case_id,
        lang="fr" if fr else "en",
        verdict=verdict,  # type: ignore[arg-type]
        verdict_explanation=vspec.fr if fr else vspec.en,
        termination_required=bool(facts.get("termination_required", False)),
        permitted_actions=_validated_actions(ruleset, facts, sources, fr),
        required_safeguards=_validated_safeguards(ruleset, facts, sources, fr),
        missing_documentation=_validated_missing(ruleset, facts, sources, fr),
        required_documentation=tuple(
            d for d in out.documentation if facts.get(f"documentation.{d}.required")
        ),
        findings=_validated_findings(ruleset, facts, sources, fr),
        derived_facts={k: bool(facts.get(k, False)) for k in ruleset.header.derived},
        rules_fired=tuple(dict.fromkeys(n.split("#", 1)[0] for n in ev.fired)),
        ruleset=RulesetRef(
            id=ruleset.id, version=ruleset.version, parameters=dict(ruleset.parameter_values)
        ),
        engine=engine,  # type: ignore[arg-type]
        warnings=tuple(warnings),
    )


# --------------------------------------------------------------------------------------------
# The assembled path: validated parts, cached per ruleset and language


class _Fallback(Exception):  # noqa: N818 - a control-flow signal, not an error
    """This evaluation takes the reference build (unknown unit, ambiguous verdict, ...)."""


PartBuilder = Callable[[Ruleset, Mapping[str, Any], Sources, bool], tuple[Item, ...]]


class _Part:
    """One list of items: the facts and rules that decide it, and the lists seen so far."""

    __slots__ = ("build", "cache", "keys", "rules")

    def __init__(self, keys: Sequence[str], rules: Sequence[str], build: PartBuilder) -> None:
        self.keys = tuple(keys)
        self.rules = tuple(rules)  # every rule that can conclude an item of this list
        self.build = build
        self.cache: dict[Any, tuple[Item, ...] | None] = {}


class _Plan:
    """Everything about a ruleset and a language that does not depend on the case."""

    def __init__(self, ruleset: Ruleset, lang: str) -> None:
        # Identity of the loaded data: a ruleset reloaded from an edited folder has the same
        # fingerprint but new objects, and must not reuse texts cached from the old one.
        self.rules = ruleset.rules
        self.outputs = ruleset.outputs
        self.header = ruleset.header
        self.fr = lang == "fr"
        self.lang = "fr" if self.fr else "en"
        self.ruleset = ruleset
        self.lock = threading.Lock()
        out = ruleset.outputs
        self.unit_rule = {u.name: u.name.split("#", 1)[0] for u in ruleset.units}
        concluders: dict[str, list[str]] = {}
        for r in sorted(ruleset.rules, key=lambda r: (r.stratum, r.index)):
            for c in r.then:
                concluders.setdefault(c.kind, []).append(r.id)

        def rules_of(kind: str) -> list[str]:
            return list(dict.fromkeys(concluders.get(kind, [])))

        self.parts = (
            _Part(
                [k for a in out.actions for k in (f"action.{a}", f"action.{a}.required")],
                rules_of("permit"),
                _validated_actions,
            ),
            _Part(
                [
                    k
                    for s in out.safeguards
                    for k in (f"safeguard.{s}.required", f"safeguard.{s}.outstanding")
                ],
                rules_of("safeguard"),
                _validated_safeguards,
            ),
            _Part(
                [f"documentation.{d}.missing" for d in out.documentation],
                rules_of("document"),
                _validated_missing,
            ),
            _Part([f"finding.{f}" for f in out.findings], rules_of("finding"), _validated_findings),
        )
        self.verdicts: dict[Any, tuple[str, str]] = {}
        self.required: dict[Any, tuple[str, ...]] = {}
        self.derived: dict[Any, tuple[bool, dict[str, bool]]] = {}
        # Every reference builder tests facts for truth only, so a key holds one byte of truth
        # per fact read (and one per rule that can conclude a listed item): ``bytes`` are
        # built, sliced, hashed and compared in C.
        verdict_keys = [f"verdict.{v}" for v in out.verdicts]
        required_keys = [f"documentation.{d}.required" for d in out.documentation]
        derived_keys = ["termination_required", *ruleset.header.derived]
        keys: list[str] = []
        rules: list[str] = []
        spans: list[tuple[slice, slice]] = []
        for part in self.parts:
            first_key, first_rule = len(keys), len(rules)
            keys += part.keys
            rules += part.rules
            spans.append((slice(first_key, len(keys)), slice(first_rule, len(rules))))
        self.part_spans = tuple(spans)
        self.verdict_span = slice(len(keys), len(keys) + len(verdict_keys))
        keys += verdict_keys
        self.required_span = slice(len(keys), len(keys) + len(required_keys))
        keys += required_keys
        self.derived_span = slice(len(keys), len(keys) + len(derived_keys))
        keys += derived_keys
        self.keys = tuple(keys)
        self.item_rules = tuple(rules)
        self.items: dict[Any, Item] = {}
        self.ref = RulesetRef(
            id=ruleset.id, version=ruleset.version, parameters=dict(ruleset.parameter_values)
        )
        self._by_flags: object = _UNSET

    def by_flags(self) -> _ByFlags | None:
        """The flag-keyed path, built on first use; None when the ruleset does not allow it."""
        if self._by_flags is _UNSET:
            try:
                self._by_flags = _ByFlags(self, self.ruleset)
            except _NotByFlags:
                self._by_flags = None
        return self._by_flags  # type: ignore[return-value]

    def matches(self, ruleset: Ruleset) -> bool:
        return (
            self.rules is ruleset.rules
            and self.outputs is ruleset.outputs
            and self.header is ruleset.header
        )

    def _intern(self, item: Item) -> Item:
        key = (type(item), tuple(item.__dict__.values()))
        with self.lock:
            return self.items.setdefault(key, item)

    def _store(self, cache: dict[Any, Any], key: Any, value: Any) -> None:
        with self.lock:
            if len(cache) < MAX_ENTRIES:
                cache[key] = value

    def assemble(
        self, case_id: str, ev: Evaluation, engine: str, warnings: tuple[Warning_, ...]
    ) -> Assessment:
        rs = self.ruleset
        facts = ev.facts
        get = facts.get
        fired = ev.fired
        # A unit this ruleset lacks raises KeyError, an unhashable fact value TypeError: both
        # send the case to the reference build (``build_assessment``).
        rules_fired = tuple(dict.fromkeys(map(self.unit_rule.__getitem__, fired)))
        truths = bytes(map(truth, map(get, self.keys)))
        vkey = truths[self.verdict_span]
        verdict = self.verdicts.get(vkey)
        if verdict is None:
            v = _verdict(rs, facts, case_id, ev)
            if v not in _VERDICTS:
                raise _Fallback  # the reference build raises pydantic's error
            vspec = rs.outputs.verdicts[v]
            verdict = (v, vspec.fr if self.fr else vspec.en)
            self._store(self.verdicts, vkey, verdict)
        fired_set = set(fired)
        if len(fired_set) != len(fired):  # a unit listed twice: only the reference knows
            raise _Fallback
        flags = bytes(map(fired_set.__contains__, self.item_rules))
        sources: Sources | None = None
        lists: list[tuple[Item, ...]] = []
        for part, (kspan, rspan) in zip(self.parts, self.part_spans, strict=True):
            key = truths[kspan] + flags[rspan]
            items = part.cache.get(key)
            if items is None:
                if sources is None:
                    sources = _sources_of(rs, ev)
                # Equal items are shared between lists, so the caches hold each item once.
                items = tuple(self._intern(i) for i in part.build(rs, facts, sources, self.fr))
                # Two rules concluding one item: their order in ``fired`` matters, and the key
                # does not hold it. Such lists are rebuilt for every case.
                if key not in part.cache:
                    order_free = all(len(i.rules) < 2 for i in items)
                    self._store(part.cache, key, items if order_free else None)
            lists.append(items)
        rkey = truths[self.required_span]
        required = self.required.get(rkey)
        if required is None:
            required = tuple(d for d, v in zip(rs.outputs.documentation, rkey, strict=True) if v)
            self._store(self.required, rkey, required)
        dkey = truths[self.derived_span]
        derived = self.derived.get(dkey)
        if derived is None:
            derived = (
                bool(get("termination_required", False)),
                {k: bool(get(k, False)) for k in rs.header.derived},
            )
            self._store(self.derived, dkey, derived)
        ref = self.ref
        ref_values = dict(ref.__dict__)
        ref_values["parameters"] = dict(ref_values["parameters"])
        values = {
            "case_id": case_id,
            "lang": self.lang,
            "verdict": verdict[0],
            "verdict_explanation": verdict[1],
            "termination_required": derived[0],
            "permitted_actions": lists[0],
            "required_safeguards": lists[1],
            "missing_documentation": lists[2],
            "required_documentation": required,
            "findings": lists[3],
            "derived_facts": dict(derived[1]),
            "rules_fired": rules_fired,
            "ruleset": _construct(RulesetRef, ref_values, set(ref.__pydantic_fields_set__)),
            "engine": engine,
            "warnings": warnings,
        }
        assessment: Assessment = _construct(Assessment, values, set(_FIELDS))
        return assessment


def _construct(cls: type[Any], values: dict[str, Any], fields_set: set[str]) -> Any:
    """A model instance from values that are already valid (what ``model_construct`` does)."""
    obj = _new(cls)
    _set(obj, "__dict__", values)
    _set(obj, "__pydantic_fields_set__", fields_set)
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj


_PLANS: dict[tuple[str, str], _Plan] = {}
_PLANS_LOCK = threading.Lock()


class _NotByFlags(Exception):  # noqa: N818 - a control-flow signal, not an error
    """This ruleset's assessments do not follow from the fired units alone (see ``_ByFlags``)."""


def _key_of(indices: Sequence[int]) -> Callable[[tuple[Any, ...]], Any]:
    """A function picking these flags out of a flag tuple, in C (``itemgetter``)."""
    if not indices:
        return lambda flags: ()
    return itemgetter(*sorted(indices))


class _ByFlags:
    """The assembled path for evaluations that carry unit flags (``engines.LazyFacts``).

    Why: such an evaluation's facts are the case's features plus what the fired units conclude
    plus the auto facts, and the build reads no feature (checked here, else ``_NotByFlags``), so
    each part of the assessment is a function of the flags of the few units that can change it:
    the units concluding a fact the part reads (for an ``outstanding`` or ``missing`` fact, those
    concluding its ``required`` and ``met`` / ``recorded`` facts) and the rules that can conclude
    one of its items (their order in ``fired`` is unit order, so the flags fix it). A cached
    part is therefore exactly what the reference code gives, and a case whose parts are all
    cached needs no facts at all: its ``LazyFacts`` are never computed. ``rules_fired`` is read
    from the flags directly.
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
                    raise _NotByFlags
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
                        raise _NotByFlags
                    found |= producers.get(k, set())
            return found

        kinds = ("permit", "safeguard", "document", "finding")
        self.parts = tuple(
            (_key_of(deps(part.keys) | concluders.get(kind, set())), part.build, {})
            for part, kind in zip(plan.parts, kinds, strict=True)
        )
        head = [f"verdict.{v}" for v in out.verdicts]
        head += [f"documentation.{d}.required" for d in out.documentation]
        head += ["termination_required", *ruleset.header.derived]
        self.head_key = _key_of(deps(head))
        self.heads: dict[Any, tuple[str, str, bool, tuple[str, ...], dict[str, bool]]] = {}
        self.unit_rules = tuple(plan.unit_rule[u.name] for u in units)

    def assemble(
        self,
        plan: _Plan,
        case_id: str,
        ev: Evaluation,
        flags: tuple[Any, ...],
        engine: str,
        warnings: tuple[Warning_, ...],
    ) -> Assessment:
        key = self.head_key(flags)
        head = self.heads.get(key)
        if head is None:  # the verdict first: an ambiguous one raises, and is never cached
            head = self._head(plan, case_id, ev)
            plan._store(self.heads, key, head)
        lists: list[tuple[Item, ...]] = []
        sources: Sources | None = None
        for key_of, build, cache in self.parts:
            key = key_of(flags)
            items = cache.get(key)
            if items is None:
                if sources is None:
                    sources = _sources_of(plan.ruleset, ev)
                built = build(plan.ruleset, ev.facts, sources, plan.fr)
                items = tuple(plan._intern(i) for i in built)
                plan._store(cache, key, items)
            lists.append(items)
        ref = plan.ref
        ref_values = dict(ref.__dict__)
        ref_values["parameters"] = dict(ref_values["parameters"])
        values = {
            "case_id": case_id,
            "lang": plan.lang,
            "verdict": head[0],
            "verdict_explanation": head[1],
            "termination_required": head[2],
            "permitted_actions": lists[0],
            "required_safeguards": lists[1],
            "missing_documentation": lists[2],
            "required_documentation": head[3],
            "findings": lists[3],
            "derived_facts": dict(head[4]),
            "rules_fired": tuple(dict.fromkeys(compress(self.unit_rules, flags))),
            "ruleset": _construct(RulesetRef, ref_values, set(ref.__pydantic_fields_set__)),
            "engine": engine,
            "warnings": warnings,
        }
        assessment: Assessment = _construct(Assessment, values, set(_FIELDS))
        return assessment

    @staticmethod
    def _head(
        plan: _Plan, case_id: str, ev: Evaluation
    ) -> tuple[str, str, bool, tuple[str, ...], dict[str, bool]]:
        rs = plan.ruleset
        facts = ev.facts
        verdict = _verdict(rs, facts, case_id, ev)
        if verdict not in _VERDICTS:
            raise _Fallback  # the reference build raises pydantic's error
        vspec = rs.outputs.verdicts[verdict]
        get = facts.get
        return (
            verdict,
            vspec.fr if plan.fr else vspec.en,
            bool(get("termination_required", False)),
            tuple(d for d in rs.outputs.documentation if get(f"documentation.{d}.required")),
            {k: bool(get(k, False)) for k in rs.header.derived},
        )


def _plan(ruleset: Ruleset, lang: str) -> _Plan:
    key = (ruleset.fingerprint, lang)
    plan = _PLANS.get(key)
    if plan is None or not plan.matches(ruleset):
        plan = _Plan(ruleset, lang)
        with _PLANS_LOCK:
            if key not in _PLANS and len(_PLANS) >= MAX_PLANS:
                del _PLANS[next(iter(_PLANS))]
            _PLANS[key] = plan
    return plan


def build_assessment(
    ruleset: Ruleset,
    case: Case,
    ev: Evaluation,
    *,
    lang: str,
    engine: str,
    warnings: Sequence[Warning_] = (),
) -> Assessment:
    """Turn an evaluation into an assessment; raise ``EvaluationError`` on an ambiguous verdict."""
    case_id = case.case_id
    warns = tuple(warnings)
    if (
        _ASSEMBLY_OK
        and type(case_id) is str
        and engine in _ENGINES
        and lang in ("en", "fr")
        and all(type(w) is Warning_ for w in warns)
    ):
        try:
            plan = _plan(ruleset, lang)
            facts = ev.facts
            if type(facts) is LazyFacts and facts.fired is ev.fired:
                source = facts.source
                by_flags = plan.by_flags()
                if (
                    by_flags is not None
                    and source.rules is ruleset.rules
                    and source.fingerprint == ruleset.fingerprint
                ):
                    return by_flags.assemble(plan, case_id, ev, facts.flags, engine, warns)
            return plan.assemble(case_id, ev, engine, warns)
        except (_Fallback, KeyError, TypeError):  # the reference build decides, or raises
            pass
    return _validated(ruleset, case_id, ev, lang=lang, engine=engine, warnings=warns)
