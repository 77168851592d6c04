"""The twelve regulatory edge cases of ``shared/domain.md`` §3, one property each, and the
consistency of the output (citations exist, JSON round-trips, the verdict agrees with the lists).

Each property calls the check of the same name in ``conduct_rules_dev.invariants`` (the mutation
tool runs the same functions against mutant rulesets). Half the properties run on the default
backend (durable_rules where it loads), half on the python backend, which keeps the suite fast;
``test_properties_misc.py`` checks that the two backends agree, so each result carries over.
``test_each_edge_property_can_fail`` shows that every property notices a wrong rule.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conduct_rules import Case, assess, durable_available
from conduct_rules.api import get_ruleset
from conduct_rules.errors import EvaluationError
from conduct_rules_dev import invariants as inv
from conduct_rules_dev.cases import corpus
from conduct_rules_dev.mutation import mutant_ruleset
from conduct_rules_dev.oracle import BLOCKING
from support.strategies import (
    cases,
    court_order_cases,
    goals_not_met_cases,
    parameters,
    threat_cases,
    values_conflict_cases,
    with_changes,
)

DEFAULT = "durable_rules" if durable_available() else "python"
DR = inv.Context(get_ruleset(), DEFAULT)
PY = inv.Context(get_ruleset(), "python")


# ---------------------------------------------------------------------------- §3, one by one


@given(cases())
def test_edge_01_not_needed_never_a_2_8_finding(case: Case) -> None:
    """§3.1 — O. Reg. 384/00 s. 2 para. 8; CESP 3.9: unneeded services, no 2.8 finding."""
    inv.edge_01_not_needed_never_a_2_8_finding(case, DR)


@given(cases())
def test_edge_02_needed_without_basis_never_permitted(case: Case) -> None:
    """§3.2 — O. Reg. 384/00 s. 2 para. 8: needed, none of i-v: never permitted; ended: finding."""
    inv.edge_02_needed_without_basis_never_permitted(case, PY)


@given(cases())
def test_edge_03_any_single_basis_permits_ending(case: Case) -> None:
    """§3.3 — O. Reg. 384/00 s. 2 para. 8 i, ii, iii, iv, v: any one alone permits ending."""
    inv.edge_03_any_single_basis_permits_ending(case, DR)


@given(cases() | threat_cases())
def test_edge_04_risk_alone_needs_no_session(case: Case) -> None:
    """§3.4 — O. Reg. 384/00 s. 2 para. 8 v: no session owed, in person never suggested."""
    inv.edge_04_risk_alone_needs_no_session(case, PY)


@given(cases(), parameters())
def test_edge_05_bases_i_to_iv_require_session_efforts(case: Case, params: dict[str, int]) -> None:
    """§3.5 — O. Reg. 384/00 s. 2 para. 8 (session duty) and CESP 3.9: owed in i-iv, not in v."""
    inv.edge_05_bases_i_to_iv_require_session_efforts(case, DR.with_parameters(params))


@given(goals_not_met_cases() | values_conflict_cases() | cases())
def test_edge_06_no_benefit_means_refer_not_continue(case: Case) -> None:
    """§3.6 — CESP 3.8 (scenarios 1, 3): never continue the same service; referral required."""
    inv.edge_06_no_benefit_means_refer_not_continue(case, PY)


@given(court_order_cases())
def test_edge_07_court_order_always_requires_legal_advice(case: Case) -> None:
    """§3.7 — practice note, scenario 2: legal advice required before ending, whatever the basis."""
    inv.edge_07_court_order_always_requires_legal_advice(case, DR)


@given(threat_cases() | values_conflict_cases() | cases())
def test_edge_08_threats_make_risk_available(case: Case) -> None:
    """§3.8 — O. Reg. 384/00 s. 2 para. 8 v, scenario 3: threats make v available, not in person."""
    inv.edge_08_threats_make_risk_available(case, PY)


@given(cases(transfer__summary_to_new_provider=True) | cases())
def test_edge_09_summary_needs_client_consent(case: Case) -> None:
    """§3.9 — practice note, scenario 1 (confidentiality): a summary needs the client's consent."""
    inv.edge_09_summary_needs_client_consent(case, DR)


