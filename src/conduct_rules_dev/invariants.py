"""The regulatory edge cases of ``shared/domain.md`` §3 and the output-consistency rules, as checks.

Why plain functions of ``(case, context)``: the pytest properties
(``tests/properties/test_edge_cases.py``) call them with hypothesis-drawn cases and the mutation
tool calls them with a fixed corpus and a mutant ruleset, so each invariant is written once. A check
first *moves the case into its edge case* (``services.needed = False`` for edge case 1, one basis
alone for edge case 3, ...), so any case exercises it, then raises ``CheckFailed`` naming what went
wrong. Messages name fields and ids only, never case values beyond ``case_id``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from conduct_rules.api import assess
from conduct_rules.model.assessment import Assessment
from conduct_rules.model.case import Case
from conduct_rules.rules.ruleset import Ruleset

from .cases import BASES, DOCUMENTATION_IDS, SATISFY, with_changes
from .oracle import BLOCKING

#: Safeguards whose meeting gives a basis for ending by itself (2.8 iii, iv): the way out.
BASIS_SAFEGUARDS = frozenset({"arrange_alternative_services", "reasonable_opportunity"})

__all__ = [
    "EDGE_CASES",
    "OUTPUT_CHECKS",
    "VERDICT_RANK",
    "Check",
    "CheckFailed",
    "Context",
    "efforts_met",
    "expect",
]

VERDICT_RANK = {"not_permitted": 0, "conditional": 1, "permitted": 2}
#: Findings that mean a breach of O. Reg. 384/00 s. 2 para. 8.
FINDINGS_2_8 = frozenset({"discontinued_needed_services", "no_termination_session_efforts"})
#: Findings that make a past ending ``not_permitted`` (§4.3 v2, rule 1; edge case 14).
PAST_BREACHES = FINDINGS_2_8 | {"disclosure_without_consent"}


class CheckFailed(AssertionError):  # noqa: N818 - reads as what it is: a check failed
    """An invariant does not hold; the message names the check, the case id and the ids involved."""


def expect(condition: bool, message: str) -> None:
    """Raise ``CheckFailed`` unless ``condition`` (``assert`` is stripped under ``python -O``)."""
    if not condition:
        raise CheckFailed(message)


@dataclass(frozen=True)
class Context:
    """The ruleset and backend a check runs against, and the thresholds in force."""

    ruleset: Ruleset
    backend: str = "python"
    parameters: Mapping[str, int] = field(default_factory=dict)
    # Rulesets bound to parameter values, shared by every context derived from this one:
    # binding recompiles the units, which costs more than an assessment.
    _bound: dict[tuple[tuple[str, int], ...], Ruleset] = field(
        default_factory=dict, compare=False, repr=False
    )

    def run(self, case: Case, parameters: Mapping[str, int] | None = None) -> Assessment:
        """Assess ``case`` with this context's ruleset, backend and thresholds (plus overrides)."""
        key = tuple(sorted({**self.parameters, **(parameters or {})}.items()))
        rs = self._bound.get(key)
        if rs is None:
            rs = self._bound[key] = self.ruleset.with_parameters(**dict(key))
        return assess(case, ruleset=rs, backend=self.backend)

    @cached_property
    def thresholds(self) -> dict[str, int]:
        """The threshold values in force: the ruleset's, overridden by this context's."""
        return {**self.ruleset.parameter_values, **self.parameters}

    def with_parameters(self, parameters: Mapping[str, int]) -> Context:
        """The same context with other threshold overrides."""
        return Context(self.ruleset, self.backend, {**self.parameters, **parameters}, self._bound)


Check = Callable[[Case, Context], None]


def efforts_met(case: Case, thresholds: Mapping[str, int]) -> bool:
    """Reasonable efforts at a termination session as §4 reads them (held, declined, or enough)."""
    ts = case.termination_session
    return ts.status in ("held", "declined_by_client") or (
        len(ts.attempts) >= thresholds["min_attempts"]
        and len({a.channel for a in ts.attempts}) >= thresholds["min_channels"]
    )


def _ids(items: tuple[object, ...]) -> set[str]:
    return {str(getattr(x, "id", "")) for x in items}


def _safeguard(a: Assessment, sid: str) -> str | None:
    return next((s.status for s in a.required_safeguards if s.id == sid), None)


