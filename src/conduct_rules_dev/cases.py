"""Cases for checks: edit one by dotted path, build a deterministic corpus, satisfy a safeguard.

Why a seeded corpus here and hypothesis in ``tests/support/strategies.py``: the mutation tool runs
the checks against hundreds of mutant rulesets and must give the same figure on every run,
in-process and fast; hypothesis shrinks and explores better but is neither. Both generate over the
whole contract (every field and enum, attempts of varying length with channels and dates, all
stages), with values biased to the thresholds the rules compare against (0-3 providers, 0-5
attempts).
The cases themselves come from the package's one generator, ``sample_cases``'s contract mix
(``audit.sample.contract_case``); this module seeds it and pairs each case with parameters.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator, Mapping
from typing import Any, get_args

from conduct_rules.audit.sample import CONTRACT_DOCUMENTATION, contract_case
from conduct_rules.model.case import Case, Channel, DocumentationId, Modality, SessionStatus

__all__ = [
    "BASES",
    "CHANNELS",
    "CRPO_DOCUMENTATION",
    "DOCUMENTATION_IDS",
    "MODALITIES",
    "PARAMETER_RANGES",
    "SATISFY",
    "STATUSES",
    "corpus",
    "random_case",
    "random_parameters",
    "satisfy",
    "with_changes",
]

CHANNELS: tuple[str, ...] = get_args(Channel)
MODALITIES: tuple[str, ...] = get_args(Modality)
STATUSES: tuple[str, ...] = get_args(SessionStatus)
DOCUMENTATION_IDS: tuple[str, ...] = get_args(DocumentationId)
#: The records CRPO Standard 6.3 names (issue 15). The seeded corpus below leaves them out, so
#: it is the same corpus as before they were added; ``crpo.py`` draws them for its own corpus.
CRPO_DOCUMENTATION: tuple[str, ...] = (
    "discontinuation_reasons",
    "discontinuation_conversation",
    "client_condition",
    "discharge_plan",
)
_CORPUS_DOCUMENTATION = CONTRACT_DOCUMENTATION
assert set(_CORPUS_DOCUMENTATION) == set(DOCUMENTATION_IDS) - set(CRPO_DOCUMENTATION)

#: The case fields behind each exception of O. Reg. 384/00 s. 2 para. 8 (v has two: threats make
#: serious risk available, domain.md §4).
BASES: dict[str, tuple[str, ...]] = {
    "i": ("client.requested_termination",),
    "ii": ("client.withdrew",),
    "iii": ("alternatives.efforts_made",),
    "iv": ("alternatives.opportunity_given",),
    "v": ("member.serious_risk_of_harm", "member.threats_received"),
}

#: Values tried for each threshold parameter: around the defaults, inside the declared bounds.
PARAMETER_RANGES: dict[str, tuple[int, ...]] = {
    "min_attempts": (1, 2, 3, 4),
    "min_channels": (1, 2, 3),
    "min_referrals": (1, 2, 3, 4),
}


def _set(data: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.replace("__", ".").split(".")
    node = data
    for p in parts[:-1]:
        child = node.get(p)
        if not isinstance(child, dict):
            raise KeyError(f"no case section '{p}' in '{dotted}'")
        node = child
    if parts[-1] not in node:
        raise KeyError(f"no case field '{dotted}'")
    node[parts[-1]] = value


def with_changes(case: Case, **dotted: Any) -> Case:
    """A copy of ``case`` with fields changed by dotted path, re-validated.

    Call as ``with_changes(case, **{"services.needed": False})`` or with ``__`` for the dot
    (``services__needed=False``). Re-validation keeps the case canonical (attempts and
    ``documented`` sorted), so a changed case is exactly what a caller could have sent.
    """
    data = case.model_dump(mode="json")
    for key, value in dotted.items():
        _set(data, key, list(value) if isinstance(value, tuple) else value)
    return Case.model_validate(data)


def random_case(rng: random.Random, case_id: str = "M-0") -> Case:
    """One case drawn over the whole contract (``audit.sample.contract_case``), validated."""
    return Case.model_validate(contract_case(rng, case_id))


def random_parameters(rng: random.Random) -> dict[str, int]:
    """Threshold overrides for one case: none half of the time, else a draw from the ranges."""
    if rng.random() < 0.5:
        return {}
    return {name: rng.choice(values) for name, values in PARAMETER_RANGES.items()}


def corpus(size: int = 400, seed: int = 20261123) -> Iterator[tuple[Case, dict[str, int]]]:
    """``size`` cases with parameter overrides, the same on every run for a given seed."""
    rng = random.Random(seed)
    for i in range(size):
        yield random_case(rng, f"M-{i}"), random_parameters(rng)


def _enough_attempts(case: Case, params: Mapping[str, int]) -> Case:
    n = max(params["min_attempts"], params["min_channels"])
    day = dt.date(2025, 1, 1)
    added = [
        {"channel": CHANNELS[i % len(CHANNELS)], "date": (day + dt.timedelta(days=i)).isoformat()}
        for i in range(n)
    ]
    old = [a.model_dump(mode="json") for a in case.termination_session.attempts]
    return with_changes(case, **{"termination_session.attempts": old + added})


def _all_documented(case: Case, params: Mapping[str, int]) -> Case:
    del params
    return with_changes(case, documented=list(DOCUMENTATION_IDS))


#: For each safeguard, the smallest change to a case a member could make to meet it (domain.md
#: §4 "met when" column). Used by edge case 11 (monotonicity) and the threshold properties.
SATISFY: dict[str, Callable[[Case, Mapping[str, int]], Case]] = {
    "termination_session_efforts": _enough_attempts,
    "legal_advice": lambda c, p: with_changes(c, **{"court_order.legal_advice_obtained": True}),
    "client_consent_for_transfer": lambda c, p: with_changes(
        c, **{"transfer.client_consent": True}
    ),
    "arrange_alternative_services": lambda c, p: with_changes(
        c, **{"alternatives.efforts_made": True}
    ),
    "reasonable_opportunity": lambda c, p: with_changes(
        c, **{"alternatives.opportunity_given": True}
    ),
    "several_referrals": lambda c, p: with_changes(
        c,
        **{
            "alternatives.providers_offered": max(
                c.alternatives.providers_offered, p["min_referrals"]
            )
        },
    ),
    "support_to_connect": lambda c, p: with_changes(
        c, **{"alternatives.client_supported_to_connect": True}
    ),
    "court_direction": lambda c, p: with_changes(c, **{"court_order.court_direction_sought": True}),
    "supervision_or_consultation": lambda c, p: with_changes(
        c, **{"consultation.supervision": True}
    ),
    "remote_session_for_safety": lambda c, p: with_changes(
        c, **{"termination_session.modality": "video"}
    ),
    "document_process": _all_documented,
}


def satisfy(case: Case, safeguard: str, params: Mapping[str, int]) -> Case:
    """``case`` changed so that ``safeguard`` is met; ``KeyError`` for an unknown safeguard."""
    return SATISFY[safeguard](case, params)
