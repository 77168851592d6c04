"""The conduct-rules CodeSystem: codes for the facts FHIR R4 has no code for, and where each goes.

Why one table: the mapper (``bundle.py``), the published CodeSystem (``CodeSystem-ending.json``)
and the mapping table of the docs are all read from ``CONCEPTS``, so they cannot disagree; a test
checks that the JSON file is the one this table generates.

Each concept says which resource carries it and which case field it sets. Codes from FHIR's own
code systems are used wherever FHIR has one (Communication.medium from ParticipationMode,
Encounter.class from ActCode, EpisodeOfCare.status); the rest are ours.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

__all__ = [
    "ACT_CODE",
    "CHANNEL_OF_MEDIUM",
    "CONCEPTS",
    "EXT_INITIATED_BY",
    "EXT_STAGE",
    "PARTICIPATION_MODE",
    "SYSTEM",
    "Concept",
    "code_system",
    "published_code_system",
]

#: The CodeSystem's canonical URL (a URN: it names the system; nothing is fetched from it).
SYSTEM = "urn:conduct-rules:fhir:CodeSystem:ending"
#: Extensions on EpisodeOfCare (valueCode): the stage of the ending and who initiated it.
EXT_STAGE = "urn:conduct-rules:fhir:StructureDefinition:ending-stage"
EXT_INITIATED_BY = "urn:conduct-rules:fhir:StructureDefinition:ending-initiated-by"
#: HL7 v3 ParticipationMode: how a Communication was sent (Communication.medium).
PARTICIPATION_MODE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationMode"
#: HL7 v3 ActCode: the class of an Encounter (Encounter.class).
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"

#: Communication.medium (ParticipationMode) → attempt channel.
CHANNEL_OF_MEDIUM = {
    "EMAILWRIT": "email",
    "PHONE": "phone",
    "MAILWRIT": "letter",
    "SMSWRIT": "text",
    "FACE": "in_person",
    "VIDEOCONF": "video",
}


@dataclass(frozen=True)
class Concept:
    """One code of the CodeSystem: what it means and what it sets in a case.

    ``resource`` and ``element``: where a bundle carries it. ``field``: the case field it sets
    (dotted), ``value`` the value it sets (``None``: a special rule in ``bundle.py`` reads it).
    """

    code: str
    display: str
    definition: str
    resource: str
    element: str
    field: str
    value: Any = True


_FLAG = ("Flag", "code")
_COMM = ("Communication", "category")

CONCEPTS: tuple[Concept, ...] = (
    # Services (3.8, 3.9): the defaults are "yes", so the codes say "no".
    Concept("services-not-needed", "Services no longer needed",
            "The client no longer needs professional services.", *_FLAG, "services.needed", False),
    Concept("services-not-requested", "Services no longer wanted",
            "The client no longer wants the services.", *_FLAG, "services.requested", False),
    Concept("not-likely-to-benefit", "Service not likely to benefit",
            "The member's service is not likely to benefit the client.", *_FLAG,
            "services.likely_to_benefit", False),
    # The client's own steps.
    Concept("client-request-to-end", "Client asked to end",
            "The client asked to end the services.", *_COMM, "client.requested_termination"),
    Concept("client-withdrew", "Client withdrew",
            "The client withdrew from the services.", *_FLAG, "client.withdrew"),
    # The member's situation (safety, objectivity, competence).
    Concept("serious-risk-of-harm", "Serious risk of harm to the member",
            "Continuing would expose the member to a serious risk of harm.", "RiskAssessment",
            "prediction.outcome", "member.serious_risk_of_harm"),
    Concept("member-feels-unsafe", "Member feels unsafe",
            "The member fears meeting the client in person.", *_FLAG, "member.feels_unsafe"),
    Concept("threats-received", "Threats received",
            "The member received threats from the client.", *_FLAG, "member.threats_received"),
    Concept("objectivity-impaired", "Objectivity impaired",
            "The member's objectivity is impaired (e.g. a conflict of values).", *_FLAG,
            "member.objectivity_impaired"),
    Concept("lacks-competence", "Member lacks the competence needed",
            "The member lacks the competence the client's situation needs.", *_FLAG,
            "member.lacks_competence"),
    Concept("relationship-untenable", "Relationship untenable",
            "The professional relationship has broken down or become untenable.", *_FLAG,
            "member.relationship_untenable"),
    # A court order naming the member.
    Concept("court-order", "Court order applies",
            "A court order naming the member applies to the services.", *_FLAG,
            "court_order.applies"),
    Concept("court-order-legal-advice", "Legal advice on the court order",
            "Legal advice was obtained on the court order.", *_COMM,
            "court_order.legal_advice_obtained"),
    Concept("court-direction-sought", "Court direction sought",
            "Direction was sought from the court.", *_COMM, "court_order.court_direction_sought"),
    # Alternatives and notice (2.8 iii, iv).
    Concept("alternative-service", "Alternative or replacement service",
            "A referral to, or the contact details of, an alternative provider.", "ServiceRequest",
            "category", "alternatives.providers_offered", None),
    Concept("supported-to-connect", "Client supported to connect",
            "The member helped the client to connect with the alternative provider.",
            "ServiceRequest", "category", "alternatives.client_supported_to_connect"),
    Concept("opportunity-to-respond", "Opportunity to respond",
            "The client was given a reasonable opportunity to arrange other services.", *_COMM,
            "alternatives.opportunity_given"),
    Concept("notice-of-ending", "Notice of ending",
            "Notice that the services will end; its date and the episode's end give the days.",
            *_COMM, "alternatives.notice_days", None),
    # The termination session.
    Concept("termination-session", "Termination session",
            "The session in which the services are ended with the client.", "Encounter", "type",
            "termination_session.status", None),
    Concept("by-telephone", "By telephone",
            "The session is held by telephone (Encounter.class says only 'virtual').",
            "Encounter", "type", "termination_session.modality", "phone"),
    Concept("declined-by-client", "Declined by the client",
            "The client declined the termination session.", "Encounter", "reasonCode",
            "termination_session.status", "declined_by_client"),
    Concept("termination-session-attempt", "Attempt to arrange the termination session",
            "One attempt to arrange the termination session; medium and date from the resource.",
            *_COMM, "termination_session.attempts", None),
    # Consultation.
    Concept("consultation-supervision", "Supervision or clinical consultation",
            "Consultation with a supervisor, colleague or clinical consultant.", *_COMM,
            "consultation.supervision"),
    Concept("consultation-college", "College practice consultation",
            "Consultation with the College's practice service.", *_COMM, "consultation.college"),
    Concept("consultation-legal", "Legal consultation",
            "Legal advice (insurer, employer, lawyer).", *_COMM, "consultation.legal"),
    # Transfer to a new provider.
    Concept("transfer-summary", "Summary sent to a new provider",
            "A summary of the work sent to a new provider.", *_COMM,
            "transfer.summary_to_new_provider"),
    Concept("transfer-consent", "Consent to send a summary",
            "The client's consent to send a summary of the work to a new provider.", "Consent",
            "category", "transfer.client_consent"),
    # CRPO Standard 6.3 (registered psychotherapists): the defaults are good faith, a reason on
    # no protected ground and a client who wants further treatment, so the codes say otherwise.
    Concept("not-in-good-faith", "Decision not made in good faith",
            "The decision to discontinue is not made in good faith (CRPO 6.3.1).", *_FLAG,
            "member.good_faith", False),
    Concept("reason-protected-ground", "Reason relates to a protected ground",
            "The reason for discontinuing relates to a ground the Ontario Human Rights Code "
            "protects (CRPO 6.3.2).", *_FLAG, "member.reason_protected_ground"),
    Concept("not-interested-in-further-treatment", "Client not interested in further treatment",
            "The client is not interested in further treatment (CRPO 6.3.3).", *_FLAG,
            "client.interested_in_further_treatment", False),
    Concept("reasons-explained", "Reasons for ending explained",
            "The reasons for discontinuing were clearly explained to the client (CRPO 6.3.4); "
            "a Communication 'not-done' records that they were not.", *_COMM,
            "client.informed_of_reasons", None),
)  # fmt: skip

#: Records the standards expect (DocumentReference.type or a Composition.section.code).
DOCUMENTATION_CONCEPTS: tuple[Concept, ...] = tuple(
    Concept(
        "record-" + doc.replace("_", "-"),
        doc.replace("_", " ").capitalize(),
        f"The record '{doc.replace('_', ' ')}' was made.",
        "DocumentReference",
        "type",
        "documented",
        doc,
    )
    for doc in (
        "decision_rationale",
        "consultations",
        "alternatives_and_referrals",
        "contact_attempts",
        "termination_session",
        "legal_advice",
        "safety_concerns",
        "written_notice",
        "client_consent",
        # CRPO Standard 6.3.4 and its examples.
        "discontinuation_reasons",
        "discontinuation_conversation",
        "client_condition",
        "discharge_plan",
    )
)

#: Verdicts, as coded in ``assessment_to_fhir``'s GuidanceResponse.
VERDICT_CONCEPTS: tuple[Concept, ...] = tuple(
    Concept(v.replace("_", "-"), label, f"The assessment's verdict: {label.lower()}.",
            "GuidanceResponse", "reasonCode", "verdict", v)
    for v, label in (
        ("permitted", "Ending permitted"),
        ("conditional", "Ending permitted on conditions"),
        ("not_permitted", "Ending not permitted"),
    )
)  # fmt: skip


def code_system() -> dict[str, Any]:
    """The CodeSystem resource (R4) these tables make."""
    concepts = [*CONCEPTS, *DOCUMENTATION_CONCEPTS, *VERDICT_CONCEPTS]
    return {
        "resourceType": "CodeSystem",
        "id": "conduct-rules-ending",
        "url": SYSTEM,
        "version": "1.1.0",  # 1.1.0: the CRPO Standard 6.3 codes (issue 15)
        "name": "ConductRulesEnding",
        "title": "conduct-rules: ending a client relationship",
        "status": "active",
        "experimental": False,
        "publisher": "conduct-rules developers",
        "description": (
            "Facts about ending a professional relationship that FHIR R4 has no code for, "
            "as read by conduct-rules (see its docs: Calling it from another system)."
        ),
        "caseSensitive": True,
        "content": "complete",
        "count": len(concepts),
        "concept": [
            {"code": c.code, "display": c.display, "definition": c.definition} for c in concepts
        ],
    }


def published_code_system() -> dict[str, Any]:
    """The CodeSystem as shipped (``CodeSystem-ending.json`` beside this module)."""
    text = (resources.files("conduct_rules.fhir") / "CodeSystem-ending.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data
