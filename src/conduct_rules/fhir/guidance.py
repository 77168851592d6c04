"""FHIR R4 out: an ``Assessment`` as a GuidanceResponse citing the provisions.

Why a GuidanceResponse: it is FHIR's resource for "the answer of a decision-support module to a
request", with a status, a reason and output parameters, and it points back at the module (here
the ruleset, by id and version) so the answer can be reproduced. The verdict is the
``reasonCode`` (our CodeSystem); the verdict's explanation is the ``note``; every item of the
assessment (permitted action, safeguard, missing record, finding, warning) is one part of the
contained ``Parameters`` resource that ``outputParameters`` points to, with its label, its
explanation and one ``citation`` part per provision it rests on.
"""

from __future__ import annotations

from typing import Any

from conduct_rules.fhir.codes import SYSTEM
from conduct_rules.model.assessment import Assessment, Item

__all__ = ["assessment_to_fhir"]

_DISPLAY = {
    "permitted": "Ending permitted",
    "conditional": "Ending permitted on conditions",
    "not_permitted": "Ending not permitted",
}


def _item(kind: str, item: Item, extra: list[dict[str, Any]]) -> dict[str, Any]:
    parts: list[dict[str, Any]] = [
        {"name": "id", "valueCode": item.id},
        {"name": "label", "valueString": item.label},
        {"name": "explanation", "valueString": item.explanation},
        {"name": "force", "valueCode": item.force},
        *extra,
        *({"name": "citation", "valueString": c} for c in item.citations),
    ]
    return {"name": kind, "part": parts}


def assessment_to_fhir(assessment: Assessment, *, subject: str | None = None) -> dict[str, Any]:
    """A GuidanceResponse (R4, as JSON data) for ``assessment``, validated with fhir.resources.

    ``subject``: an optional reference (``"Patient/123"``) to put in ``subject``; the case's
    identifier is the ``requestIdentifier``.
    """
    a = assessment
    params: list[dict[str, Any]] = [
        {"name": "verdict", "valueCode": a.verdict},
        {"name": "termination_required", "valueBoolean": a.termination_required},
    ]
    for act in a.permitted_actions:
        params.append(_item("permitted_action", act, [
            {"name": "required", "valueBoolean": act.required}
        ]))  # fmt: skip
    for s in a.required_safeguards:
        params.append(_item("required_safeguard", s, [
            {"name": "status", "valueCode": s.status},
            {"name": "blocking", "valueBoolean": s.blocking},
        ]))  # fmt: skip
    params += [_item("missing_documentation", d, []) for d in a.missing_documentation]
    params += [_item("finding", f, []) for f in a.findings]
    for w in a.warnings:
        params.append({"name": "warning", "part": [
            {"name": "id", "valueCode": w.id},
            {"name": "message", "valueString": w.message},
            *({"name": "field", "valueString": f} for f in w.fields),
        ]})  # fmt: skip
    response: dict[str, Any] = {
        "resourceType": "GuidanceResponse",
        "language": a.lang,
        "contained": [{"resourceType": "Parameters", "id": "outputs", "parameter": params}],
        "requestIdentifier": {"system": "urn:conduct-rules:case-id", "value": a.case_id},
        "moduleUri": f"urn:conduct-rules:ruleset:{a.ruleset.id}:{a.ruleset.version}",
        "status": "success",
        "reasonCode": [
            {
                "coding": [
                    {
                        "system": SYSTEM,
                        "code": a.verdict.replace("_", "-"),
                        "display": _DISPLAY.get(a.verdict, a.verdict),
                    }
                ],
                "text": a.verdict_explanation,
            }
        ],
        "note": [{"text": a.verdict_explanation}],
        "outputParameters": {"reference": "#outputs"},
    }
    if subject is not None:
        response["subject"] = {"reference": subject}
    from fhir.resources.R4B.guidanceresponse import GuidanceResponse

    GuidanceResponse.model_validate(response)  # our own output: a failure here is a defect
    return response
