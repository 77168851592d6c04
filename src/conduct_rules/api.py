"""The public entry point ``assess(case)``, and the prepared ``Assessor`` it keeps per setting.

Why a function first: clinical software wants one call, no set-up and nothing shared between
calls that it can see. Why also a prepared object (``Assessor``, as OPA's prepared queries;
``prepare(...)`` in ``batch.py``, which adds ``assess_many`` one layer up):
resolving a ruleset, compiling it for a backend and preparing the texts of its assessments cost
milliseconds, paid once per (ruleset, language, parameters, backend) and then reused for every
case. ``assess`` uses a small bounded registry of Assessors (``_Registry``: the one cache of this
module, with the loaded rulesets and the backend instances); nothing about one assessment
survives it. The durable_rules host is one per process behind a lock (its C engine is not
thread-safe).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Hashable, Mapping
from pathlib import Path
from typing import Any, Literal

from conduct_rules.assemble.build import Plan
from conduct_rules.assemble.contradictions import contradictions
from conduct_rules.engines import Backend, Evaluation
from conduct_rules.engines.durable import DurableBackend, durable_available, unavailable_reason
from conduct_rules.engines.python import PythonBackend
from conduct_rules.errors import (
    EngineUnavailableError,
    OptionError,
    ParameterError,
    RulesetError,
    check_lang,
)
from conduct_rules.model.assessment import Assessment, Warning_
from conduct_rules.model.case import Case
from conduct_rules.rules.editions import require_in_force
from conduct_rules.rules.ruleset import (
    DEFAULT_RULESET,
    Ruleset,
    folder_signature,
    is_ruleset_name,
    load_ruleset,
)

__all__ = [
    "BACKENDS",
    "Assessor",
    "assess",
    "default_backend",
    "get_backend",
    "get_ruleset",
]

BackendName = Literal["auto", "durable_rules", "python", "fast"]
BACKENDS: tuple[str, ...] = ("auto", "durable_rules", "python", "fast")


def _checked_parameters(parameters: object) -> dict[str, int]:
    """``parameters`` as a dict, or ``ParameterError`` for anything but a mapping of names."""
    if not isinstance(parameters, Mapping):
        raise ParameterError(
            "parameters must be a mapping of parameter names to whole numbers, "
            'e.g. {"min_attempts": 3}'
        )
    if not all(isinstance(k, str) for k in parameters):
        raise ParameterError("parameter names must be text, e.g. 'min_attempts'")
    return dict(parameters)


def get_ruleset(
    ruleset: str | Path | Ruleset | None = None, parameters: Mapping[str, int] | None = None
) -> Ruleset:
    """Resolve a ruleset argument (name, folder, object or None) and apply overrides.

    A ``str`` without a path separator is a built-in name only (``is_ruleset_name``): a folder
    of the working directory called ``ontario`` never replaces the built-in. A folder is a
    ``Path`` or a ``str`` with a separator (``./ontario``). Names and folders are loaded once
    (``_Registry``); a folder again when one of its files changed.
    """
    values = None if parameters is None else _checked_parameters(parameters)
    return _REGISTRY.ruleset(ruleset, values)


def get_backend(name: str = "auto") -> Backend:
    """The backend instance for a name; ``auto`` is the fast backend (``default_backend``)."""
    if not isinstance(name, str) or name not in (*BACKENDS, "durable"):
        raise OptionError(f"unknown backend; choose one of {', '.join(BACKENDS)}")
    return _REGISTRY.backend(name)


def _new_backend(name: str) -> Backend:
    if name == "durable_rules":
        return DurableBackend()
    if name == "python":
        return PythonBackend()
    from conduct_rules.engines.fast import FastBackend  # type: ignore[import-untyped,unused-ignore]

    backend: Backend = FastBackend()
    return backend


def default_backend() -> str:
    """The backend ``auto`` means, for one case and for a batch alike: ``fast``.

    Why fast and not durable_rules: it is pure Python (it runs wherever the library does), it
    holds no process-wide lock and no limit on parameter sets, and it is the fastest; CI proves
    its answers identical to durable_rules (the Rete engine of record, still selectable with
    ``backend="durable_rules"``) and to the python interpreter on every ruleset
    (``docs/engines.md``).
    """
    return "fast"


class Assessor:
    """One ruleset, language and backend, prepared once to assess many cases (``prepare``).

    Why: it owns what every assessment with these settings reuses — the resolved ruleset, the
    backend's compiled evaluation and the assembler's ``Plan`` (the validated texts and parts of
    assessments, its caches bounded) — so a loop over cases pays for them once and no module
    keeps them in globals. Thread-safe: nothing in it changes after construction but its caches,
    which are filled under their own locks; share one between threads freely.
    """

    def __init__(
        self, ruleset: Ruleset, *, lang: Literal["en", "fr"] = "en", backend: str = "auto"
    ) -> None:
        check_lang(lang)
        self.ruleset = ruleset
        self.lang: Literal["en", "fr"] = lang
        self.backend = backend
        engine = get_backend(backend)
        if isinstance(engine, DurableBackend) and not durable_available():
            raise EngineUnavailableError(unavailable_reason())  # now, not at the first case
        #: The name of the backend that runs (``Assessment.engine``): ``auto`` is ``fast``.
        self.engine: str = engine.name
        program = getattr(engine, "program", None)  # the fast backend's compiled function
        self._evaluate: Callable[[Case], Evaluation] = (
            program(ruleset) if callable(program) else lambda c: engine.evaluate(ruleset, c)
        )
        vocab = ruleset.vocabulary
        self._parse = vocab.parse
        # The contradiction checks speak of the standard ``Case``; a ruleset's own record has
        # none. Only for a ruleset that reads the standard case as the warnings assume.
        self._warns = vocab.is_case and ruleset.metadata.contradiction_warnings
        self._plan = Plan(ruleset, lang)

    def __repr__(self) -> str:
        rs = self.ruleset
        return f"<Assessor {rs.id} {rs.version} lang={self.lang} engine={self.engine}>"

    def assess(self, case: Case | Mapping[str, Any], *, as_of: dt.date | None = None) -> Assessment:
        """Assess one case, as ``assess(case, ...)`` with this Assessor's settings would."""
        if as_of is not None:
            require_in_force(self.ruleset.metadata, self.ruleset.id, as_of)
        return self._assess_parsed(self._parse(case))

    def _assess_parsed(self, c: Case) -> Assessment:
        warnings: tuple[Warning_, ...] = contradictions(c, self.lang) if self._warns else ()
        ev = self._evaluate(c)
        return self._plan.build(c, ev, engine=self.engine, warnings=warnings)


