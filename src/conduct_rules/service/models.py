"""The service's request and answer bodies, built from the library's own pydantic models.

Why reuse ``Case``, ``Assessment``, ``Explanation``, ``WhyNot`` and ``ChangeSet`` rather than
declare HTTP twins: the OpenAPI document is generated from these classes, so a client written from
it reads and writes exactly the JSON the library validates and returns, and a new case field or
assessment item reaches the HTTP contract with no second edit. Only the envelope (language,
ruleset, parameter overrides) is new here.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from conduct_rules.model.case import Case
from conduct_rules.rules.files import ProvisionSpec

__all__ = [
    "MAX_PARAMETERS",
    "AssessRequest",
    "CompareRequest",
    "ExplainRequest",
    "Health",
    "ParameterInfo",
    "Problem",
    "ProblemField",
    "ProvisionInfo",
    "RulesetInfo",
    "WhatIfRequest",
    "WhyNotRequest",
]

#: Most parameter overrides one request may carry (the Ontario ruleset has a handful).
MAX_PARAMETERS = 32

RulesetName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[a-z0-9][a-z0-9_-]*$",
        description="A built-in ruleset name, as listed by GET /v1/rulesets (not a folder).",
    ),
]
Parameters = Annotated[
    dict[
        Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")],
        Annotated[int, Field(ge=0, le=1_000_000, strict=True)],
    ],
    Field(
        max_length=MAX_PARAMETERS,
        description='Named thresholds to override, e.g. {"min_attempts": 3}.',
    ),
]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    case: Case
    lang: Literal["en", "fr"] = "en"
    ruleset: RulesetName = "ontario"
    parameters: Parameters = {}


class AssessRequest(_Request):
    """One case to assess; the answer is exactly ``assess(case, ...)`` as JSON."""


class ExplainRequest(_Request):
    """One case whose derivation is wanted: each rule that fired, on which facts."""


class WhyNotRequest(_Request):
    """One case and an item (verdict, action, safeguard, record, finding) that does not hold."""

    item: str = Field(
        min_length=1,
        max_length=128,
        pattern=r"^([a-z_]+:)?[a-z0-9_.]+$",
        description="An item id, optionally prefixed by its kind (documentation:legal_advice).",
    )


class WhatIfRequest(_Request):
    """One case; the answer lists the smallest sets of member steps that permit ending."""

    max_changes: int = Field(default=3, ge=0, le=5, strict=True)
    limit: int = Field(default=10, ge=1, le=50, strict=True)


class CompareRequest(BaseModel):
    """One case to assess against several colleges' rulesets (dual registrants): the answer is
    exactly ``compare(case, rulesets, ...)`` as JSON, the stricter verdict first."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    case: Case
    lang: Literal["en", "fr"] = "en"
    rulesets: list[RulesetName] = Field(
        default=["ontario", "crpo-6.3"],
        min_length=1,
        max_length=8,
        description="Built-in ruleset names, as listed by GET /v1/rulesets.",
    )


class ParameterInfo(BaseModel):
    """A named threshold a request may override, with its bounds and meaning."""

    default: int
    minimum: int
    maximum: int
    en: str
    fr: str


class RulesetInfo(BaseModel):
    """A built-in ruleset: the name requests use, its own id and version, what it declares."""

    name: str
    id: str
    version: str
    parameters: dict[str, ParameterInfo]
    provisions: list[str]


class ProvisionInfo(ProvisionSpec):
    """A provision of a ruleset's registry, with its id (the registry's own model)."""

    id: str


class Health(BaseModel):
    """The answer of ``GET /healthz``."""

    status: Literal["ok"]
    version: str
    engine: str


class ProblemField(BaseModel):
    """One offending field: its dotted path in the request, and what is wrong (never its value)."""

    field: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document (``application/problem+json``)."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[ProblemField] = []
