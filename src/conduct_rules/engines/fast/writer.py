"""The fast backend's code generator: one ruleset's units written as one Python function body.

What the generated functions compute, and why it is safe to compile, is in the package's
docstring (``engines.fast``); how the body is trimmed, in ``engines.fast.optimise``.
"""

from __future__ import annotations

import keyword
from collections.abc import Iterable
from typing import Any, Literal

from conduct_rules.engines import flag_layout
from conduct_rules.engines.fast.optimise import _inline_once, _live
from conduct_rules.errors import EvaluationError
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

__all__ = ["EAGER_FIRED_MAX_UNITS", "Access", "Writer", "attr", "literal"]

#: How generated code reads a model's fields: from its ``vars()`` dict, or as attributes.
Access = Literal["vars", "attr"]

#: Rulesets with at most this many units get their fired names with the flags, eagerly. Why: a
#: lazy ``fired`` costs a property, a call and an unpacking of the flag groups when read (about
#: 0.5 µs), building the names at once about 0.15 µs for eight units; with many units (the
#: Ontario ruleset has 67) the names cost more and the usual reader, ``build_assessment``, never
#: reads them, so they stay lazy.
EAGER_FIRED_MAX_UNITS = 16


def literal(value: Any) -> str:
    """Python source for a condition's literal; anything but the grammar's scalar types raises."""
    if value is None or type(value) in (bool, int, str):
        return repr(value)
    if type(value) is tuple and all(type(v) is str for v in value):
        return repr(value)
    raise EvaluationError(f"cannot compile a literal of type {type(value).__name__}")


def attr(name: str) -> str:
    if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
        raise EvaluationError(f"cannot compile field name '{name}'")
    return name


class Writer:
    """Builds the function body: locals for features and facts, one line per unit."""

    def __init__(self, ruleset: Ruleset, *, access: Access = "vars") -> None:
        self.ruleset = ruleset
        self.access = access
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
            model = self.read(self._fields_of(parent), name)
        else:
            model = "case"
        var = f"d{len(self.dicts)}"
        read = f"_vars({model})" if self.access == "vars" else model
        self.lines.append(f"{var} = {read}")
        self.dicts[path] = var
        return var

    def read(self, holder: str, name: str) -> str:
        """Source reading field ``name`` of a model whose fields ``holder`` holds.

        ``vars`` (the default): ``holder`` is the model's ``vars()`` dict. ``attr``: ``holder`` is
        the object itself, read by attribute; for objects without a ``__dict__``, such as the
        ``msgspec`` structs the audit's JSON Lines reader decodes into (``audit.fastjson``).
        """
        if self.access == "vars":
            return f"{holder}[{literal(attr(name))}]"
        return f"{holder}.{attr(name)}"

    def _object(self, path: str) -> str:
        """A local holding the value at a dotted path of the case (a list, for aggregates)."""
        if path in self.paths:
            return self.paths[path]
        parent, _, name = path.rpartition(".")
        var = f"o{len(self.paths)}"
        self.lines.append(f"{var} = {self.read(self._fields_of(parent), name)}")
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
            expr = f"len({{x.{attr(sub)} for x in {items}}}) if {items} else 0"
        elif key.startswith("contains("):
            path, _, value = key[9:-1].partition(",")
            expr = f"{literal(value)} in {self._object(path)}"
        else:
            parent, _, name = key.rpartition(".")
            expr = self.read(self._fields_of(parent), name)
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
        lit = literal(c.value)
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
            f"{literal(k)}: {self.features[k]}" for k in rs.feature_keys if k not in self.auto
        ]
        entries += [f"{literal(k)}: {self.fact(k)}" for k in auto_keys]
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
            sets = "; ".join(f"facts[{literal(k)}] = True" for k in keys)
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
