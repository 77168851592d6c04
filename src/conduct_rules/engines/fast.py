"""The fast backend: each ruleset compiled once into plain Python functions.

Why generate source: interpreting the condition tree costs a function call per node and a dict
look-up per fact; a generated function reads each feature once into a local variable and tests
every unit with Python's own ``and`` / ``or`` / ``not``, which is as fast as hand-written code.
It is the engine for batches (``docs/benchmarks.md`` has the figures).

Why this is safe although it calls ``compile``: the source is generated from the *validated*
condition tree, a closed grammar (``conditions.py``). Nothing from a ruleset file reaches the
source except (a) names of fields of the case model (checked identifiers), read as keys of a
model's field values (``_vars``, that is ``vars``, applied to the case and its sub-models only)
or as attributes of list items, and (b) literals whose type is checked (``None``, ``bool``,
``int``, ``str``, tuples of ``str``), written with ``repr``. The functions run with no builtins
but ``len``, ``bool`` and ``tuple``, so even a bug in this generator could not reach ``open`` or
``__import__`` (``tests/test_fast_backend.py`` checks the generated source's names).

Three functions share one body. ``evaluate`` returns an ``Evaluation`` holding the truth value of
every unit (``Evaluation.from_flags``): the names fired and the facts dict (most of the cost on the
Ontario ruleset, built by the second function, ``facts``, from the case's features and those truth
values) are computed only if someone reads them, and ``build_assessment`` needs neither once it has
seen a combination of fired units. The truth values come in the groups ``build_assessment`` keys its
caches by (``assemble.lazy.flag_layout``), so each group is a cache key as built here.
``summarize`` returns only what an audit row reports (``Summary``); a fourth function, ``fired``,
turns the groups of flags back into unit names for a lazy evaluation's ``fired``. ``evaluate`` and
``summarize`` compute only the locals their result reads (``_live``), and read a feature used once
where it is used (``_inline_once``), so ``and`` / ``or`` can skip it.

The semantics are the python backend's, exactly (the differential tests compare all three):

* a fact concluded by a unit is ``True`` once the unit fired, else absent (``None`` for a
  comparison, false for a reference); if a case feature has the same key, the feature's value;
* the derived ``outstanding`` / ``missing`` facts (``rules.facts.UNMET_SOURCE``) are computed after
  the last stratum that can change them; stratification guarantees every unit reading them runs
  later, so each is computed once;
* comparisons follow ``conditions.compare`` (ordering with null is false).
"""

from __future__ import annotations

import ast
import keyword
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import compress
from typing import Any, NamedTuple

from conduct_rules.engines import Evaluation
from conduct_rules.errors import EvaluationError
from conduct_rules.model.case import Case
from conduct_rules.rules.conditions import All, Any_, Cmp, Condition, Const, Not, Ref
from conduct_rules.rules.facts import (
    ANY_MISSING,
    DOCUMENT_MISSING,
    FINDING,
    SAFEGUARD_OUTSTANDING,
    TERMINATION_REQUIRED,
    UNMET_SOURCE,
    VERDICT,
    auto_facts,
    keys_of,
)
from conduct_rules.rules.ruleset import Ruleset

__all__ = ["FastBackend", "Summary", "generate_source"]

#: Most compiled rulesets kept per backend (id × version × parameters × folder); the oldest is
#: dropped beyond this, so a parameter sweep cannot grow memory without bound.
MAX_COMPILED = 256

#: Rulesets with at most this many units get their fired names with the flags, eagerly. Why: a
#: lazy ``fired`` costs a property, a call and an unpacking of the flag groups when read (about
#: 0.5 µs), building the names at once about 0.15 µs for eight units; with many units (the
#: Ontario ruleset has 67) the names cost more and the usual reader, ``build_assessment``, never
#: reads them, so they stay lazy.
EAGER_FIRED_MAX_UNITS = 16


def _literal(value: Any) -> str:
    """Python source for a condition's literal; anything but the grammar's scalar types raises."""
    if value is None or type(value) in (bool, int, str):
        return repr(value)
    if type(value) is tuple and all(type(v) is str for v in value):
        return repr(value)
    raise EvaluationError(f"cannot compile a literal of type {type(value).__name__}")


