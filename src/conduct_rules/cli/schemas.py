"""The JSON Schemas of the input and of every JSON output, as ``conduct-rules schema`` prints them.

Why in the command line's package: the table of output models names results from every layer
(assessment, explanations, comparisons, audit rows), so only the top layer may know it. The
committed ``schemas/*.schema.json`` are written from the same functions (``scripts/gen_docs.py``),
so the command and the files never disagree.
"""

from __future__ import annotations

import json
from typing import Any, Literal, get_args

from pydantic import BaseModel

from conduct_rules.compare import Comparison
from conduct_rules.model.assessment import Assessment
from conduct_rules.model.case import Case
from conduct_rules.model.contracts import (
    AuditComparedRowShape,
    AuditRowShape,
    AuditSummaryShape,
    TrainingMarkingShape,
)
from conduct_rules.rules.ruleset import Ruleset
from conduct_rules.teach.exercise_set import ExerciseSetShape
from conduct_rules.teach.explain import Explanation, WhyNot
from conduct_rules.teach.what_if import WhatIf

__all__ = [
    "OUTPUT_MODELS",
    "SCHEMAS",
    "assessment_schema",
    "case_schema",
    "comparison_schema",
    "output_schema",
    "schema_text",
]

SchemaName = Literal[
    "case",
    "assessment",
    "explanation",
    "why-not",
    "what-if",
    "audit-row",
    "audit-compared-row",
    "audit-summary",
    "training-marking",
    "exercise-set",
    "comparison",
]
#: The schemas ``conduct-rules schema`` prints and ``schemas/`` holds.
SCHEMAS: tuple[SchemaName, ...] = get_args(SchemaName)

_DRAFT = "https://json-schema.org/draft/2020-12/schema"
#: Schema name → the model whose serialised form it describes (outputs; the case is an input).
OUTPUT_MODELS: dict[str, type[BaseModel]] = {
    "assessment": Assessment,
    "explanation": Explanation,
    "why-not": WhyNot,
    "what-if": WhatIf,
    "audit-row": AuditRowShape,
    "audit-compared-row": AuditComparedRowShape,
    "audit-summary": AuditSummaryShape,
    "training-marking": TrainingMarkingShape,
    "exercise-set": ExerciseSetShape,
    "comparison": Comparison,
}


# --------------------------------------------------------------------------------------------
# JSON Schemas


def case_schema(ruleset: Ruleset | None = None) -> dict[str, Any]:
    """JSON Schema of the input: what ``Case.model_validate`` accepts (unknown keys rejected).

    For a ruleset that declares its own flat record, that record's schema instead.
    """
    model = Case if ruleset is None else ruleset.vocabulary.model
    schema = model.model_json_schema(mode="validation")
    return {"$schema": _DRAFT, **schema}


def assessment_schema() -> dict[str, Any]:
    """JSON Schema of the output: what ``Assessment.model_dump(mode="json")`` produces."""
    schema = Assessment.model_json_schema(mode="serialization")
    return {"$schema": _DRAFT, **schema}


def comparison_schema() -> dict[str, Any]:
    """JSON Schema of ``compare``'s output: ``Comparison.model_dump(mode="json")``."""
    return output_schema("comparison")


def output_schema(name: str) -> dict[str, Any]:
    """JSON Schema of a JSON output: what the model of ``name`` serialises to."""
    schema = OUTPUT_MODELS[name].model_json_schema(mode="serialization")
    return {"$schema": _DRAFT, **schema}


def schema_text(name: SchemaName, ruleset: Ruleset | None = None) -> str:
    """The schema as stable JSON text (two-space indent, sorted keys, final newline)."""
    schema = case_schema(ruleset) if name == "case" else output_schema(name)
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
