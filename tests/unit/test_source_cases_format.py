"""The source-case reader refuses a case that would make its check vacuous or unreviewable.

A case without its ``source`` sentence cannot be reviewed as a legal reader would; a case that
leaves out a section (say ``findings``) would stop pinning it, so an extra finding would pass.
"""

from __future__ import annotations

from typing import Any

import pytest

from conduct_rules import assess, load_ruleset
from conduct_rules_dev.source import _check, compare, load_cases

_EXPECTED = {
    "verdict": "permitted",
    "termination_required": False,
    "safeguards": {},
    "missing_documentation": {},
    "findings": {},
    "actions": {},
}


def _spec(**changes: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "name": "n",
        "source": "2.8 i",
        "input": {"case_id": "x"},
        "expected": dict(_EXPECTED),
    }
    spec.update(changes)
    return {k: v for k, v in spec.items() if v is not None}


def test_a_complete_case_is_accepted() -> None:
    _check(_spec(), "here")
    _check(_spec(expected={**_EXPECTED, "derived_facts": {"risk": True}}), "here")


def test_a_pinned_derived_fact_is_compared() -> None:
    # The optional derived facts are checked, not just read: a wrong one is a difference.
    a = assess({"case_id": "x", "member": {"threats_received": True}}, backend="python")
    base = {**_EXPECTED, "verdict": a.verdict}
    assert compare({**base, "derived_facts": {"risk": True}}, a) == compare(base, a)
    wrong = compare({**base, "derived_facts": {"risk": False}}, a)
    assert "derived_facts.risk: expected False, got True" in wrong


@pytest.mark.parametrize(
    "changes",
    [
        {"source": None},
        {"source": "  "},
        {"input_file": "examples/x.json"},
        {"input": None},
        {"expected": {k: v for k, v in _EXPECTED.items() if k != "findings"}},
        {"expected": {**_EXPECTED, "rules_fired": []}},
        {"judged_at": "2024-01-01"},
        {"expected": {**_EXPECTED, "derived_facts": {"risk": "yes"}}},
        {"expected": {**_EXPECTED, "derived_facts": ["risk"]}},
    ],
)
def test_an_incomplete_case_is_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="here"):
        _check(_spec(**changes), "here")


def test_every_moment_of_the_note_has_a_source_case() -> None:
    names = {c.name for c in load_cases() if c.file == "scenarios.yaml"}
    assert names == {
        "scenario 1, before notice",
        "scenario 1, after notice",
        "scenario 1, after the termination session",
        "scenario 2, before legal advice",
        "scenario 2, after legal advice and attempts",
        "scenario 2, ended by final e-mail",
        "scenario 3, before the threats",
        "scenario 3, after the threats",
    }


def test_every_output_of_the_ruleset_is_pinned_by_some_source_case() -> None:
    # At least one case per row: each safeguard both met and outstanding, each action, record and
    # finding listed somewhere (and, the lists being exhaustive, absent elsewhere).
    outputs = load_ruleset("ontario").outputs
    seen: dict[str, set[str]] = {"met": set(), "outstanding": set(), "actions": set()}
    seen |= {"required": set(), "missing": set(), "findings": set()}
    for c in load_cases():
        exp = c.expected
        for sid, v in (exp["safeguards"] or {}).items():
            seen[v["status"]].add(sid)
        for aid, v in (exp["actions"] or {}).items():
            seen["actions"].add(aid)
            if v.get("required"):
                seen["required"].add(aid)
        seen["missing"] |= set(exp["missing_documentation"] or {})
        seen["findings"] |= set(exp["findings"] or {})
    assert set(outputs.safeguards) - seen["met"] == set()
    assert set(outputs.safeguards) - seen["outstanding"] == set()
    assert set(outputs.actions) - seen["actions"] == set()
    assert seen["required"] == {"refer_client"}
    assert set(outputs.documentation) - seen["missing"] == set()
    assert set(outputs.findings) - seen["findings"] == set()
