"""The flag-keyed assembly (``_assemble_flags.ByFlags``) equals the reference build, and is used.

Why separate from ``test_backends_agree``: that suite shows the backends agree; this one pins the
memo's own promises. A cached part must be what ``_validated`` builds, in both languages, before
and after a cache is full (then parts are built and not stored); a case whose parts are cached
must need no facts at all (else the memo saves nothing); an ambiguous verdict must raise every
time and never be cached; and a lazy evaluation must read, compare, copy and pickle like the
eager one.
"""

from __future__ import annotations

import copy
import dataclasses
import pickle
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conduct_rules import Case
from conduct_rules import _assemble as assemble
from conduct_rules._assemble import _plan, _validated, build_assessment
from conduct_rules._contradictions import contradictions
from conduct_rules._dev.cases import corpus
from conduct_rules.api import get_backend, get_ruleset
from conduct_rules.engines import Evaluation, lazy_evaluation, unit_flags
from conduct_rules.errors import EvaluationError
from strategies import cases

ONTARIO = get_ruleset()
FAST = get_backend("fast")
PYTHON = get_backend("python")


def _same(a: Any, b: Any) -> None:
    assert a.model_dump_json() == b.model_dump_json()
    assert a == b
    assert a.__pydantic_fields_set__ == b.__pydantic_fields_set__
    assert a.ruleset.__pydantic_fields_set__ == b.ruleset.__pydantic_fields_set__
    assert a.derived_facts is not b.derived_facts  # no mutable object shared between results
    assert a.ruleset.parameters is not b.ruleset.parameters


def _check(case: Case, lang: str) -> None:
    ev = FAST.evaluate(ONTARIO, case)
    assert unit_flags(ev) is not None  # the fast backend's evaluations take the flag path
    warnings = contradictions(case, lang)
    built = build_assessment(ONTARIO, case, ev, lang=lang, engine="fast", warnings=warnings)
    _same(built, _validated(ONTARIO, case.case_id, ev, lang=lang, engine="fast", warnings=warnings))


@pytest.fixture
def fresh_plans(monkeypatch: pytest.MonkeyPatch) -> None:
    """Empty plan caches for this test, the real ones back afterwards."""
    monkeypatch.setattr(assemble, "_PLANS", {})
    monkeypatch.setattr(assemble, "_last", (None, "", None))


@given(case=cases(), lang=st.sampled_from(["en", "fr"]))
def test_flag_path_equals_reference(case: Case, lang: str) -> None:
    for _ in range(2):  # the second build comes from the caches
        _check(case, lang)


@pytest.mark.usefixtures("fresh_plans")
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_flag_path_equals_reference_when_the_caches_are_full(
    monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    monkeypatch.setattr(assemble, "MAX_ENTRIES", 3)
    seeded = [case for case, _ in corpus(150, seed=7)]
    for case in seeded:
        _check(case, lang)
    by_flags = _plan(ONTARIO, lang).by_flags
    assert by_flags is not None
    assert [len(c) for c in by_flags.caches] == [3, 3, 3]  # full: later parts built, not stored
    for case in seeded:  # a second pass: hits for the stored keys, rebuilds for the others
        _check(case, lang)


@pytest.mark.usefixtures("fresh_plans")
def test_cached_cases_need_no_facts() -> None:
    seeded = [case for case, _ in corpus(60, seed=11)]
    for case in seeded:
        build_assessment(ONTARIO, case, FAST.evaluate(ONTARIO, case), lang="en", engine="fast")
    for case in seeded:
        ev = FAST.evaluate(ONTARIO, case)
        build_assessment(ONTARIO, case, ev, lang="en", engine="fast")
        assert "facts" not in vars(ev)
        assert "fired" not in vars(ev)


class _Contradicting:
    """A fact source whose facts hold two verdicts, whatever fired."""

    def __init__(self) -> None:
        self.fingerprint = ONTARIO.fingerprint
        self.rules = ONTARIO.rules
        self.names = tuple(u.name for u in ONTARIO.units)

    def facts(self, case: Case, flags: tuple[Any, ...]) -> dict[str, Any]:
        return {"verdict.permitted": True, "verdict.not_permitted": True}


@pytest.mark.usefixtures("fresh_plans")
def test_ambiguous_verdict_raises_every_time_and_is_never_cached() -> None:
    case = Case(case_id="A-1")
    flags = (False,) * len(ONTARIO.units)
    for _ in range(2):
        ev = lazy_evaluation(flags, case, _Contradicting())
        with pytest.raises(EvaluationError, match=r"opposite verdicts.*'A-1'"):
            build_assessment(ONTARIO, case, ev, lang="en", engine="fast")
    by_flags = _plan(ONTARIO, "en").by_flags
    assert by_flags is not None
    assert by_flags.caches[0] == {}


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
        assert unit_flags(copied) is None  # a copy is eager
    assert dataclasses.replace(lazy, fired=()).fired == ()
    assert dataclasses.asdict(lazy) == dataclasses.asdict(eager)
    assert repr(FAST.evaluate(ONTARIO, case)) == repr(Evaluation(lazy.fired, dict(lazy.facts)))
    with pytest.raises(AttributeError):
        lazy.no_such_field  # type: ignore[attr-defined]  # noqa: B018 - the access is the test
    with pytest.raises(dataclasses.FrozenInstanceError):
        lazy.fired = ()  # type: ignore[misc]