def _action(a: Assessment, aid: str) -> bool | None:
    """None if not permitted, else whether it is required."""
    return next((x.required for x in a.permitted_actions if x.id == aid), None)


def _no_basis(case: Case) -> Case:
    return with_changes(case, **{f: False for fields in BASES.values() for f in fields})


def _stages(case: Case) -> list[Case]:
    return [with_changes(case, stage=s) for s in ("considering", "ended", "continued")]


# ---------------------------------------------------------------------------------- §3 edge cases


def edge_01_not_needed_never_a_2_8_finding(case: Case, ctx: Context) -> None:
    """§3.1, O. Reg. 384/00 s. 2 para. 8 (and CESP 3.9): 2.8 only bites on needed services."""
    for c in _stages(with_changes(case, **{"services.needed": False})):
        a = ctx.run(c)
        bad = _ids(a.findings) & FINDINGS_2_8
        bad |= {f.id for f in a.findings if any(x.startswith("oreg384-2.8") for x in f.citations)}
        expect(
            not bad, f"{c.case_id} [{c.stage}]: 2.8 finding(s) {sorted(bad)} on unneeded services"
        )
        # v2: a court order or a transfer may still hold the answer at "conditional", and a
        # summary sent without consent makes a past ending "not permitted" (not a 2.8 matter).
        expect(
            a.verdict != "not_permitted" or bool(_ids(a.findings) & PAST_BREACHES),
            f"{c.case_id}: unneeded services, verdict {a.verdict} without a past breach",
        )


def edge_02_needed_without_basis_never_permitted(case: Case, ctx: Context) -> None:
    """§3.2, O. Reg. 384/00 s. 2 para. 8: needed services, none of i-v -> not permitted."""
    for c in _stages(_no_basis(with_changes(case, **{"services.needed": True}))):
        a = ctx.run(c)
        expect(a.verdict == "not_permitted", f"{c.case_id}: no basis but verdict {a.verdict}")
        for aid in ("end_services", "transfer_with_summary"):
            expect(_action(a, aid) is None, f"{c.case_id}: '{aid}' permitted without a basis")
        has = "discontinued_needed_services" in _ids(a.findings)
        expect(has == (c.stage == "ended"), f"{c.case_id} [{c.stage}]: 2.8 finding present={has}")


def edge_03_any_single_basis_permits_ending(case: Case, ctx: Context) -> None:
    """§3.3, O. Reg. 384/00 s. 2 para. 8 i-v: each exception alone makes ending permitted."""
    base = _no_basis(with_changes(case, **{"services.needed": True}))
    for sub, fields in BASES.items():
        for f in fields:
            c = with_changes(base, **{f: True})
            a = ctx.run(c)
            # v2: a past ending with a session or consent finding is "not permitted" whatever
            # the basis (edge case 14); the basis itself is never refused.
            refused = a.verdict == "not_permitted" and not _ids(a.findings) & PAST_BREACHES
            expect(not refused, f"{c.case_id}: basis {sub} ({f}) alone refused")
            if a.verdict != "not_permitted":
                expect(_action(a, "end_services") is not None, f"{c.case_id}: {sub} without end")
            ended = ctx.run(with_changes(c, stage="ended"))
            expect(
                "discontinued_needed_services" not in _ids(ended.findings),
                f"{c.case_id}: basis {sub} ({f}) still reported as discontinuing needed services",
            )


def edge_04_risk_alone_needs_no_session(case: Case, ctx: Context) -> None:
    """§3.4, O. Reg. 384/00 s. 2 para. 8 v and the session duty: none owed, never in person."""
    base = _no_basis(with_changes(case, **{"services.needed": True}))
    for f in BASES["v"]:
        for c in _stages(with_changes(base, **{f: True})):
            a = ctx.run(c)
            expect(
                _safeguard(a, "termination_session_efforts") is None,
                f"{c.case_id}: session efforts required under v alone ({f})",
            )
            expect(
                _action(a, "termination_session_in_person") is None,
                f"{c.case_id}: in-person session suggested under v ({f})",
            )
            expect(
                _action(a, "end_by_written_notice") is not None,
                f"{c.case_id}: ending by written notice not open under v ({f})",
            )
            expect(
                "no_termination_session_efforts" not in _ids(a.findings),
                f"{c.case_id}: session finding under v ({f})",
            )


