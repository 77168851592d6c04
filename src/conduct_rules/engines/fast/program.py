"""One ruleset compiled by the fast backend: its functions, their name caches and the audit row.

Why a module: what the generated code runs with (``_Names``, the ``Summary`` it returns, the
namespace of ``compile``) and the object holding the result (``Program``, the ``FactSource`` of
its evaluations) are the contract between the generator (``engines.fast.writer``) and the
backend (``engines.fast.FastBackend``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import compress
from typing import Any, NamedTuple

from conduct_rules.engines import Evaluation
from conduct_rules.engines.fast.writer import Access, Writer
from conduct_rules.errors import EvaluationError
from conduct_rules.model.case import Case
from conduct_rules.rules.ruleset import Ruleset

__all__ = ["MAX_NAME_SETS", "Program", "Summary", "compile_program", "generate_source"]

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
    return Writer(ruleset).build()


@dataclass(frozen=True)
class Program:
    """One ruleset's compiled functions; the ``FactSource`` of its lazy evaluations."""

    evaluate: Callable[[Case], Evaluation]
    facts: Callable[[Case, tuple[tuple[Any, ...], ...]], dict[str, Any]]
    summarize: Callable[[Case], Summary]
    fired: Callable[[tuple[tuple[Any, ...], ...]], tuple[str, ...]]
    rules: tuple[Any, ...]  # the ruleset's rules object: a reloaded folder gets a new program
    fingerprint: str
    names: tuple[str, ...]  # unit names, unit order
    layout: tuple[tuple[int, ...], ...]  # the units of each group of flags (``FactSource``)


def compile_program(ruleset: Ruleset, *, access: Access = "vars") -> Program:
    """Compile ``ruleset``'s functions; ``access``: how they read fields (``Writer.read``)."""
    writer = Writer(ruleset, access=access)
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
    program = Program(
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
