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
                    literal number, up and down; every declared parameter, used or not
``swap-quantifier`` an ``all`` made ``any`` or the reverse (each, at any depth)
``change-comparator`` a comparison's operator changed (eq/ne, gt/gte, lt/lte swapped)
``change-value``    a compared value changed: a yes/no flipped, an identifier replaced by
                    another of its enumeration, a list of identifiers one shorter or longer
``add-conjunct``    ``when`` made ``all: [when, atom]`` with an atom (or its negation) that other
                    rules of the ruleset use (a few per rule, chosen by a fixed hash)
``add-disjunct``    likewise with ``any``
``drop-citation``   one provision removed from a rule's ``cites``
``swap-citation``   one provision of ``cites`` replaced by a neighbour in the registry's order
                    (2.8 iii for 2.8 iv, 3.8 for 3.9: the plausible slips)
``flip-blocking``   ``outputs.yaml``: a safeguard's ``blocking`` flag flipped (labels kept)
=================  ==========================================================================

Mutants with the same data are made once (the first id wins): a parameter used by three rules
is one mutant, not three.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from conduct_rules.model.case import (
    CHANNELS,
    DOCUMENTATION_IDS,
    MODALITIES,
    SESSION_STATUSES,
    STAGES,
)

__all__ = [
    "ADDED_ATOMS_PER_RULE",
    "CLASSIC_OPERATORS",
    "OPERATORS",
    "QUICK_OPERATORS",
    "Mutant",
    "atom_pool",
    "disable_twin",
    "make_mutants",
]

#: The deletion, negation and shift operators (the first tool's set; the CRPO figure's).
CLASSIC_OPERATORS: tuple[str, ...] = (
    "remove",
    "negate",
    "drop-conjunct",
    "drop-disjunct",
    "drop-conclusion",
    "negate-second",
    "drop-second",
    "shift-param",
)
OPERATORS: tuple[str, ...] = (
    *CLASSIC_OPERATORS,
    "swap-quantifier",
    "change-comparator",
    "change-value",
    "add-conjunct",
    "add-disjunct",
    "drop-citation",
    "swap-citation",
    "flip-blocking",
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
    outputs: Mapping[str, Any] | None = None  # outputs.yaml data, when this mutant changes it


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


_ENUMS: tuple[tuple[str, ...], ...] = (
    STAGES,
    ("member", "client"),
    SESSION_STATUSES,
    MODALITIES,
    CHANNELS,
    DOCUMENTATION_IDS,
)
_SWAP_OP = {"eq": "ne", "ne": "eq", "gt": "gte", "gte": "gt", "lt": "lte", "lte": "lt"}
_ALL_OPS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "contains")
#: How many atoms ``add-conjunct`` and ``add-disjunct`` each try per rule.
ADDED_ATOMS_PER_RULE = 2


def _cmp_op(node: Any) -> str | None:
    """The operator key of a comparison node, if ``node`` is one."""
    if not isinstance(node, dict) or not ({"field", "count", "distinct"} & set(node)):
        return None
    return next((op for op in _ALL_OPS if op in node), None)


def _other_values(value: Any) -> list[Any]:
    """Plausible wrong values for a compared value: flipped, another enum member, a list edited."""
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, str):
        enum = next((e for e in _ENUMS if value in e), ())
        others = [v for v in enum if v != value]
        return others[:4]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        out: list[Any] = []
        if len(value) > 1:
            out += [[v for v in value if v != drop] for drop in value]
        enum = next((e for e in _ENUMS if value and value[0] in e), ())
        extra = next((v for v in enum if v not in value), None)
        if extra is not None:
            out.append([*value, extra])
        return out
    return []


def _canon(node: Any) -> str:
    return json.dumps(node, sort_keys=True, default=str)


def _atoms(raw: Any) -> Iterator[Any]:
    """The leaves of a condition: references and comparisons (not constants or connectives)."""
    for _path, node in _nodes(raw, ()):
        if isinstance(node, str) or _cmp_op(node) is not None:
            yield node


def atom_pool(rules: Sequence[Mapping[str, Any]]) -> list[Any]:
    """Every distinct atom the ruleset's conditions use, in first-use order."""
    seen: dict[str, Any] = {}
    for rule in rules:
        for cpath in _conditions(rule):
            for atom in _atoms(_get(rule, cpath)):
                seen.setdefault(_canon(atom), atom)
    return list(seen.values())


def _chosen_atoms(rule: Mapping[str, Any], pool: Sequence[Any], salt: str) -> list[Any]:
    """A few atoms (or negations) the rule does not use, chosen by a fixed hash of its id."""
    own = {_canon(a) for a in _atoms(rule["when"])}
    candidates = [a for a in pool if _canon(a) not in own]
    candidates += [{"not": a} for a in candidates]

    def key(atom: Any) -> str:
        return hashlib.sha256(f"{rule['id']}|{salt}|{_canon(atom)}".encode()).hexdigest()

    return sorted(candidates, key=key)[:ADDED_ATOMS_PER_RULE]


def _structure_edits(cpath: Path, path: Path, node: Any) -> Iterator[_Edit]:
    """Quantifier swaps, comparator and value changes at one node of a condition."""
    for word, other in (("all", "any"), ("any", "all")):
        if isinstance(node, dict) and set(node) == {word} and len(node[word]) > 1:
            yield _Edit("swap-quantifier", _label(path), path, {other: node[word]})
    op = _cmp_op(node)
    if op is None:
        return
    if op in _SWAP_OP:
        swapped = {(_SWAP_OP[op] if k == op else k): v for k, v in node.items()}
        yield _Edit("change-comparator", f"{_label(path)}.{op}", path, swapped)
    for i, value in enumerate(_other_values(node[op])):
        yield _Edit("change-value", f"{_label(path)}.{op}#{i}", (*path, op), value)