@given(cases())
def test_edge_10_documenting_never_adds_missing(case: Case) -> None:
    """§3.10 — practice note, conclusion: recording never adds a missing one; missing ⊆ required."""
    inv.edge_10_documenting_never_adds_missing(case, PY)


@given(cases(), parameters())
def test_edge_11_satisfied_safeguard_never_forbids(case: Case, params: dict[str, int]) -> None:
    """§3.11 — O. Reg. 384/00 s. 2 para. 8 and domain.md §4: meeting a safeguard never worsens."""
    inv.edge_11_satisfied_safeguard_never_forbids(case, DR.with_parameters(params))


@given(cases())
def test_edge_12_order_free_and_deterministic(case: Case) -> None:
    """§3.12: list order never matters; the same case gives byte-identical JSON (both backends)."""
    inv.edge_12_order_free_and_deterministic(case, PY)
    inv.edge_12_order_free_and_deterministic(case, DR)


@given(cases())
def test_edge_13_no_dead_end(case: Case) -> None:
    """§3.13 (v2) — CESP 3.8, the note's introduction: when ending is required or grounds hold
    and the answer is "not permitted", an outstanding safeguard gives a basis once met, and
    counterfactuals find a way (both checked on the python backend: the search runs many cases)."""
    inv.edge_13_no_dead_end(case, PY)


@given(cases())
def test_edge_14_past_breach_not_permitted(case: Case) -> None:
    """§3.14 (v2) — O. Reg. 384/00 s. 2 para. 8, Code item 6: a past breach was not permitted."""
    inv.edge_14_past_breach_not_permitted(case, DR)


@given(cases())
def test_edge_15_in_person_while_unsafe_is_outstanding(case: Case) -> None:
    """§3.15 (v2) — scenario 3: in person, held or booked, while unsafe is never the safe way."""
    inv.edge_15_in_person_while_unsafe_is_outstanding(case, PY)


@given(cases())
def test_edge_16_no_continuing_after_the_client_ended(case: Case) -> None:
    """§3.16 (v2) — CESP 3.9, 2.8 i-ii: never "continue" once ended, or ended by the client."""
    inv.edge_16_no_continuing_after_the_client_ended(case, DR)


# ------------------------------------------------------------------------- output consistency


@given(cases())
def test_every_cited_provision_exists(case: Case) -> None:
    """Every item cites at least one provision of the registry (style: a reference is required)."""
    inv.citations_exist(case, DR)


def test_every_rule_and_parameter_cites_known_provisions() -> None:
    """The registry covers every citation in the ruleset, not only those a case happens to reach."""
    rs = get_ruleset()
    for rule in rs.rules:
        assert rule.cites, rule.id
        assert set(rule.cites) <= set(rs.provisions), rule.id
    for name, spec in rs.parameters.items():
        assert set(spec.sources) <= set(rs.provisions), name


@given(cases(), st.sampled_from(["en", "fr"]))
def test_json_output_round_trips(case: Case, lang: str) -> None:
    """``Assessment.model_validate_json(a.to_json()) == a``, in both languages."""
    a = assess(case, lang=lang, backend="python")  # type: ignore[arg-type]
    assert type(a).model_validate_json(a.to_json()) == a
    inv.json_round_trips(case, DR)


@given(cases(), parameters())
def test_verdict_agrees_with_lists(case: Case, params: dict[str, int]) -> None:
    """not_permitted => no basis among 2.8 i-v; conditional => a blocking safeguard outstanding;
    permitted (needed services) => no blocking safeguard outstanding (domain.md §4)."""
    inv.verdict_agrees_with_lists(case, DR.with_parameters(params))
    inv.verdict_agrees_with_lists(case, PY.with_parameters(params))


