"""A blank case to fill in: every field with its default and, above it, what it means.

Why generated from the model: the descriptions a social worker reads here are the ones in the
JSON Schema (``Field(description=...)``), so the template, the schema and the docs page of the
case fields can never say different things. YAML because it carries comments; ``--format json``
gives the same defaults as plain JSON for tools that want it.
"""

from __future__ import annotations

import json
import textwrap
import types
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from conduct_rules.model.case import Case

__all__ = ["EXAMPLE_ID", "template_json", "template_yaml"]

#: The placeholder identifier of a blank case (a file number, never a name).
EXAMPLE_ID = "C-0001"

_HEAD = (
    "# A blank case for conduct-rules. Every field has a default except case_id; change what",
    "# applies to your case, delete nothing. Then: conduct-rules assess THIS-FILE.yaml",
    "# (JSON works too: conduct-rules template --format json).",
)


def _choices(annotation: Any) -> tuple[str, ...]:
    """The allowed values of an enumerated field (through Optional and tuples)."""
    origin = get_origin(annotation)
    if origin is Literal:
        return tuple(str(a) for a in get_args(annotation))
    if origin in (Union, types.UnionType, tuple):
        return tuple(c for a in get_args(annotation) for c in _choices(a))
    return ()


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, tuple | list):
        return json.dumps(list(value))
    return json.dumps(value)


def _walk(model: type[BaseModel], indent: int, defaults: dict[str, Any]) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for name, info in model.model_fields.items():
        description = info.description or ""
        choices = _choices(info.annotation)
        if choices and name != "documented":
            description += f" One of: {', '.join(choices)}."
        wrapped = textwrap.wrap(description, width=96 - indent) if description else []
        lines += [f"{pad}# {line}" for line in wrapped]
        nested = _model_of(info.annotation)
        value = defaults.get(name)
        if nested is not None and isinstance(value, dict):
            lines.append(f"{pad}{name}:")
            lines += _walk(nested, indent + 2, value)
        else:
            lines.append(f"{pad}{name}: {_scalar(value)}")
            if nested is not None:  # a list of objects: show one item's shape
                item = ", ".join(f"{k}: ..." for k in nested.model_fields)
                lines.append(f"{pad}# e.g. - {{{item}}}")
                lines += _walk_items(nested, indent)
    return lines


def _walk_items(model: type[BaseModel], indent: int) -> list[str]:
    pad = " " * indent
    out = []
    for name, info in model.model_fields.items():
        text = f"{name}: {info.description or ''}".strip()
        out += [f"{pad}#   {line}" for line in textwrap.wrap(text, width=94 - indent)]
    return out


def template_yaml() -> str:
    """The blank case as commented YAML (valid YAML; ``assess`` reads it)."""
    defaults = Case(case_id=EXAMPLE_ID).model_dump(mode="json")
    lines = [*_HEAD, "", *_walk(Case, 0, defaults)]
    return "\n".join(lines) + "\n"


def template_json() -> str:
    """The blank case as JSON: the same defaults, without comments."""
    return json.dumps(Case(case_id=EXAMPLE_ID).model_dump(mode="json"), indent=2) + "\n"