def edge_05_bases_i_to_iv_require_session_efforts(case: Case, ctx: Context) -> None:
    """§3.5, O. Reg. 384/00 s. 2 para. 8 (session duty in i-iv), CESP 3.9; not when v holds."""
    base = _no_basis(with_changes(case, **{"services.needed": True}))
    met = "met" if efforts_met(case, ctx.thresholds) else "outstanding"
    for sub in ("i", "ii", "iii", "iv"):
        c = with_changes(base, **{BASES[sub][0]: True})
        a = ctx.run(c)
        got = _safeguard(a, "termination_session_efforts")
        expect(got == met, f"{c.case_id}: basis {sub}: session efforts {got}, expected {met}")
        ended = ctx.run(with_changes(c, stage="ended"))
        finding = "no_termination_session_efforts" in _ids(ended.findings)
        expect(finding == (met == "outstanding"), f"{c.case_id}: {sub}: session finding={finding}")
        for f in BASES["v"]:
            r = ctx.run(with_changes(c, **{f: True}))
            expect(
                _safeguard(r, "termination_session_efforts") is None,
                f"{c.case_id}: basis {sub} with v ({f}): session efforts still required",
            )


def edge_06_no_benefit_means_refer_not_continue(case: Case, ctx: Context) -> None:
    """§3.6, CESP 3.8 (scenarios 1 and 3): unlikely to benefit -> never continue, always refer."""
    for change in ({"services.likely_to_benefit": False}, {"member.objectivity_impaired": True}):
        c = with_changes(case, **change)
        a = ctx.run(c)
        (f,) = change
        expect(_action(a, "continue_services") is None, f"{c.case_id}: continue allowed ({f})")
        expect(_action(a, "refer_client") is True, f"{c.case_id}: referral not required ({f})")
        expect(a.termination_required, f"{c.case_id}: termination not required ({f})")
        cont = ctx.run(with_changes(c, stage="continued"))
        expect(
            "service_not_likely_to_benefit" in _ids(cont.findings),
            f"{c.case_id}: continuing without benefit not reported ({f})",
        )


def edge_07_court_order_always_requires_legal_advice(case: Case, ctx: Context) -> None:
    """§3.7, practice note scenario 2: a court order -> legal advice, whatever the basis."""
    c = with_changes(case, **{"court_order.applies": True})
    done = c.court_order.legal_advice_obtained or c.consultation.legal
    for variant in [c, *(with_changes(c, **{fs[0]: True}) for fs in BASES.values())]:
        a = ctx.run(variant)
        got = _safeguard(a, "legal_advice")
        want = "met" if done else "outstanding"
        expect(got == want, f"{c.case_id}: legal advice {got}, expected {want}")
        if want == "outstanding":  # v2: needed or not, legal advice comes first
            expect(a.verdict != "permitted", f"{c.case_id}: permitted without legal advice")
        expect(_action(a, "seek_court_direction") is not None, f"{c.case_id}: no court direction")


def edge_08_threats_make_risk_available(case: Case, ctx: Context) -> None:
    """§3.8, O. Reg. 384/00 s. 2 para. 8 v, scenario 3: threats -> v, never an in-person session."""
    c = with_changes(case, **{"member.threats_received": True})
    for variant in (c, with_changes(c, **{"services.needed": True})):
        a = ctx.run(variant)
        expect(a.derived_facts.get("risk") is True, f"{c.case_id}: threats without risk")
        if variant.services.needed:
            refused = a.verdict == "not_permitted" and not _ids(a.findings) & PAST_BREACHES
            expect(not refused, f"{c.case_id}: threats but no basis")
        expect(_action(a, "termination_session_in_person") is None, f"{c.case_id}: in person")
        expect(_action(a, "end_by_written_notice") is not None, f"{c.case_id}: no written end")
        expect(
            _safeguard(a, "termination_session_efforts") is None,
            f"{c.case_id}: session efforts required after threats",
        )


