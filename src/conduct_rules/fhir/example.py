"""A case written as an R4 Bundle: how the example bundles were made, and a round-trip for tests.

Why in the library: an integrator building a bundle for ``case_from_bundle`` can look at what
``bundle_from_case`` writes for a case they know, resource by resource. It writes the smallest
set of resources the mapping reads (every required FHIR element filled with placeholders); a real
record has many more, which the mapping ignores.

Not every case has a bundle: a bundle can only say what resources say. The facts it cannot
carry raise ``MappingError`` (an ``attempted`` session with no attempt listed, ``efforts_made``
false with providers offered, support to connect with no provider offered, a held or scheduled
session without a modality).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from conduct_rules.errors import MappingError
from conduct_rules.fhir.codes import (
    ACT_CODE,
    CHANNEL_OF_MEDIUM,
    CONCEPTS,
    EXT_INITIATED_BY,
    EXT_STAGE,
    PARTICIPATION_MODE,
    SYSTEM,
)
from conduct_rules.model.case import Case

__all__ = ["bundle_from_case"]

_PATIENT = {"reference": "Patient/example"}
_MEDIUM = {v: k for k, v in CHANNEL_OF_MEDIUM.items()}
#: The date the example episodes end (notice is counted back from it).
END = dt.date(2024, 6, 28)


def _cc(code: str, system: str = SYSTEM) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}]}


def _get(data: Mapping[str, Any], path: str) -> Any:
    group, _, name = path.partition(".")
    value = data.get(group)
    return value.get(name) if name and isinstance(value, Mapping) else value


def bundle_from_case(case: Case | Mapping[str, Any]) -> dict[str, Any]:
    """A collection Bundle (JSON data) that ``case_from_bundle`` reads back as ``case``."""
    c = Case.parse(case).model_dump(mode="json")
    alt, session = c["alternatives"], c["termination_session"]
    problems: list[tuple[str, str]] = []
    if session["status"] == "attempted" and not session["attempts"]:
        problems.append(("termination_session.attempts", "an attempted session lists attempts"))
    if session["status"] == "not_attempted" and session["attempts"]:
        problems.append(("termination_session.status", "attempts make it 'attempted'"))
    if session["status"] in ("held", "scheduled") and session["modality"] == "none":
        problems.append(("termination_session.modality", "a session has a modality"))
    if session["status"] in ("attempted", "not_attempted", "declined_by_client") and (
        session["modality"] != "none"
    ):
        problems.append(("termination_session.modality", "only a session has a modality"))
    if alt["providers_offered"] and not alt["efforts_made"]:
        problems.append(("alternatives.efforts_made", "offering providers is an effort"))
    if alt["client_supported_to_connect"] and not alt["providers_offered"]:
        problems.append(("alternatives.client_supported_to_connect", "needs a provider offered"))
    if problems:
        raise MappingError(problems)

    resources: list[dict[str, Any]] = []

    def add(resource: dict[str, Any]) -> None:
        resource["id"] = f"{resource['resourceType'].lower()}-{len(resources) + 1}"
        resources.append(resource)

    status = {"considering": "active", "ended": "finished", "continued": "active"}[c["stage"]]
    episode: dict[str, Any] = {
        "resourceType": "EpisodeOfCare",
        "identifier": [{"system": "urn:conduct-rules:case-id", "value": c["case_id"]}],
        "status": status,
        "patient": _PATIENT,
        "period": {"start": "2023-01-09", "end": END.isoformat()},
        "extension": [{"url": EXT_INITIATED_BY, "valueCode": c["initiated_by"]}],
    }
    if c["stage"] == "continued":
        episode["extension"].append({"url": EXT_STAGE, "valueCode": "continued"})
    add(episode)
    for concept in CONCEPTS:
        if concept.value is None or concept.field.startswith("termination_session"):
            continue
        if _get(c, concept.field) != concept.value or concept.resource == "ServiceRequest":
            continue
        add(_resource_for(concept.resource, concept.code))
    for i in range(alt["providers_offered"]):
        categories = [_cc("alternative-service")]
        if i == 0 and alt["client_supported_to_connect"]:
            categories.append(_cc("supported-to-connect"))
        add(_request(categories, "active"))
    if alt["efforts_made"] and not alt["providers_offered"]:
        add(_request([_cc("alternative-service")], "revoked"))
    if alt["notice_days"] is not None:
        sent = END - dt.timedelta(days=alt["notice_days"])
        add(_communication("notice-of-ending", sent=f"{sent.isoformat()}T09:00:00Z"))
    add(_reasons(c["client"]["informed_of_reasons"]))  # CRPO 6.3.4
    if session["status"] in ("held", "scheduled", "declined_by_client"):
        add(_encounter(session["status"], session["modality"]))
    for attempt in session["attempts"]:
        comm = _communication("termination-session-attempt", sent=f"{attempt['date']}T09:00:00Z")
        comm["medium"] = [_cc(_MEDIUM[attempt["channel"]], PARTICIPATION_MODE)]
        add(comm)
    for doc in c["documented"]:
        add(
            {
                "resourceType": "DocumentReference",
                "status": "current",
                "type": _cc("record-" + doc.replace("_", "-")),
                "subject": _PATIENT,
                "content": [{"attachment": {"contentType": "text/plain", "title": "Case note"}}],
            }
        )
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "fullUrl": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, c['case_id'] + r['id'])}",
                "resource": r,
            }
            for r in resources
        ],
    }


def _reasons(told: bool | None) -> dict[str, Any]:
    """CRPO 6.3.4: the reasons explained (a completed Communication), not (``not-done``), or the
    file does not tell (``unknown``)."""
    comm = _communication("reasons-explained", sent="2024-06-01T09:00:00Z")
    if told is not True:
        comm["status"] = "not-done" if told is False else "unknown"
        del comm["sent"]
    return comm


def _resource_for(kind: str, code: str) -> dict[str, Any]:
    if kind == "Flag":
        return {"resourceType": "Flag", "status": "active", "code": _cc(code), "subject": _PATIENT}
    if kind == "Communication":
        return _communication(code, sent="2024-06-01T09:00:00Z")
    if kind == "RiskAssessment":
        return {
            "resourceType": "RiskAssessment",
            "status": "final",
            "subject": _PATIENT,
            "prediction": [{"outcome": _cc(code)}],
        }
    if kind == "Consent":
        return {
            "resourceType": "Consent",
            "status": "active",
            "scope": _cc("patient-privacy", "http://terminology.hl7.org/CodeSystem/consentscope"),
            "category": [_cc(code)],
            "patient": _PATIENT,
            "policyRule": _cc("OPTIN", "http://terminology.hl7.org/CodeSystem/v3-ActCode"),
            "provision": {"type": "permit"},
        }
    raise AssertionError(kind)  # pragma: no cover - the table names only these


def _communication(code: str, *, sent: str) -> dict[str, Any]:
    return {
        "resourceType": "Communication",
        "status": "completed",
        "category": [_cc(code)],
        "subject": _PATIENT,
        "sent": sent,
    }


def _request(categories: list[dict[str, Any]], status: str) -> dict[str, Any]:
    return {
        "resourceType": "ServiceRequest",
        "status": status,
        "intent": "proposal",
        "category": categories,
        "subject": _PATIENT,
    }


def _encounter(status: str, modality: str) -> dict[str, Any]:
    fhir_status = {"held": "finished", "scheduled": "planned", "declined_by_client": "cancelled"}
    kind = "VR" if modality in ("video", "phone") else "AMB"
    types = [_cc("termination-session")] + ([_cc("by-telephone")] if modality == "phone" else [])
    encounter: dict[str, Any] = {
        "resourceType": "Encounter",
        "status": fhir_status[status],
        "class": {"system": ACT_CODE, "code": kind},
        "type": types,
        "subject": _PATIENT,
    }
    if status == "declined_by_client":
        encounter["reasonCode"] = [_cc("declined-by-client")]
    return encounter
