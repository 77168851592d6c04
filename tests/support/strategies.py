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
from conduct_rules_dev.cases import (
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
    "csv_tables",
    "fact_cases",
    "goals_not_met_cases",
    "hostile_lines",
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
            "informed_of_reasons": draw(st.one_of(st.none(), b)),  # CRPO 6.3.4; null: silent
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


@st.composite
def csv_tables(draw: st.DrawFn) -> tuple[str, list[list[str]]]:
    """A delimiter and a table of text cells (header first, equal widths) full of the characters
    CSV quoting exists for: delimiters, quotes, CR, LF, spaces, non-ASCII."""
    delimiter = draw(st.sampled_from((",", ";", "\t")))
    width = draw(st.integers(1, 4))
    cell = st.text(alphabet=',;\t"\r\n xé=', max_size=8)
    header = ["case_id", *(f"c{i}" for i in range(1, width))]
    rows = draw(st.lists(st.lists(cell, min_size=width, max_size=width), max_size=8))
    return delimiter, [header, *rows]


# --------------------------------------------------------------------------------------------
# Hostile JSON Lines: every kind of bad input an export or an attacker produces, for differential
# tests of the audit's fast paths against the contract's own validation.

#: Values that are wrong somewhere (and right somewhere else): types, bounds, near-dates, text.
HOSTILE_VALUES: tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    1,
    -1,
    2,
    3_650,
    3_651,
    10_000,
    10_001,
    2**70,
    1.0,
    1.5,
    float("nan"),
    "",
    " ",
    "\t",
    "true",
    "1",
    "x" * 200,
    "x" * 201,
    "é",
    "\ud800",
    "held",
    "email",
    "considering",
    "member",
    "decision_rationale",
    "2024-01-01",
    "2024-1-01",
    "2024-02-30",
    "0000-01-01",
    "2024-01-01T00:00:00",
    "20240101",
    [],
    [1],
    ["decision_rationale"] * 101,
    {},
    {"a": 1},
    {"channel": "email", "date": "2024-01-01"},
)
_GROUPS = (
    "services",
    "client",
    "member",
    "court_order",
    "alternatives",
    "termination_session",
    "consultation",
    "transfer",
)
#: Lines no generator of valid JSON writes: duplicate keys, NaN, bytes that are not UTF-8, ...
_RAW_LINES = (
    b'{"case_id": "D1", "stage": "ended", "stage": "bogus"}',
    b'{"case_id": "D2", "stage": "bogus", "stage": "ended"}',
    b'{"case_id": "D3", "services": {"needed": true}, "services": {"needed": "x"}}',
    b'{"case_id": "D4", "stage": "ended", "st\\u0061ge": "continued"}',
    b'{"case_id": "D5", "termination_session": {"status": "held", "status": "held"}}',
    b'{"case_id": "N", "alternatives": {"notice_days": NaN}}',
    b'{"case_id": "I", "alternatives": {"notice_days": Infinity}}',
    b'{"case_id": "F", "alternatives": {"providers_offered": 2.0}}',
    b'{"case_id": "E", "alternatives": {"providers_offered": 2e0}}',
    b'{"case_id": "\xff\xfe"}',
    b'{"case_id": "S\\ud800"}',
    b'{"case_id": "cut", "services": {',
    b'{"case_id": "A"} trailing',
    b'  {"case_id": "W"}  \r',
    b'{"case_id": "R", "_rejected": {"row": 1, "reason": "x"}}',
    b'\xef\xbb\xbf{"case_id": "BOM"}',
    b'{"case_id": "T", "termination_session": {"attempts": [{"date": "2024-01-01", '
    b'"channel": "email"}, {"channel": "phone", "date": "2023-12-31"}]}}',
    b"[]",
    b"null",
    b'"text"',
    # For the C reader (``audit.fastjson``): colons in the id around a repeated key, keys spaced
    # from their colon, repeats inside an attempt and in a full group, raw control characters,
    # the longest ids in non-BMP characters, a blank id in Unicode spaces, deep nesting, numbers.
    b'{"case_id": "a:b", "case_id": "c"}',
    b'{"case_id": "c", "case_id": "a:b"}',
    b'{"case_id": "k::", "stage": "ended"}',
    b'{"case_id" : "W2", "stage" :"ended", "initiated_by"\t:\t"client"}',
    b'{"case_id": "T2", "termination_session": {"attempts": [{"channel": "email", '
    b'"date": "2024-01-01", "date": "2024-01-02"}]}}',
    b'{"case_id": "D6", "services": {"needed": true, "needed": true}}',
    b'{"case_id": "D7", "services": {"needed": true, "requested": true, "likely_to_benefit": '
    b'true, "requested": false}}',
    b'{"case_id": "a\x01b"}',
    b'{"case_id": "a\tb"}',
    '{{"case_id": "{}"}}'.format("\U0001f600" * 200).encode(),
    '{{"case_id": "{}"}}'.format("\U0001f600" * 201).encode(),
    '{"case_id": "\u00a0\u2003"}'.encode(),
    b'{"case_id": "Z", "services": ' + b"[" * 5_000 + b"]" * 5_000 + b"}",
    b'{"case_id": "Z2", "alternatives": {"providers_offered": -0}}',
    b'{"case_id": "Z3", "alternatives": {"providers_offered": 01}}',
    b'{"case_id": "Z4", "alternatives": {"providers_offered": 1E400}}',
    b'{"case_id": "Z5", "alternatives": {"notice_days": null}, "client": '
    b'{"informed_of_reasons": null}}',
    b'{"case_id": "Z6", "services": null}',
    b'{"Case_id": "Z7"}',
    b"{}",
    b'{"case_id": "Z8"}{"case_id": "Z9"}',
    b'{"case_id": "Z10", "documented": ["consultations", "consultations", "legal_advice"]}',
)


