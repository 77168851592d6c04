"""Synthetic case records for examples, tests and benchmarks — never real client data.

Why a generator and not a fixture file: the notebook, the audit tests and the scale benchmark all
need thousands to millions of plausible records, and a seeded generator gives the same records on
every machine without shipping a large file. The mix is made up but plausible: most past cases
ended, many with a client who withdrew, some court orders, some threats, records kept unevenly.
Only fields that differ from the contract's defaults are written, as an export would omit them.

Two mixes, one generator (issue 12 merged the copies kept by the dev tools, the soak script and
the tests): ``mix="audit"`` is that plausible population; ``mix="contract"`` draws *every* field
of the contract, biased to the thresholds the rules compare against (0-3 providers, 0-5
attempts), for checks that must reach every rule (the mutation corpus, stress and determinism
tests). Hypothesis strategies (``tests/strategies.py``) stay separate: they shrink and explore.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any, Literal, get_args

from conduct_rules.model.case import (
    CHANNELS,
    DOCUMENTATION_IDS,
    SESSION_STATUSES,
    Modality,
    SessionStatus,
)

__all__ = ["CONTRACT_DOCUMENTATION", "contract_case", "sample_cases"]

_CHANNELS = CHANNELS
_DOCS = DOCUMENTATION_IDS
_STATUSES = SESSION_STATUSES
_DAY0 = dt.date(2019, 1, 1).toordinal()

# Ways a record can be wrong, as exports go wrong: a word for a boolean, a misspelt field, a
# negative count, an unknown channel, no identifier, a number for a date.
_CORRUPTIONS = (
    lambda c: c.setdefault("services", {}).update(needed="yes"),
    lambda c: c.setdefault("services", {}).update(neded=True),
    lambda c: c.setdefault("alternatives", {}).update(providers_offered=-1),
    lambda c: c.setdefault("termination_session", {}).update(
        attempts=[{"channel": "pigeon", "date": "2024-01-01"}]
    ),
    lambda c: c.pop("case_id"),
    lambda c: c.update(stage="finished"),
)


def _put(case: dict[str, Any], group: str, key: str, value: Any, default: Any) -> None:
    if value != default:
        case.setdefault(group, {})[key] = value


def _member(case: dict[str, Any], r: Any) -> None:
    """The member's situation: threats are rare and usually come with risk and fear."""
    threats = r() < 0.04
    _put(case, "member", "serious_risk_of_harm", r() < (0.6 if threats else 0.03), False)
    _put(case, "member", "feels_unsafe", r() < (0.8 if threats else 0.06), False)
    _put(case, "member", "threats_received", threats, False)
    _put(case, "member", "objectivity_impaired", r() < 0.07, False)
    _put(case, "member", "lacks_competence", r() < 0.04, False)
    _put(case, "member", "relationship_untenable", r() < 0.04, False)


def _case(rng: random.Random, case_id: str) -> dict[str, Any]:
    r = rng.random
    case: dict[str, Any] = {"case_id": case_id}
    stage = rng.choices(("considering", "ended", "continued"), (35, 50, 15))[0]
    if stage != "considering":
        case["stage"] = stage
    client_led = r() < 0.3
    if client_led:
        case["initiated_by"] = "client"
    needed = r() < 0.85
    _put(case, "services", "needed", needed, True)
    _put(case, "services", "requested", r() < (0.9 if needed else 0.3), True)
    _put(case, "services", "likely_to_benefit", r() < 0.8, True)
    _put(case, "client", "requested_termination", client_led and r() < 0.6, False)
    _put(case, "client", "withdrew", r() < (0.5 if client_led else 0.15), False)
    _member(case, r)
    if r() < 0.1:
        case["court_order"] = {"applies": True}
        _put(case, "court_order", "legal_advice_obtained", r() < 0.5, False)
        _put(case, "court_order", "court_direction_sought", r() < 0.3, False)
    efforts = r() < 0.5
    _put(case, "alternatives", "efforts_made", efforts, False)
    _put(case, "alternatives", "providers_offered", rng.choice((0, 1, 2, 3)) if efforts else 0, 0)
    _put(case, "alternatives", "client_supported_to_connect", efforts and r() < 0.5, False)
    opportunity = r() < 0.45
    _put(case, "alternatives", "opportunity_given", opportunity, False)
    if opportunity and r() < 0.7:
        case["alternatives"]["notice_days"] = rng.choice((7, 14, 30, 60))
    status = rng.choices(_STATUSES, (35, 10, 25, 20, 10))[0]
    _put(case, "termination_session", "status", status, "not_attempted")
    if status == "held":
        modality = rng.choices(("in_person", "video", "phone"), (6, 3, 1))[0]
        case["termination_session"]["modality"] = modality
    if status in ("attempted", "declined_by_client", "scheduled") or r() < 0.05:
        start = _DAY0 + rng.randrange(5 * 365)
        attempts = [
            {
                "channel": rng.choice(_CHANNELS),
                "date": dt.date.fromordinal(start + rng.randrange(30)).isoformat(),
            }
            for _ in range(rng.choice((1, 1, 2, 2, 3, 4)))
        ]
        case.setdefault("termination_session", {})["attempts"] = attempts
    _put(case, "consultation", "supervision", r() < 0.5, False)
    _put(case, "consultation", "college", r() < 0.05, False)
    _put(case, "consultation", "legal", r() < 0.1, False)
    if r() < 0.2:
        case["transfer"] = {"summary_to_new_provider": True}
        _put(case, "transfer", "client_consent", r() < 0.75, False)
    keep = 0.6 if r() < 0.5 else 0.2
    documented = [d for d in _DOCS if r() < keep]
    if documented:
        case["documented"] = documented
    return case


