"""Turn pydantic's validation errors into ours, without echoing input values.

Generic over the case model: ``model.case`` binds it to ``Case`` (``parse_case``), the rules
layer to a ruleset's flat record. Why generic: this module then knows no model, and the case
model can use it without an import cycle.

Why: pydantic's default message includes ``input_value=...``, which would copy client data into
logs and tracebacks. We keep the field path and the kind of problem, nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from conduct_rules.errors import CaseValidationError
from conduct_rules.model.strict_json import DuplicateKeyError, loads

__all__ = ["describe_errors", "parse_model", "parse_model_json"]

M = TypeVar("M", bound=BaseModel)

# Messages that name the problem but never the offending value.
_SAFE_MESSAGES: dict[str, str] = {
    "missing": "field required",
    "extra_forbidden": "unknown field",
    "bool_type": "expected true or false",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "string_type": "expected a string",
    "string_too_short": "must not be empty",
    "string_too_long": "too long",
    "string_unicode": "must be valid Unicode text",
    "greater_than_equal": "must not be negative",
    "less_than_equal": "too large",
    "too_long": "too many items",
    "tuple_type": "expected a list",
    "list_type": "expected a list",
    "model_type": "expected an object",
    "dict_type": "expected an object",
    "model_attributes_type": "expected an object",
    "date_type": "expected a date in the form YYYY-MM-DD",
    "date_parsing": "expected a date in the form YYYY-MM-DD",
    "date_from_datetime_parsing": "expected a date in the form YYYY-MM-DD",
    "date_from_datetime_inexact": "expected a date in the form YYYY-MM-DD",
    "json_invalid": "not valid JSON",
    "json_type": "expected JSON",
}


def _message(err: Mapping[str, Any]) -> str:
    kind = str(err.get("type", ""))
    if kind == "literal_error":
        expected = (err.get("ctx") or {}).get("expected")
        return f"expected one of {expected}" if expected else "value not allowed"
    if kind == "value_error":
        # Our own validators raise messages that never contain the value.
        return str((err.get("ctx") or {}).get("error", "invalid value"))
    if kind == "greater_than_equal":
        bound = (err.get("ctx") or {}).get("ge")
        return "must not be negative" if bound in (0, None) else f"must be at least {bound}"
    if kind == "less_than_equal":
        bound = (err.get("ctx") or {}).get("le")
        return f"must be at most {bound}"
    return _SAFE_MESSAGES.get(kind, kind.replace("_", " ") or "invalid value")


#: Most errors reported for one case; the rest are counted, not listed (a hostile case can carry
#: a hundred thousand unknown keys).
MAX_ERRORS = 50
#: Longest field name echoed in a message. Field names may be echoed (they are not case values),
#: but an unknown key can be a megabyte long or hold control characters that forge log lines.
MAX_NAME = 80


def _name(part: Any) -> str:
    """A field-path component made safe to print: printable, short, and unambiguous.

    A key that is empty or holds a dot is quoted, so ``"services.needed"`` (one unknown key,
    a common mistake) cannot be mistaken for the path ``services.needed``.
    """
    text = str(part)
    if not text.isprintable():
        text = text.encode("unicode_escape", "backslashreplace").decode("ascii")
    if len(text) > MAX_NAME:
        text = f"{text[:MAX_NAME]}…({len(str(part))} characters)"
    if not text or "." in text:
        text = f'"{text}"'
    return text


def describe_errors(exc: ValidationError) -> list[tuple[str, str]]:
    """``(dotted field, safe message)`` for each error, in pydantic's order (at most 50 + 1)."""
    out: list[tuple[str, str]] = []
    errors = exc.errors(include_input=False, include_url=False)
    for err in errors[:MAX_ERRORS]:
        loc = ".".join(_name(p) for p in err.get("loc", ())) or "(case)"
        out.append((loc, _message(err)))
    if len(errors) > MAX_ERRORS:
        out.append(("(case)", f"{len(errors) - MAX_ERRORS} further errors not listed"))
    return out


def parse_model(data: Any, model: type[M]) -> M:
    """Validate a mapping (or pass an instance through) into ``model``, privacy-safe.

    For any case model: the standard ``Case`` (``model.case.parse_case``) or a ruleset's flat record
    (``record.py``). Errors name fields, never values. The error is raised *outside* the
    ``except`` block, so pydantic's own error (whose message and ``input`` hold the case's
    values) is not even kept as ``__context__``: error trackers that walk exception chains find
    nothing to copy.
    """
    if isinstance(data, model):
        return data
    if not isinstance(data, Mapping):
        raise CaseValidationError([("(case)", "expected an object")])
    errors: list[tuple[str, str]]
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        errors = describe_errors(exc)
    except (RecursionError, OverflowError):
        errors = [("(case)", "input too deeply nested or too large")]
    raise CaseValidationError(errors)


def parse_model_json(text: str | bytes, model: type[M]) -> M:
    """Validate JSON text into ``model`` with privacy-safe errors (duplicate keys rejected)."""
    duplicate = ""
    try:
        data = loads(text)
    except DuplicateKeyError as exc:
        data, duplicate = _INVALID, exc.field
    except (ValueError, RecursionError):
        data = _INVALID
    if duplicate:
        raise CaseValidationError([(duplicate, "duplicate key in the JSON text")])
    if data is _INVALID:
        # Outside the ``except``: ``JSONDecodeError.doc`` holds the whole text.
        raise CaseValidationError([("(case)", "not valid JSON")])
    return parse_model(data, model)


_INVALID = object()
