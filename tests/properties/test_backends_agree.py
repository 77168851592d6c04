"""The three backends give identical assessments, and the fast assembly equals the reference.

Why differential: the fast backend is generated Python, the durable_rules backend a Rete network,
the python backend an interpreter of the same units. If any of them read a condition differently
the assessments would differ somewhere, so every generated case goes through all three and the
assessments (``model_dump`` without ``engine``) must be equal, as must the evaluations (fired
units and every fact). Because a property that never reaches a rule proves nothing about it, the
run also records, for every unit of the Ontario ruleset, that it fired at least once and stayed
silent at least once, and asserts it at the end.

``build_assessment`` assembles assessments from cached, validated parts; ``_validated`` is the
reference build that validates everything with pydantic. They must give equal objects and the
same JSON bytes.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conduct_rules import Case, assess, durable_available
from conduct_rules.api import get_backend, get_ruleset
from conduct_rules.assemble.build import Plan, build_assessment
from conduct_rules.assemble.contradictions import contradictions
from conduct_rules.assemble.reference import _validated
from conduct_rules.engines import Evaluation
from conduct_rules.engines.fast import FastBackend, Summary
from conduct_rules.rules.conditions import Const
from conduct_rules.rules.ruleset import Ruleset
from conduct_rules_dev.cases import corpus
from support.assessment_checks import same as _same
from support.profiles import examples
from support.strategies import cases, parameters

BACKENDS = ["fast", "python", *(["durable_rules"] if durable_available() else [])]


def _dump(case: Case, backend: str, lang: str = "en", **params: int) -> dict[str, Any]:
    a = assess(case, backend=backend, lang=lang, parameters=params or None)
    assert a.engine == backend
    return a.model_dump(exclude={"engine"})


def _summary_from_facts(rs: Ruleset, ev: Evaluation) -> Summary:
    """What ``Summary`` must hold, read from the facts the way an audit row reads them."""
    get = ev.facts.get
    out = rs.outputs
    return Summary(
        tuple(v for v in out.verdicts if get(f"verdict.{v}")),
        bool(get("termination_required", False)),
        tuple(s for s in out.safeguards if get(f"safeguard.{s}.outstanding")),
        tuple(d for d in out.documentation if get(f"documentation.{d}.missing")),
        tuple(f for f in out.findings if get(f"finding.{f}")),
    )


class _Coverage:
    """Which units fired, and which stayed silent, over every case checked."""

    def __init__(self, rs: Ruleset) -> None:
        self.units = [u.name for u in rs.units]
        self.fired: set[str] = set()
        self.silent: set[str] = set()

    def add(self, ev: Evaluation) -> None:
        self.fired |= set(ev.fired)
        self.silent |= set(self.units) - set(ev.fired)

    def missing(self) -> tuple[list[str], list[str]]:
        """Units never fired, and units never silent, except those that cannot be.

        A unit whose condition is the constant ``true`` (``action-refer``: referral is always
        open) fires for every case by design; a constant ``false`` one never fires.
        """
        const = {u.name: u.condition.value for u in ONTARIO.units if isinstance(u.condition, Const)}
        return (
            [u for u in self.units if u not in self.fired and const.get(u) is not False],
            [u for u in self.units if u not in self.silent and const.get(u) is not True],
        )


def _check(case: Case, coverage: _Coverage, params: dict[str, int] | None = None) -> None:
    """All backends: equal evaluations, equal assessments in both languages, equal summaries."""
    rs = get_ruleset(None, params)
    evaluations = {name: get_backend(name).evaluate(rs, case) for name in BACKENDS}
    reference = evaluations["python"]
    coverage.add(reference)
    for name, ev in evaluations.items():
        assert ev.fired == reference.fired, name
        assert dict(ev.facts) == dict(reference.facts), name
    fast = get_backend("fast")
    assert isinstance(fast, FastBackend)
    assert fast.summarize(rs, case) == _summary_from_facts(rs, reference)
    for lang in ("en", "fr"):
        dumps = [_dump(case, name, lang, **(params or {})) for name in BACKENDS]
        assert all(d == dumps[0] for d in dumps[1:])


ONTARIO = get_ruleset()
COVERAGE = _Coverage(ONTARIO)


@pytest.mark.skipif(sys.version_info >= (3, 13), reason="durable_rules cannot load on 3.13+")
def test_the_engine_of_record_takes_part() -> None:
    """``auto`` is the fast backend because these tests prove it equal to durable_rules: on
    the Pythons CI runs (3.11, 3.12) the engine of record must be among the backends compared,
    never silently left out."""
    assert durable_available()
    assert "durable_rules" in BACKENDS


@given(case=cases())
def test_backends_agree_on_generated_cases(case: Case) -> None:
    _check(case, COVERAGE)


@settings(max_examples=examples(25))
@given(case=cases(), params=parameters())
def test_backends_agree_with_parameters(case: Case, params: dict[str, int]) -> None:
    _check(case, COVERAGE, params)


def test_every_unit_fires_and_stays_silent() -> None:
    """Over a seeded corpus plus whatever the properties above drew, every unit is exercised."""
    for case, _ in corpus(400, seed=20261123):
        _check(case, COVERAGE)
    never_fired, never_silent = COVERAGE.missing()
    assert never_fired == [], f"units that never fired: {never_fired}"
    assert never_silent == [], f"units that always fired: {never_silent}"


# --------------------------------------------------------------------------------------------
# build_assessment: the assembled path against the reference build


#: One plan per language, kept across examples as an ``Assessor`` keeps its own.
PLANS = {lang: Plan(ONTARIO, lang) for lang in ("en", "fr")}


@given(case=cases(), lang=st.sampled_from(["en", "fr"]), backend=st.sampled_from(BACKENDS))
def test_assembled_assessment_equals_reference(case: Case, lang: str, backend: str) -> None:
    rs = ONTARIO
    ev = get_backend(backend).evaluate(rs, case)
    warnings = contradictions(case, lang)
    for _ in range(2):  # the second build comes from the caches
        built = PLANS[lang].build(case, ev, engine=backend, warnings=warnings)
        _same(built, _validated(rs, case.case_id, ev, lang=lang, engine=backend, warnings=warnings))


def _evaluation(rs: Ruleset, fired: Iterable[str], facts: dict[str, Any]) -> Evaluation:
    return Evaluation(tuple(fired), facts)


def test_unusual_evaluations_take_the_reference_path() -> None:
    """Hand-made evaluations: duplicates, unknown units, ambiguous verdicts behave as before."""
    rs = ONTARIO
    case = Case(case_id="C-1")
    ev = get_backend("python").evaluate(rs, case)
    doubled = _evaluation(rs, (*ev.fired, ev.fired[0]), dict(ev.facts))
    _same(
        build_assessment(rs, case, doubled, lang="en", engine="python"),
        _validated(rs, "C-1", doubled, lang="en", engine="python"),
    )
    with pytest.raises(KeyError):
        build_assessment(rs, case, _evaluation(rs, ("no-such-rule",), dict(ev.facts)),
                         lang="en", engine="python")  # fmt: skip
    both = dict(ev.facts) | {"verdict.permitted": True, "verdict.not_permitted": True}
    with pytest.raises(Exception, match=r"opposite verdicts.*'C-1'"):
        build_assessment(rs, case, _evaluation(rs, ev.fired, both), lang="en", engine="python")
    with pytest.raises(Exception, match="engine"):
        build_assessment(rs, case, ev, lang="en", engine="no-such-engine")
