"""Flat case records: a ruleset's own case vocabulary, declared as data in ``ruleset.yaml``.

Why: the standard ``Case`` is the Ontario contract. Another code (or a benchmark) may read facts
the standard case does not hold, and many exports are flat rows anyway. A ruleset with a
``record:`` block gets a model built from that block here: strict like ``Case`` (unknown fields
rejected, no coercion, bounded numbers, immutable), with a ``case_id`` and the declared fields as
attributes, so every engine reads it exactly as it reads a ``Case``. The block is data: it names
types from a closed list and cannot execute code.
"""

from __future__ import annotations

import keyword
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    create_model,
)

from conduct_rules.errors import RulesetError
from conduct_rules.model.case import CaseId
from conduct_rules.rules import files as s

__all__ = ["Record", "record_model"]

#: Bounds for a declared whole number when the ruleset gives none (the ``Case`` counts' bound).
DEFAULT_INT_RANGE = (0, 10_000)


class Record(BaseModel):
    """Base of every flat record model; ``record_model`` adds the ruleset's fields.

    ``hide_input_in_errors``: pydantic's own error would otherwise quote the client's values.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    case_id: CaseId


def _bounded(limit: int) -> Any:
    def check(value: Any) -> Any:
        # Checked before the items: pydantic validates every item before ``max_length``.
        if isinstance(value, list | tuple) and len(value) > limit:
            raise ValueError(f"too many items (at most {limit})")
        return value

    return BeforeValidator(check)


def _as_set(value: tuple[str, ...]) -> tuple[str, ...]:
    # As ``Case.documented``: the answer never depends on the order items were listed in.
    return tuple(sorted(set(value)))


_RESERVED = frozenset(dir(BaseModel)) | {"case_id"}


def _field(name: str, f: s.RecordFieldSpec, label: str) -> tuple[Any, Any]:
    """The annotation and default of one declared field; inconsistent declarations raise."""
    where = f"record.fields.{name}"

    def bad(message: str) -> RulesetError:
        return RulesetError(message, file=label, field=where)

    if name in _RESERVED or keyword.iskeyword(name):
        raise bad(f"'{name}' is a reserved name")
    has_bounds = f.minimum is not None or f.maximum is not None
    if f.type != "int" and has_bounds:
        raise bad("'minimum' and 'maximum' apply to int fields only")
    if f.type in ("enum", "list"):
        if not f.values:
            raise bad(f"a{'n' if f.type == 'enum' else ''} {f.type} field needs 'values'")
        if len(set(f.values)) != len(f.values):
            raise bad("duplicate entry in 'values'")
    elif f.values is not None:
        raise bad("'values' apply to enum and list fields only")
    default: Any = f.default
    annotation: Any
    if f.type == "bool":
        annotation = StrictBool
        ok = default is None or type(default) is bool
    elif f.type == "int":
        low, high = DEFAULT_INT_RANGE
        low = low if f.minimum is None else f.minimum
        high = high if f.maximum is None else f.maximum
        if low > high:
            raise bad("minimum is above maximum")
        annotation = Annotated[StrictInt, Field(ge=low, le=high)]
        ok = default is None or (type(default) is int and low <= default <= high)
    elif f.type == "enum":
        values: Sequence[str] = f.values or ()
        annotation = Literal[tuple(values)]
        ok = default is None or (type(default) is str and default in values)
    else:
        values = f.values or ()
        item: Any = Literal[tuple(values)]
        annotation = Annotated[
            tuple[item, ...],
            _bounded(10 * len(values)),
            AfterValidator(_as_set),
        ]
        ok = default is None or (type(default) is list and set(default) <= set(values))
        if ok and default is not None:
            default = tuple(sorted(set(default)))
    if not ok:
        raise bad(f"default does not fit a{'n' if f.type in ('int', 'enum') else ''} {f.type}")
    return annotation, Field(... if default is None else default, description=f.en)


def record_model(spec: s.RecordSpec, ruleset_id: str, label: str) -> type[Record]:
    """The record model a ``record:`` block declares (fields in the block's order)."""
    fields = {name: _field(name, f, label) for name, f in spec.fields.items()}
    name = "Record_" + "".join(ch if ch.isalnum() else "_" for ch in ruleset_id)
    definitions: dict[str, Any] = fields
    model: type[Record] = create_model(name, __base__=Record, **definitions)
    model.__doc__ = spec.en
    return model