def edge_09_summary_needs_client_consent(case: Case, ctx: Context) -> None:
    """§3.9, practice note scenario 1 (confidentiality): a summary -> the client's consent."""
    c = with_changes(case, **{"transfer.summary_to_new_provider": True})
    for consent in (False, True):
        v = with_changes(c, **{"transfer.client_consent": consent})
        a = ctx.run(v)
        want = "met" if consent else "outstanding"
        got = _safeguard(a, "client_consent_for_transfer")
        expect(got == want, f"{c.case_id}: consent safeguard {got}, expected {want}")
        expect("client_consent" in a.required_documentation, f"{c.case_id}: consent not recorded")
        e = ctx.run(with_changes(v, stage="ended"))
        has = "disclosure_without_consent" in _ids(e.findings)
        expect(has != consent, f"{c.case_id}: disclosure finding={has} with consent={consent}")


def edge_10_documenting_never_adds_missing(case: Case, ctx: Context) -> None:
    """§3.10, practice note conclusion: missing = required minus recorded; recording only helps."""
    a = ctx.run(case)
    missing = _ids(a.missing_documentation)
    required = set(a.required_documentation)
    expect(missing <= required, f"{case.case_id}: missing not within required")
    expect(
        missing == required - set(case.documented),
        f"{case.case_id}: missing {sorted(missing)} is not required minus documented",
    )
    for doc in DOCUMENTATION_IDS:
        if doc in case.documented:
            continue
        b = ctx.run(with_changes(case, documented=[*case.documented, doc]))
        expect(
            _ids(b.missing_documentation) == missing - {doc},
            f"{case.case_id}: recording '{doc}' changed missing beyond removing it",
        )
        expect(
            VERDICT_RANK[b.verdict] >= VERDICT_RANK[a.verdict],
            f"{case.case_id}: recording '{doc}' made the verdict worse",
        )


def edge_11_satisfied_safeguard_never_forbids(case: Case, ctx: Context) -> None:
    """§3.11, O. Reg. 384/00 s. 2 para. 8 and §4: meeting a safeguard never worsens the verdict."""
    a = ctx.run(case)
    for s in a.required_safeguards:
        if s.status != "outstanding":
            continue
        c = SATISFY[s.id](case, ctx.thresholds)
        b = ctx.run(c)
        expect(
            VERDICT_RANK[b.verdict] >= VERDICT_RANK[a.verdict],
            f"{case.case_id}: meeting '{s.id}' turned {a.verdict} into {b.verdict}",
        )
        expect(_safeguard(b, s.id) != "outstanding", f"{case.case_id}: '{s.id}' still outstanding")


def edge_12_order_free_and_deterministic(case: Case, ctx: Context) -> None:
    """§3.12: list order never matters and the same case gives byte-identical JSON."""
    first = ctx.run(case).to_json()
    expect(ctx.run(case).to_json() == first, f"{case.case_id}: two runs differ")
    data = case.model_dump(mode="json")
    data["termination_session"]["attempts"].reverse()
    data["documented"] = list(reversed(data["documented"])) + data["documented"][:1]
    shuffled = ctx.run(Case.model_validate(data)).to_json()
    expect(shuffled == first, f"{case.case_id}: result depends on list order")


def edge_13_no_dead_end(case: Case, ctx: Context) -> None:
    """§3.13 (v2), CESP 3.8 and the note's introduction: ending called for is never a dead end.

    When ending is required or there are grounds to end and the answer is "not permitted", an
    outstanding safeguard gives a basis once met, the summary names it, and counterfactuals
    find an actionable way to a permitted ending.
    """
    from conduct_rules.teach.counterfactual import what_would_permit

    for change in (
        {"services.likely_to_benefit": False},
        {"member.lacks_competence": True},
        {"member.relationship_untenable": True},
    ):
        # §4.3: both ways out are listed, whoever initiated (no basis means no risk either).
        initiator = "client" if change.get("member.relationship_untenable") else case.initiated_by
        c = _no_basis(with_changes(case, stage="considering", initiated_by=initiator, **change))
        c = with_changes(c, **{"services.needed": True})
        a = ctx.run(c)
        expect(a.verdict == "not_permitted", f"{c.case_id}: no basis, verdict {a.verdict}")
        ways = [s.id for s in a.outstanding_safeguards if s.id in BASIS_SAFEGUARDS]
        expect(
            set(ways) == BASIS_SAFEGUARDS,
            f"{c.case_id}: not permitted with ways out {sorted(ways)} listed ({change})",
        )
        for sid in ways:
            b = ctx.run(SATISFY[sid](c, ctx.thresholds))
            expect(b.derived_facts.get("basis") is True, f"{c.case_id}: meeting '{sid}' no basis")
            expect(b.verdict != "not_permitted", f"{c.case_id}: meeting '{sid}' still refused")
        labels = {s.label for s in a.outstanding_safeguards if s.id in ways}
        expect(bool(a.summary), f"{c.case_id}: no summary")
        options = what_would_permit(c, ruleset=ctx.ruleset.with_parameters(**ctx.parameters))
        expect(bool(options), f"{c.case_id}: no counterfactual way out ({change})")
        expect(bool(labels), f"{c.case_id}: way out without labels")


