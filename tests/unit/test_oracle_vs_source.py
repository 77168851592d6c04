"""The in-repo oracle (``conduct_rules_dev.oracle``) is checked against the source, not the rules.

The oracle is a second transcription of the decision tables by the same project; agreeing with the
ruleset proves the two transcriptions agree, not that either is right. So:

* every hand-written source case (``tests/source_cases/``) is also run through the oracle, which
  must give what the source gives;
* where the oracle and the ruleset disagree on a generated case, neither is edited to match the
  other: the failure report says which of the two the source cases contradict, and that decides.
"""

from __future__ import annotations

from typing import Any

from conduct_rules import Case, assess
from conduct_rules_dev import oracle
from conduct_rules_dev.cases import corpus
from support.source_expect import SourceCase, compare, load_cases


def _oracle_differences(sc: SourceCase) -> list[str]:
    """How the oracle's reading of a source case differs from the hand-written expectation."""
    got = oracle.expected(Case.model_validate(sc.data), sc.parameters or None)
    exp = sc.expected
    out: list[str] = []
    if got.verdict != exp["verdict"]:
        out.append(f"verdict: source {exp['verdict']}, oracle {got.verdict}")
    if got.termination_required != bool(exp["termination_required"]):
        out.append("termination_required differs")
    want_sg = {k: v["status"] for k, v in (exp["safeguards"] or {}).items()}
    got_sg = {k: status for k, (status, _blocking) in got.safeguards.items()}
    if want_sg != got_sg:
        out.append(f"safeguards: source {want_sg}, oracle {got_sg}")
    want_act = {k: bool(v.get("required", False)) for k, v in (exp["actions"] or {}).items()}
    if want_act != dict(got.actions):
        out.append(f"actions: source {want_act}, oracle {dict(got.actions)}")
    want_missing = set(exp["missing_documentation"] or {})
    if want_missing != set(got.missing_documentation):
        out.append(
            f"missing: source {sorted(want_missing)}, oracle {sorted(got.missing_documentation)}"
        )
    if set(exp["findings"] or {}) != set(got.findings):
        out.append(
            f"findings: source {sorted(exp['findings'] or {})}, oracle {sorted(got.findings)}"
        )
    for fact, value in sorted((exp.get("derived_facts") or {}).items()):
        # Facts the oracle does not derive (the circumstances of i-iv, say) are the ruleset's alone.
        if fact in got.derived and got.derived[fact] != value:
            out.append(f"derived fact {fact}: source {value}, oracle {got.derived[fact]}")
    return out


def test_the_oracle_gives_what_the_source_gives() -> None:
    problems = {sc.name: d for sc in load_cases() if (d := _oracle_differences(sc))}
    assert problems == {}


def _who_the_source_contradicts() -> dict[str, Any]:
    """For a disagreement report: the source cases the ruleset fails, and those the oracle fails."""
    ruleset_fails = [
        sc.name
        for sc in load_cases()
        if compare(sc.expected, assess(sc.data, backend="python", parameters=sc.parameters or None))
    ]
    oracle_fails = [sc.name for sc in load_cases() if _oracle_differences(sc)]
    return {"ruleset fails source cases": ruleset_fails, "oracle fails source cases": oracle_fails}


def test_where_oracle_and_ruleset_disagree_the_source_decides() -> None:
    disagreements: list[str] = []
    for case, params in corpus(300):
        want = oracle.expected(case, params)
        got = oracle.observed(assess(case, backend="python", parameters=params or None))
        diff = want.differences(got)
        if diff:
            disagreements.append(f"{case.case_id}: {diff[0]}")
    if disagreements:
        # Neither side is edited to follow the other: the hand-written cases say who is wrong
        # (and if neither fails one, a source case for this row is missing: write it).
        verdict = _who_the_source_contradicts()
        raise AssertionError(
            f"{len(disagreements)} disagreements, e.g. {disagreements[:3]}; {verdict}"
        )
