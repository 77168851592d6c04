"""The hand-written CRPO Standard 6.3 cases and citation table (``tests/source_cases/crpo/``).

Why: they are the CRPO ruleset's evidence, written from the standard's text as the product reads
it and never from the code, so a wrong rule fails here without any second transcription of the
reading (the oracle of ``_dev/crpo.py``). Each case runs on every backend; every item of every
assessment of generated cases cites exactly what the table gives it.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from conduct_rules import Case, assess, durable_available, load_ruleset
from conduct_rules_dev.mutation import mutant_ruleset
from conduct_rules_dev.source import (
    CRPO_CASE_FILES,
    CRPO_HERE,
    SourceCase,
    citation_table,
    compare,
    load_cases,
    wrong_citations,
)
from support.profiles import examples
from support.strategies import cases

CASES = load_cases(CRPO_HERE, CRPO_CASE_FILES)
BACKENDS = ["python", "fast", *(["durable_rules"] if durable_available() else [])]
CRPO = load_ruleset("crpo-6.3")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@pytest.mark.parametrize("backend", BACKENDS)
def test_source_case(case: SourceCase, backend: str) -> None:
    a = assess(case.data, ruleset=CRPO, backend=backend, parameters=case.parameters or None)
    assert compare(case.expected, a) == []


def test_every_case_cites_as_the_table_says() -> None:
    for case in CASES:
        a = assess(case.data, ruleset=CRPO, parameters=case.parameters or None)
        assert wrong_citations(Case.model_validate(case.data), a, CRPO_HERE) == [], case.name


def test_the_table_lists_every_item_the_ruleset_declares() -> None:
    table = citation_table(CRPO_HERE)
    o = CRPO.outputs
    assert set(table["safeguards"]) == set(o.safeguards)
    assert set(table["actions"]) == set(o.actions)
    assert set(table["documentation"]) == set(o.documentation)
    assert set(table["findings"]) == set(o.findings)


def test_every_verdict_finding_and_safeguard_state_is_pinned() -> None:
    """The cases reach every verdict, every finding and both states of every safeguard."""
    verdicts = {c.expected["verdict"] for c in CASES}
    findings = {f for c in CASES for f in c.expected["findings"] or {}}
    states = {(k, v["status"]) for c in CASES for k, v in (c.expected["safeguards"] or {}).items()}
    assert verdicts == {"not_permitted", "conditional", "permitted"}
    assert findings == set(CRPO.outputs.findings)
    assert states == {(s, st) for s in CRPO.outputs.safeguards for st in ("met", "outstanding")}


@settings(max_examples=examples(60), deadline=None)
@given(cases())
def test_generated_cases_cite_as_the_table_says(case: Case) -> None:
    assert wrong_citations(case, assess(case, ruleset=CRPO), CRPO_HERE) == []


def test_a_wrong_citation_fails_the_cases() -> None:
    """The cases can fail: a rule citing a neighbouring provision is caught."""
    bad = mutant_ruleset("safeguard-reasons:swap-citation@crpo-6.3.4->crpo-6.3.3", "crpo-6.3")
    failing = [c.name for c in CASES if compare(c.expected, assess(c.data, ruleset=bad))]
    assert failing
