"""Trimming the fast backend's generated body: unread locals dropped, single reads inlined.

Both keep the results equal: every line the generator writes assigns one local and has no other
effect (reads of a validated, immutable case), so dropping or moving one changes only the time.
"""

from __future__ import annotations

import ast

__all__ = ["_inline_once", "_live"]

def _loads(node: ast.AST) -> list[str]:
    return [n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)]


def _live(lines: list[str]) -> list[str]:
    """The lines the last one (a ``return``) depends on: unread locals are not computed.

    Why: ``evaluate`` returns only the units' truth values, but the shared body also computes
    the auto facts that only the facts dict reads (``k`` locals after the last unit that reads
    them); each costs a test per case. Every other line assigns one local and has no effect
    (attribute reads, ``len``, ``in``, comparisons over a validated case), so dropping an
    unread one changes nothing but the time.
    """
    needed = set(_loads(ast.parse(lines[-1])))
    kept = [lines[-1]]
    for line in reversed(lines[:-1]):
        stmt = ast.parse(line).body[0]
        assert isinstance(stmt, ast.Assign)
        assert isinstance(stmt.targets[0], ast.Name)
        if stmt.targets[0].id in needed:
            needed.update(_loads(stmt.value))
            kept.append(line)
    return kept[::-1]


class _Substitute(ast.NodeTransformer):
    def __init__(self, name: str, expr: ast.expr) -> None:
        self.name, self.expr = name, expr

    def visit_Name(self, node: ast.Name) -> ast.AST:
        return self.expr if node.id == self.name else node


def _inline_once(lines: list[str], features: set[str]) -> list[str]:
    """Each feature local read by one line only is computed in that line instead.

    Why: there ``and`` / ``or`` may skip it. Most features are read by one unit, often after
    a test that is usually false (``(u14 and 'consultations' in o4)`` scans the list of
    records only for a case that needed consultations; the Ontario ruleset counts channels,
    building a set, only when the session was neither held nor declined and had two
    attempts), and a local not stored costs nothing. Moving a read is safe: it reads the case
    only, which is immutable, and raises nothing on a validated case.
    """
    trees = [ast.parse(line).body[0] for line in lines]
    uses: dict[str, list[int]] = {}
    defs: dict[str, int] = {}
    for i, tree in enumerate(trees):
        for name in _loads(tree):
            uses.setdefault(name, []).append(i)
        if isinstance(tree, ast.Assign) and isinstance(tree.targets[0], ast.Name):
            defs[tree.targets[0].id] = i
    changed: set[int] = set()
    dropped: set[int] = set()
    for name, at in defs.items():
        used = uses.get(name, [])
        if name in features and len(used) == 1 and used[0] > at:
            value = trees[at]
            assert isinstance(value, ast.Assign)
            trees[used[0]] = _Substitute(name, value.value).visit(trees[used[0]])
            changed.add(used[0])
            dropped.add(at)
    return [
        ast.unparse(tree) if i in changed else line
        for i, (tree, line) in enumerate(zip(trees, lines, strict=True))
        if i not in dropped
    ]
