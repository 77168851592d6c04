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
``__import__`` (``tests/unit/test_fast_backend.py`` checks the generated source's names).

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

The package: ``writer`` generates the source, ``optimise`` trims it, ``program`` compiles it
and holds the result; ``FastBackend`` (here) keeps one program per ruleset.

The semantics are the python backend's, exactly (the differential tests compare all three):

* a fact concluded by a unit is ``True`` once the unit fired, else absent (``None`` for a
  comparison, false for a reference); if a case feature has the same key, the feature's value;
* the derived ``outstanding`` / ``missing`` facts (``rules.facts.UNMET_SOURCE``) are computed after
  the last stratum that can change them; stratification guarantees every unit reading them runs
  later, so each is computed once;
* comparisons follow ``conditions.compare`` (ordering with null is false).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from conduct_rules.engines import Evaluation
from conduct_rules.engines.fast.program import (
    Program,
    Summary,
    compile_program,
    generate_source,
)
from conduct_rules.engines.fast.writer import Access
from conduct_rules.model.case import Case
from conduct_rules.rules.ruleset import Ruleset

__all__ = ["FastBackend", "Summary", "generate_source"]

#: Most compiled rulesets kept per backend (id × version × parameters × folder); the oldest is
#: dropped beyond this, so a parameter sweep cannot grow memory without bound.
MAX_COMPILED = 256


class FastBackend:
    """Runs each ruleset's generated functions. They are pure, so this is thread-safe."""

    name = "fast"

    def __init__(self) -> None:
        self._programs: dict[str, Program] = {}
        self._attr_programs: dict[str, Program] = {}  # ``summarizer(..., access="attr")``
        self._lock = threading.Lock()
        #: The ruleset evaluated last and its function: a batch uses one ruleset, and a
        #: ``Ruleset`` is immutable, so the same object needs no fingerprint look-up. Replaced
        #: as a whole, so a thread reads a consistent pair.
        self._last: tuple[Ruleset, Callable[[Case], Evaluation]] | None = None

    def _program(self, ruleset: Ruleset, access: Access = "vars") -> Program:
        programs = self._programs if access == "vars" else self._attr_programs
        key = ruleset.fingerprint
        prog = programs.get(key)
        if prog is None or prog.rules is not ruleset.rules:
            with self._lock:
                prog = compile_program(ruleset, access=access)
                if key not in programs and len(programs) >= MAX_COMPILED:
                    del programs[next(iter(programs))]
                programs[key] = prog
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

    def summarizer(
        self, ruleset: Ruleset, *, access: Access = "vars"
    ) -> Callable[[Any], Summary]:
        """The compiled ``summarize`` function, for loops over many cases.

        ``access="attr"``: a version that reads fields as attributes, for objects shaped like a
        ``Case`` without its ``__dict__`` (the audit's ``msgspec`` structs, ``audit.fastjson``).
        """
        return self._program(ruleset, access).summarize