#: Conclusion kinds whose rule's citations become an item's ``citations`` in an assessment.
_ITEM_KINDS = frozenset({"permit", "safeguard", "document", "finding"})


def _concludes_an_item(rule: Mapping[str, Any]) -> bool:
    """Whether the rule concludes an action, safeguard, record or finding.

    Why citation mutants stop here: a derived fact's or a verdict's rule cites provisions that
    reach explanations (the reasoning trace, the summary's wording), never an item's citations,
    which is what the citation table pins; those texts are checked by the explanation suites.
    """
    return any(isinstance(c, dict) and _ITEM_KINDS & set(c) for c in rule.get("then") or [])


def _edits(
    rule: Mapping[str, Any], pool: Sequence[Any] = (), provisions: Sequence[str] = ()
) -> Iterator[_Edit]:
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
            yield from _structure_edits(cpath, path, node)
    if len(rule["then"]) > 1:
        for i in range(len(rule["then"])):
            yield _Edit("drop-conclusion", f"then[{i}]", ("then", i), drop=True)
    for cpath in _conditions(rule):
        if cpath != ("when",):
            second = _get(rule, cpath)
            yield _Edit("negate-second", _label(cpath), cpath, {"not": second})
            yield _Edit("drop-second", _label(cpath), cpath, True)
    for word, op in (("all", "add-conjunct"), ("any", "add-disjunct")):
        for i, atom in enumerate(_chosen_atoms(rule, pool, op)):
            yield _Edit(op, f"#{i}", ("when",), {word: [rule["when"], atom]})
    cites = list(rule.get("cites") or []) if _concludes_an_item(rule) else []
    for i, cite in enumerate(cites):
        yield _Edit("drop-citation", cite, ("cites",), [c for c in cites if c != cite])
        if cite in provisions:
            k = list(provisions).index(cite)
            for j in (k - 1, k + 1):
                if 0 <= j < len(provisions) and provisions[j] not in cites:
                    swapped = [*cites[:i], provisions[j], *cites[i + 1 :]]
                    yield _Edit("swap-citation", f"{cite}->{provisions[j]}", ("cites",), swapped)


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


def _content(m: Mutant) -> str:
    return _canon([m.rules, m.header, m.outputs])


def make_mutants(
    rules_data: Mapping[str, Any],
    header_data: Mapping[str, Any],
    operators: tuple[str, ...] = OPERATORS,
    only_rules: frozenset[str] | None = None,
    *,
    provisions: Sequence[str] = (),
    outputs_data: Mapping[str, Any] | None = None,
) -> list[Mutant]:
    """Every mutant of the chosen operators, in rule order; each differs from the original data
    and from every other mutant (same data, same mutant: the first id is kept).

    ``provisions`` (the registry's ids, in its order) feeds ``swap-citation``; ``outputs_data``
    (``outputs.yaml``) feeds ``flip-blocking``; header parameters are shifted whether or not a
    rule uses them.
    """
    base = _normalised(rules_data)
    header = copy.deepcopy(dict(header_data))
    pool = atom_pool(base["rules"])
    out: list[Mutant] = []
    seen: set[str] = set()
    contents: set[str] = {_canon([base, header, None])}

    def add(m: Mutant) -> None:
        c = _content(m)
        if m.id in seen or c in contents:  # a no-op edit, or a mutant made already
            return
        seen.add(m.id)
        contents.add(c)
        out.append(m)

    for index, rule in enumerate(base["rules"]):
        rid = str(rule["id"])
        if only_rules is not None and rid not in only_rules:
            continue
        for edit in _edits(rule, pool, provisions):
            if edit.operator not in operators:
                continue
            rules, hdr = _apply(edit, index, base, header)
            mid = f"{rid}:{edit.operator}" + (f"@{edit.location}" if edit.location else "")
            add(Mutant(mid, rid, edit.operator, edit.location, rules, hdr))
    if only_rules is None and "shift-param" in operators:
        for name in header.get("parameters") or {}:
            for step in (1, -1):
                sign = "+1" if step > 0 else "-1"
                edit = _Edit("shift-param", f"{name}{sign}", value=step, param=name)
                rules, hdr = _apply(edit, -1, base, header)
                add(
                    Mutant(
                        f"parameters:shift-param@{name}{sign}",
                        "parameters",
                        "shift-param",
                        f"{name}{sign}",
                        rules,
                        hdr,
                    )
                )
    if only_rules is None and outputs_data is not None and "flip-blocking" in operators:
        for sid, spec in (outputs_data.get("safeguards") or {}).items():
            outs = copy.deepcopy(dict(outputs_data))
            outs["safeguards"][sid] = {**spec, "blocking": not spec.get("blocking", False)}
            add(
                Mutant(
                    f"outputs:flip-blocking@{sid}",
                    "outputs",
                    "flip-blocking",
                    sid,
                    base,
                    header,
                    outs,
                )
            )
    return out


def disable_twin(mutant: Mutant, rules_data: Mapping[str, Any]) -> Mutant:
    """For a ``remove`` mutant: the rule kept with ``when: false``, which the loader accepts."""
    data = _normalised(rules_data)
    for r in data["rules"]:
        if r["id"] == mutant.rule:
            r["when"] = False
    return Mutant(f"{mutant.rule}:disable", mutant.rule, "disable", "", data, mutant.header)
