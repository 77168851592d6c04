"""The flag-keyed assembly (``assemble.lazy.ByFlags``) equals the reference build, and is used.

Why separate from ``test_backends_agree``: that suite shows the backends agree; this one pins the
memo's own promises. A cached part must be what ``_validated`` builds, in both languages, before
and after a cache is full (then parts are built and not stored); a case whose parts are cached
must need no facts at all (else the memo saves nothing); an ambiguous verdict must raise every
time and never be cached; and a lazy evaluation must read, compare, copy and pickle like the
eager one.
"""

from __future__ import annotations

import copy
import pickle
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conduct_rules import Case, engines
from conduct_rules.api import get_backend, get_ruleset
from conduct_rules.assemble import build as assemble
from conduct_rules.assemble.build import Plan
from conduct_rules.assemble.contradictions import contradictions
from conduct_rules.assemble.lazy import flag_layout
from conduct_rules.assemble.reference import _sources_of, _validate, _validated
from conduct_rules.engines import Evaluation
from conduct_rules.engines.fast import FastBackend
from conduct_rules.errors import EvaluationError
from conduct_rules.model.assessment import Action, Documentation, Finding, Safeguard
from conduct_rules_dev.cases import corpus
from support.assessment_checks import same as _same
from support.strategies import cases, parameters

ONTARIO = get_ruleset()
FAST = get_backend("fast")
PYTHON = get_backend("python")


#: One plan per language, as an ``Assessor`` holds one: its caches fill over the tests.
PLANS = {lang: Plan(ONTARIO, lang) for lang in ("en", "fr")}


def _check(case: Case, lang: str, plan: Plan | None = None) -> None:
    plan = plan or PLANS[lang]
    ev = FAST.evaluate(ONTARIO, case)
    assert ev.flags is not None  # the fast backend's evaluations take the flag path
    warnings = contradictions(case, lang)
    built = plan.build(case, ev, engine="fast", warnings=warnings)
    _same(built, _validated(ONTARIO, case.case_id, ev, lang=lang, engine="fast", warnings=warnings))


