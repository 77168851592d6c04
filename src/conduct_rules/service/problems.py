"""Errors as RFC 9457 problem documents that name the field, never the value.

Why a module of its own: every failure of the service — a body that is not JSON, a case field
of the wrong type, an unknown parameter, an over-large request, a missing API key, a defect —
leaves through one function here, so no path can copy a request value into an answer or a log.
FastAPI's default 422 answer quotes the offending input (``"input": ...``): it is replaced.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from starlette.responses import JSONResponse

from conduct_rules.errors import (
    CaseValidationError,
    ConductRulesError,
    EngineUnavailableError,
    EvaluationError,
    ParameterError,
)
from conduct_rules.model.validation import MAX_ERRORS, _message, _name

__all__ = [
    "PROBLEM_JSON",
    "field_errors",
    "from_library_error",
    "internal_error",
    "problem",
]

PROBLEM_JSON = "application/problem+json"
#: ``type`` URIs: stable names clients can branch on (RFC 9457 §3.1.1).
_TYPE = "urn:conduct-rules:problem:"
_TITLES = {
    "invalid-request": "The request does not fit the contract",
    "unknown-ruleset": "No such ruleset",
    "not-found": "Not found",
    "too-large": "Request too large",
    "unauthorized": "Missing or wrong API key",
    "unsupported-media-type": "Unsupported media type",
    "method-not-allowed": "Method not allowed",
    "evaluation-failed": "The ruleset could not conclude",
    "engine-unavailable": "The rules engine is not available",
    "fhir-unmappable": "The FHIR resources cannot be mapped to a case",
    "not-implemented": "Not installed",
    "internal": "Internal error",
}

_log = logging.getLogger("conduct_rules.service")


def problem(
    status: int,
    kind: str,
    detail: str,
    errors: Iterable[tuple[str, str]] = (),
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """A problem+json response; ``errors`` are ``(field, message)`` pairs, already value-free."""
    body: dict[str, Any] = {
        "type": _TYPE + kind,
        "title": _TITLES.get(kind, kind),
        "status": status,
        "detail": detail,
        "errors": [{"field": f, "message": m} for f, m in errors],
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def field_errors(errors: Sequence[Any]) -> list[tuple[str, str]]:
    """FastAPI/pydantic error dicts to ``(dotted field, safe message)``, input never read.

    The location's leading ``body`` / ``query`` / ``path`` is dropped: clients name fields as
    they wrote them (``case.services.needed``). The message comes from the library's table of
    value-free messages (``model.validation``).
    """
    out: list[tuple[str, str]] = []
    for err in errors[:MAX_ERRORS]:
        loc = [p for p in err.get("loc", ()) if p is not None]
        if loc and loc[0] in ("body", "query", "path", "header"):
            where = loc[0]
            loc = loc[1:]
        else:
            where = "body"
        if where == "body" and not loc and err.get("type") == "missing":
            out.append(("(body)", "a JSON object is required"))
            continue
        field = ".".join(_name(p) for p in loc) or f"({where})"
        out.append((field, _message(err)))
    if len(errors) > MAX_ERRORS:
        out.append(("(body)", f"{len(errors) - MAX_ERRORS} further errors not listed"))
    return out


def from_library_error(
    exc: ConductRulesError, prefix: str = "case", field: str = "(body)"
) -> JSONResponse:
    """Map an error the library raised on purpose (messages carry no case value) to a problem.

    ``prefix``: where the case sits in the request; ``field``: the request field any other
    caller mistake concerns (``item`` for why-not).
    """
    if isinstance(exc, CaseValidationError):
        errors = [(f"{prefix}.{f}" if not f.startswith("(") else prefix, m) for f, m in exc.errors]
        return problem(422, "invalid-request", "the case does not fit the contract", errors)
    if isinstance(exc, ParameterError):
        return problem(422, "invalid-request", str(exc), [("parameters", str(exc))])
    if isinstance(exc, EngineUnavailableError):
        return problem(503, "engine-unavailable", str(exc))
    if isinstance(exc, EvaluationError):  # a defect of the ruleset, never of the request
        return problem(500, "evaluation-failed", str(exc))
    return problem(422, "invalid-request", str(exc), [(field, str(exc))])


def internal_error(exc: BaseException) -> JSONResponse:
    """A defect: logged without its message (which could hold a value), answered as 500."""
    del exc  # never formatted: neither its text nor its traceback reaches a log
    _log.error("internal error while answering a request")
    return problem(500, "internal", "the service could not answer; nothing was kept")
