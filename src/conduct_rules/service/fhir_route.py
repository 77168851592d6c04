"""``POST /v1/fhir/assess``: an R4 Bundle in, a GuidanceResponse (or the assessment) out.

Why in the service: an integration engine that holds FHIR resources should not have to build
our case JSON. The bundle is mapped by ``conduct_rules.fhir.case_from_bundle`` (errors name the
entry and element, never a value) and assessed exactly as ``POST /v1/assess`` would.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Query, Request
from pydantic import BaseModel
from starlette.responses import Response

from conduct_rules.api import assess
from conduct_rules.errors import CaseValidationError, MappingError
from conduct_rules.rules.ruleset import Ruleset
from conduct_rules.service.problems import problem

__all__ = ["FHIR_JSON", "add_fhir_route"]

FHIR_JSON = "application/fhir+json"
_BUNDLE_SCHEMA = {
    "type": "object",
    "description": "A FHIR R4 Bundle about one relationship (see the FHIR mapping table).",
    "properties": {
        "resourceType": {"type": "string", "enum": ["Bundle"]},
        "type": {"type": "string"},
        "entry": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["resourceType"],
}


def add_fhir_route(
    app: FastAPI,
    ruleset: Callable[[str], Ruleset],
    call: Callable[[Callable[[], BaseModel | list[Any]]], Response],
    errors: dict[int | str, dict[str, Any]],
) -> None:
    """Add ``POST /v1/fhir/assess`` to ``app`` (``ruleset``/``call``: the app's helpers)."""

    @app.post(
        "/v1/fhir/assess",
        responses={
            200: {
                "description": "A GuidanceResponse (FHIR), or the assessment (answer=assessment)",
                "content": {
                    FHIR_JSON: {"schema": {"type": "object"}},
                    "application/json": {"schema": {"$ref": "#/components/schemas/Assessment"}},
                },
            },
            501: {"description": "The service was installed without FHIR support"},
            **errors,
        },
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    FHIR_JSON: {"schema": _BUNDLE_SCHEMA},
                    "application/json": {"schema": _BUNDLE_SCHEMA},
                },
            }
        },
        tags=["fhir"],
    )
    async def fhir_assess(
        request: Request,
        lang: Annotated[Literal["en", "fr"], Query()] = "en",
        ruleset_name: Annotated[str, Query(alias="ruleset", max_length=64)] = "ontario",
        answer: Annotated[
            Literal["guidance-response", "assessment"], Query()
        ] = "guidance-response",
    ) -> Response:
        """Assess the relationship a FHIR Bundle describes; cite the provisions in FHIR terms."""
        try:
            from conduct_rules.fhir import assessment_to_fhir, case_from_bundle
        except ImportError:
            return problem(501, "not-implemented", "this service has no FHIR support installed")
        body = await request.body()
        failure: Response | None = None
        try:
            case = case_from_bundle(body)
        except MappingError as exc:
            failure = problem(422, "fhir-unmappable", str(exc), exc.errors)
        except CaseValidationError as exc:
            failure = problem(
                422, "fhir-unmappable", str(exc), [(f"(case).{f}", m) for f, m in exc.errors]
            )
        if failure is not None:
            return failure

        def run() -> BaseModel | list[Any]:
            return assess(case, lang=lang, ruleset=ruleset(ruleset_name))

        assessed = call(run)
        if answer == "assessment" or assessed.status_code != 200:
            return assessed
        from conduct_rules.model.assessment import Assessment

        result = Assessment.model_validate_json(bytes(assessed.body))
        return Response(
            json.dumps(assessment_to_fhir(result), ensure_ascii=False), media_type=FHIR_JSON
        )