#: The records of the standard case the contract mix draws: Ontario's (the CRPO records added in
#: issue 15 are left out, so the dev tools' seeded corpus stays what it was).
CONTRACT_DOCUMENTATION: tuple[str, ...] = tuple(
    d
    for d in DOCUMENTATION_IDS
    if d
    not in (
        "discontinuation_reasons",
        "discontinuation_conversation",
        "client_condition",
        "discharge_plan",
    )
)
_MODALITIES: tuple[str, ...] = get_args(Modality)
_ALL_STATUSES: tuple[str, ...] = get_args(SessionStatus)


def _contract_attempts(rng: random.Random, n: int) -> list[dict[str, str]]:
    # Few channels most of the time, so "several attempts by one means" occurs often.
    pool = rng.choice([CHANNELS[:2], CHANNELS[:3], CHANNELS])
    start = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(0, 700))
    return [
        {
            "channel": rng.choice(pool),
            "date": (start + dt.timedelta(days=rng.randrange(0, 30))).isoformat(),
        }
        for _ in range(n)
    ]


def contract_case(rng: random.Random, case_id: str) -> dict[str, Any]:
    """One case mapping drawn over the whole contract, biased to the rules' thresholds."""

    def b(p: float = 0.5) -> bool:
        return rng.random() < p

    return {
        "case_id": case_id,
        "stage": rng.choice(["considering", "ended", "continued"]),
        "initiated_by": rng.choice(["member", "client"]),
        "services": {"needed": b(0.7), "requested": b(), "likely_to_benefit": b()},
        "client": {"requested_termination": b(0.3), "withdrew": b(0.3)},
        "member": {
            "serious_risk_of_harm": b(0.2),
            "feels_unsafe": b(0.3),
            "threats_received": b(0.2),
            "objectivity_impaired": b(0.3),
            "lacks_competence": b(0.15),
            "relationship_untenable": b(0.15),
        },
        "court_order": {
            "applies": b(0.4),
            "legal_advice_obtained": b(),
            "court_direction_sought": b(),
        },
        "alternatives": {
            "efforts_made": b(0.4),
            "providers_offered": rng.choice([0, 0, 1, 2, 2, 3, 4, 5]),
            "client_supported_to_connect": b(),
            "opportunity_given": b(0.4),
            "notice_days": rng.choice([None, None, 0, 7, 30]),
        },
        "termination_session": {
            "status": rng.choice(_ALL_STATUSES),
            "modality": rng.choice(_MODALITIES),
            "attempts": _contract_attempts(rng, rng.choice([0, 0, 1, 1, 2, 2, 3, 4, 5])),
        },
        "consultation": {"supervision": b(0.4), "college": b(0.3), "legal": b(0.3)},
        "transfer": {"summary_to_new_provider": b(0.4), "client_consent": b()},
        "documented": [d for d in CONTRACT_DOCUMENTATION if b(0.5)],
    }


def sample_cases(
    n: int,
    seed: int = 0,
    *,
    invalid_share: float = 0.0,
    mix: Literal["audit", "contract"] = "audit",
) -> Iterator[dict[str, Any]]:
    """``n`` synthetic case mappings, the same for the same ``seed``.

    ``mix``: ``"audit"`` (a plausible population of past and current endings, sparse as exports
    are) or ``"contract"`` (every field drawn, values near the rules' thresholds). ``invalid_share``
    (0 to 1) is the share of records broken the way exports break (a word for a boolean, a
    misspelt field, a negative count, ...), to exercise rejection.
    """
    if mix not in ("audit", "contract"):
        raise ValueError("mix must be 'audit' or 'contract'")
    draw = _case if mix == "audit" else contract_case
    rng = random.Random(seed)
    for i in range(n):
        case = draw(rng, f"S{seed}-{i + 1:07d}")
        if invalid_share and rng.random() < invalid_share:
            rng.choice(_CORRUPTIONS)(case)
        yield case
