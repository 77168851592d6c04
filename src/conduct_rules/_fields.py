"""The vocabulary rules may speak: case fields, their types, and the features computed from them.

Why derive it from the ``Case`` model: the ruleset loader must reject a rule that names a field the
case does not have, or compares a yes/no field to a number, and the model is the one place the
contract lives. A *feature* is what a condition reads: a scalar case field (``stage``), or an
aggregate over a list (``count(termination_session.attempts)``,
``distinct(termination_session.attempts.channel)``, ``contains(documented,legal_advice)``).
Both engines read the same features, computed once per case here.
"""

from __future__ import annotations

import operator
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from conduct_rules.case import Case

__all__ = ["FeatureExtractor", "FieldType", "case_fields", "feature_type"]


@dataclass(frozen=True)
class FieldType:
    """The type of a case field or feature, as far as conditions care."""

    kind: Literal["bool", "int", "enum", "list_enum", "list_obj", "date"]
    nullable: bool = False
    values: tuple[str, ...] = ()  # allowed values of an enum / list of enum
    item_fields: tuple[tuple[str, FieldType], ...] = ()  # sub-fields of a list of objects

    def describe(self) -> str:
        """A short human name for messages."""
        if self.kind == "enum":
            return "one of " + ", ".join(self.values)
        return {"bool": "true/false", "int": "a whole number", "date": "a date"}.get(
            self.kind, self.kind.replace("_", " of ")
        )


def _strip_annotated(tp: Any) -> Any:
    while get_origin(tp) is typing.Annotated:
        tp = get_args(tp)[0]
    return tp


def _type_of(annotation: Any) -> FieldType | type[BaseModel]:
    tp = _strip_annotated(annotation)
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        inner = _type_of(args[0])
        assert isinstance(inner, FieldType)
        return FieldType(inner.kind, True, inner.values, inner.item_fields)
    if origin is Literal:
        return FieldType("enum", values=tuple(str(v) for v in get_args(tp)))
    if origin is tuple:
        item = _strip_annotated(get_args(tp)[0])
        if get_origin(item) is Literal:
            return FieldType("list_enum", values=tuple(str(v) for v in get_args(item)))
        if isinstance(item, type) and issubclass(item, BaseModel):
            subs = tuple(
                (name, t)
                for name, f in item.model_fields.items()
                if isinstance(t := _type_of(f.annotation), FieldType)
            )
            return FieldType("list_obj", item_fields=subs)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp
    if tp is bool:
        return FieldType("bool")
    if tp is int:
        return FieldType("int")
    if getattr(tp, "__name__", "") == "date":
        return FieldType("date")
    raise TypeError(f"unsupported case field type: {tp!r}")


def _walk(model: type[BaseModel], prefix: str) -> Iterable[tuple[str, FieldType]]:
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        if path == "case_id":  # an identifier, never a fact a rule may read
            continue
        t = _type_of(info.annotation)
        if isinstance(t, FieldType):
            yield path, t
        else:
            yield from _walk(t, path + ".")


_CASE_FIELDS: dict[str, FieldType] = dict(_walk(Case, ""))


def case_fields() -> Mapping[str, FieldType]:
    """Every dotted case path a rule may name, with its type (``case_id`` excluded)."""
    return _CASE_FIELDS


def feature_type(key: str) -> FieldType | None:
    """The type of a feature key, or None if the key names no case field."""
    if key in _CASE_FIELDS:
        return _CASE_FIELDS[key]
    if key.startswith("count(") and key.endswith(")"):
        base = _CASE_FIELDS.get(key[6:-1])
        return FieldType("int") if base and base.kind in ("list_obj", "list_enum") else None
    if key.startswith("distinct(") and key.endswith(")"):
        path, _, sub = key[9:-1].rpartition(".")
        base = _CASE_FIELDS.get(path)
        if base and base.kind == "list_obj" and sub in dict(base.item_fields):
            return FieldType("int")
        return None
    if key.startswith("contains(") and key.endswith(")"):
        path, _, value = key[9:-1].partition(",")
        base = _CASE_FIELDS.get(path)
        if base and base.kind == "list_enum" and value in base.values:
            return FieldType("bool")
        return None
    return None


def _getter(path: str) -> Callable[[Case], Any]:
    # ``attrgetter`` follows a dotted path in C: several times faster than a Python loop.
    return operator.attrgetter(path)


def _extractor(key: str) -> Callable[[Case], Any]:
    if key.startswith("count("):
        get_list = _getter(key[6:-1])
        return lambda c: len(get_list(c))
    if key.startswith("distinct("):
        path, _, sub = key[9:-1].rpartition(".")
        get_list = _getter(path)
        get_sub = operator.attrgetter(sub)
        return lambda c: len(set(map(get_sub, get_list(c))))
    if key.startswith("contains("):
        path, _, value = key[9:-1].partition(",")
        get_list = _getter(path)
        return lambda c: value in get_list(c)
    return _getter(key)


class FeatureExtractor:
    """Computes, for one case, exactly the features a compiled ruleset reads."""

    __slots__ = ("_getters", "keys")

    def __init__(self, keys: Iterable[str]) -> None:
        self.keys: tuple[str, ...] = tuple(sorted(set(keys)))
        self._getters = tuple((k, _extractor(k)) for k in self.keys)

    def __call__(self, case: Case) -> dict[str, Any]:
        return {k: g(case) for k, g in self._getters}