def _mutate(rng: Any, case: dict[str, Any]) -> Any:
    """One random hostile change to a JSON-shaped case (``rng``: a ``random.Random``)."""
    import copy

    kind = rng.randrange(9)
    pick = rng.choice

    def hostile() -> Any:  # a copy: a shared dict put inside itself would make a cycle
        return copy.deepcopy(pick(HOSTILE_VALUES))

    if kind == 0:  # a top-level field gets a wrong value
        case[pick(("case_id", "stage", "initiated_by", "documented", *_GROUPS))] = hostile()
    elif kind == 1:  # a leaf gets a wrong value (or an unknown leaf appears)
        group = case.setdefault(pick(_GROUPS), {})
        if isinstance(group, dict):
            group[pick([*group, "unknown_leaf"])] = hostile()
    elif kind == 2:  # an unknown top-level key
        case[pick(("notes", "Stage", "case_id ", "_rejected"))] = hostile()
    elif kind == 3:  # attempts that are not quite attempts
        ts = case.setdefault("termination_session", {})
        if isinstance(ts, dict):
            item = {"channel": pick(("email", "fax", 1)), "date": hostile()}
            if rng.random() < 0.3:
                item["extra"] = 1
            prev = ts.get("attempts")
            ts["attempts"] = [item, *(prev if isinstance(prev, list) else [])][
                : rng.randrange(1, 4)
            ]
    elif kind == 4:  # documented with unknown or repeated ids, or too many
        case["documented"] = pick(
            (["decision_rationale", "nope"], ["consultations"] * 100, ["consultations"] * 101, "x")
        )
    elif kind == 5:  # no case_id, or a blank one
        if rng.random() < 0.5:
            case.pop("case_id", None)
        else:
            case["case_id"] = pick(("", "  "))
    elif kind == 6:  # not an object at all
        return pick(([], [case], "case", 3, None, True))
    elif kind == 7:  # a number where a boolean goes, or the reverse
        alt = case.setdefault("alternatives", {})
        if isinstance(alt, dict):
            alt[pick(("efforts_made", "providers_offered", "notice_days"))] = pick((0, 1, True))
    else:  # valid but unusual: non-ASCII id, the longest id, an empty group
        case["case_id"] = pick(("é-" + str(rng.random()), "x" * 200, " a "))
        case[pick(_GROUPS)] = {}
    return case