@given(cases())
def test_one_rule_decides_the_verdict(case: Case) -> None:
    """Exactly one verdict rule fires: the verdict rules form a decision table."""
    inv.one_rule_decides_the_verdict(case, PY)


# ------------------------------------------------------------- pinned examples (regressions)


def test_not_needed_with_a_blocking_safeguard_outstanding_is_conditional() -> None:
    """Pinned (v2, §4.3 rule 3): a court order needs legal advice before ending whether or not the
    services are still needed, so unneeded services with no legal advice are ``conditional``."""
    case = Case(case_id="pin-1", services={"needed": False}, court_order={"applies": True})
    a = assess(case, backend="python")
    assert a.verdict == "conditional"
    blocking = [(s.id, s.status) for s in a.required_safeguards if s.blocking]
    assert blocking == [("legal_advice", "outstanding")]


def test_permitted_with_outstanding_non_blocking_safeguards() -> None:
    """Pinned: §4's ``permitted`` waits only for the three blocking safeguards (scenario 3, after
    the threats: no session, yet referrals and support to connect still outstanding)."""
    case = Case(
        case_id="pin-2",
        member={"threats_received": True, "objectivity_impaired": True},
        alternatives={"efforts_made": True},
    )
    a = assess(case, backend="python")
    assert a.verdict == "permitted"
    outstanding = {s.id for s in a.outstanding_safeguards}
    assert outstanding == {
        "several_referrals",
        "support_to_connect",
        "supervision_or_consultation",
        "document_process",
    }
    assert outstanding.isdisjoint(BLOCKING)


def test_edge_05_needs_needed_services() -> None:
    """Pinned: edge case 5 reads "in i-iv" as applying to *needed* services only (2.8 bites only
    then); a client asking to end an unneeded service owes no session."""
    a = assess(Case(case_id="pin-3", services={"needed": False}, client={"withdrew": True}))
    assert "termination_session_efforts" not in {s.id for s in a.required_safeguards}


# ------------------------------------------------------ each property notices a wrong rule

#: For each property, one mutant of the Ontario ruleset (see ``python -m
#: conduct_rules_dev.mutation --list``) it must kill on its own.
KILLS: dict[str, str] = {
    "edge_01_not_needed_never_a_2_8_finding": "finding-discontinued-needed:drop-conjunct@when.all[1]",  # noqa: E501 - a mutant id cannot be split
    "edge_02_needed_without_basis_never_permitted": "finding-discontinued-needed:drop-conjunct@when.all[0]",  # noqa: E501 - a mutant id cannot be split
    "edge_03_any_single_basis_permits_ending": "basis-for-ending:drop-disjunct@when.any[0]",
    "edge_04_risk_alone_needs_no_session": "action-session-in-person:drop-conjunct@when.all[1]",
    "edge_05_bases_i_to_iv_require_session_efforts": "termination-session-owed:drop-conjunct@when.all[2]",  # noqa: E501 - a mutant id cannot be split
    "edge_06_no_benefit_means_refer_not_continue": "action-continue:drop-conjunct@when.all[1]",
    "edge_13_no_dead_end": "safeguard-arrange-alternatives:drop-disjunct@when.all[1].any[2]",
    "edge_14_past_breach_not_permitted": "verdict-past-ending-breach:drop-disjunct@when.any[2]",
    "edge_15_in_person_while_unsafe_is_outstanding": "in-person-session-planned:negate",
    "edge_16_no_continuing_after_the_client_ended": "action-continue:drop-conjunct@when.all[2]",
    "edge_07_court_order_always_requires_legal_advice": "safeguard-legal-advice:drop-disjunct@then[0].met_when.any[1]",  # noqa: E501 - a mutant id cannot be split
    "edge_08_threats_make_risk_available": "risk-of-harm:drop-disjunct@when.any[1]",
    "edge_09_summary_needs_client_consent": "safeguard-consent-for-transfer:negate-second@then[0].met_when",  # noqa: E501 - a mutant id cannot be split
    "edge_11_satisfied_safeguard_never_forbids": "blocking-safeguard-outstanding:negate",
    "verdict_agrees_with_lists": "blocking-safeguard-outstanding:drop-disjunct@when.any[1]",
    "one_rule_decides_the_verdict": "verdict-no-basis:drop-conjunct@when.all[2]",
}