@given(case=cases(), lang=st.sampled_from(["en", "fr"]))
def test_flag_path_equals_reference(case: Case, lang: str) -> None:
    for _ in range(2):  # the second build comes from the caches
        _check(case, lang)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_flag_path_equals_reference_when_the_caches_are_full(
    monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    monkeypatch.setattr(assemble, "MAX_ENTRIES", 3)
    plan = Plan(ONTARIO, lang)
    seeded = [case for case, _ in corpus(150, seed=7)]
    for case in seeded:
        _check(case, lang, plan)
    by_flags = plan.by_flags
    assert by_flags is not None
    assert [len(c) for c in by_flags.caches] == [3, 3, 3]  # full: later parts built, not stored
    for case in seeded:  # a second pass: hits for the stored keys, rebuilds for the others
        _check(case, lang, plan)


def test_cached_cases_need_no_facts() -> None:
    plan = Plan(ONTARIO, "en")
    seeded = [case for case, _ in corpus(60, seed=11)]
    for case in seeded:
        plan.build(case, FAST.evaluate(ONTARIO, case), engine="fast")
    for case in seeded:
        ev = FAST.evaluate(ONTARIO, case)
        plan.build(case, ev, engine="fast")
        assert "facts" not in vars(ev)  # never computed
        assert "fired" not in vars(ev)


def test_ambiguous_verdict_raises_every_time_and_is_never_cached() -> None:
    """Flags no real case gives (every unit fired) conclude three verdicts."""
    case = Case(case_id="A-1")
    source = FAST.evaluate(ONTARIO, case).source  # the compiled program
    assert source is not None
    flags = tuple((True,) * len(group) for group in source.layout)
    plan = Plan(ONTARIO, "en")
    for _ in range(2):
        ev = Evaluation.from_flags(flags, case, source)
        with pytest.raises(EvaluationError, match=r"opposite verdicts.*'A-1'"):
            plan.build(case, ev, engine="fast")
    by_flags = plan.by_flags
    assert by_flags is not None
    assert by_flags.caches[0] == {}


@given(case=cases(), params=parameters())
def test_a_miss_reads_from_the_flags_what_the_evaluation_holds(
    case: Case, params: dict[str, int]
) -> None:
    """``ByFlags._miss`` reads facts and sources from one group of flags: the same values."""
    rs = ONTARIO.with_parameters(**params) if params else ONTARIO
    ev = FAST.evaluate(rs, case)
    by_flags = Plan(rs, "en").by_flags
    flags, source = ev.flags, ev.source
    assert flags is not None
    assert source is not None
    assert by_flags is not None
    assert source.layout == by_flags.layout == flag_layout(rs)
    assert sorted({u for group in source.layout for u in group}) == list(range(len(rs.units)))
    sources = _sources_of(rs, ev)
    for which, kinds in enumerate((("permit", "finding"), ("safeguard",), ("document",))):
        facts = by_flags.facts(which, flags[which])
        assert facts == {k: bool(ev.facts.get(k)) for k in facts}
        assert by_flags.sources(which, flags[which]) == {
            k: v for k, v in sources.items() if k[0] in kinds
        }


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_stream_of_new_cases_equals_reference(lang: str) -> None:
    """Empty caches, each case once: parts built on a miss, items from the memo."""
    plan = Plan(ONTARIO, lang)
    stream = [case for case, _ in corpus(300, seed=23)]
    built = []
    for case in stream:
        _check(case, lang, plan)
        built.append(plan.build(case, FAST.evaluate(ONTARIO, case), engine="fast"))
    memo = {id(item) for item in plan.made.values()}
    items = [i for a in built for part in _parts(a) for i in part]
    assert items
    assert {id(i) for i in items} <= memo  # every listed item is the memo's one instance
    assert len(memo) == len(plan.made) < 100  # a few dozen distinct items, validated once each


def _parts(a: Any) -> tuple[tuple[Any, ...], ...]:
    return (a.permitted_actions, a.required_safeguards, a.missing_documentation, a.findings)


def test_item_memo_is_bounded_and_equal_to_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(assemble, "MAX_ENTRIES", 5)
    plan = Plan(ONTARIO, "fr")
    for case, _ in corpus(80, seed=29):
        _check(case, "fr", plan)
    assert len(plan.made) == 5
    for key, item in plan.made.items():
        cls, kind, item_id, rules, fr, *extra = key
        spec = {
            Action: ONTARIO.outputs.actions,
            Safeguard: ONTARIO.outputs.safeguards,
            Documentation: ONTARIO.outputs.documentation,
            Finding: ONTARIO.outputs.findings,
        }[cls][item_id]
        sources = {(kind, item_id): list(rules)}
        fresh = _validate(cls, ONTARIO, sources, fr, kind, item_id, spec, **dict(extra))
        assert fresh.model_dump_json() == item.model_dump_json()
        assert fresh.__pydantic_fields_set__ == item.__pydantic_fields_set__


def test_lazy_evaluation_behaves_like_the_eager_one() -> None:
    case = next(iter(corpus(1, seed=3)))[0]
    lazy = FAST.evaluate(ONTARIO, case)
    eager = PYTHON.evaluate(ONTARIO, case)
    assert lazy == eager
    assert eager == lazy
    assert lazy.fired == eager.fired
    assert dict(lazy.facts) == dict(eager.facts)
    for copied in (copy.copy(lazy), copy.deepcopy(lazy), pickle.loads(pickle.dumps(lazy))):
        assert type(copied) is Evaluation
        assert copied == eager
        assert copied.flags is None
        assert copied.source is None
    assert eager.flags is None
    assert eager.source is None
    assert repr(FAST.evaluate(ONTARIO, case)) == repr(Evaluation(lazy.fired, dict(lazy.facts)))
    with pytest.raises(AttributeError):
        lazy.no_such_field  # type: ignore[attr-defined]  # noqa: B018 - the access is the test
    with pytest.raises(AttributeError):
        lazy.fired = ()  # type: ignore[misc]
    with pytest.raises(AttributeError):
        lazy.flags = None  # type: ignore[misc]


def test_flags_in_another_layout_take_the_facts_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """A lazy evaluation grouped otherwise (here: one group, unit order) is not keyed by its
    flags: ``build_assessment`` reads its facts, which equal the python backend's."""
    one_group = [lambda rs: (tuple(range(len(rs.units))),)]
    monkeypatch.setattr(engines, "_FLAG_LAYOUT", one_group)  # the layout the assembler registered
    backend = FastBackend()  # compiled now, in the patched layout
    plan = Plan(ONTARIO, "en")
    for case, _ in corpus(40, seed=31):
        ev = backend.evaluate(ONTARIO, case)
        assert ev.flags is not None
        assert ev.source is not None
        assert len(ev.flags) == 1
        by_flags = plan.by_flags
        assert by_flags is not None
        assert not by_flags.accepts(ev.source)
        reference = PYTHON.evaluate(ONTARIO, case)
        assert ev.fired == reference.fired
        assert dict(ev.facts) == dict(reference.facts)
        built = plan.build(case, ev, engine="fast")
        _same(built, _validated(ONTARIO, case.case_id, ev, lang="en", engine="fast"))
    assert all(cache == {} for cache in by_flags.caches)


def test_the_engines_build_flags_in_the_assemblers_layout() -> None:
    """The engines reach the assembler's flag layout through the seam it registers at import
    (engines sit below the assembler): what the fast backend uses is the assembler's layout."""
    assert engines.flag_layout(ONTARIO) == flag_layout(ONTARIO)
    assert len(engines.flag_layout(ONTARIO)) > 1