def _attr(name: str) -> str:
    if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
        raise EvaluationError(f"cannot compile field name '{name}'")
    return name


class _Writer:
    """Builds the function body: locals for features and facts, one line per unit."""

    def __init__(self, ruleset: Ruleset) -> None:
        self.ruleset = ruleset
        self.name_sets: dict[tuple[str, ...], str] = {}  # names -> the global ``_Names`` cache
        self.lines: list[str] = []
        self.layout: tuple[tuple[int, ...], ...] = ()  # the flag groups, set by ``build``
        self.paths: dict[str, str] = {}  # dotted path of a list -> local name
        self.dicts: dict[str, str] = {}  # dotted path of a model -> local holding its fields
        self.features: dict[str, str] = {}  # feature key -> local name
        self.facts: dict[str, str] = {}  # concluded / auto fact key -> local name
        self.done: dict[Condition, str] = {}  # a unit's condition -> the local holding it
        units = ruleset.units
        self.unit_var = {u.name: f"u{i}" for i, u in enumerate(units)}
        self.producers: dict[str, list[str]] = {}  # fact key -> unit locals that make it true
        for u in units:
            for e in u.effects:
                self.producers.setdefault(e, []).append(self.unit_var[u.name])
        #: auto key -> (required key, met/recorded key), as ``rules.facts.auto_facts`` lists them
        self.auto = {a.key: (a.required, a.met) for a in auto_facts(ruleset)}
        self.missing_keys = tuple(keys_of(DOCUMENT_MISSING, ruleset.outputs.documentation))

    # -- features ----------------------------------------------------------------------------

    def _fields_of(self, path: str) -> str:
        """A local holding the field values of the model at a dotted path (``vars``).

        Why ``vars`` and not attributes: a pydantic model keeps its field values in its
        ``__dict__``, and a dict subscript costs about half an attribute read on a model; on
        the benchmark ruleset that is a tenth of an evaluation. ``_vars`` is only ever called
        on the case and on its sub-models, named by checked field names.
        """
        if path in self.dicts:
            return self.dicts[path]
        if path:
            parent, _, name = path.rpartition(".")
            model = f"{self._fields_of(parent)}[{_literal(_attr(name))}]"
        else:
            model = "case"
        var = f"d{len(self.dicts)}"
        self.lines.append(f"{var} = _vars({model})")
        self.dicts[path] = var
        return var

    def _object(self, path: str) -> str:
        """A local holding the value at a dotted path of the case (a list, for aggregates)."""
        if path in self.paths:
            return self.paths[path]
        parent, _, name = path.rpartition(".")
        var = f"o{len(self.paths)}"
        self.lines.append(f"{var} = {self._fields_of(parent)}[{_literal(_attr(name))}]")
        self.paths[path] = var
        return var

    def feature(self, key: str) -> str:
        """Emit the read of one feature (once) and return its local name."""
        if key in self.features:
            return self.features[key]
        var = f"f{len(self.features)}"
        if key.startswith("count("):
            expr = f"len({self._object(key[6:-1])})"
        elif key.startswith("distinct("):
            path, _, sub = key[9:-1].rpartition(".")
            items = self._object(path)
            expr = f"len({{x.{_attr(sub)} for x in {items}}}) if {items} else 0"
        elif key.startswith("contains("):
            path, _, value = key[9:-1].partition(",")
            expr = f"{_literal(value)} in {self._object(path)}"
        else:
            parent, _, name = key.rpartition(".")
            expr = f"{self._fields_of(parent)}[{_literal(_attr(name))}]"
        self.lines.append(f"{var} = {expr}")
        self.features[key] = var
        return var

    # -- facts -------------------------------------------------------------------------------

    def truthy(self, key: str) -> str:
        """An expression as true or false as ``key`` would be in the python backend."""
        if key in self.auto or key == ANY_MISSING:
            return self.fact(key)
        units = self.producers.get(key, [])
        feature = [self.features[key]] if key in self.features else []
        parts = units + feature
        if not parts:
            return "False"
        return parts[0] if len(parts) == 1 else "(" + " or ".join(parts) + ")"

    def fact(self, key: str) -> str:
        """An expression for ``key``'s final value in the python backend (see module docstring).

        Facts that need a computation get a local, emitted on first use. First use is late
        enough: a unit reading a fact runs in a later stratum than every unit concluding it
        (stratification), so those units' locals already hold their results.
        """
        if key in self.facts:
            return self.facts[key]
        if key == ANY_MISSING:
            if not self.missing_keys:
                return "False"
            expr = " or ".join(self.fact(k) for k in self.missing_keys)
        elif key in self.auto:
            required, met = self.auto[key]
            expr = UNMET_SOURCE.format(met=self.truthy(met), required=self.truthy(required))
        elif key in self.producers:
            fallback = self.features.get(key, "None")
            expr = f"True if ({' or '.join(self.producers[key])}) else {fallback}"
        else:
            return self.features.get(key, "None")
        var = f"k{len(self.facts)}"
        self.lines.append(f"{var} = {expr}")
        self.facts[key] = var
        return var

    # -- conditions --------------------------------------------------------------------------

    def cond(self, c: Condition) -> str:
        """An expression as true or false as ``c``; a unit's whole condition is reused by name."""
        if isinstance(c, Const):
            return "True" if c.value else "False"
        if isinstance(c, Ref):
            return self.truthy(c.key)
        if c in self.done:  # e.g. ``rule#met:x`` is ``All((rule's condition, met_when))``
            return self.done[c]
        if isinstance(c, Not):
            return f"(not {self.cond(c.arg)})"
        if isinstance(c, All | Any_):
            if not c.args:
                return "True" if isinstance(c, All) else "False"
            word = " and " if isinstance(c, All) else " or "
            return "(" + word.join(self.cond(a) for a in c.args) + ")"
        if not isinstance(c, Cmp):  # pragma: no cover - the grammar is closed
            raise EvaluationError(f"cannot compile condition node {type(c).__name__}")
        v = self.fact(c.key)
        lit = _literal(c.value)
        if c.op == "eq":
            return f"({v} == {lit})"
        if c.op == "ne":
            return f"({v} != {lit})"
        if c.op == "in":
            return f"({v} in {lit})"
        if c.value is None:
            return "False"
        sym = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[c.op]
        if self.never_null(c.key):
            return f"({v} {sym} {lit})"
        return f"({v} is not None and {v} {sym} {lit})"

    def never_null(self, key: str) -> bool:
        """Whether ``fact(key)`` can never be None, so an ordering test needs no null guard.

        True for a count or distinct-count feature no unit concludes: its local is a ``len``.
        (A plain int field is left guarded: a case built without validation may hold None.)
        """
        if key in self.producers or key in self.auto or key not in self.features:
            return False
        t = self.ruleset.vocabulary.feature_type(key)
        aggregate = key.startswith(("count(", "distinct("))
        return aggregate and t is not None and t.kind == "int" and not t.nullable

    def boolean(self, c: Condition) -> bool:
        """Whether ``cond(c)`` always evaluates to a bool (else a unit wraps it in ``bool``).

        Units, ``k`` locals, comparisons, ``not`` and constants are bools; a reference to a
        feature is one only if the field is a non-null yes/no field.
        """
        if isinstance(c, Ref):
            key = c.key
            if key in self.auto or key == ANY_MISSING or key not in self.features:
                return True
            t = self.ruleset.vocabulary.feature_type(key)
            return t is not None and t.kind == "bool" and not t.nullable
        if isinstance(c, All | Any_):
            return all(self.boolean(a) for a in c.args)
        return True

    # -- the whole function ------------------------------------------------------------------

    def pick(self, names: tuple[str, ...], tests: list[str]) -> str:
        """An expression for the ``names`` whose test is true, in order (a tuple of str).

        Read from a per-program ``_Names`` cache keyed by the truth values: a dict look-up
        costs a fifth of ``tuple(compress(...))`` and there are few combinations.
        """
        if not names:
            return "()"
        return f"{self.name_set(names)}[{_tuple(tests)}]"

    def name_set(self, names: tuple[str, ...]) -> str:
        """The global ``_Names`` cache of these names (one per distinct list)."""
        return self.name_sets.setdefault(names, f"_N{len(self.name_sets)}")

    def evaluate_tail(
        self, groups: list[list[str]], units: list[str], unit_names: tuple[str, ...]
    ) -> list[str]:
        """The lines that end ``evaluate``: the lazy evaluation from the groups of flags."""
        eager = len(units) <= EAGER_FIRED_MAX_UNITS
        # A tuple needed twice (two equal groups, or a group in unit order when the names are
        # picked eagerly) is built once, in a ``g`` local.
        needed = [tuple(g) for g in groups if g] + ([tuple(units)] if eager else [])
        shared = {g: f"g{i}" for i, g in enumerate(dict.fromkeys(needed)) if needed.count(g) > 1}
        prelude = [f"{var} = {_tuple(list(g))}" for g, var in shared.items()]
        flags = "(" + "".join(shared.get(tuple(g), _tuple(g)) + ", " for g in groups) + ")"
        if not eager:
            return [*prelude, f"return _lazy({flags}, case, _SOURCE)"]
        fired = f"{self.name_set(unit_names)}[{shared.get(tuple(units), _tuple(units))}]"
        return [*prelude, f"return _lazy({flags}, case, _SOURCE, {fired})"]

    def build(self) -> str:
        """``evaluate``, ``facts`` and ``summarize`` over one body; ``fired`` over the flags."""
        rs = self.ruleset
        # Imported here: the assembly imports the engines package, not this module.
        from conduct_rules.assemble.lazy import flag_layout

        self.layout = flag_layout(rs)
        for key in rs.feature_keys:
            if rs.vocabulary.feature_type(key) is None:  # pragma: no cover - always features
                raise EvaluationError(f"'{key}' is not a case feature")
            self.feature(key)
        for u in rs.units:
            var = self.unit_var[u.name]
            expr = self.cond(u.condition)
            # Every unit local holds a bool, so ``flags`` (a cache key downstream) has no other
            # values; only the truth of a unit local is ever read, so this changes no result.
            self.lines.append(f"{var} = {expr if self.boolean(u.condition) else f'bool({expr})'}")
            self.done.setdefault(u.condition, var)
        auto_keys = [*self.auto, ANY_MISSING]
        for key in auto_keys:
            self.fact(key)
        body = list(self.lines)
        # evaluate: every fact, exactly as the python backend holds them
        entries = [
            f"{_literal(k)}: {self.features[k]}" for k in rs.feature_keys if k not in self.auto
        ]
        entries += [f"{_literal(k)}: {self.fact(k)}" for k in auto_keys]
        tail = ["facts = {" + ", ".join(entries) + "}"]
        # The flags in the groups ``build_assessment`` keys its caches by (``flag_layout``):
        # each group is a cache key as it stands, built from the locals with no picking.
        groups = [[self.unit_var[rs.units[i].name] for i in g] for g in self.layout]
        units = [self.unit_var[u.name] for u in rs.units]
        unit_names = tuple(u.name for u in rs.units)
        evaluate = self.evaluate_tail(groups, units, unit_names)
        # facts: run after ``evaluate``, so the units' values are known; only the features and
        # the ``k`` locals (auto facts) are computed again
        facts_body = ["".join(f"({''.join(n + ', ' for n in g)}), " for g in groups) + "= flags"]
        facts_body += [line for line in body if not line.startswith("u")]
        skip = set(auto_keys)
        by_units: dict[tuple[str, ...], list[str]] = {}  # one test per set of producing units
        for key, producers in self.producers.items():
            if key not in skip:
                by_units.setdefault(tuple(producers), []).append(key)
        for group, keys in by_units.items():
            sets = "; ".join(f"facts[{_literal(k)}] = True" for k in keys)
            tail.append(f"if {' or '.join(group)}: {sets}")
        tail.append("return facts")
        # summarize: what an audit row reports, straight from the locals
        out = rs.outputs

        def listed(template: str, ids: Iterable[str]) -> str:
            names = tuple(ids)
            return self.pick(names, [self.truthy(k) for k in keys_of(template, names)])

        summary = [
            listed(VERDICT, out.verdicts),
            f"bool({self.truthy(TERMINATION_REQUIRED)})",
            listed(SAFEGUARD_OUTSTANDING, out.safeguards),
            listed(DOCUMENT_MISSING, out.documentation),
            listed(FINDING, out.findings),
        ]
        # ``tuple.__new__``: the named tuple's own ``__new__`` is Python code, slower
        fields = f"({', '.join(summary)})"
        summarize = [*self.lines[len(body) :], f"return _tnew(_Summary, {fields})"]
        # ``facts`` needs every local; the other two only those their result reads
        features = set(self.features.values())
        evaluate = _inline_once(_live(body + evaluate), features)
        summarize = _inline_once(_live(body + summarize), features)

        def function(name: str, lines: list[str], params: str = "case") -> str:
            head = f"def {name}({params}):\n"
            return head + "\n".join("    " + line for line in lines) + "\n"

        # fired: the names of the true units, in unit order, from the same groups of flags
        unpack = "".join(f"({''.join(n + ', ' for n in g)}), " for g in groups) + "= flags"
        fired = [unpack, f"return {self.pick(unit_names, units)}"]
        return "\n\n".join(
            (
                function("evaluate", evaluate),
                function("facts", facts_body + tail, "case, flags"),
                function("summarize", summarize),
                function("fired", fired, "flags"),
            )
        )


