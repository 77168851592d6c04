"""Mutants of a ruleset, made by editing its *data* (the parsed YAML), one small change each.

Why data and not compiled units: a mutant must be something a person could have written in
``rules.yaml`` by mistake, and it must go through the loader like any ruleset (a mutant the loader
rejects is a mistake that could never ship, which the report counts separately).

Operators (each applied to every rule, at every place it fits):

=================  ==========================================================================
``remove``          the rule deleted
``disable``         the rule kept but never firing (``when: false``); made only as the twin of a
                    ``remove`` the loader rejects, so the tests are measured on it too
``negate``          ``when`` negated
``drop-conjunct``   one argument of an ``all`` dropped (each, at any depth, in every condition)
``drop-disjunct``   one argument of an ``any`` dropped (likewise)
``drop-conclusion`` one conclusion dropped (rules with several conclusions)
``negate-second``   a second condition (``met_when``/``recorded_when``/``required_when``) negated
``drop-second``     a second condition replaced by ``true`` (met/recorded/required whenever
                    concluded)
``shift-param``     a threshold moved by one: a ``{param: x}``'s default in ``ruleset.yaml``, or a
                    literal number, up and down
=================  ==========================================================================
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["OPERATORS", "QUICK_OPERATORS", "Mutant", "disable_twin", "make_mutants"]

OPERATORS: tuple[str, ...] = (
    "remove",
    "negate",
    "drop-conjunct",
    "drop-disjunct",
    "drop-conclusion",
    "negate-second",
    "drop-second",
    "shift-param",
)
#: What issue 2 asks of every rule: a test fails if it is removed or its condition negated.
QUICK_OPERATORS: tuple[str, ...] = ("remove", "negate")
_SECOND = ("met_when", "recorded_when", "required_when")

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Mutant:
    """One mutant: a stable id, what was changed, and the mutated ``rules`` and ``header`` data."""

    id: str  # "<rule>:<operator>[@<location>]"
    rule: str
    operator: str
    location: str
    rules: Mapping[str, Any]  # the whole rules.yaml data
    header: Mapping[str, Any]  # the whole ruleset.yaml data


def _normalised(rules_data: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy with every rule's ``then`` as a list (the loader accepts both forms)."""
    data = copy.deepcopy(dict(rules_data))
    for r in data.get("rules", []):
        if isinstance(r, dict) and isinstance(r.get("then"), dict):
            r["then"] = [r["then"]]
    return data


def _get(node: Any, path: Path) -> Any:
    for p in path:
        node = node[p]
    return node


def _set(node: Any, path: Path, value: Any) -> None:
    _get(node, path[:-1])[path[-1]] = value


def _label(path: Path) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out


def _conditions(rule: Mapping[str, Any]) -> Iterator[Path]:
    """Paths (inside the rule) of its ``when`` and of each conclusion's second condition."""
    yield ("when",)
    for i, c in enumerate(rule.get("then", [])):
        for key in _SECOND:
            if isinstance(c, dict) and key in c:
                yield ("then", i, key)


def _nodes(raw: Any, path: Path) -> Iterator[tuple[Path, Any]]:
    """Every sub-condition of a raw condition, with its path, depth first."""
    yield path, raw
    if isinstance(raw, dict):
        if set(raw) == {"not"}:
            yield from _nodes(raw["not"], (*path, "not"))
        for word in ("all", "any"):
            if set(raw) == {word} and isinstance(raw[word], list):
                for i, sub in enumerate(raw[word]):
                    yield from _nodes(sub, (*path, word, i))


def _numeric_op(raw: Any) -> str | None:
    if not isinstance(raw, dict) or not ({"field", "count", "distinct"} & set(raw)):
        return None
    for op in ("gt", "gte", "lt", "lte", "eq", "ne"):
        value = raw.get(op)
        if isinstance(value, dict) and set(value) == {"param"}:
            return op
        if isinstance(value, int) and not isinstance(value, bool):
            return op
    return None