def edge_14_past_breach_not_permitted(case: Case, ctx: Context) -> None:
    """§3.14 (v2), O. Reg. 384/00 s. 2 para. 8 and Code item 6: a past breach was not permitted."""
    for c in (
        with_changes(case, stage="ended"),
        with_changes(
            case,
            stage="ended",
            **{"transfer.summary_to_new_provider": True, "transfer.client_consent": False},
        ),
    ):
        a = ctx.run(c)
        breaches = _ids(a.findings) & PAST_BREACHES
        if breaches:
            expect(
                a.verdict == "not_permitted",
                f"{c.case_id}: past ending with {sorted(breaches)} but verdict {a.verdict}",
            )
    d = ctx.run(
        with_changes(
            case,
            stage="ended",
            **{"transfer.summary_to_new_provider": True, "transfer.client_consent": False},
        )
    )
    expect("disclosure_without_consent" in _ids(d.findings), f"{case.case_id}: no consent finding")


def edge_15_in_person_while_unsafe_is_outstanding(case: Case, ctx: Context) -> None:
    """§3.15 (v2), scenario 3: a session held or booked in person while unsafe is not safe."""
    for status in ("held", "scheduled"):
        for unsafe in ({"member.feels_unsafe": True}, {"member.serious_risk_of_harm": True}):
            c = with_changes(
                case,
                stage="considering",
                **unsafe,
                **{"termination_session.status": status},
                **{"termination_session.modality": "in_person"},
            )
            a = ctx.run(c)
            got = _safeguard(a, "remote_session_for_safety")
            expect(got == "outstanding", f"{c.case_id}: in person {status}, remote safeguard {got}")
            remote = ctx.run(with_changes(c, **{"termination_session.modality": "video"}))
            got = _safeguard(remote, "remote_session_for_safety")
            expect(got == "met", f"{c.case_id}: video {status}, remote safeguard {got}")


def edge_16_no_continuing_after_the_client_ended(case: Case, ctx: Context) -> None:
    """§3.16 (v2), CESP 3.9 and 2.8 i-ii: never "continue" once ended or the client ended it."""
    for c in (
        with_changes(case, stage="ended"),
        with_changes(case, **{"client.requested_termination": True}),
        with_changes(case, **{"client.withdrew": True}),
    ):
        a = ctx.run(c)
        expect(_action(a, "continue_services") is None, f"{c.case_id}: continue offered")


EDGE_CASES: dict[str, Check] = {
    f.__name__: f
    for f in (
        edge_01_not_needed_never_a_2_8_finding,
        edge_02_needed_without_basis_never_permitted,
        edge_03_any_single_basis_permits_ending,
        edge_04_risk_alone_needs_no_session,
        edge_05_bases_i_to_iv_require_session_efforts,
        edge_06_no_benefit_means_refer_not_continue,
        edge_07_court_order_always_requires_legal_advice,
        edge_08_threats_make_risk_available,
        edge_09_summary_needs_client_consent,
        edge_10_documenting_never_adds_missing,
        edge_11_satisfied_safeguard_never_forbids,
        edge_12_order_free_and_deterministic,
        edge_13_no_dead_end,
        edge_14_past_breach_not_permitted,
        edge_15_in_person_while_unsafe_is_outstanding,
        edge_16_no_continuing_after_the_client_ended,
    )
}


# ------------------------------------------------------------------------ output consistency