#: Longest tuple display built in one step: CPython builds longer ones through a list.
_MAX_DISPLAY = 30


def _tuple(names: list[str]) -> str:
    """A tuple display of these locals, as chunks of at most ``_MAX_DISPLAY`` added together."""
    if not names:
        return "()"
    chunks = -(-len(names) // _MAX_DISPLAY)
    size = -(-len(names) // chunks)
    parts = [f"({', '.join(names[i : i + size])},)" for i in range(0, len(names), size)]
    return parts[0] if chunks == 1 else "(" + " + ".join(parts) + ")"


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


#: Combinations kept per ``_Names`` cache; beyond, names are picked for each case (memory stays
#: bounded on adversarial input).
MAX_NAME_SETS = 4096


class _Names(dict[tuple[Any, ...], tuple[str, ...]]):
    """The tuples of ``names`` picked by truth values, memoised per combination of values.

    Why: generated code reads a name list as ``_N0[(u3, u7, ...)]``: a hit is one dict look-up,
    a miss (``__missing__``) picks the names once. Values are the units' bools (or features'
    truth values): hashable, and equal keys pick equal names.
    """

    __slots__ = ("names",)

    def __init__(self, names: tuple[str, ...]) -> None:
        super().__init__()
        self.names = names

    def __missing__(self, key: tuple[Any, ...]) -> tuple[str, ...]:
        value = tuple(compress(self.names, key))
        if len(self) < MAX_NAME_SETS:  # a race may add a few more: still bounded
            self[key] = value
        return value


class Summary(NamedTuple):
    """What an audit row reports about one case, in the ruleset's catalogue order.

    Equal to reading the same facts from ``evaluate(...).facts`` (the tests check it), but built
    without the facts dict and the ``Evaluation``: the fastest honest path for large batches.
    """

    verdicts: tuple[str, ...]  # exactly one for a well-formed ruleset
    termination_required: bool
    outstanding_safeguards: tuple[str, ...]
    missing_documentation: tuple[str, ...]
    findings: tuple[str, ...]


def generate_source(ruleset: Ruleset) -> str:
    """The Python source the fast backend compiles for ``ruleset`` (for review and debugging)."""
    return _Writer(ruleset).build()


@dataclass(frozen=True)
class _Program:
    """One ruleset's compiled functions; the ``FactSource`` of its lazy evaluations."""

    evaluate: Callable[[Case], Evaluation]
    facts: Callable[[Case, tuple[tuple[Any, ...], ...]], dict[str, Any]]
    summarize: Callable[[Case], Summary]
    fired: Callable[[tuple[tuple[Any, ...], ...]], tuple[str, ...]]
    rules: tuple[Any, ...]  # the ruleset's rules object: a reloaded folder gets a new program
    fingerprint: str
    names: tuple[str, ...]  # unit names, unit order
    layout: tuple[tuple[int, ...], ...]  # the units of each group of flags (``FactSource``)


def _compile(ruleset: Ruleset) -> _Program:
    writer = _Writer(ruleset)
    names = tuple(u.name for u in ruleset.units)
    namespace: dict[str, Any] = {
        "__builtins__": {"len": len, "bool": bool, "tuple": tuple},
        "_vars": vars,
        "_lazy": Evaluation.from_flags,
        "_Summary": Summary,
        "_tnew": tuple.__new__,
    }
    try:
        source = writer.build()  # parses its lines too (``_live``): deep nesting fails here
        namespace |= {var: _Names(names) for names, var in writer.name_sets.items()}
        code = compile(source, f"<conduct_rules.fast {ruleset.id} {ruleset.version}>", "exec")
        exec(code, namespace)  # source generated from the closed grammar: see the docstring
    except (SyntaxError, RecursionError, MemoryError):
        raise EvaluationError(
            f"ruleset {ruleset.id} {ruleset.version} is too deeply nested for the fast backend; "
            "use backend='python'"
        ) from None
    program = _Program(
        namespace["evaluate"],
        namespace["facts"],
        namespace["summarize"],
        namespace["fired"],
        ruleset.rules,
        ruleset.fingerprint,
        names,
        writer.layout,
    )
    namespace["_SOURCE"] = program  # read when ``evaluate`` runs, so it can be set after exec
    return program


class FastBackend:
    """Runs each ruleset's generated functions. They are pure, so this is thread-safe."""

    name = "fast"

    def __init__(self) -> None:
        self._programs: dict[str, _Program] = {}
        self._lock = threading.Lock()
        #: The ruleset evaluated last and its function: a batch uses one ruleset, and a
        #: ``Ruleset`` is immutable, so the same object needs no fingerprint look-up. Replaced
        #: as a whole, so a thread reads a consistent pair.
        self._last: tuple[Ruleset, Callable[[Case], Evaluation]] | None = None

    def _program(self, ruleset: Ruleset) -> _Program:
        key = ruleset.fingerprint
        prog = self._programs.get(key)
        if prog is None or prog.rules is not ruleset.rules:
            with self._lock:
                prog = _compile(ruleset)
                if key not in self._programs and len(self._programs) >= MAX_COMPILED:
                    del self._programs[next(iter(self._programs))]
                self._programs[key] = prog
        return prog

    def program(self, ruleset: Ruleset) -> Callable[[Case], Evaluation]:
        """The compiled ``evaluate`` function for ``ruleset`` (compiled once, then cached)."""
        return self._program(ruleset).evaluate

    def evaluate(self, ruleset: Ruleset, case: Case) -> Evaluation:
        """Evaluate every unit of ``ruleset`` over ``case``."""
        last = self._last
        if last is not None and last[0] is ruleset:
            return last[1](case)
        prog = self._programs.get(ruleset.fingerprint)  # inlined ``_program``: per-case path
        if prog is None or prog.rules is not ruleset.rules:
            prog = self._program(ruleset)
        self._last = (ruleset, prog.evaluate)
        return prog.evaluate(case)

    def summarize(self, ruleset: Ruleset, case: Case) -> Summary:
        """Verdicts, outstanding safeguards, missing records and findings, without the facts."""
        return self._program(ruleset).summarize(case)

    def summarizer(self, ruleset: Ruleset) -> Callable[[Case], Summary]:
        """The compiled ``summarize`` function, for loops over many cases."""
        return self._program(ruleset).summarize
