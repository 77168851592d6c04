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

    def add(rule: str, op: str, loc: str, rules: dict[str, Any], hdr: dict[str, Any]) -> None:
        if rules == base and hdr == header:  # a no-op edit is not a mutant
            return
        mid = f"{rule}:{op}" + (f"@{loc}" if loc else "")
        out.append(Mutant(mid, rule, op, loc, rules, hdr))

    for index, rule in enumerate(base["rules"]):
        rid = str(rule["id"])
        if only_rules is not None and rid not in only_rules:
            continue

        def edited(path: Path, value: Any, *, drop: bool = False) -> dict[str, Any]:
            data = copy.deepcopy(base)
            target = data["rules"][index]  # noqa: B023 - used at once, inside this iteration
            if drop:
                del _get(target, path[:-1])[path[-1]]
            else:
                _set(target, path, value)
            return data

        if "remove" in operators:
            data = copy.deepcopy(base)
            del data["rules"][index]
            add(rid, "remove", "", data, header)
        if "negate" in operators:
            add(rid, "negate", "", edited(("when",), {"not": rule["when"]}), header)
        for cpath in _conditions(rule):
            for path, node in _nodes(_get(rule, cpath), cpath):
                for word, op in (("all", "drop-conjunct"), ("any", "drop-disjunct")):
                    if op not in operators or not isinstance(node, dict) or set(node) != {word}:
                        continue
                    args = node[word]
                    if len(args) < 2:
                        continue
                    for i in range(len(args)):
                        add(rid, op, _label((*path, word, i)), edited((*path, word, i), None, drop=True), header)  # fmt: skip
                num_op = _numeric_op(node) if "shift-param" in operators else None
                if num_op is None:
                    continue
                value = node[num_op]
                for step in (1, -1):
                    sign = "+1" if step > 0 else "-1"
                    loc = f"{_label(path)}{sign}"
                    if isinstance(value, dict):
                        name = value["param"]
                        hdr = copy.deepcopy(header)
                        spec = hdr["parameters"][name]
                        spec["default"] += step
                        spec["minimum"] = min(spec.get("minimum", 0), spec["default"])
                        spec["maximum"] = max(spec.get("maximum", 1000), spec["default"])
                        add(rid, "shift-param", f"{name}{sign}", copy.deepcopy(base), hdr)
                    else:
                        add(rid, "shift-param", loc, edited((*path, num_op), value + step), header)
        for i, _ in enumerate(rule["then"]):
            if "drop-conclusion" in operators and len(rule["then"]) > 1:
                add(rid, "drop-conclusion", f"then[{i}]", edited(("then", i), None, drop=True), header)  # fmt: skip
        for cpath in _conditions(rule):
            if cpath == ("when",):
                continue
            second = _get(rule, cpath)
            if "negate-second" in operators:
                add(rid, "negate-second", _label(cpath), edited(cpath, {"not": second}), header)
            if "drop-second" in operators:
                add(rid, "drop-second", _label(cpath), edited(cpath, True), header)
    return out


def disable_twin(mutant: Mutant, rules_data: Mapping[str, Any]) -> Mutant:
    """For a ``remove`` mutant: the same rule kept with ``when: false`` (loads where removal not)."""
    data = _normalised(rules_data)
    for r in data["rules"]:
        if r["id"] == mutant.rule:
            r["when"] = False
    return Mutant(f"{mutant.rule}:disable", mutant.rule, "disable", "", data, mutant.header)
