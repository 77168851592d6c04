"""An independent reading of ``shared/domain.md`` §4 (v2, ruleset 1.1), row by row, in plain Python.

Why a second encoding: a property such as "a court order always requires legal advice" catches a
rule that is wrong in the way the property names; a decision table catches every other way. This
module is written from the domain text, not from ``rulesets/ontario/rules.yaml``: each block names
the §4 row it encodes, and nothing here reads the ruleset except the parameter values. Agreement
between the two over many cases is the strongest check the suite has; a disagreement is either a
rule that is wrong or a reading that is, and both are worth a look.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from conduct_rules.model.assessment import Assessment
from conduct_rules.model.case import Case

__all__ = ["BLOCKING", "DEFAULT_PARAMETERS", "Expected", "expected", "observed"]

#: §4: the only safeguards that hold the verdict at ``conditional`` until met.
BLOCKING = frozenset({"termination_session_efforts", "legal_advice", "client_consent_for_transfer"})
#: §1 reading notes and scenario 2: 2 attempts over 2 channels, 2 referrals.
DEFAULT_PARAMETERS: Mapping[str, int] = {"min_attempts": 2, "min_channels": 2, "min_referrals": 2}


@dataclass(frozen=True)
class Expected:
    """What an assessment must say, reduced to what §4 decides (no texts, no provenance)."""

    verdict: str
    termination_required: bool
    actions: Mapping[str, bool]  # permitted action -> required
    safeguards: Mapping[str, tuple[str, bool]]  # required safeguard -> (status, blocking)
    required_documentation: frozenset[str]
    missing_documentation: frozenset[str]
    findings: frozenset[str]
    derived: Mapping[str, bool] = field(default_factory=dict)
    parameters: Mapping[str, int] = field(default_factory=dict)  # thresholds applied, reported

    def differences(self, other: Expected) -> list[str]:
        """Human-readable differences, ``self`` being the expectation."""
        out: list[str] = []
        for name in (
            "verdict",
            "termination_required",
            "actions",
            "safeguards",
            "required_documentation",
            "missing_documentation",
            "findings",
            "derived",
            "parameters",
        ):
            want, got = getattr(self, name), getattr(other, name)
            if name in ("derived", "parameters"):
                got = {k: v for k, v in got.items() if k in want}
            if want != got:
                out.append(f"{name}: expected {_show(want)}, got {_show(got)}")
        return out


def _show(value: object) -> str:
    if isinstance(value, frozenset):
        return "{" + ", ".join(sorted(value)) + "}"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {value[k]}" for k in sorted(value)) + "}"
    return repr(value)


def expected(case: Case, parameters: Mapping[str, int] | None = None) -> Expected:
    """The §4 reading of ``case`` under the given thresholds (defaults where not given)."""
    p = {**DEFAULT_PARAMETERS, **(parameters or {})}
    svc, cl, mem, court = case.services, case.client, case.member, case.court_order
    alt, ts, cons, tr = (
        case.alternatives,
        case.termination_session,
        case.consultation,
        case.transfer,
    )

    # Derived facts (§4 first paragraph).
    risk = mem.serious_risk_of_harm or mem.threats_received
    no_benefit = (not svc.likely_to_benefit) or mem.objectivity_impaired
    session_basis = (
        cl.requested_termination or cl.withdrew or alt.efforts_made or alt.opportunity_given
    )
    basis = session_basis or risk
    session_owed = svc.needed and session_basis and not risk
    ending = case.stage in ("considering", "ended")
    member_initiated = case.initiated_by == "member"
    efforts_met = ts.status in ("held", "declined_by_client") or (
        len(ts.attempts) >= p["min_attempts"]
        and len({a.channel for a in ts.attempts}) >= p["min_channels"]
    )
    termination_required = no_benefit or (not svc.needed and not svc.requested)
    grounds_to_end = no_benefit or mem.lacks_competence or mem.relationship_untenable
    client_ended = cl.requested_termination or cl.withdrew
    in_person_planned = ts.status in ("held", "scheduled") and ts.modality == "in_person"
    any_consultation = cons.supervision or cons.college or cons.legal
    held = ts.status == "held"
    legal_obtained = court.legal_advice_obtained or cons.legal
    ended = case.stage == "ended"

    # Documentation table.
    docs = {
        "decision_rationale": ending,
        "consultations": any_consultation,
        "alternatives_and_referrals": alt.efforts_made or alt.providers_offered > 0,
        "contact_attempts": len(ts.attempts) > 0,
        "termination_session": held,
        "legal_advice": legal_obtained,
        "safety_concerns": mem.feels_unsafe or risk,
        "written_notice": ended and member_initiated and not held,
        "client_consent": tr.summary_to_new_provider,
    }
    required_docs = frozenset(d for d, on in docs.items() if on)
    missing = required_docs - set(case.documented)

    # Safeguards table: id -> (required when, met when).
    table: dict[str, tuple[bool, bool]] = {
        # §4.4 v2: session_owed, or a member-planned ending of needed services without risk.
        "termination_session_efforts": (
            session_owed or (ending and svc.needed and member_initiated and not risk),
            efforts_met,
        ),
        "legal_advice": (court.applies, legal_obtained),
        "client_consent_for_transfer": (tr.summary_to_new_provider, tr.client_consent),
        # §4.4 v2: also whenever ending is required or grounds hold (no dead end, §4.3).
        "arrange_alternative_services": (
            svc.needed
            and ((ending and member_initiated) or termination_required or grounds_to_end),
            alt.efforts_made,
        ),
        "reasonable_opportunity": (
            svc.needed
            and not risk
            and ((ending and member_initiated) or termination_required or grounds_to_end),
            alt.opportunity_given,
        ),
        "several_referrals": (ending and svc.needed, alt.providers_offered >= p["min_referrals"]),
        "support_to_connect": (ending and svc.needed, alt.client_supported_to_connect),
        "court_direction": (court.applies, court.court_direction_sought),
        "supervision_or_consultation": (ending and member_initiated, any_consultation),
        "remote_session_for_safety": (
            ending and (mem.feels_unsafe or risk),
            not in_person_planned,
        ),
        "document_process": (ending, not missing),
    }
    safeguards = {
        sid: ("met" if met else "outstanding", sid in BLOCKING)
        for sid, (required, met) in table.items()
        if required
    }
    blocking_outstanding = any(
        status == "outstanding" and blocking for status, blocking in safeguards.values()
    )

    # Findings table (§4.7: past endings and continuations only).
    findings = {
        "discontinued_needed_services": ended and svc.needed and not basis,
        "no_termination_session_efforts": ended and session_owed and not efforts_met,
        "service_not_likely_to_benefit": case.stage == "continued" and no_benefit,
        "service_not_needed_or_requested": case.stage == "continued"
        and not svc.needed
        and not svc.requested,
        "disclosure_without_consent": ended
        and tr.summary_to_new_provider
        and not tr.client_consent,
    }
    past_breach = ended and (
        findings["discontinued_needed_services"]
        or findings["no_termination_session_efforts"]
        or findings["disclosure_without_consent"]
    )

    # Verdict (§4.3 v2): a past breach first, then the 2.8 default, then blocking safeguards.
    if past_breach or (svc.needed and not basis):
        verdict = "not_permitted"
    else:
        verdict = "conditional" if blocking_outstanding else "permitted"

    # Permitted actions table: id -> (permitted when, required when).
    open_ = verdict != "not_permitted"
    action_table: dict[str, tuple[bool, bool]] = {
        "continue_services": (not ended and not termination_required and not client_ended, False),
        "end_services": (open_, False),
        "refer_client": (True, termination_required or grounds_to_end),
        "transfer_with_summary": (open_, False),
        "termination_session_in_person": (ending and not risk and not mem.feels_unsafe, False),
        "termination_session_remote": (ending, False),
        "end_by_written_notice": (risk or (session_owed and efforts_met and not held), False),
        "seek_court_direction": (court.applies, False),
        "block_client_contact": (mem.threats_received, False),
        "legal_consultation_on_recourse": (mem.threats_received, False),
    }
    actions = {a: req for a, (on, req) in action_table.items() if on}

    return Expected(
        verdict=verdict,
        termination_required=termination_required,
        actions=actions,
        safeguards=safeguards,
        required_documentation=required_docs,
        missing_documentation=frozenset(missing),
        findings=frozenset(f for f, on in findings.items() if on),
        derived={
            "risk": risk,
            "no_benefit": no_benefit,
            "basis": basis,
            "session_owed": session_owed,
            "ending": ending,
            "member_initiated": member_initiated,
            "efforts_met": efforts_met,
            "termination_required": termination_required,
            "grounds_to_end": grounds_to_end,
            "client_ended": client_ended,
            "in_person_planned": in_person_planned,
        },
        parameters=p,
    )


def observed(a: Assessment) -> Expected:
    """The same reduction of an actual assessment, for comparison with ``expected``."""
    return Expected(
        verdict=a.verdict,
        termination_required=a.termination_required,
        actions={x.id: x.required for x in a.permitted_actions},
        safeguards={s.id: (s.status, s.blocking) for s in a.required_safeguards},
        required_documentation=frozenset(a.required_documentation),
        missing_documentation=frozenset(d.id for d in a.missing_documentation),
        findings=frozenset(f.id for f in a.findings),
        derived=dict(a.derived_facts),
        parameters=dict(a.ruleset.parameters),
    )
