"""The published JSON shapes: one pydantic model per JSON output, one schema name each.

Why models for outputs that are not written with pydantic: an audit row is written by hand for
speed (``audit.writers.json_line``) and a summary is a dataclass, yet integrators need a schema for
both. Describing them here, with pydantic, gives the schema from the same generator as the case
and the assessment (``cli.schemas.schema_text``, which also lists every output's model); a test
validates real outputs against every schema, so a writer that drifts from its description fails
CI.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from conduct_rules.model.version import SCHEMA_VERSION

__all__ = [
    "AuditComparedRowShape",
    "AuditRowShape",
    "AuditSummaryShape",
    "RulesetUsedShape",
    "TrainingMarkingShape",
]


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AuditRowShape(_Shape):
    """One line of ``conduct-rules audit --format jsonl``: one input row's outcome.

    An assessed row has a verdict and lists; a rejected row has ``error_field`` and ``error``
    (never a case value) and its ``case_id`` only when that identifier was itself valid.
    """

    row: int = Field(ge=1, description="1-based position of the row in the input.")
    case_id: str | None = Field(description="The case's identifier, when it could be read.")
    status: Literal["assessed", "rejected"]
    verdict: str | None = Field(description="not_permitted, conditional or permitted.")
    termination_required: bool | None
    outstanding_safeguards: list[str] = Field(description="Safeguard ids still to meet.")
    missing_documentation: list[str] = Field(description="Record ids not yet in the file.")
    findings: list[str] = Field(description="Possible breaches (past endings).")
    warnings: list[str] = Field(description="Ids of warnings about contradictory facts.")
    error_field: str | None = Field(description="For a rejected row: the field at fault.")
    error: str | None = Field(description="For a rejected row: what is wrong, without values.")
    stage: str | None = Field(
        default=None, description="The case's stage (considering, ended, continued), if any."
    )
    initiated_by: str | None = Field(
        default=None, description="Who initiated the ending (member, client), if recorded."
    )
    schema_version: str = Field(
        default=SCHEMA_VERSION, description="The version of this row's shape (the last key)."
    )


class AuditComparedRowShape(_Shape):
    """One line of ``conduct-rules audit --rulesets A,B --format jsonl``: one input row against
    several rulesets, with the stricter verdict, and for each ruleset ``<ruleset>.verdict``,
    ``<ruleset>.outstanding_safeguards``, ``<ruleset>.missing_documentation`` and
    ``<ruleset>.findings`` (null for a rejected row)."""

    model_config = ConfigDict(extra="allow", frozen=True)
    __pydantic_extra__: dict[str, str | list[str] | None] = Field(init=False)

    row: int = Field(ge=1, description="1-based position of the row in the input.")
    case_id: str | None = Field(description="The case's identifier, when it could be read.")
    status: Literal["assessed", "rejected"]
    verdict: str | None = Field(description="The stricter verdict of the rulesets.")
    verdict_from: list[str] | None = Field(description="The rulesets whose verdict it is.")
    error_field: str | None = Field(description="For a rejected row: the field at fault.")
    error: str | None = Field(description="For a rejected row: what is wrong, without values.")
    schema_version: str = Field(
        default=SCHEMA_VERSION, description="The version of this row's shape (the last key)."
    )


class AuditSummaryShape(_Shape):
    """``AuditSummary.as_dict()``: counts over a whole batch, every id of the ruleset listed."""

    total: int
    assessed: int
    rejected: int
    needs_attention: int
    termination_required: int
    verdicts: dict[str, int]
    findings: dict[str, int]
    outstanding_safeguards: dict[str, int]
    missing_documentation: dict[str, int]
    warnings: dict[str, int]
    rejected_fields: dict[str, int]
    verdicts_by_stage: dict[str, dict[str, int]] = Field(
        default_factory=dict, description="Verdict counts per stage."
    )
    verdicts_by_initiator: dict[str, dict[str, int]] = Field(
        default_factory=dict, description="Verdict counts per initiator (member, client)."
    )
    schema_version: str = SCHEMA_VERSION


class RulesetUsedShape(_Shape):
    """The ruleset and parameter values an answer key was made with (as an assessment nests
    them), so that a set made with ``--parameters`` is marked with the same ones."""

    id: str
    version: str
    parameters: dict[str, int]


class TrainingMarkingShape(_Shape):
    """``conduct-rules train --answers FILE --format json``: the marking of a class's answers."""

    schema_version: str = SCHEMA_VERSION
    seed: int
    exercises: list[str]
    feedback: list[dict[str, Any]] = Field(description="One ``Feedback`` per answer, in order.")
    score: float
    out_of: int
    marked: str = Field(description="What was marked, in words.")
    unanswered: list[dict[str, Any]] = Field(
        description="Answers with questions left blank: {answer: n, questions: [...]}."
    )
    ruleset: RulesetUsedShape | None = Field(
        default=None, description="The ruleset and parameters the answer key was made with."
    )