class _Registry:
    """The one cache of this module: loaded rulesets, backend instances and Assessors.

    Bounded (the oldest entry goes first beyond ``MAX_RULESETS`` / ``MAX_ASSESSORS``: a sweep
    over thousands of parameter sets cannot grow memory), thread-safe (entries are made under
    one lock; a dict read needs none), and keyed so an entry is what a fresh load would give:
    a built-in by name, a folder by its path and each file's times, size and inode
    (``folder_signature``: an edited ruleset is reloaded), a ``Ruleset`` object by identity.
    """

    MAX_RULESETS = 64
    MAX_ASSESSORS = 64

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rulesets: dict[Hashable, Ruleset] = {}
        self._backends: dict[str, Backend] = {}
        self._assessors: dict[Hashable, Assessor] = {}

    def _keep(self, table: dict[Any, Any], key: Hashable, value: Any, limit: int) -> None:
        with self._lock:
            if key not in table and len(table) >= limit:
                del table[next(iter(table))]
            table[key] = value

    def ruleset(
        self, ruleset: str | Path | Ruleset | None, parameters: dict[str, int] | None
    ) -> Ruleset:
        """The ruleset of an ``assess`` argument, with these parameters applied."""
        if isinstance(ruleset, Ruleset):
            return ruleset.with_parameters(**parameters) if parameters else ruleset
        key: Hashable
        if ruleset is None or is_ruleset_name(ruleset):
            name = DEFAULT_RULESET if ruleset is None else str(ruleset)
            key = ("name", name)
        elif isinstance(ruleset, str | Path):
            folder = Path(ruleset)
            try:
                resolved = folder.resolve(strict=True)
                key = ("folder", str(resolved), folder_signature(resolved))
            except (OSError, RuntimeError, ValueError):  # ``load_ruleset`` says what is wrong
                return _with(load_ruleset(folder), parameters)
        else:
            raise RulesetError("ruleset must be a built-in name, a folder path or a Ruleset")
        full = (key, tuple(sorted(parameters.items())) if parameters else ())
        rs = self._rulesets.get(full)
        if rs is None:
            base = self._rulesets.get((key, ()))
            if base is None:
                base = load_ruleset(name if key[0] == "name" else Path(key[1]))
                self._keep(self._rulesets, (key, ()), base, self.MAX_RULESETS)
            rs = _with(base, parameters)
            self._keep(self._rulesets, full, rs, self.MAX_RULESETS)
        return rs

    def backend(self, name: str) -> Backend:
        """One instance per backend (each holds its compiled rulesets): ``auto`` is ``fast``'s."""
        if name == "auto":
            name = default_backend()
        elif name == "durable":
            name = "durable_rules"
        backend = self._backends.get(name)
        if backend is None:
            backend = _new_backend(name)
            with self._lock:
                backend = self._backends.setdefault(name, backend)
        return backend

    def assessor(self, ruleset: Ruleset, lang: Literal["en", "fr"], backend: str) -> Assessor:
        """The Assessor for this ruleset, language and backend, made on first use.

        Keyed by the ruleset's ``fingerprint`` (its id, version, content and parameters), and
        used only for a ruleset made of the same loaded objects (``Plan.matches``): a ruleset
        reloaded from an edited folder gets its own Assessor, and a copy with the same
        parameters (``with_parameters``, called by each ``assess(..., parameters=...)``)
        reuses the one made for the first.
        """
        key = (ruleset.fingerprint, lang, backend)
        hit = self._assessors.get(key)
        if hit is not None and (hit.ruleset is ruleset or hit._plan.matches(ruleset)):
            return hit
        assessor = Assessor(ruleset, lang=lang, backend=backend)
        self._keep(self._assessors, key, assessor, self.MAX_ASSESSORS)
        return assessor


