"""The "reasonable efforts" parameters behave like thresholds (O. Reg. 384/00 s. 2 para. 8;
practice note, scenario 2): asking more never meets a safeguard, doing more never un-meets one.

``min_attempts``, ``min_channels`` and ``min_referrals`` turn professional judgement into
numbers a user may change (``assess(case, parameters={...})``). Whatever the numbers, the
direction must be right; otherwise a stricter reading could show a member as having done enough.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conduct_rules import Case, assess
from conduct_rules.api import get_ruleset
from conduct_rules_dev import suite
from conduct_rules_dev.invariants import VERDICT_RANK, Context
from conduct_rules_dev.mutation import mutant_ruleset
from support.strategies import CHANNELS, attempts, cases, parameters, with_changes

PY = Context(get_ruleset(), "python")
NAMES = ("min_attempts", "min_channels", "min_referrals")


def _status(case: Case, **params: int) -> dict[str, str]:
    a = assess(case, backend="python", parameters=params or None)
    return {s.id: s.status for s in a.required_safeguards}


@given(cases(), st.sampled_from(NAMES), st.integers(1, 3), st.integers(1, 3), parameters())
def test_raising_a_threshold_never_meets_a_safeguard(
    case: Case, name: str, low: int, step: int, others: dict[str, int]
) -> None:
    """From ``low`` to ``low + step``: same safeguards required, none goes outstanding -> met,
    and the verdict never improves."""
    base = {**others, name: low}
    raised = {**others, name: low + step}
    before = assess(case, backend="python", parameters=base)
    after = assess(case, backend="python", parameters=raised)
    was = {s.id: s.status for s in before.required_safeguards}
    now = {s.id: s.status for s in after.required_safeguards}
    assert set(was) == set(now)
    assert not [s for s in was if was[s] == "outstanding" and now[s] == "met"]
    assert VERDICT_RANK[after.verdict] <= VERDICT_RANK[before.verdict]


@given(cases(), parameters())
def test_raising_each_threshold_by_one(case: Case, params: dict[str, int]) -> None:
    """The suite's own check (also run against every mutant): each threshold raised by one."""
    suite.raising_threshold_never_meets(case, PY.with_parameters(params))


@given(cases(), attempts(max_size=4), parameters())
def test_more_attempts_over_more_channels_never_unmeet(
    case: Case, extra: list[dict[str, str]], params: dict[str, int]
) -> None:
    """Adding attempts (any channels) never turns a met safeguard outstanding, except that listing
    the *first* attempt makes ``contact_attempts`` a record to keep (pinned below)."""
    old = [a.model_dump(mode="json") for a in case.termination_session.attempts]
    more = with_changes(case, **{"termination_session.attempts": old + extra})
    was, now = _status(case, **params), _status(more, **params)
    lost = {s for s, v in was.items() if v == "met" and now.get(s) == "outstanding"}
    if not old and extra and "contact_attempts" not in case.documented:
        lost -= {"document_process"}
    assert not lost


@given(cases(), parameters())
def test_one_more_attempt_by_new_or_used_channel(case: Case, params: dict[str, int]) -> None:
    """The suite's own check (also run against every mutant)."""
    suite.more_attempts_never_unmeet(case, PY.with_parameters(params))


@pytest.mark.parametrize("name", NAMES)
def test_thresholds_bite_at_exactly_the_value(name: str) -> None:
    """Each threshold is ``at least``: the boundary value meets, one less does not."""
    day = dt.date(2024, 3, 1)
    trail = [{"channel": CHANNELS[i], "date": (day + dt.timedelta(days=i)).isoformat()}
             for i in range(3)]  # fmt: skip
    case = Case.model_validate(
        {
            "case_id": "t",
            "client": {"withdrew": True},
            "alternatives": {"providers_offered": 3},
            "termination_session": {"status": "attempted", "attempts": trail},
        }
    )
    sid = "several_referrals" if name == "min_referrals" else "termination_session_efforts"
    assert _status(case, **{name: 3})[sid] == "met"
    assert _status(case, **{name: 4})[sid] == "outstanding"


def test_first_attempt_can_unmeet_document_process() -> None:
    """Pinned counterexample to the naive property: listing a first attempt adds the
    ``contact_attempts`` record (domain.md §4), so ``document_process`` may go met -> outstanding.
    That is a new duty, not a weaker reading of efforts, hence the exception above."""
    case = Case(case_id="pin-t1", client={"withdrew": True}, documented=("decision_rationale",))
    assert _status(case)["document_process"] == "met"
    more = with_changes(
        case, **{"termination_session.attempts": [{"channel": "email", "date": "2024-03-01"}]}
    )
    assert _status(more)["document_process"] == "outstanding"


def test_threshold_properties_can_fail() -> None:
    """The threshold check kills a ruleset whose efforts test compares the wrong way."""
    rs = mutant_ruleset("session-efforts-shown:negate")
    failures = suite.run_suite(rs, families=["thresholds"])
    assert failures, "raising thresholds on an inverted efforts rule went unnoticed"
    # Either threshold property notices it first (both read the inverted efforts test).
    assert failures[0].check in {"raising_threshold_never_meets", "more_attempts_never_unmeet"}
