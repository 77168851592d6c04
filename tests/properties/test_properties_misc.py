"""The ruleset against ``shared/domain.md`` §4 row by row, and the practice note's scenarios.

``conduct_rules_dev.oracle`` re-reads §4 in plain Python, independently of ``rules.yaml``; the
properties here say every assessment agrees with it. Where the ruleset reads the sources
differently from §4 on purpose, the oracle says so at that row (and docs/testing.md lists it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given

from conduct_rules import Case, assess
from conduct_rules.api import default_backend, get_ruleset
from conduct_rules_dev import suite
from conduct_rules_dev.cases import corpus
from conduct_rules_dev.invariants import Context
from conduct_rules_dev.oracle import BLOCKING, expected, observed
from support.strategies import (
    cases,
    court_order_cases,
    goals_not_met_cases,
    parameters,
    threat_cases,
)

PY = Context(get_ruleset(), "python")
DEFAULT = Context(get_ruleset(), default_backend())


@given(cases() | goals_not_met_cases() | court_order_cases() | threat_cases(), parameters())
def test_assessment_agrees_with_decision_table(case: Case, params: dict[str, int]) -> None:
    """Verdict, termination_required, actions (and which are required), safeguards (status,
    blocking), required and missing documentation, findings, derived facts and the thresholds
    reported: all as §4 says (python backend, any thresholds)."""
    got = observed(assess(case, backend="python", parameters=params or None))
    assert expected(case, params).differences(got) == []


@given(cases())
def test_assessment_agrees_with_decision_table_default_backend(case: Case) -> None:
    """The same on the default backend (durable_rules where it loads), default thresholds."""
    suite.agrees_with_decision_table(case, DEFAULT)


@pytest.mark.parametrize(
    ("case", "want"), suite.SCENARIOS, ids=[c.case_id for c, _ in suite.SCENARIOS]
)
def test_practice_note_scenarios(case: Case, want: Mapping[str, Any]) -> None:
    """The outcomes domain.md §2 draws from the three scenarios (default backend)."""
    suite.scenario_expectations_hold(case, DEFAULT, want)


def test_decision_table_rows_are_all_reached() -> None:
    """The properties above prove nothing about a row no case reaches: the mutation corpus
    reaches every item both ways (present and absent; met and outstanding)."""
    seen: Counter[str] = Counter()
    for case, params in corpus():
        e = expected(case, params)
        seen.update(f"verdict:{e.verdict}" for _ in [0])
        seen.update(f"action:{a}:{'required' if r else 'allowed'}" for a, r in e.actions.items())
        seen.update(f"safeguard:{s}:{st}" for s, (st, _) in e.safeguards.items())
        seen.update(f"finding:{f}" for f in e.findings)
        seen.update(f"missing:{d}" for d in e.missing_documentation)
        seen.update(f"recorded:{d}" for d in e.required_documentation - e.missing_documentation)
    rs = get_ruleset()
    wanted = {f"verdict:{v}" for v in rs.outputs.verdicts}
    wanted |= {
        f"safeguard:{s}:{st}" for s in rs.outputs.safeguards for st in ("met", "outstanding")
    }
    wanted |= {f"action:{a}:allowed" for a in rs.outputs.actions if a != "refer_client"}
    wanted |= {"action:refer_client:required", "action:refer_client:allowed"}
    wanted |= {f"finding:{f}" for f in rs.outputs.findings}
    wanted |= {f"{k}:{d}" for d in rs.outputs.documentation for k in ("missing", "recorded")}
    assert wanted - set(seen) == set()


def test_blocking_safeguards_are_the_three_of_section_4() -> None:
    """outputs.yaml marks as blocking exactly §4's three: session efforts, legal advice, consent."""
    rs = get_ruleset()
    assert {s for s, spec in rs.outputs.safeguards.items() if spec.blocking} == BLOCKING


def test_member_planned_ending_owes_a_session_before_any_basis() -> None:
    """Pinned divergence from §4's table: the ruleset requires session efforts for a member
    planning to end needed services even before iii or iv holds (scenario 1, "a termination
    session is required" before notice). §4 lists it under session_owed only."""
    a = assess(Case(case_id="pin-m1"), backend="python")
    assert a.verdict == "not_permitted"
    assert ("termination_session_efforts", "outstanding") in {
        (s.id, s.status) for s in a.required_safeguards
    }
    client = assess(Case(case_id="pin-m2", initiated_by="client"), backend="python")
    assert "termination_session_efforts" not in {s.id for s in client.required_safeguards}
