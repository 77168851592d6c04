"""The package's layers import one way, and no module imports itself back through others.

Why an AST test rather than running the imports: it sees every import a module *could* make —
at module level, inside functions (lazy imports) and under ``if TYPE_CHECKING`` — so a cycle or
an upward reach hidden in a function body fails here, not in production. The layer map and the
few explicit exceptions are documented in docs/architecture.md ("The layer rule").
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

# The repository root: the nearest folder above this file holding ``src/conduct_rules``.
ROOT = next(p for p in Path(__file__).resolve().parents if (p / "src" / "conduct_rules").is_dir())
SRC = ROOT / "src"
PACKAGE = "conduct_rules"

#: Layers, top first. A module may import its own layer's modules or any lower layer's, never a
#: higher one. Entries are module prefixes; the longest matching prefix places a module. Modules
#: that share a layer but not a subpackage are independent of each other (see INDEPENDENT).
LAYERS: tuple[tuple[str, ...], ...] = (
    # The package's front door re-exports the public API of every layer; nothing imports it.
    ("conduct_rules.__init__",),
    ("conduct_rules.cli",),
    ("conduct_rules.service",),
    ("conduct_rules.fhir",),
    # Views of the composite results (an audit, a comparison): they read the results' types, and
    # the results reach them through the registry in model/views.py that the front door fills.
    (
        "conduct_rules.render.html",
        "conduct_rules.render.chart",
        "conduct_rules.render.compare_view",
    ),
    # What users call besides ``assess``: teaching, the audit's front (``assess_many``),
    # comparing two rulesets; ``audit.compared`` runs two audits through ``assess_many``.
    (
        "conduct_rules.teach",
        "conduct_rules.batch",
        "conduct_rules.compare",
        "conduct_rules.audit.compared",
    ),
    ("conduct_rules.audit",),
    ("conduct_rules.api",),
    # The assembler and the plain renderers do not know each other.
    ("conduct_rules.assemble", "conduct_rules.render"),
    ("conduct_rules.engines",),
    ("conduct_rules.rules",),
    ("conduct_rules.model", "conduct_rules.errors"),
)

#: Same-layer groups that must not import each other (they are alternatives, not a stack).
INDEPENDENT: tuple[tuple[str, ...], ...] = (
    ("conduct_rules.teach", "conduct_rules.batch", "conduct_rules.compare"),
    ("conduct_rules.assemble", "conduct_rules.render"),
)

#: Known exceptions, each with its reason. Keep this list short; every entry is a debt.
ALLOWED_UPWARD: dict[tuple[str, str], str] = {}
ALLOWED_CYCLES: frozenset[frozenset[str]] = frozenset()


def _modules() -> dict[str, tuple[Path, bool]]:
    found: dict[str, tuple[Path, bool]] = {}
    for path in sorted((SRC / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        found[name] = (path, is_package)
    return found


MODULES = _modules()


def _targets(module: str, is_package: bool, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    """The package modules an import statement loads (``from pkg import mod`` loads ``pkg.mod``)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:
            base = module.split(".") if is_package else module.split(".")[:-1]
            base = base[: len(base) - (node.level - 1)]
            origin = ".".join([*base, node.module] if node.module else base)
        else:
            origin = node.module or ""
        names = [
            f"{origin}.{alias.name}" if f"{origin}.{alias.name}" in MODULES else origin
            for alias in node.names
        ]
    for name in names:
        found = name
        while found and found not in MODULES:
            found = found.rpartition(".")[0]
        if found and found != module:
            yield found


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, (path, is_package) in MODULES.items():
        edges = graph.setdefault(module, set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                edges.update(_targets(module, is_package, node))
    return graph


GRAPH = _graph()


def _place(module: str, table: tuple[tuple[str, ...], ...]) -> tuple[int, str] | None:
    """(row, prefix) of the longest prefix in ``table`` that contains ``module``."""
    key = f"{module}.__init__" if module == PACKAGE else module
    best: tuple[int, str] | None = None
    for row, prefixes in enumerate(table):
        for prefix in prefixes:
            if (key == prefix or key.startswith(prefix + ".")) and (
                best is None or len(prefix) > len(best[1])
            ):
                best = (row, prefix)
    return best


def test_every_module_has_a_layer() -> None:
    unplaced = [m for m in MODULES if _place(m, LAYERS) is None]
    assert not unplaced, f"add these modules to LAYERS: {unplaced}"


def test_layers_import_downward_only() -> None:
    wrong = []
    for module, targets in GRAPH.items():
        here = _place(module, LAYERS)
        assert here is not None
        for target in targets:
            there = _place(target, LAYERS)
            assert there is not None
            if there[0] < here[0] and (module, target) not in ALLOWED_UPWARD:
                wrong.append(f"{module} -> {target}")
    assert not wrong, "imports reaching up a layer:\n" + "\n".join(sorted(wrong))


def test_independent_siblings_do_not_import_each_other() -> None:
    wrong = []
    for group in INDEPENDENT:
        for module, targets in GRAPH.items():
            mine = _place(module, (group,))
            if mine is None:
                continue
            for target in targets:
                theirs = _place(target, (group,))
                if theirs is not None and theirs[1] != mine[1]:
                    wrong.append(f"{module} -> {target}")
    assert not wrong, "independent siblings importing each other:\n" + "\n".join(sorted(wrong))


def _cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


def test_no_import_cycles() -> None:
    cycles = [c for c in _cycles(GRAPH) if c not in ALLOWED_CYCLES]
    assert not cycles, "import cycles (lazy and type-only imports count):\n" + "\n".join(
        " <-> ".join(sorted(c)) for c in cycles
    )


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"a"}, "c": set()}, [frozenset({"a", "b"})]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, [frozenset({"a", "b", "c"})]),
    ],
)
def test_the_cycle_finder_finds_cycles(
    graph: dict[str, set[str]], expected: list[frozenset[str]]
) -> None:
    # The checks above are only as good as the cycle finder: it must see a cycle when there is one.
    assert _cycles(graph) == expected


def test_lazy_and_type_only_imports_are_seen() -> None:
    # A function-level import and a TYPE_CHECKING import each make an edge.
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from conduct_rules.api import assess\n"
        "def f():\n    from conduct_rules.rules import ruleset\n"
    )
    edges = {
        t
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for t in _targets("conduct_rules.model.case", False, node)
    }
    assert edges == {"conduct_rules.api", "conduct_rules.rules.ruleset"}


#: Modules outside ``rules/`` allowed to read the ruleset *file* models (``rules.files``).
FILE_MODEL_READERS: dict[str, str] = {
    # The service's provision route publishes the registry entry with the registry's own schema,
    # so the OpenAPI document states the same constraints as the file format.
    "conduct_rules.service.models": "response of GET /v1/rulesets/{name}/provisions/{provision}",
}


def test_file_models_stay_inside_rules() -> None:
    # Other layers read a ruleset through ``Ruleset``'s parts (rules/parts.py), not its files.
    readers = {
        module
        for module, targets in GRAPH.items()
        if "conduct_rules.rules.files" in targets and not module.startswith("conduct_rules.rules")
    }
    assert readers <= set(FILE_MODEL_READERS), sorted(readers - set(FILE_MODEL_READERS))


#: Longest module, in lines: a reader holds one module in mind at a time (issue 12).
MAX_LINES = 500
#: Modules allowed to be longer (none today).
LONG_MODULES: frozenset[str] = frozenset()


def test_modules_stay_short() -> None:
    long = {
        module: n
        for module, (path, _) in MODULES.items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert set(long) <= LONG_MODULES, {m: n for m, n in long.items() if m not in LONG_MODULES}
