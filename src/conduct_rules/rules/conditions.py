"""The condition language of rulesets: a small, closed, declarative grammar.

Why a grammar of our own rather than expressions in strings: a ruleset must not be able to run
code, and every condition must be checkable on load (does the field exist? does the comparison fit
its type?). The grammar, in YAML::

    services.needed                         # a yes/no case field or derived fact is true
    true                                    # always (``false``: never)
    {not: C}    {all: [C, ...]}    {any: [C, ...]}
    {field: stage, eq: ended}               # eq ne gt gte lt lte in contains
    {field: alternatives.providers_offered, gte: {param: min_referrals}}
    {count: termination_session.attempts, gte: {param: min_attempts}}
    {distinct: termination_session.attempts.channel, gte: {param: min_channels}}

``contains`` tests a list of identifiers (``documented``). ``{param: name}`` reads a named,
documented ruleset parameter, which a caller may override. Conditions parse to the frozen
dataclasses below; both engines take them from here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

__all__ = [
    "All",
    "Any_",
    "Cmp",
    "Condition",
    "ConditionSyntaxError",
    "Const",
    "Not",
    "Param",
    "Ref",
    "bind",
    "evaluate",
    "parse_condition",
    "references",
    "to_text",
]

Op = Literal["eq", "ne", "gt", "gte", "lt", "lte", "in"]
OPS: tuple[Op, ...] = ("eq", "ne", "gt", "gte", "lt", "lte", "in")
_SYMBOL = {"eq": "=", "ne": "≠", "gt": ">", "gte": "≥", "lt": "<", "lte": "≤", "in": "∈"}


@dataclass(frozen=True)
class Param:
    """A reference to a named ruleset parameter, resolved when the ruleset is bound."""

    name: str


Scalar: TypeAlias = bool | int | str | None
Value: TypeAlias = Scalar | tuple[str, ...] | Param


@dataclass(frozen=True)
class Const:
    """Always true or always false."""

    value: bool


@dataclass(frozen=True)
class Ref:
    """A yes/no feature or derived fact that must be true."""

    key: str


@dataclass(frozen=True)
class Cmp:
    """A comparison of a feature with a value (or a parameter)."""

    key: str
    op: Op
    value: Value


@dataclass(frozen=True)
class Not:
    """Negation: only ever of facts from earlier strata, so it is safe (stratified)."""

    arg: Condition


@dataclass(frozen=True)
class All:
    """Conjunction."""

    args: tuple[Condition, ...]


@dataclass(frozen=True)
class Any_:  # noqa: N801 - ``Any`` is taken by typing; the trailing underscore is the convention
    """Disjunction."""

    args: tuple[Condition, ...]


Condition: TypeAlias = Const | Ref | Cmp | Not | All | Any_


class ConditionSyntaxError(ValueError):
    """A condition does not fit the grammar; ``path`` says where inside the condition."""

    def __init__(self, message: str, path: str) -> None:
        self.path = path
        super().__init__(message)


def _parse_value(raw: Any, path: str) -> Value:
    if isinstance(raw, Mapping):
        if set(raw) != {"param"} or not isinstance(raw["param"], str):
            raise ConditionSyntaxError("a value is a literal or {param: NAME}", path)
        return Param(raw["param"])
    if isinstance(raw, list):
        if not all(isinstance(v, str) for v in raw):
            raise ConditionSyntaxError("a list value must hold identifiers", path)
        return tuple(raw)
    if raw is None or isinstance(raw, bool | int | str):
        if isinstance(raw, float):  # pragma: no cover - bool|int|str excludes float
            raise ConditionSyntaxError("numbers must be whole", path)
        return raw
    raise ConditionSyntaxError(f"unsupported value of type {type(raw).__name__}", path)


def parse_condition(raw: Any, path: str = "when") -> Condition:
    """Parse YAML data into a condition; raise ``ConditionSyntaxError`` naming the place."""
    if isinstance(raw, bool):
        return Const(raw)
    if isinstance(raw, str):
        if not raw.strip():
            raise ConditionSyntaxError("empty field name", path)
        return Ref(raw.strip())
    if not isinstance(raw, Mapping):
        raise ConditionSyntaxError(
            f"expected a field name, true/false or a mapping, got {type(raw).__name__}", path
        )
    keys = set(raw)
    if keys == {"not"}:
        return Not(parse_condition(raw["not"], f"{path}.not"))
    for word, cls in (("all", All), ("any", Any_)):
        if keys == {word}:
            items = raw[word]
            if not isinstance(items, list) or not items:
                raise ConditionSyntaxError(f"'{word}' takes a non-empty list", f"{path}.{word}")
            return cls(
                tuple(parse_condition(c, f"{path}.{word}[{i}]") for i, c in enumerate(items))
            )
    subject_words = [w for w in ("field", "count", "distinct") if w in raw]
    if len(subject_words) != 1:
        raise ConditionSyntaxError(
            "expected exactly one of: not, all, any, field, count, distinct; "
            f"got keys {sorted(map(str, keys))}",
            path,
        )
    word = subject_words[0]
    subject = raw[word]
    if not isinstance(subject, str) or not subject:
        raise ConditionSyntaxError(f"'{word}' takes a field name", f"{path}.{word}")
    ops = [k for k in raw if k != word]
    allowed = (*OPS, "contains") if word == "field" else OPS
    if len(ops) != 1 or ops[0] not in allowed:
        raise ConditionSyntaxError(
            f"'{word}' takes exactly one operator among {', '.join(allowed)}; got {sorted(ops)}",
            path,
        )
    op = ops[0]
    value = _parse_value(raw[op], f"{path}.{op}")
    if op == "contains":
        if not isinstance(value, str):
            raise ConditionSyntaxError("'contains' takes one identifier", f"{path}.contains")
        return Ref(f"contains({subject},{value})")
    key = subject if word == "field" else f"{word}({subject})"
    if op == "in" and not isinstance(value, tuple | Param):
        raise ConditionSyntaxError("'in' takes a list", f"{path}.in")
    return Cmp(key, op, value)  # type: ignore[arg-type,unused-ignore]  # op checked above


def walk(cond: Condition) -> Iterator[Condition]:
    """Every node of a condition, depth first."""
    yield cond
    if isinstance(cond, Not):
        yield from walk(cond.arg)
    elif isinstance(cond, All | Any_):
        for c in cond.args:
            yield from walk(c)


def references(cond: Condition) -> set[str]:
    """Every feature or fact key a condition reads."""
    return {n.key for n in walk(cond) if isinstance(n, Ref | Cmp)}


def bind(cond: Condition, params: Mapping[str, Scalar]) -> Condition:
    """Replace ``{param: x}`` by its value, so engines compile plain literals."""
    if isinstance(cond, Cmp) and isinstance(cond.value, Param):
        return Cmp(cond.key, cond.op, params[cond.value.name])
    if isinstance(cond, Not):
        return Not(bind(cond.arg, params))
    if isinstance(cond, All):
        return All(tuple(bind(c, params) for c in cond.args))
    if isinstance(cond, Any_):
        return Any_(tuple(bind(c, params) for c in cond.args))
    return cond


def compare(actual: Any, op: Op, expected: Any) -> bool:
    """The one definition of comparison semantics, shared by every engine.

    A null (absent) value satisfies only ``eq null`` and ``ne <anything but null>``; ordering
    comparisons with null are false. This mirrors durable_rules, where an absent field matches no
    ordering test.
    """
    if op == "eq":
        return bool(actual == expected)
    if op == "ne":
        return bool(actual != expected)
    if op == "in":
        return actual in expected
    if actual is None or expected is None:
        return False
    if op == "gt":
        return bool(actual > expected)
    if op == "gte":
        return bool(actual >= expected)
    if op == "lt":
        return bool(actual < expected)
    return bool(actual <= expected)


def evaluate(cond: Condition, facts: Mapping[str, Any]) -> bool:
    """Evaluate a bound condition over features and derived facts (missing fact = false)."""
    if isinstance(cond, Ref):
        return bool(facts.get(cond.key, False))
    if isinstance(cond, Cmp):
        return compare(facts.get(cond.key), cond.op, cond.value)
    if isinstance(cond, All):
        return all(evaluate(c, facts) for c in cond.args)
    if isinstance(cond, Any_):
        return any(evaluate(c, facts) for c in cond.args)
    if isinstance(cond, Not):
        return not evaluate(cond.arg, facts)
    return cond.value


def to_text(cond: Condition, label: Callable[[str], str] = str) -> str:
    """A compact, readable rendering, for explanations and docs."""
    if isinstance(cond, Const):
        return "always" if cond.value else "never"
    if isinstance(cond, Ref):
        return label(cond.key)
    if isinstance(cond, Cmp):
        value = cond.value
        shown = (
            f"{{{value.name}}}"
            if isinstance(value, Param)
            else "[" + ", ".join(value) + "]"
            if isinstance(value, tuple)
            else "null"
            if value is None
            else str(value).lower()
            if isinstance(value, bool)
            else str(value)
        )
        return f"{label(cond.key)} {_SYMBOL[cond.op]} {shown}"
    if isinstance(cond, Not):
        return f"not ({to_text(cond.arg, label)})"
    joiner = " and " if isinstance(cond, All) else " or "
    return "(" + joiner.join(to_text(c, label) for c in cond.args) + ")"
