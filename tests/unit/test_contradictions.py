"""Contradictory facts: each gets a named warning, never a rejection (docs/contradictions.md).

Each check is tested three ways: the contradictory case warns with the documented id and fields in
both languages; the nearest consistent case does not warn; and the assessment is still computed
(the row is not lost). The pairs that are deliberately *not* contradictions are pinned too, so a
later change cannot start flagging them silently.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conduct_rules import Assessment, Case, assess
from conduct_rules.assemble.contradictions import CHECKS, contradictions

DOC = Path(__file__).resolve().parents[2] / "docs" / "contradictions.md"


def _case(**parts: Any) -> dict[str, Any]:
    return {"case_id": "K-1", **parts}


# id -> (contradictory case, nearest consistent case, expected fields)
CONTRADICTIONS: dict[str, tuple[dict[str, Any], dict[str, Any], tuple[str, ...]]] = {
    "session_held_without_modality": (
        _case(termination_session={"status": "held"}),
        _case(termination_session={"status": "held", "modality": "video"}),
        ("termination_session.status", "termination_session.modality"),
    ),
    "attempts_listed_but_not_attempted": (
        _case(
            termination_session={
                "status": "not_attempted",
                "attempts": [{"channel": "email", "date": "2024-01-02"}],
            }
        ),
        _case(
            termination_session={
                "status": "attempted",
                "attempts": [{"channel": "email", "date": "2024-01-02"}],
            }
        ),
        ("termination_session.status", "termination_session.attempts"),
    ),
    "continued_after_client_ended": (
        _case(stage="continued", client={"withdrew": True}),
        _case(stage="ended", client={"withdrew": True}),
        ("stage", "client.withdrew", "client.requested_termination"),
    ),
    "notice_without_opportunity": (
        _case(alternatives={"notice_days": 30}),
        _case(alternatives={"notice_days": 30, "opportunity_given": True}),
        ("alternatives.notice_days", "alternatives.opportunity_given"),
    ),
    "referrals_without_efforts": (
        _case(alternatives={"providers_offered": 3}),
        _case(alternatives={"providers_offered": 3, "efforts_made": True}),
        ("alternatives.providers_offered", "alternatives.efforts_made"),
    ),
    "court_steps_without_order": (
        _case(court_order={"court_direction_sought": True}),
        _case(court_order={"applies": True, "court_direction_sought": True}),
        (
            "court_order.applies",
            "court_order.legal_advice_obtained",
            "court_order.court_direction_sought",
        ),
    ),
}

# Pairs that look odd but can all be true: no warning (docs/contradictions.md says why).
NOT_CONTRADICTIONS: dict[str, dict[str, Any]] = {
    "threats_without_declared_risk": _case(
        member={"threats_received": True, "serious_risk_of_harm": False}
    ),
    "consent_before_any_summary": _case(
        transfer={"summary_to_new_provider": False, "client_consent": True}
    ),
    "client_initiated_and_declined_session": _case(
        initiated_by="client",
        client={"requested_termination": True},
        termination_session={"status": "declined_by_client"},
    ),
    "efforts_without_referrals_yet": _case(
        alternatives={"efforts_made": True, "providers_offered": 0}
    ),
    "zero_days_notice_with_opportunity": _case(
        alternatives={"notice_days": 0, "opportunity_given": True}
    ),
    "attempted_without_itemised_attempts": _case(termination_session={"status": "attempted"}),
    "modality_planned_before_any_attempt": _case(
        termination_session={"status": "not_attempted", "modality": "video"}
    ),
    "not_needed_but_requested": _case(services={"needed": False, "requested": True}),
}


def test_every_check_is_tested_and_documented() -> None:
    ids = [c.id for c in CHECKS]
    assert sorted(ids) == sorted(CONTRADICTIONS)
    assert len(set(ids)) == len(ids)
    doc = DOC.read_text(encoding="utf-8")
    for check_id in ids:
        assert f"`{check_id}`" in doc, f"{check_id} missing from docs/contradictions.md"
    for name in NOT_CONTRADICTIONS:
        assert f"`{name}`" in doc, f"{name} missing from docs/contradictions.md"
    # Every field a warning names must be a real case path.
    for c in CHECKS:
        for f in c.fields:
            obj: Any = Case.model_fields
            for part in f.split("."):
                assert part in obj, f"{c.id}: {f}"
                ann = obj[part].annotation
                obj = getattr(ann, "model_fields", {})


@pytest.mark.parametrize("check_id", sorted(CONTRADICTIONS))
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_contradiction_warns_and_still_assesses(check_id: str, lang: str) -> None:
    bad, _, fields = CONTRADICTIONS[check_id]
    result = assess(bad, lang=lang)  # type: ignore[arg-type]
    assert isinstance(result, Assessment)
    assert result.verdict in ("not_permitted", "conditional", "permitted")
    warned = {w.id: w for w in result.warnings}
    assert check_id in warned
    w = warned[check_id]
    assert w.fields == fields
    assert w.message
    assert "Vérifiez" in w.message if lang == "fr" else "Check" in w.message
    # Each message names at least one of its fields, so the reader knows where to look.
    assert any(f.rsplit(".", 1)[-1] in w.message for f in fields)


@pytest.mark.parametrize("check_id", sorted(CONTRADICTIONS))
def test_consistent_neighbour_does_not_warn(check_id: str) -> None:
    _, good, _ = CONTRADICTIONS[check_id]
    assert check_id not in {w.id for w in assess(good).warnings}


@pytest.mark.parametrize("name", sorted(NOT_CONTRADICTIONS))
def test_unusual_but_possible_facts_do_not_warn(name: str) -> None:
    assert assess(NOT_CONTRADICTIONS[name]).warnings == ()


def test_a_contradiction_is_never_a_rejection() -> None:
    """All contradictions at once: one row, all warnings, in the fixed order of CHECKS."""
    merged = _case(
        stage="continued",
        client={"withdrew": True},
        alternatives={"notice_days": 10, "providers_offered": 1},
        court_order={"legal_advice_obtained": True},
        termination_session={
            "status": "not_attempted",
            "attempts": [{"channel": "phone", "date": "2024-02-03"}],
        },
    )
    ids = [w.id for w in assess(merged).warnings]
    expected = [c.id for c in CHECKS if c.id != "session_held_without_modality"]
    assert ids == expected


def test_threats_make_risk_available_without_a_warning() -> None:
    """Threats with serious_risk_of_harm false: the engine derives risk itself (contract)."""
    result = assess(NOT_CONTRADICTIONS["threats_without_declared_risk"])
    assert result.derived_facts.get("risk") is True
    assert result.warnings == ()


def test_session_held_without_modality_is_not_read_as_in_person() -> None:
    bad = _case(
        member={"feels_unsafe": True},
        client={"withdrew": True},
        termination_session={"status": "held"},
    )
    result = assess(bad)
    remote = {s.id: s.status for s in result.required_safeguards}["remote_session_for_safety"]
    assert remote == "met"


def test_warning_messages_carry_no_case_value() -> None:
    """Warnings name fields, never values: a notice of 1234 days must not print 1234."""
    result = assess(_case(alternatives={"notice_days": 1234, "providers_offered": 4321}))
    text = " ".join(w.message for w in result.warnings)
    assert result.warnings
    assert not re.search(r"1234|4321", text)


_flags = st.booleans()


@given(
    status=st.sampled_from(
        ["held", "scheduled", "attempted", "not_attempted", "declined_by_client"]
    ),
    modality=st.sampled_from(["in_person", "video", "phone", "none"]),
    n_attempts=st.integers(0, 3),
    stage=st.sampled_from(["considering", "ended", "continued"]),
    withdrew=_flags,
    requested=_flags,
    notice=st.one_of(st.none(), st.integers(0, 60)),
    opportunity=_flags,
    providers=st.integers(0, 5),
    efforts=_flags,
    applies=_flags,
    advice=_flags,
    direction=_flags,
    lang=st.sampled_from(["en", "fr"]),
)
def test_warnings_match_their_definitions(
    status: str,
    modality: str,
    n_attempts: int,
    stage: str,
    withdrew: bool,
    requested: bool,
    notice: int | None,
    opportunity: bool,
    providers: int,
    efforts: bool,
    applies: bool,
    advice: bool,
    direction: bool,
    lang: str,
) -> None:
    """An independent restatement of each definition agrees with the module, in both languages."""
    case = Case.parse(
        _case(
            stage=stage,
            client={"withdrew": withdrew, "requested_termination": requested},
            alternatives={
                "notice_days": notice,
                "opportunity_given": opportunity,
                "providers_offered": providers,
                "efforts_made": efforts,
            },
            court_order={
                "applies": applies,
                "legal_advice_obtained": advice,
                "court_direction_sought": direction,
            },
            termination_session={
                "status": status,
                "modality": modality,
                "attempts": [
                    {"channel": "email", "date": f"2024-03-{d + 1:02d}"} for d in range(n_attempts)
                ],
            },
        )
    )
    expected = {
        "session_held_without_modality": status == "held" and modality == "none",
        "attempts_listed_but_not_attempted": status == "not_attempted" and n_attempts > 0,
        "continued_after_client_ended": stage == "continued" and (withdrew or requested),
        "notice_without_opportunity": bool(notice) and not opportunity,
        "referrals_without_efforts": providers > 0 and not efforts,
        "court_steps_without_order": not applies and (advice or direction),
    }
    got = contradictions(case, lang)
    assert {w.id for w in got} == {k for k, v in expected.items() if v}
    assert [w.id for w in got] == [c.id for c in CHECKS if expected[c.id]]