def citations_exist(case: Case, ctx: Context) -> None:
    """Every item cites at least one provision, and every cited provision is in the registry."""
    a = ctx.run(case)
    known = set(ctx.ruleset.provisions)
    rules = {r.id for r in ctx.ruleset.rules}
    items = (*a.permitted_actions, *a.required_safeguards, *a.missing_documentation, *a.findings)
    for item in items:
        expect(bool(item.citations), f"{case.case_id}: '{item.id}' cites nothing")
        unknown = set(item.citations) - known
        expect(not unknown, f"{case.case_id}: '{item.id}' cites unknown {sorted(unknown)}")
        expect(bool(item.rules) and set(item.rules) <= rules, f"{case.case_id}: '{item.id}' rules")
    expect(set(a.rules_fired) <= rules, f"{case.case_id}: unknown rule fired")


def json_round_trips(case: Case, ctx: Context) -> None:
    """The JSON output reads back into an equal ``Assessment`` with the same bytes."""
    a = ctx.run(case)
    text = a.to_json()
    back = Assessment.model_validate_json(text)
    expect(back == a, f"{case.case_id}: JSON does not round-trip")
    expect(back.to_json() == text, f"{case.case_id}: JSON not stable after round trip")


def verdict_agrees_with_lists(case: Case, ctx: Context) -> None:
    """The verdict and the lists tell one story (contract "Verdict"; domain.md §4 blocking column).

    ``not_permitted`` => needed and none of 2.8 i-v, or a past breach; ``conditional`` => a
    blocking safeguard is outstanding and no past breach; ``permitted`` => no blocking safeguard
    outstanding (contract v1.1: only the three blocking safeguards hold the verdict).
    """
    a = ctx.run(case)
    c = case
    basis = any(getattr_dotted(c, f) for fields in BASES.values() for f in fields)
    blocking_out = {s.id for s in a.required_safeguards if s.blocking and s.status == "outstanding"}
    past_breach = bool(_ids(a.findings) & PAST_BREACHES)
    for s in a.required_safeguards:
        expect(s.blocking == (s.id in BLOCKING), f"{c.case_id}: '{s.id}' blocking={s.blocking}")
    expect(past_breach <= (c.stage == "ended"), f"{c.case_id}: past breach before an ending")
    if a.verdict == "not_permitted":
        expect(
            (c.services.needed and not basis) or past_breach,
            f"{c.case_id}: not_permitted despite a basis and no past breach",
        )
        expect(_action(a, "end_services") is None, f"{c.case_id}: not_permitted yet end allowed")
    elif a.verdict == "conditional":
        expect(bool(blocking_out), f"{c.case_id}: conditional with no blocking safeguard pending")
        expect(
            (not c.services.needed or basis) and not past_breach,
            f"{c.case_id}: conditional without a basis, or after a past breach",
        )
    else:
        expect(not blocking_out, f"{c.case_id}: permitted with {sorted(blocking_out)} outstanding")
        expect(not past_breach, f"{c.case_id}: permitted after a past breach")
    if a.verdict != "not_permitted":
        expect(_action(a, "end_services") is not None, f"{c.case_id}: {a.verdict} without end")


def one_rule_decides_the_verdict(case: Case, ctx: Context) -> None:
    """Exactly one rule concludes the verdict: the verdict rules partition the cases.

    Why: house style writes the verdict as a general rule and named exceptions, a decision table
    in which each case has one reason. Two rules concluding the same verdict would give an
    explanation (``rules_fired``, ``conduct-rules explain``) a reason that does not apply.
    """
    a = ctx.run(case)
    deciders = {r.id for r in ctx.ruleset.rules if any(c.kind == "verdict" for c in r.then)}
    fired = [r for r in a.rules_fired if r in deciders]
    expect(len(fired) == 1, f"{case.case_id}: verdict concluded by {fired or 'no rule'}")


def getattr_dotted(case: Case, dotted: str) -> object:
    """The value of a case field by dotted path."""
    node: object = case
    for part in dotted.split("."):
        node = getattr(node, part)
    return node


OUTPUT_CHECKS: dict[str, Check] = {
    f.__name__: f
    for f in (
        citations_exist,
        json_round_trips,
        verdict_agrees_with_lists,
        one_rule_decides_the_verdict,
    )
}