def _with(rs: Ruleset, parameters: dict[str, int] | None) -> Ruleset:
    return rs.with_parameters(**parameters) if parameters else rs


_REGISTRY = _Registry()


def assess(
    case: Case | Mapping[str, Any],
    *,
    ruleset: str | Path | Ruleset | None = None,
    lang: Literal["en", "fr"] = "en",
    backend: str = "auto",
    parameters: Mapping[str, int] | None = None,
    as_of: dt.date | None = None,
) -> Assessment:
    """Assess one case against a ruleset (the Ontario one by default).

    ``case`` is a ``Case`` or a plain mapping in the contract's JSON shape (for a ruleset that
    declares its own flat record, a mapping of that record's fields or an instance of
    ``ruleset.vocabulary.model``). ``lang`` chooses the language of explanations.
    ``parameters`` overrides named thresholds such as ``{"min_attempts": 3}``. Raises
    ``CaseValidationError`` (a ``ValueError``) naming the bad field; never echoes case values
    other than ``case_id``. ``as_of`` asks for the standards in force on that date: a ruleset
    whose sources were not in force then raises ``EditionError`` (the ruleset's ``editions``).
    For many cases with the same settings, ``prepare`` them once.
    """
    check_lang(lang)
    rs = get_ruleset(ruleset, parameters)
    if as_of is not None:
        require_in_force(rs.metadata, rs.id, as_of)
    c = rs.vocabulary.parse(case)  # before the backend: a bad case is reported first
    if not isinstance(backend, str) or backend not in (*BACKENDS, "durable"):
        get_backend(backend)  # raises the OptionError
    return _REGISTRY.assessor(rs, lang, backend)._assess_parsed(c)
