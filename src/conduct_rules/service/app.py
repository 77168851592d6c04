"""The HTTP application: one route per library function, answers in the library's own JSON.

Why so thin: every answer is the library's (``assess``, ``explain``, ``why_not``,
``what_would_permit``, the batch rows of ``assess_many``), serialised by the library's models, so
``POST /v1/assess`` returns byte for byte what ``assess(case).model_dump_json()`` gives. The routes
are plain functions run in the server's thread pool: the engines are CPU-bound, and the
durable_rules host is already behind the library's lock.

Only built-in rulesets can be named: a request that could name a folder could make the service
read any file its process can.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response, StreamingResponse

from conduct_rules.api import assess, default_backend, get_ruleset
from conduct_rules.compare import Comparison, compare
from conduct_rules.errors import ConductRulesError
from conduct_rules.model.assessment import Assessment
from conduct_rules.model.version import PACKAGE_VERSION
from conduct_rules.rules.ruleset import Ruleset, available_rulesets
from conduct_rules.service.batch import BatchRowModel, batch_rows, read_batch
from conduct_rules.service.guard import Guard, Limits
from conduct_rules.service.models import (
    AssessRequest,
    CompareRequest,
    ExplainRequest,
    Health,
    ParameterInfo,
    Problem,
    ProvisionInfo,
    RulesetInfo,
    WhatIfRequest,
    WhyNotRequest,
)
from conduct_rules.service.problems import (
    PROBLEM_JSON,
    field_errors,
    from_library_error,
    internal_error,
    problem,
)
from conduct_rules.teach.counterfactual import ChangeSet, what_would_permit
from conduct_rules.teach.explain import Explanation, WhyNot, explain, why_not

__all__ = ["create_app", "openapi_document"]

T = TypeVar("T")

_PROBLEM = {"model": Problem, "content": {PROBLEM_JSON: {}}}
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "API key missing or wrong (only when the service has one)", **_PROBLEM},
    413: {"description": "Request body too large", **_PROBLEM},
    422: {"description": "The request does not fit the contract", **_PROBLEM},
}
_DESCRIPTION = """\
Professional standards for ending a client relationship, as cited rules. Every answer is the
JSON the Python library returns for the same call. Errors are RFC 9457 problem documents
(`application/problem+json`) naming the offending field, never its value. When the service is
started with an API key, send it as `Authorization: Bearer <key>` (not needed for `/healthz`
and `/openapi.json`).
"""


def _case_rulesets() -> tuple[str, ...]:
    """The built-in rulesets whose cases are the standard ``Case`` (the service's body model).

    Not cached here: ``get_ruleset`` loads each built-in once (``api``'s registry), and listing
    the built-in folder costs microseconds.
    """
    return tuple(n for n in available_rulesets() if get_ruleset(n).vocabulary.is_case)


class _UnknownRulesetError(Exception):
    """A ruleset or provision that does not exist (a 404 on a path, a 422 in a body)."""


def _ruleset(name: str) -> Ruleset:
    if name not in _case_rulesets():
        raise _UnknownRulesetError(name)
    return get_ruleset(name)


def _answer(model: BaseModel | list[Any]) -> Response:
    if isinstance(model, BaseModel):
        return Response(model.model_dump_json(), media_type="application/json")
    body = "[" + ",".join(m.model_dump_json() for m in model) + "]"
    return Response(body, media_type="application/json")


def _call(fn: Callable[[], BaseModel | list[Any]], field: str = "(body)") -> Response:
    """Run a library call; its deliberate errors become problems naming fields, never values."""
    failure: Response | None = None
    try:
        return _answer(fn())
    except _UnknownRulesetError:
        known = ", ".join(_case_rulesets())
        failure = problem(
            422,
            "unknown-ruleset",
            f"no such ruleset; available: {known}",
            [("ruleset", f"expected one of {known}")],
        )
    except ConductRulesError as exc:
        failure = from_library_error(exc, field=field)
    # Returned outside the ``except``: nothing chains the library's exception to the answer.
    return failure


def _params(body: AssessRequest | ExplainRequest | WhyNotRequest | WhatIfRequest) -> Any:
    return body.parameters or None


def create_app(
    *,
    api_key: str | None = None,
    limits: Limits | None = None,
    cors_origins: tuple[str, ...] = (),
) -> Guard:
    """The service as an ASGI application (what ``conduct-rules serve`` runs).

    ``api_key``: when given, every ``/v1`` request must carry it. ``cors_origins``: origins a
    browser may call from; none by default, so no CORS header is ever sent.
    """
    limits = limits or Limits()
    app = FastAPI(
        title="conduct-rules",
        version=PACKAGE_VERSION,
        description=_DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url=None,  # the interactive pages load scripts from the internet: not here
        redoc_url=None,
        separate_input_output_schemas=False,
    )
    _errors(app)
    _routes(app, limits)
    _contract(app)
    if cors_origins:
        from starlette.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    return Guard(app, api_key=api_key, limits=limits)


def openapi_document() -> dict[str, Any]:
    """The service's OpenAPI document with the default settings (``schemas/openapi.json``)."""
    guard = create_app()
    app = guard.app
    assert isinstance(app, FastAPI)
    return app.openapi()


def _contract(app: FastAPI) -> None:
    """Make the generated OpenAPI document say what the service does on errors.

    FastAPI documents its own 422 body (``HTTPValidationError``, which quotes the input); this
    service answers every error with a problem document instead, so each error response is
    rewritten to ``application/problem+json`` with the ``Problem`` schema, and the statuses the
    outer layer can give (401 with a key, 413 for a large body) are declared on every operation.
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        doc = generate()
        ref = {"$ref": "#/components/schemas/Problem"}
        problem_content = {PROBLEM_JSON: {"schema": ref}}
        for path, item in doc.get("paths", {}).items():
            for method, op in item.items():
                responses = op.setdefault("responses", {})
                if path.startswith("/v1/"):
                    responses.setdefault("401", {"description": "API key missing or wrong"})
                    op["security"] = [{}, {"bearer": []}]
                if method == "post" or path.startswith("/v1/"):
                    responses.setdefault("413", {"description": "Request body too large"})
                    responses.setdefault("422", {"description": "Request does not fit"})
                for code, response in responses.items():
                    if code[0] in "45":
                        response["content"] = problem_content
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        doc["components"]["securitySchemes"] = {
            "bearer": {"type": "http", "scheme": "bearer", "description": "The API key, if set"}
        }
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]


def _errors(app: FastAPI) -> None:
    @app.exception_handler(Exception)
    async def defect(request: Request, exc: Exception) -> JSONResponse:
        # Starlette answers with this, then re-raises for the server to log; ``Guard`` stops it.
        return internal_error(exc)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return problem(
                422, "invalid-request", "the body is not valid JSON", [("(body)", "not valid JSON")]
            )
        return problem(
            422, "invalid-request", "the request does not fit the contract", field_errors(errors)
        )

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        if exc.status_code == 400:  # a body the framework cannot decode (not UTF-8 JSON)
            return problem(
                422, "invalid-request", "the body is not valid JSON", [("(body)", "not valid JSON")]
            )
        kinds = {404: "not-found", 405: "method-not-allowed", 415: "unsupported-media-type"}
        kind = kinds.get(exc.status_code, "invalid-request")
        detail = {404: "no such resource", 405: "method not allowed here"}.get(
            exc.status_code, "the request cannot be answered"
        )
        return problem(exc.status_code, kind, detail, headers=exc.headers)


def _routes(app: FastAPI, limits: Limits) -> None:
    @app.get("/healthz", response_model=Health, tags=["service"])
    def healthz() -> Health:
        """Liveness: the service answers and the rules engine of record is known."""
        return Health(status="ok", version=PACKAGE_VERSION, engine=default_backend())

    @app.post("/v1/assess", response_model=Assessment, responses=_ERRORS, tags=["assess"])
    def assess_route(body: AssessRequest) -> Response:
        """Assess one case: verdict, permitted actions, safeguards, records, findings."""
        return _call(
            lambda: assess(
                body.case,
                lang=body.lang,
                ruleset=_ruleset(body.ruleset),
                parameters=_params(body),
            )
        )

    @app.post(
        "/v1/assess/batch",
        response_class=StreamingResponse,
        responses={
            200: {
                "description": "JSON Lines: one row per input case, in input order",
                "content": {"application/x-ndjson": {"schema": BatchRowModel.model_json_schema()}},
            },
            415: {"description": "Neither JSON nor JSON Lines", **_PROBLEM},
            **_ERRORS,
        },
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "array",
                            "maxItems": limits.batch_rows,
                            "items": {"$ref": "#/components/schemas/Case"},
                        }
                    },
                    "application/x-ndjson": {
                        "schema": {
                            "type": "array",
                            "maxItems": limits.batch_rows,
                            "items": {"$ref": "#/components/schemas/Case"},
                        },
                        "description": "JSON Lines: one case per line (the array's items)",
                    },
                },
            }
        },
        tags=["assess"],
    )
    async def batch_route(
        request: Request,
        lang: Annotated[Literal["en", "fr"], Query()] = "en",
        ruleset: Annotated[str, Query(max_length=64)] = "ontario",
        parameter: Annotated[
            list[str],
            Query(
                max_length=32,
                description="A threshold override as name=value; repeat for several.",
            ),
        ] = [],  # noqa: B006 - FastAPI reads the default, never mutates it
    ) -> Response:
        """Assess many cases (a JSON array, or JSON Lines); streams one JSON Lines row per case.

        A case that does not fit the contract becomes a ``rejected`` row naming the field; it
        never stops the batch. Rows come in input order, numbered from 1.
        """
        read = read_batch(
            await request.body(), request.headers.get("content-type", ""), limits.batch_rows
        )
        if isinstance(read, Response):
            return read
        try:
            overrides = _parse_overrides(parameter)
            rs = _ruleset(ruleset)
            rows = batch_rows(read, rs, lang, overrides)
        except _UnknownRulesetError:
            rows = None
        except ConductRulesError as exc:
            return problem(422, "invalid-request", str(exc), [("parameter", str(exc))])
        if rows is None:
            known = ", ".join(_case_rulesets())
            return problem(
                422, "unknown-ruleset", f"no such ruleset; available: {known}", [("ruleset", known)]
            )
        return StreamingResponse(rows, media_type="application/x-ndjson")

    @app.post("/v1/explain", response_model=Explanation, responses=_ERRORS, tags=["explain"])
    def explain_route(body: ExplainRequest) -> Response:
        """The derivation: each rule that fired, on which facts, citing which provisions."""
        return _call(
            lambda: explain(
                body.case, lang=body.lang, ruleset=_ruleset(body.ruleset), parameters=_params(body)
            )
        )

    @app.post("/v1/why-not", response_model=WhyNot, responses=_ERRORS, tags=["explain"])
    def why_not_route(body: WhyNotRequest) -> Response:
        """Why an item does not hold, and what each rule that would conclude it still lacks."""
        return _call(
            lambda: why_not(
                body.case,
                body.item,
                lang=body.lang,
                ruleset=_ruleset(body.ruleset),
                parameters=_params(body),
            ),
            field="item",
        )

    @app.post("/v1/what-if", response_model=list[ChangeSet], responses=_ERRORS, tags=["explain"])
    def what_if_route(body: WhatIfRequest) -> Response:
        """The smallest sets of steps open to the member that would make ending permitted."""
        return _call(
            lambda: what_would_permit(
                body.case,
                lang=body.lang,
                ruleset=_ruleset(body.ruleset),
                parameters=_params(body),
                max_changes=body.max_changes,
                limit=body.limit,
            )
        )

    @app.post("/v1/compare", response_model=Comparison, responses=_ERRORS, tags=["assess"])
    def compare_route(body: CompareRequest) -> Response:
        """Dual registrants: each college's assessment of one case and the stricter answer."""
        return _call(
            lambda: compare(
                body.case,
                rulesets=[_ruleset(name) for name in body.rulesets],
                lang=body.lang,
            )
        )

    @app.get("/v1/rulesets", response_model=list[RulesetInfo], tags=["rulesets"])
    def rulesets_route() -> list[RulesetInfo]:
        """The built-in rulesets a request may name, with their parameters and provisions."""
        return [_info(n, get_ruleset(n)) for n in _case_rulesets()]

    @app.get(
        "/v1/rulesets/{name}/provisions/{provision}",
        response_model=ProvisionInfo,
        responses={404: {"description": "No such ruleset or provision", **_PROBLEM}},
        tags=["rulesets"],
    )
    def provision_route(
        name: Annotated[str, Path(max_length=64)], provision: Annotated[str, Path(max_length=80)]
    ) -> Response:
        """One provision: its source, edition, force, and English and French paraphrases."""
        if name not in _case_rulesets():
            return problem(404, "not-found", "no such ruleset", [("name", "unknown ruleset")])
        spec = get_ruleset(name).provisions.get(provision)
        if spec is None:
            return problem(404, "not-found", "no such provision", [("provision", "unknown")])
        fields = {k: v for k, v in dataclasses.asdict(spec).items() if k != "id"}
        info = ProvisionInfo(id=provision, **fields)
        return _answer(info)

    from conduct_rules.service.fhir_route import add_fhir_route

    add_fhir_route(app, _ruleset, _call, _ERRORS)


def _parse_overrides(items: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not value.isdigit() or len(value) > 7 or not name.isidentifier():
            raise ConductRulesError("each parameter must be name=whole number, e.g. min_attempts=3")
        out[name] = int(value)
    return out


def _info(name: str, rs: Ruleset) -> RulesetInfo:
    params = {
        k: ParameterInfo(default=p.default, minimum=p.minimum, maximum=p.maximum, en=p.en, fr=p.fr)
        for k, p in rs.parameters.items()
    }
    return RulesetInfo(
        name=name, id=rs.id, version=rs.version, parameters=params, provisions=list(rs.provisions)
    )