def hostile_lines(n: int, seed: int, bad_share: float = 0.5) -> list[bytes]:
    """``n`` JSON Lines records (bytes): sample cases, full or sparse, ``bad_share`` of them
    changed one to three times by ``_mutate``, and now and then a line from ``_RAW_LINES``."""
    import json
    import random

    from conduct_rules import Case
    from conduct_rules.audit.sample import sample_cases

    full = Case.parse({"case_id": "x"}).model_dump(mode="json")
    rng = random.Random(seed)
    out: list[bytes] = []
    for case in sample_cases(n, seed=seed):
        record: Any = case
        if rng.random() < 0.3:  # every field spelled out, as exports write them
            record = {
                k: ({**v, **case.get(k, {})} if isinstance(v, dict) else case.get(k, v))
                for k, v in full.items()
            }
        if rng.random() < bad_share:
            for _ in range(rng.randrange(1, 4)):
                if isinstance(record, dict):
                    record = _mutate(rng, record)
        if rng.random() < 0.02:
            out.append(_pick_raw(rng))
        else:
            text = json.dumps(record, ensure_ascii=rng.random() < 0.5)
            if rng.random() < 0.03:
                text = _repeat_a_key(rng, text)
            out.append(text.encode("utf-8", "surrogatepass"))
    return out


def _repeat_a_key(rng: Any, text: str) -> str:
    """The line with one of its ``"key": value`` pairs written twice (same or other value)."""
    import re

    pairs = list(re.finditer(r'"([a-z_]+)": (true|false|null|-?[0-9]+|"[^"\\]*")', text))
    if not pairs:
        return text
    m = rng.choice(pairs)
    value = rng.choice((m.group(2), "true", "false", "0", '"held"'))
    return text[: m.end()] + f', "{m.group(1)}": {value}' + text[m.end() :]


def _pick_raw(rng: Any) -> bytes:
    """One of the raw hostile lines."""
    return bytes(rng.choice(_RAW_LINES))


def fact_cases() -> st.SearchStrategy[dict[str, Any]]:
    """Cases as mappings across the facts the Ontario rules read, biased towards the interesting
    ones (needed services, court orders); documented ids from the Ontario ruleset's records.

    The counterfactual, explanation and reasoning properties draw from these.
    """
    from conduct_rules.api import get_ruleset

    documentation = list(get_ruleset().outputs.documentation)
    attempt = st.fixed_dictionaries(
        {
            "channel": st.sampled_from(["email", "phone", "letter", "text", "in_person", "video"]),
            "date": st.dates().map(lambda d: d.replace(year=2024).isoformat()),
        }
    )
    return st.fixed_dictionaries(
        {
            "case_id": st.just("prop"),
            "stage": st.sampled_from(["considering", "ended", "continued"]),
            "initiated_by": st.sampled_from(["member", "client"]),
            "services": st.fixed_dictionaries(
                {
                    "needed": st.booleans() | st.just(True),
                    "requested": st.booleans(),
                    "likely_to_benefit": st.booleans(),
                }
            ),
            "client": st.fixed_dictionaries(
                {"requested_termination": st.booleans(), "withdrew": st.booleans()}
            ),
            "member": st.fixed_dictionaries(
                {
                    "serious_risk_of_harm": st.booleans(),
                    "feels_unsafe": st.booleans(),
                    "threats_received": st.booleans(),
                    "objectivity_impaired": st.booleans(),
                    "lacks_competence": st.booleans(),
                    "relationship_untenable": st.booleans(),
                }
            ),
            "court_order": st.fixed_dictionaries(
                {
                    "applies": st.booleans(),
                    "legal_advice_obtained": st.booleans(),
                    "court_direction_sought": st.booleans(),
                }
            ),
            "alternatives": st.fixed_dictionaries(
                {
                    "efforts_made": st.booleans(),
                    "providers_offered": st.integers(0, 4),
                    "client_supported_to_connect": st.booleans(),
                    "opportunity_given": st.booleans(),
                }
            ),
            "termination_session": st.fixed_dictionaries(
                {
                    "status": st.sampled_from(
                        ["held", "scheduled", "attempted", "not_attempted", "declined_by_client"]
                    ),
                    "modality": st.sampled_from(["in_person", "video", "phone", "none"]),
                    "attempts": st.lists(attempt, max_size=3),
                }
            ),
            "consultation": st.fixed_dictionaries(
                {"supervision": st.booleans(), "college": st.booleans(), "legal": st.booleans()}
            ),
            "transfer": st.fixed_dictionaries(
                {"summary_to_new_provider": st.booleans(), "client_consent": st.booleans()}
            ),
            "documented": st.lists(st.sampled_from(documentation), unique=True),
        }
    )