def _kills(check: Callable[[Case, inv.Context], None], ctx: inv.Context) -> bool:
    """Whether ``check`` notices ``ctx``'s ruleset on the corpus: it fails, or the ruleset
    concludes no verdict or two for a case the check runs (the verdict rules partition the
    cases, so a mutant verdict rule often shows up that way before any answer is given)."""
    for case, params in corpus(80):
        try:
            check(case, ctx.with_parameters(params))
        except (inv.CheckFailed, EvaluationError):
            return True
    return False


#: The properties whose mutant the quick run checks; the others' (a mutation run each, seconds
#: of CPU apiece) run with the slow tests.
QUICK_KILLS = {
    "edge_04_risk_alone_needs_no_session",
    "edge_05_bases_i_to_iv_require_session_efforts",
    "edge_11_satisfied_safeguard_never_forbids",
}


@pytest.mark.parametrize(
    ("name", "mutant"),
    [
        pytest.param(name, mutant, marks=() if name in QUICK_KILLS else pytest.mark.slow)
        for name, mutant in sorted(KILLS.items())
    ],
)
def test_each_edge_property_can_fail(name: str, mutant: str) -> None:
    """A property that cannot fail is a defect: each one kills a mutant of the rule it guards."""
    check = {**inv.EDGE_CASES, **inv.OUTPUT_CHECKS}[name]
    assert not _kills(check, PY), f"{name} fails on the real ruleset"
    assert _kills(check, inv.Context(mutant_ruleset(mutant))), f"{name} misses {mutant}"


def test_edge_10_catches_a_wrong_missing_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """Edge case 10 guards the engine's "missing = required and not recorded" (no rule can break
    it): an engine that ignored what was recorded would fail it."""
    from conduct_rules.engines import python as engine
    from conduct_rules.rules.facts import add_auto_facts

    def forgetful(ruleset: object, facts: dict[str, object]) -> None:
        add_auto_facts(ruleset, facts)  # type: ignore[arg-type]
        for key in list(facts):
            if key.startswith("documentation.") and key.endswith(".required") and facts[key]:
                facts[key.replace(".required", ".missing")] = True

    monkeypatch.setattr(engine, "add_auto_facts", forgetful)
    case = Case(case_id="pin-4", documented=("decision_rationale",))
    with pytest.raises(inv.CheckFailed):
        inv.edge_10_documenting_never_adds_missing(case, PY)


def test_edge_12_catches_a_nondeterministic_result(monkeypatch: pytest.MonkeyPatch) -> None:
    """Edge case 12 notices an assessment that changes from one call to the next."""
    from conduct_rules import api
    from conduct_rules.model.assessment import Warning_

    calls: list[int] = []

    def flaky(case: Case, lang: str = "en") -> tuple[Warning_, ...]:
        calls.append(1)
        return (Warning_(id="flaky", fields=(), message=str(len(calls))),)

    monkeypatch.setattr(api, "contradictions", flaky)
    with pytest.raises(inv.CheckFailed):
        inv.edge_12_order_free_and_deterministic(Case(case_id="pin-5"), PY)


def test_with_changes_edits_by_dotted_path() -> None:
    """The helper the properties use changes exactly the named fields and keeps the case valid."""
    base = Case(case_id="w")
    changed = with_changes(base, **{"services.needed": False}, court_order__applies=True)
    assert not changed.services.needed
    assert changed.court_order.applies
    assert (
        changed.model_copy(update={"services": base.services, "court_order": base.court_order})
        == base
    )
    with pytest.raises(KeyError):
        with_changes(base, **{"services.neded": True})
