"""Facts that do not fit together: named warnings attached to an assessment, never rejections.

Why warn rather than reject: every pair below can appear in a real record — most often because
one of the two fields was left at its default (``modality: none``, ``status: not_attempted``)
while the other was filled in, or because the record mixes two moments (the client withdrew, then
came back). An auditor running thousands of records must not lose a row to a validation error;
the assessment is still computed from the facts as given, and the warning says which fields to
check. The policy for each pair, including the pairs deliberately *not* flagged (threats without
serious risk, consent before any summary was sent, a client-initiated ending whose session the
client declined), is in ``docs/contradictions.md``.

Messages name fields and allowed values only, never a case value (privacy), and come in the
assessment's language. Warnings are listed in the fixed order of ``CHECKS`` so the JSON stays
byte-identical for the same case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from conduct_rules.model.assessment import Warning_
from conduct_rules.model.case import Case

__all__ = ["CHECKS", "Check", "contradictions"]


@dataclass(frozen=True)
class Check:
    """One named pair (or set) of facts that do not fit together, and what to tell the reader."""

    id: str
    fields: tuple[str, ...]
    applies: Callable[[Case], bool]
    en: str
    fr: str


def _held_without_modality(c: Case) -> bool:
    ts = c.termination_session
    return ts.status == "held" and ts.modality == "none"


def _attempts_but_not_attempted(c: Case) -> bool:
    ts = c.termination_session
    return ts.status == "not_attempted" and len(ts.attempts) > 0


def _continued_after_client_ended(c: Case) -> bool:
    return c.stage == "continued" and (c.client.withdrew or c.client.requested_termination)


def _notice_without_opportunity(c: Case) -> bool:
    a = c.alternatives
    return a.notice_days is not None and a.notice_days > 0 and not a.opportunity_given


def _referrals_without_efforts(c: Case) -> bool:
    a = c.alternatives
    return a.providers_offered > 0 and not a.efforts_made


def _court_steps_without_order(c: Case) -> bool:
    co = c.court_order
    return not co.applies and (co.legal_advice_obtained or co.court_direction_sought)


#: Every check, in the order warnings are listed.
CHECKS: tuple[Check, ...] = (
    Check(
        "session_held_without_modality",
        ("termination_session.status", "termination_session.modality"),
        _held_without_modality,
        "The termination session is recorded as held but its modality as 'none'; a held session "
        "took place in person, by video or by phone. The assessment treats it as held, not in "
        "person. Check termination_session.modality.",
        "La séance de cessation est indiquée comme tenue, mais sa modalité est « none » ; une "
        "séance tenue a eu lieu en personne, par vidéo ou par téléphone. L'évaluation la traite "
        "comme tenue, pas en personne. Vérifiez termination_session.modality.",
    ),
    Check(
        "attempts_listed_but_not_attempted",
        ("termination_session.status", "termination_session.attempts"),
        _attempts_but_not_attempted,
        "Contact attempts are listed but the termination session status is 'not_attempted'. The "
        "listed attempts are counted as efforts. Check termination_session.status.",
        "Des tentatives de contact sont énumérées, mais le statut de la séance de cessation est "
        "« not_attempted ». Les tentatives énumérées sont comptées comme efforts. Vérifiez "
        "termination_session.status.",
    ),
    Check(
        "continued_after_client_ended",
        ("stage", "client.withdrew", "client.requested_termination"),
        _continued_after_client_ended,
        "The services are recorded as continued although the client withdrew or asked to end "
        "them (2.8 i or ii). The record may mix two moments (for instance the client came back). "
        "The assessment judges the continuation. Check stage and the client's fields.",
        "Les services sont indiqués comme poursuivis alors que le client s'est retiré ou a "
        "demandé d'y mettre fin (2.8 i ou ii). Le dossier mêle peut-être deux moments (par "
        "exemple, le client est revenu). L'évaluation juge la poursuite. Vérifiez stage et les "
        "champs du client.",
    ),
    Check(
        "notice_without_opportunity",
        ("alternatives.notice_days", "alternatives.opportunity_given"),
        _notice_without_opportunity,
        "Days of notice are recorded but alternatives.opportunity_given is false. Notice is the "
        "usual way to give a reasonable opportunity to arrange other services (2.8 iv); the rules "
        "read only opportunity_given, so 2.8 iv is not counted. Check whether the notice was a "
        "reasonable opportunity.",
        "Un préavis en jours est indiqué, mais alternatives.opportunity_given est faux. Le préavis "
        "est la façon habituelle de donner une possibilité raisonnable d'obtenir d'autres services "
        "(2.8 iv) ; les règles ne lisent que opportunity_given, donc 2.8 iv n'est pas retenue. "
        "Vérifiez si le préavis constituait une possibilité raisonnable.",
    ),
    Check(
        "referrals_without_efforts",
        ("alternatives.providers_offered", "alternatives.efforts_made"),
        _referrals_without_efforts,
        "The client received contact details of alternative providers but "
        "alternatives.efforts_made is false. Giving referrals is usually part of the efforts to "
        "arrange other services (2.8 iii); the rules read only efforts_made, so 2.8 iii is not "
        "counted. Check alternatives.efforts_made.",
        "Le client a reçu les coordonnées d'autres fournisseurs, mais alternatives.efforts_made "
        "est faux. Diriger le client vers d'autres fournisseurs fait d'ordinaire partie des "
        "efforts pour obtenir d'autres services (2.8 iii) ; les règles ne lisent que "
        "efforts_made, donc 2.8 iii n'est pas retenue. Vérifiez alternatives.efforts_made.",
    ),
    Check(
        "court_steps_without_order",
        (
            "court_order.applies",
            "court_order.legal_advice_obtained",
            "court_order.court_direction_sought",
        ),
        _court_steps_without_order,
        "Legal advice on a court order or the court's direction is recorded, but "
        "court_order.applies is false, so the court-order safeguards are not assessed. Check "
        "court_order.applies.",
        "Un avis juridique sur une ordonnance ou une demande de directives au tribunal est "
        "indiqué, mais court_order.applies est faux ; les mesures liées à une ordonnance ne sont "
        "donc pas évaluées. Vérifiez court_order.applies.",
    ),
)


def contradictions(case: Case, lang: str = "en") -> tuple[Warning_, ...]:
    """Named warnings for facts in ``case`` that do not fit together, in ``CHECKS`` order."""
    return tuple(
        Warning_(id=c.id, fields=c.fields, message=c.fr if lang == "fr" else c.en)
        for c in CHECKS
        if c.applies(case)
    )
