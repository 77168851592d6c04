"""Build the ``Assessment`` from what a backend concluded — one entry point for every backend.

Why one entry point (``Plan.build``): the backends must only be able to differ in which units
fired. Texts, ordering, citations and the verdict check all happen here, in the ruleset's
catalogue order, so the JSON is stable byte for byte; and one method (``Plan.finish``) makes
every ``Assessment`` of the cached paths from its parts.

Why a plan per ruleset and language: validating an assessment with pydantic costs about 100 µs,
most of it rebuilding items (actions, safeguards, records, findings) whose text, citations and
force are the same for every case that has them. So each *part* of an assessment is built and
validated by pydantic the first time a given combination is seen (the reference code,
``assemble.reference``) and reused afterwards; within a part, each distinct item is validated
once too (``Plan.make``: a few dozen items make up thousands of lists, so a stream of new cases,
which keeps meeting new lists, does not pay pydantic for each). Each part's cache key holds
everything its reference code depends on — the truth of each fact it tests (it tests nothing
else about them) and which of the rules that can conclude it fired — so a cached part is exactly
what a fresh build would give. When the order of two fired rules matters (an item concluded by
both), the part is rebuilt for every case. Cases that are not ordinary (a unit listed twice, a
unit the ruleset lacks, a verdict or engine outside the contract) take the reference build.
``tests/properties/test_backends_agree.py`` compares both paths on generated cases, byte for byte.

Evaluations that carry the truth value of every unit (``Evaluation.flags``: the fast backend's)
take a shorter path, ``assemble.lazy.ByFlags``: the same validated parts, keyed by the truth
values of the units that decide them, so a case whose parts are cached needs no facts at all
(about 4 µs per case, ``benchmarks/run.py``), and a part met for the first time is built from
those truth values too. Other evaluations read the ~75 facts an assessment reports (about 13 µs).

The caches belong to the ``Plan`` (each bounded by ``MAX_ENTRIES``); a plan belongs to whoever
made it, usually an ``api.Assessor``. This module keeps no cache of its own.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from operator import truth
from typing import Any

from conduct_rules.assemble.lazy import ByFlags, NotByFlags
from conduct_rules.assemble.reference import (
    _ASSEMBLY_OK,
    _ENGINES,
    _FIELDS,
    _I,
    _PART_KINDS,
    _VERDICTS,
    PartBuilder,
    Sources,
    _Fallback,
    _part_keys,
    _sources_of,
    _validate,
    _validated,
    _validated_actions,
    _validated_findings,
    _validated_missing,
    _validated_safeguards,
    _verdict,
)
from conduct_rules.assemble.summary import Summarizer
from conduct_rules.engines import Evaluation
from conduct_rules.model.assessment import (
    Assessment,
    Item,
    RulesetRef,
    Warning_,
)
from conduct_rules.model.case import Case
from conduct_rules.model.version import SCHEMA_VERSION
from conduct_rules.rules.editions import edition_refs
from conduct_rules.rules.facts import (
    DOCUMENT_REQUIRED,
    TERMINATION_REQUIRED,
    VERDICT,
    keys_of,
)
from conduct_rules.rules.ruleset import Ruleset

__all__ = ["Plan", "build_assessment"]

#: Entries kept per part cache; beyond this a part is built for each case (memory stays bounded
#: on adversarial input; random cases give at most a few thousand safeguard combinations).
MAX_ENTRIES = 16384

_new = object.__new__
_set = object.__setattr__


class _Part:
    """One list of items: the facts and rules that decide it, and the lists seen so far."""

    __slots__ = ("build", "cache", "keys", "rules")

    def __init__(self, keys: Sequence[str], rules: Sequence[str], build: PartBuilder) -> None:
        self.keys = tuple(keys)
        self.rules = tuple(rules)  # every rule that can conclude an item of this list
        self.build = build
        self.cache: dict[Any, tuple[Item, ...] | None] = {}


class Plan:
    """Everything about a ruleset and a language that does not depend on the case.

    It owns every cache of assessment parts (bounded: ``MAX_ENTRIES`` each), so it is built once
    per ruleset and language (``api.Assessor`` holds one) and shared by threads: caches are
    filled under its lock and read without one (a dict read is atomic).
    """

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

        self.parts = tuple(
            _Part(keys, rules_of(kind), build)
            for keys, kind, build in zip(
                _part_keys(out),
                _PART_KINDS,
                (
                    _validated_actions,
                    _validated_safeguards,
                    _validated_missing,
                    _validated_findings,
                ),
                strict=True,
            )
        )
        self.verdicts: dict[Any, tuple[str, str]] = {}
        self.required: dict[Any, tuple[str, ...]] = {}
        self.derived: dict[Any, tuple[bool, dict[str, bool]]] = {}
        # Every reference builder tests facts for truth only, so a key holds one byte of truth
        # per fact read (and one per rule that can conclude a listed item): ``bytes`` are
        # built, sliced, hashed and compared in C.
        verdict_keys = keys_of(VERDICT, out.verdicts)
        required_keys = keys_of(DOCUMENT_REQUIRED, out.documentation)
        derived_keys = [TERMINATION_REQUIRED, *ruleset.header.derived]
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
        self.made: dict[Any, Item] = {}
        self.ref = RulesetRef(
            id=ruleset.id,
            version=ruleset.version,
            parameters=dict(ruleset.parameter_values),
            editions=edition_refs(ruleset.header, self.lang),
        )
        ref = self.ref.__dict__
        self.ref_values = dict(ref)
        self.parameters: dict[str, int] = dict(ref["parameters"])
        self.ref_fields = frozenset(self.ref.__pydantic_fields_set__)
        self.summarizer = Summarizer(ruleset, lang)

        self.by_flags: ByFlags | None = None
        if _ASSEMBLY_OK:
            with contextlib.suppress(NotByFlags):  # then every case takes ``assemble``
                self.by_flags = ByFlags(self, ruleset)

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

    def make(
        self,
        cls: type[_I],
        ruleset: Ruleset,
        sources: Sources,
        fr: bool,
        kind: str,
        item_id: str,
        spec: Any,
        **extra: Any,
    ) -> _I:
        """``_validate``, memoised: each distinct item is validated by pydantic once.

        Why: a part seen for the first time lists items seen many times before (the Ontario
        ruleset has a few dozen distinct items, and thousands of lists of them), and validating
        an item costs microseconds. An item is a function of these arguments alone, and of the
        ruleset's texts and citations, which are this plan's (``matches``): the kind and id
        decide the spec, and the rules that concluded it its citations. Items are frozen, so
        one instance serves every list that has it (as ``_intern`` already does). Bounded like
        the part caches (``MAX_ENTRIES``); beyond that, items are validated each time.
        """
        rules = tuple(sources.get((kind, item_id), ()))
        key = (cls, kind, item_id, rules, fr, *extra.items())
        item = self.made.get(key)
        if item is None:
            item = self._intern(_validate(cls, ruleset, sources, fr, kind, item_id, spec, **extra))
            self._store(self.made, key, item)
        return item  # type: ignore[return-value]  # ``_intern`` keeps the class: it is in the key

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
                items = part.build(rs, facts, sources, self.fr, self.make)
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
                bool(get(TERMINATION_REQUIRED, False)),
                {k: bool(get(k, False)) for k in rs.header.derived},
            )
            self._store(self.derived, dkey, derived)
        return self.finish(
            case_id, verdict[0], verdict[1], derived[0], derived[1], lists[0], lists[1],
            (lists[2], required), lists[3], rules_fired, engine, warnings,
        )  # fmt: skip

    def finish(
        self,
        case_id: str,
        verdict: str,
        explanation: str,
        termination_required: bool,
        derived: dict[str, bool],
        actions: tuple[Item, ...],
        safeguards: tuple[Item, ...],
        records: tuple[tuple[Item, ...], tuple[str, ...]],
        findings: tuple[Item, ...],
        rules_fired: tuple[str, ...],
        engine: str,
        warnings: tuple[Warning_, ...],
    ) -> Assessment:
        """The one place an ``Assessment`` is made from its parts, each already valid.

        Why not pydantic: every part was validated when first built (the reference code), and
        validating the whole again costs more than the rest of an assessment. A fresh
        ``RulesetRef`` and fresh dicts per assessment, as the reference build gives: nothing
        mutable is shared between results.
        """
        ref = _new(RulesetRef)
        _r_dict(ref, {**self.ref_values, "parameters": self.parameters.copy()})
        _r_fields(ref, set(self.ref_fields))
        _r_extra(ref, None)
        _r_private(ref, None)
        summary = self.summarizer.summary(
            verdict,
            termination_required,
            derived,
            rules_fired,
            safeguards,  # type: ignore[arg-type]  # the safeguards part lists Safeguard items
            findings,  # type: ignore[arg-type]  # the findings part lists Finding items
        )
        values = {
            "case_id": case_id,
            "lang": self.lang,
            "verdict": verdict,
            "verdict_explanation": explanation,
            "summary": summary,
            "termination_required": termination_required,
            "permitted_actions": actions,
            "required_safeguards": safeguards,
            "missing_documentation": records[0],
            "required_documentation": records[1],
            "findings": findings,
            "derived_facts": derived.copy(),
            "rules_fired": rules_fired,
            "ruleset": ref,
            "engine": engine,
            "warnings": warnings,
            "schema_version": SCHEMA_VERSION,
        }
        assessment: Assessment = _new(Assessment)
        _a_dict(assessment, values)
        _a_fields(assessment, set(_FIELDS))
        _a_extra(assessment, None)
        _a_private(assessment, None)
        return assessment

    def build(
        self,
        case: Case,
        ev: Evaluation,
        *,
        engine: str,
        warnings: Sequence[Warning_] = (),
    ) -> Assessment:
        """Turn an evaluation into an assessment; ``EvaluationError`` on an ambiguous verdict.

        The one entry point, whatever the backend: an evaluation carrying unit flags
        (``Evaluation.flags``) takes ``ByFlags``, any other the facts (``assemble``), and
        anything unusual the reference build (``_validated``), which also raises the errors.
        """
        case_id = case.case_id
        warns = warnings if type(warnings) is tuple else tuple(warnings)
        if (
            type(case_id) is str
            and engine in _ENGINES
            and (not warns or all(type(w) is Warning_ for w in warns))
        ):
            try:
                by_flags = self.by_flags
                flags = ev.flags
                if by_flags is not None and flags is not None:
                    # The evaluation carries every unit's truth value: keyed by them, if they
                    # come grouped as this plan keys its caches (``ByFlags.accepts``).
                    source = ev.source
                    if source is by_flags.source or by_flags.accepts(source):  # type: ignore[arg-type]
                        return by_flags.assemble(self, case_id, ev, flags, engine, warns)
                if _ASSEMBLY_OK:
                    return self.assemble(case_id, ev, engine, warns)
            except (_Fallback, KeyError, TypeError):  # the reference build decides, or raises
                pass
        rs = self.ruleset
        return _validated(rs, case_id, ev, lang=self.lang, engine=engine, warnings=warns)


def _setter(cls: type[Any], name: str) -> Callable[[Any, Any], None]:
    """``object.__setattr__(obj, name, value)`` for instances of ``cls``, minus the look-up.

    Why: a model instance is made here from four attributes (``__dict__`` and pydantic's three
    slots); ``object.__setattr__`` finds the data descriptor on the class and calls its
    ``__set__``, and calling that ``__set__`` directly does exactly this, in about half the
    time. Without such a descriptor (another pydantic), ``object.__setattr__`` itself.
    """
    for klass in cls.__mro__:
        if name in vars(klass):
            found = vars(klass)[name]
            if hasattr(type(found), "__set__"):
                setter: Callable[[Any, Any], None] = found.__set__
                return setter
            break
    return lambda obj, value: _set(obj, name, value)


_ATTRIBUTES = ("__dict__", "__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__")
_a_dict, _a_fields, _a_extra, _a_private = (_setter(Assessment, n) for n in _ATTRIBUTES)
_r_dict, _r_fields, _r_extra, _r_private = (_setter(RulesetRef, n) for n in _ATTRIBUTES)


def build_assessment(
    ruleset: Ruleset,
    case: Case,
    ev: Evaluation,
    *,
    lang: str,
    engine: str,
    warnings: Sequence[Warning_] = (),
) -> Assessment:
    """One assessment with a plan made for it (``Plan.build``); for many, keep a ``Plan``.

    Why no module cache here: the plans, and every cache of assessment parts, belong to the
    object that made them (a ``Plan``, held by ``api.Assessor``), so nothing is shared between
    users of this module that they did not share themselves.
    """
    if lang not in ("en", "fr"):  # the reference build names the problem
        return _validated(ruleset, case.case_id, ev, lang=lang, engine=engine, warnings=warnings)
    return Plan(ruleset, lang).build(case, ev, engine=engine, warnings=warnings)
