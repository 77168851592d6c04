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

from conduct_rules.errors import CaseValidationError
from conduct_rules.model.case import Case
from conduct_rules.model.validation import parse_model
from conduct_rules.rules.record import Record

__all__ = [
    "CASE_VOCABULARY",
    "FeatureExtractor",
    "FieldType",
    "Vocabulary",
    "case_fields",
    "feature_type",
    "fields_of",
    "record_vocabulary",
]


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


#: The attribute of a case model class holding its ``fields_of`` (computed once per class).
_FIELDS_ATTR = "__conduct_rules_fields__"


def fields_of(model: type[BaseModel]) -> Mapping[str, FieldType]:
    """Every dotted field path of a case model (``Case`` or a record), with its type.

    Kept on the model class itself, the one object it describes (no module cache: a record
    model made for a ruleset goes with it). Read from the class's own ``__dict__``, so a
    subclass gets its own.
    """
    found = vars(model).get(_FIELDS_ATTR)
    if found is None:
        found = types.MappingProxyType(dict(_walk(model, "")))
        type.__setattr__(model, _FIELDS_ATTR, found)
    fields: Mapping[str, FieldType] = found
    return fields


def _feature_type(fields: Mapping[str, FieldType], key: str) -> FieldType | None:
    if key in fields:
        return fields[key]
    if key.startswith("count(") and key.endswith(")"):
        base = fields.get(key[6:-1])
        return FieldType("int") if base and base.kind in ("list_obj", "list_enum") else None
    if key.startswith("distinct(") and key.endswith(")"):
        path, _, sub = key[9:-1].rpartition(".")
        base = fields.get(path)
        if base and base.kind == "list_obj" and sub in dict(base.item_fields):
            return FieldType("int")
        return None
    if key.startswith("contains(") and key.endswith(")"):
        path, _, value = key[9:-1].partition(",")
        base = fields.get(path)
        if base and base.kind == "list_enum" and value in base.values:
            return FieldType("bool")
        return None
    return None


class Vocabulary:
    """What a ruleset's conditions may read, and the model that validates its cases.

    Why an object: most rulesets read the standard ``Case`` (``CASE_VOCABULARY``), but a ruleset
    may declare a flat record of its own (``record.py``); the loader's type checks, the engines
    and the parsers then ask the ruleset's vocabulary instead of assuming the ``Case``.
    """

    __slots__ = ("_source", "fields", "model")

    def __init__(self, model: type[BaseModel], source: tuple[Any, ...] = ()) -> None:
        self.model = model
        self.fields: Mapping[str, FieldType] = fields_of(model)
        self._source = source  # (record spec, ruleset id, label) to rebuild it in a worker

    @property
    def is_case(self) -> bool:
        """True for the standard ``Case`` (contradiction warnings and the sample speak of it)."""
        return self.model is Case

    def feature_type(self, key: str) -> FieldType | None:
        """The type of a feature key, or None if the key names no field of this vocabulary."""
        return _feature_type(self.fields, key)

    def parse(self, data: Any) -> Any:
        """Validate ``data`` into this vocabulary's model; ``CaseValidationError`` names fields."""
        model = self.model
        if type(data) is model:
            return data
        if isinstance(data, BaseModel):
            if isinstance(data, Record) and not self.is_case:
                # A record of another load of this declaration (a folder loaded twice builds
                # two classes), or of another ruleset: its fields are checked again here.
                data = data.model_dump()
            else:  # a ``Case`` given to a ruleset with its own record, or the reverse: say so
                wanted = "a Case" if self.is_case else f"a flat record ({model.__name__})"
                raise CaseValidationError([("(case)", f"this ruleset reads {wanted}")])
        return parse_model(data, model)

    def __reduce__(self) -> tuple[Any, ...]:
        # A record model is built at run time and cannot be pickled by name: a process-pool
        # worker rebuilds it from the same declaration.
        if not self._source:
            return (_case_vocabulary, ())
        return (record_vocabulary, self._source)

    def __eq__(self, other: object) -> bool:
        # Two loads of one declaration build two model classes: equal vocabularies all the same.
        if not isinstance(other, Vocabulary):
            return NotImplemented
        return self.model is other.model or (bool(self._source) and self._source == other._source)

    def __hash__(self) -> int:
        return hash(self.model.__name__)

    def __repr__(self) -> str:
        return f"Vocabulary({self.model.__name__})"


CASE_VOCABULARY = Vocabulary(Case)
_CASE_FIELDS = CASE_VOCABULARY.fields


def _case_vocabulary() -> Vocabulary:
    return CASE_VOCABULARY


def record_vocabulary(spec: Any, ruleset_id: str, label: str) -> Vocabulary:
    """The vocabulary of a ruleset's ``record:`` block (``RulesetError`` if inconsistent)."""
    from conduct_rules.rules.record import record_model

    return Vocabulary(record_model(spec, ruleset_id, label), (spec, ruleset_id, label))


def case_fields() -> Mapping[str, FieldType]:
    """Every dotted case path a rule may name, with its type (``case_id`` excluded)."""
    return _CASE_FIELDS


def feature_type(key: str) -> FieldType | None:
    """The type of a feature key of the standard ``Case``, or None if it names no case field."""
    return _feature_type(_CASE_FIELDS, key)


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
