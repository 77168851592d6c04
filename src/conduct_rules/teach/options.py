"""Options: the minimal change sets of a counterfactual search, regrouped as a person plans.

Why regroup: the search returns every minimal set of levers, and a set of levers is not how a
supervisor gives advice. "Arrange alternatives, or give notice; then hold the session, or make two
attempts by two different means" is one plan with two choices in it, where the raw list holds
eight sets (two bases times four ways to show the session efforts, three of them the same two
attempts by other channels). Two steps, no information lost:

1. **Interchangeable values.** Sets that are the same except for which items of one list they add
   (which channels the attempts use) become one set with a *choice*: any ``k`` of those levers.
   The grouping is made only when every ``k``-subset is present, so it never promises a
   combination that does not work.
2. **Independent steps.** When the family of sets is a product (each set = one alternative from
   each of several independent groups), it is shown as one option whose steps each offer their
   alternatives. Levers fall in the same group when they matter through the same rules; the
   product is checked exactly, else each set stays an option of its own.

Everything here is data from the ruleset (lever texts and citations); no word is Ontario's.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from conduct_rules.teach.counterfactual import Change, ChangeSet

__all__ = ["Alternative", "Option", "Step", "factor_options"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Alternative(_Model):
    """One way to take a step: all of ``changes``, or any ``choose`` of them when given.

    ``choose`` is set when the changes are interchangeable (the same list, other values): any
    ``choose`` of them, together, will do.
    """

    changes: tuple[Change, ...]
    choose: int | None = None


class Step(_Model):
    """One thing to do in an option; any one of its alternatives suffices."""

    alternatives: tuple[Alternative, ...]
    citations: tuple[str, ...]


class Option(_Model):
    """A plan: every step is needed, each step in any one of its ways."""

    steps: tuple[Step, ...]


# An abstract item: a lever id, or ("any", k, lever ids) for k interchangeable levers.
_Item = str | tuple[str, int, tuple[str, ...]]


_Key = tuple[tuple[str, ...], tuple[tuple[str, int], ...]]


def _compress(sets: Sequence[ChangeSet]) -> list[tuple[_Item, ...]]:
    """Each set as abstract items, with interchangeable same-list additions merged."""
    keyed: dict[_Key, list[dict[str, tuple[str, ...]]]] = {}
    for cs in sets:
        fixed = tuple(c.lever for c in cs.changes if c.operation != "add")
        adds: dict[str, tuple[str, ...]] = {}
        for c in cs.changes:
            if c.operation == "add":
                adds[c.field] = (*adds.get(c.field, ()), c.lever)
        key: _Key = (fixed, tuple(sorted((f, len(v)) for f, v in adds.items())))
        keyed.setdefault(key, []).append(adds)
    out: list[tuple[_Item, ...]] = []
    for (fixed, sizes), group in keyed.items():
        pools = {f: tuple(dict.fromkeys(lv for g in group for lv in g[f])) for f, _ in sizes}
        expected = math.prod(math.comb(len(pools[f]), k) for f, k in sizes)
        distinct = {tuple(frozenset(g[f]) for f, _ in sizes) for g in group}
        if sizes and len(distinct) == len(group) == expected:
            items: list[_Item] = list(fixed)
            for f, k in sizes:
                pool = pools[f]
                items.append(pool[0] if len(pool) == 1 else ("any", k, pool))
            out.append(tuple(items))
        else:
            out += [(*fixed, *(lv for f, _ in sizes for lv in g[f])) for g in group]
    return out


def _levers(item: _Item) -> tuple[str, ...]:
    return item[2] if isinstance(item, tuple) else (item,)


def _blocks(sets: list[tuple[_Item, ...]], reach: dict[str, set[str]]) -> list[list[_Item]]:
    """Items grouped by shared rules (union-find), in first-seen order."""
    items: list[_Item] = list(dict.fromkeys(i for s in sets for i in s))
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    rules = [set().union(*(reach.get(lv, set()) for lv in _levers(it))) for it in items]
    for a, b in itertools.combinations(range(len(items)), 2):
        if rules[a] & rules[b]:
            parent[find(a)] = find(b)
    groups: dict[int, list[_Item]] = {}
    for i, it in enumerate(items):
        groups.setdefault(find(i), []).append(it)
    return list(groups.values())


def _is_product(sets: list[tuple[_Item, ...]], blocks: list[list[_Item]]) -> bool:
    family = {frozenset(s) for s in sets}
    projections = []
    for block in blocks:
        members = set(block)
        projections.append({frozenset(x for x in s if x in members) for s in family})
    if any(frozenset() in p for p in projections):
        return False  # a set that takes nothing from a group: the groups are not all needed
    if math.prod(len(p) for p in projections) != len(family):
        return False
    return all(frozenset().union(*combo) in family for combo in itertools.product(*projections))


def factor_options(sets: Sequence[ChangeSet]) -> tuple[Option, ...]:
    """The change sets as plans: interchangeable values merged, independent steps factored."""
    sets = [cs for cs in sets if cs.changes]
    if not sets:
        return ()
    by_lever: dict[str, Change] = {}
    reach: dict[str, set[str]] = {}
    for cs in sets:
        for c in cs.changes:
            by_lever.setdefault(c.lever, c)
            reach.setdefault(c.lever, set()).update(c.rules or (c.field,))
    abstract = _compress(sets)
    blocks = _blocks(abstract, reach)
    if len(blocks) == 1:  # one goal, several ways: one step with its alternatives
        return (Option(steps=(_step(abstract, by_lever),)),)
    if _is_product(abstract, blocks):
        steps = []
        for block in blocks:
            members = set(block)
            alternatives = list(
                dict.fromkeys(tuple(x for x in s if x in members) for s in abstract)
            )
            steps.append(_step(alternatives, by_lever))
        return (Option(steps=tuple(steps)),)
    return tuple(Option(steps=tuple(_step([(item,)], by_lever) for item in s)) for s in abstract)


def _step(alternatives: list[tuple[_Item, ...]], by_lever: dict[str, Change]) -> Step:
    alts = []
    cites: list[str] = []
    for alt in alternatives:
        singles = [x for x in alt if not isinstance(x, tuple)]
        chooses = [x for x in alt if isinstance(x, tuple)]
        if chooses and not singles and len(chooses) == 1:
            _, k, pool = chooses[0]
            changes = tuple(by_lever[lv] for lv in pool)
            alts.append(Alternative(changes=changes, choose=k))
        else:
            levers = [lv for x in alt for lv in _levers(x)]
            alts.append(Alternative(changes=tuple(by_lever[lv] for lv in levers)))
        for lv in (lv for x in alt for lv in _levers(x)):
            cites += [c for c in by_lever[lv].citations if c not in cites]
    return Step(alternatives=tuple(alts), citations=tuple(cites))
