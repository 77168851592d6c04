"""The practice note's three scenarios (examples/), moment by moment: golden files and the outcomes
``shared/domain.md`` §2 describes.

The evidence that these outcomes are right is elsewhere: ``tests/source_cases/scenarios.yaml``
pins every moment, item by item with citations, by hand from the practice note. This module keeps
regression checks:

* **Golden files** (regression snapshots of the code's own output, not evidence;
  ``tests/golden/<scenario>/<moment>.json``) hold the whole assessment
  (``model_dump(mode="json")``), so any change in wording, order, citations or rules fired shows up
  in review as a diff. They are produced by the ``python`` backend; every available backend must
  produce the same JSON, apart from the ``engine`` field that names it. After an intended change,
  regenerate them with
  ``UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/unit/test_scenarios.py`` and review the diff.
* **Explicit assertions** per moment state what §2 says in words (verdict, whether the service must
  stop, the safeguards and actions that matter), so a golden file regenerated carelessly cannot
  hide a wrong outcome.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from conduct_rules import Assessment, assess, durable_available
from conduct_rules.api import BACKENDS as API_BACKENDS

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
GOLDEN = Path(__file__).resolve().parents[1] / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
BACKENDS = [
    b for b in API_BACKENDS if b != "auto" and (b != "durable_rules" or durable_available())
]
#: The backend the golden files come from: the reference interpreter, available on every Python.
GOLDEN_BACKEND = "python"

EXAMPLE_FILES = sorted(
    p.relative_to(EXAMPLES).as_posix() for p in EXAMPLES.glob("scenario-*/*.json")
)


def _load(rel: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / rel).read_text(encoding="utf-8"))
    return data


def _assessed(rel: str, backend: str = "auto") -> Assessment:
    return assess(_load(rel), backend=backend)


# ------------------------------------------------------------------------------------- golden


def test_the_examples_cover_every_moment_of_the_note() -> None:
    assert EXAMPLE_FILES == [
        "scenario-1/1-before-notice.json",
        "scenario-1/2-after-notice.json",
        "scenario-1/3-after-termination-session.json",
        "scenario-2/1-before-legal-advice.json",
        "scenario-2/2-after-legal-advice-and-attempts.json",
        "scenario-2/3-ended-by-final-email.json",
        "scenario-3/1-before-threats.json",
        "scenario-3/2-after-threats.json",
    ]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("rel", EXAMPLE_FILES)
def test_assessment_matches_golden(rel: str, backend: str) -> None:
    """Regression snapshot: the output has not changed since the last reviewed regeneration."""
    golden_path = GOLDEN / rel
    actual = _assessed(rel, backend).model_dump(mode="json")
    assert actual["engine"] == backend
    if UPDATE and backend == GOLDEN_BACKEND:
        golden_path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(actual, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        golden_path.write_text(text, encoding="utf-8")
    assert golden_path.is_file(), f"no golden file for {rel}; run with UPDATE_GOLDEN=1"
    expected = json.loads(golden_path.read_text(encoding="utf-8"))
    assert expected["engine"] == GOLDEN_BACKEND
    actual["engine"] = GOLDEN_BACKEND
    assert actual == expected


# After the golden test, so that UPDATE_GOLDEN=1 on a fresh tree writes before it checks.
def test_every_golden_file_has_its_example() -> None:
    goldens = sorted(p.relative_to(GOLDEN).as_posix() for p in GOLDEN.glob("scenario-*/*.json"))
    assert goldens == EXAMPLE_FILES, "remove golden files whose example is gone"


@pytest.mark.parametrize("rel", EXAMPLE_FILES)
def test_same_case_same_bytes(rel: str) -> None:
    # domain.md §3.12: the same case always gives byte-identical JSON.
    assert _assessed(rel).to_json() == _assessed(rel).to_json()


# --------------------------------------------------------------------------- helpers for §2


def _actions(a: Assessment) -> set[str]:
    return {x.id for x in a.permitted_actions}


def _required_actions(a: Assessment) -> set[str]:
    return {x.id for x in a.permitted_actions if x.required}


def _status(a: Assessment) -> dict[str, str]:
    return {s.id: s.status for s in a.required_safeguards}


def _blocking_outstanding(a: Assessment) -> set[str]:
    return {s.id for s in a.outstanding_safeguards if s.blocking}


def _missing(a: Assessment) -> set[str]:
    return {d.id for d in a.missing_documentation}


def _findings(a: Assessment) -> set[str]:
    return {f.id for f in a.findings}


# ------------------------------------------------------------------------------ scenario 1


def test_scenario_1_before_notice() -> None:
    a = _assessed("scenario-1/1-before-notice.json")
    # Continuing the same service is not appropriate (3.8) ...
    assert a.termination_required is True
    assert "continue_services" not in _actions(a)
    # ... referral is required, not only allowed ...
    assert _required_actions(a) == {"refer_client"}
    # ... but ending needed services waits for alternatives and/or notice (2.8 iii, iv).
    assert a.verdict == "not_permitted"
    assert "end_services" not in _actions(a)
    status = _status(a)
    assert status["arrange_alternative_services"] == "outstanding"
    assert status["reasonable_opportunity"] == "outstanding"
    # Consent before a summary goes to the new provider; consultation obtained; document.
    assert status["client_consent_for_transfer"] == "outstanding"
    assert status["supervision_or_consultation"] == "met"
    assert status["document_process"] == "outstanding"
    assert "decision_rationale" in _missing(a)
    assert _findings(a) == set()


def test_scenario_1_before_notice_lists_the_termination_session() -> None:
    # domain.md §2: "a termination session is required" already before notice (the planned
    # ending can only rest on iii/iv, which carry the duty).
    a = _assessed("scenario-1/1-before-notice.json")
    assert "termination_session_efforts" in _status(a)


def test_scenario_1_after_notice() -> None:
    a = _assessed("scenario-1/2-after-notice.json")
    # Notice (iv) and identified alternatives (iii) are bases; the session and consent come first.
    assert a.verdict == "conditional"
    assert a.termination_required is True
    assert {"end_services", "refer_client", "transfer_with_summary"} <= _actions(a)
    assert "continue_services" not in _actions(a)
    assert _blocking_outstanding(a) == {
        "termination_session_efforts",
        "client_consent_for_transfer",
    }
    status = _status(a)
    assert status["arrange_alternative_services"] == "met"
    assert status["reasonable_opportunity"] == "met"
    assert _missing(a) == {"client_consent"}
    assert _findings(a) == set()


def test_scenario_1_after_termination_session() -> None:
    a = _assessed("scenario-1/3-after-termination-session.json")
    assert a.verdict == "permitted"
    assert a.termination_required is True
    assert set(_status(a).values()) == {"met"}
    assert _status(a)["termination_session_efforts"] == "met"
    assert _status(a)["client_consent_for_transfer"] == "met"
    assert _missing(a) == set()
    assert _findings(a) == set()


# ------------------------------------------------------------------------------ scenario 2


def test_scenario_2_before_legal_advice() -> None:
    a = _assessed("scenario-2/1-before-legal-advice.json")
    # Withdrawal (ii) supports ending; with a court order, legal advice comes first (always).
    assert a.derived_facts["basis"] is True
    assert a.verdict == "conditional"
    assert a.termination_required is False
    assert _blocking_outstanding(a) == {"legal_advice", "termination_session_efforts"}
    # The prudent course: direction from the court (advised, not blocking).
    assert "seek_court_direction" in _actions(a)
    assert _status(a)["court_direction"] == "outstanding"
    assert "end_by_written_notice" not in _actions(a)
    assert _findings(a) == set()


def test_scenario_2_after_legal_advice_and_attempts() -> None:
    a = _assessed("scenario-2/2-after-legal-advice-and-attempts.json")
    # Several attempts by different means (e-mail, phone) are reasonable efforts.
    assert a.verdict == "permitted"
    status = _status(a)
    assert status["legal_advice"] == "met"
    assert status["termination_session_efforts"] == "met"
    assert {"end_services", "end_by_written_notice", "seek_court_direction"} <= _actions(a)
    # The list of providers is not yet in the parents' hands.
    assert status["several_referrals"] == "outstanding"
    assert _findings(a) == set()


def test_scenario_2_ended_by_final_email() -> None:
    a = _assessed("scenario-2/3-ended-by-final-email.json")
    assert a.verdict == "permitted"
    status = _status(a)
    assert status["several_referrals"] == "met"
    assert status["document_process"] == "met"
    assert _blocking_outstanding(a) == set()
    assert _missing(a) == set()
    # No possible breach: basis ii, reasonable efforts made, legal advice obtained.
    assert _findings(a) == set()


# ------------------------------------------------------------------------------ scenario 3


def test_scenario_3_before_threats() -> None:
    a = _assessed("scenario-3/1-before-threats.json")
    # Impaired objectivity: not likely to benefit (3.8), so stop this service and refer.
    assert a.derived_facts["no_benefit"] is True
    assert a.termination_required is True
    assert "continue_services" not in _actions(a)
    assert _required_actions(a) == {"refer_client"}
    # Alternatives arranged (iii): a basis; the termination session is still owed (3.9) ...
    assert a.verdict == "conditional"
    assert _blocking_outstanding(a) == {"termination_session_efforts"}
    assert _status(a)["reasonable_opportunity"] == "outstanding"
    # ... online or by phone for her safety, not in person.
    assert "termination_session_remote" in _actions(a)
    assert "termination_session_in_person" not in _actions(a)
    assert _status(a)["remote_session_for_safety"] == "met"
    assert "end_by_written_notice" not in _actions(a)


def test_scenario_3_after_threats() -> None:
    a = _assessed("scenario-3/2-after-threats.json")
    # Threats: serious risk of harm (2.8 v); she may end by e-mail without a session.
    assert a.derived_facts["risk"] is True
    assert a.derived_facts["session_owed"] is False
    assert a.verdict == "permitted"
    assert "termination_session_efforts" not in _status(a)
    assert "reasonable_opportunity" not in _status(a)
    assert {"end_services", "end_by_written_notice"} <= _actions(a)
    assert "termination_session_in_person" not in _actions(a)
    assert "continue_services" not in _actions(a)
    # She documents the whole process; nothing is missing and nothing is a breach.
    assert _status(a)["document_process"] == "met"
    assert _missing(a) == set()
    assert _findings(a) == set()


def test_the_verdict_moves_as_the_member_acts() -> None:
    verdicts = [_assessed(rel).verdict for rel in EXAMPLE_FILES]
    assert verdicts == [
        "not_permitted",
        "conditional",
        "permitted",
        "conditional",
        "permitted",
        "permitted",
        "conditional",
        "permitted",
    ]
