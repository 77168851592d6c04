"""Hypothesis strategies for cases: the whole contract, and one family per practice-note scenario.

Why in one place: every property suite draws from these, so a new contract field is added here
once and all properties exercise it. Every strategy yields a valid ``Case`` (never a dict), built
by ``Case.model_validate`` so list fields are canonical, exactly as a caller's JSON would become.

Public names other suites rely on: ``cases()``, ``goals_not_met_cases()``, ``court_order_cases()``,
``values_conflict_cases()``, ``threat_cases()``, ``attempts()``, ``parameters()``,
``with_changes(case, **dotted)`` and ``case_dicts()`` (the raw JSON-shaped mapping).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from conduct_rules import Case
from conduct_rules._dev.cases import (
    CHANNELS,
    DOCUMENTATION_IDS,
    MODALITIES,
    PARAMETER_RANGES,
    STATUSES,
    with_changes,
)

__all__ = [
    "CHANNELS",
    "CRPO_FIELDS",
    "DOCUMENTATION_IDS",
    "STAGES",
    "attempts",
    "case_dicts",
    "cases",
    "court_order_cases",
    "goals_not_met_cases",
    "parameters",
    "threat_cases",
    "values_conflict_cases",
    "with_changes",
]

STAGES = ("considering", "ended", "continued")
#: The case fields only the CRPO ruleset reads (issue 15).
CRPO_FIELDS = (
    "member.good_faith",
    "member.reason_protected_ground",
    "client.interested_in_further_treatment",
    "client.informed_of_reasons",
)
_DATES = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2035, 12, 31))
# Counts near the thresholds the rules compare with, and now and then a large one.
_SMALL = st.one_of(st.integers(0, 4), st.integers(0, 10_000))


def attempts(max_size: int = 6) -> st.SearchStrategy[list[dict[str, str]]]:
    """Contact attempts: 0..max_size, channels from the enum, ISO dates, repeats allowed."""
    one = st.fixed_dictionaries(
        {"channel": st.sampled_from(CHANNELS), "date": _DATES.map(dt.date.isoformat)}
    )
    return st.lists(one, max_size=max_size)


def parameters() -> st.SearchStrategy[dict[str, int]]:
    """Threshold overrides (any subset of the three), within the values the suites try."""
    return st.fixed_dictionaries(
        {}, optional={k: st.sampled_from(v) for k, v in PARAMETER_RANGES.items()}
    )


@st.composite
def case_dicts(draw: st.DrawFn, **fixed: Any) -> dict[str, Any]:
    """A case as the JSON-shaped mapping a caller sends; ``fixed`` pins dotted fields."""
    b = st.booleans()
    data: dict[str, Any] = {
        "case_id": draw(st.text(min_size=1, max_size=12).filter(lambda s: s.strip() != "")),
        "stage": draw(st.sampled_from(STAGES)),
        "initiated_by": draw(st.sampled_from(("member", "client"))),
        "services": {"needed": draw(b), "requested": draw(b), "likely_to_benefit": draw(b)},
        "client": {
            "requested_termination": draw(b),
            "withdrew": draw(b),
            "interested_in_further_treatment": draw(b),  # CRPO 6.3.3
            "informed_of_reasons": draw(b),  # CRPO 6.3.4
        },
        "member": {
            "serious_risk_of_harm": draw(b),
            "feels_unsafe": draw(b),
            "threats_received": draw(b),
            "objectivity_impaired": draw(b),
            "lacks_competence": draw(b),
            "relationship_untenable": draw(b),
            "good_faith": draw(b),  # CRPO 6.3.1
            "reason_protected_ground": draw(b),  # CRPO 6.3.2
        },
        "court_order": {
            "applies": draw(b),
            "legal_advice_obtained": draw(b),
            "court_direction_sought": draw(b),
        },
        "alternatives": {
            "efforts_made": draw(b),
            "providers_offered": draw(_SMALL),
            "client_supported_to_connect": draw(b),
            "opportunity_given": draw(b),
            "notice_days": draw(st.none() | st.integers(0, 3_650)),
        },
        "termination_session": {
            "status": draw(st.sampled_from(STATUSES)),
            "modality": draw(st.sampled_from(MODALITIES)),
            "attempts": draw(attempts()),
        },
        "consultation": {"supervision": draw(b), "college": draw(b), "legal": draw(b)},
        "transfer": {"summary_to_new_provider": draw(b), "client_consent": draw(b)},
        # Repeats and any order: the model normalises them (edge case 12).
        "documented": draw(st.lists(st.sampled_from(DOCUMENTATION_IDS), max_size=12)),
    }
    for dotted, value in fixed.items():
        node = data
        *parents, last = dotted.replace("__", ".").split(".")
        for p in parents:
            node = node[p]
        node[last] = value
    return data


def cases(**fixed: Any) -> st.SearchStrategy[Case]:
    """Valid cases over the whole contract; ``fixed`` pins dotted fields (``services__needed``)."""
    return case_dicts(**fixed).map(Case.model_validate)


def goals_not_met_cases() -> st.SearchStrategy[Case]:
    """Scenario 1's family: the service is not likely to benefit (3.8), needed, member ending."""
    return cases(
        services__needed=True,
        services__likely_to_benefit=False,
        initiated_by="member",
        member__threats_received=False,
        member__serious_risk_of_harm=False,
    )


def court_order_cases() -> st.SearchStrategy[Case]:
    """Scenario 2's family: a court order applies; often a withdrawing client."""
    return st.one_of(
        cases(court_order__applies=True),
        cases(court_order__applies=True, client__withdrew=True, services__needed=True),
    )


def values_conflict_cases() -> st.SearchStrategy[Case]:
    """Scenario 3 before the threats: impaired objectivity, often fear of meeting in person."""
    return st.one_of(
        cases(member__objectivity_impaired=True, member__threats_received=False),
        cases(member__objectivity_impaired=True, member__feels_unsafe=True),
    )


def threat_cases() -> st.SearchStrategy[Case]:
    """Scenario 3 after the threats: threats received, objectivity impaired, needed services."""
    return cases(
        member__threats_received=True, member__objectivity_impaired=True, services__needed=True
    )