@dataclass(frozen=True)
class _Edit:
    """One change to one rule: set ``path`` to ``value``, delete it, or shift a parameter."""

    operator: str
    location: str
    path: Path = ()
    value: Any = None
    drop: bool = False
    param: str | None = None  # shift this parameter's default by ``value`` instead


def _shifts(path: Path, node: Any) -> Iterator[_Edit]:
    op = _numeric_op(node)
    if op is None:
        return
    value = node[op]
    for step in (1, -1):
        sign = "+1" if step > 0 else "-1"
        if isinstance(value, dict):
            yield _Edit("shift-param", f"{value['param']}{sign}", value=step, param=value["param"])
        else:
            yield _Edit("shift-param", f"{_label(path)}{sign}", (*path, op), value + step)


def _edits(rule: Mapping[str, Any]) -> Iterator[_Edit]:
    """Every single-point edit of one rule, for every operator."""
    yield _Edit("remove", "")
    yield _Edit("negate", "", ("when",), {"not": rule["when"]})
    for cpath in _conditions(rule):
        for path, node in _nodes(_get(rule, cpath), cpath):
            for word, op in (("all", "drop-conjunct"), ("any", "drop-disjunct")):
                if isinstance(node, dict) and set(node) == {word} and len(node[word]) > 1:
                    for i in range(len(node[word])):
                        at = (*path, word, i)
                        yield _Edit(op, _label(at), at, drop=True)
            yield from _shifts(path, node)
    if len(rule["then"]) > 1:
        for i in range(len(rule["then"])):
            yield _Edit("drop-conclusion", f"then[{i}]", ("then", i), drop=True)
    for cpath in _conditions(rule):
        if cpath != ("when",):
            second = _get(rule, cpath)
            yield _Edit("negate-second", _label(cpath), cpath, {"not": second})
            yield _Edit("drop-second", _label(cpath), cpath, True)


def _apply(
    edit: _Edit, index: int, base: dict[str, Any], header: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    rules, hdr = copy.deepcopy(base), copy.deepcopy(header)
    if edit.operator == "remove":
        del rules["rules"][index]
    elif edit.param is not None:
        spec = hdr["parameters"][edit.param]
        spec["default"] += edit.value
        # Keep the shifted default inside its bounds, so the loader accepts the mutant.
        spec["minimum"] = min(spec.get("minimum", 0), spec["default"])
        spec["maximum"] = max(spec.get("maximum", 1000), spec["default"])
    elif edit.drop:
        del _get(rules["rules"][index], edit.path[:-1])[edit.path[-1]]
    else:
        _set(rules["rules"][index], edit.path, edit.value)
    return rules, hdr


def make_mutants(
    rules_data: Mapping[str, Any],
    header_data: Mapping[str, Any],
    operators: tuple[str, ...] = OPERATORS,
    only_rules: frozenset[str] | None = None,
) -> list[Mutant]:
    """Every mutant of the chosen operators, in rule order; each differs from the original data."""
    base = _normalised(rules_data)
    header = copy.deepcopy(dict(header_data))
    out: list[Mutant] = []
    seen: set[str] = set()
    for index, rule in enumerate(base["rules"]):
        rid = str(rule["id"])
        if only_rules is not None and rid not in only_rules:
            continue
        for edit in _edits(rule):
            if edit.operator not in operators:
                continue
            rules, hdr = _apply(edit, index, base, header)
            mid = f"{rid}:{edit.operator}" + (f"@{edit.location}" if edit.location else "")
            if (rules == base and hdr == header) or mid in seen:  # a no-op edit is no mutant
                continue
            seen.add(mid)
            out.append(Mutant(mid, rid, edit.operator, edit.location, rules, hdr))
    return out


def disable_twin(mutant: Mutant, rules_data: Mapping[str, Any]) -> Mutant:
    """For a ``remove`` mutant: the rule kept with ``when: false``, which the loader accepts."""
    data = _normalised(rules_data)
    for r in data["rules"]:
        if r["id"] == mutant.rule:
            r["when"] = False
    return Mutant(f"{mutant.rule}:disable", mutant.rule, "disable", "", data, mutant.header)
