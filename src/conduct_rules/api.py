"""The public entry point: ``assess(case)``.

Why a function and not an object: clinical software wants one call, no set-up and nothing shared
between calls. Loaded rulesets are immutable and cached; the durable_rules host is one per process
behind a lock (its C engine is not thread-safe); nothing about one assessment survives it.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from conduct_rules.assemble.build import build_assessment
from conduct_rules.assemble.contradictions import contradictions
from conduct_rules.engines import Backend
from conduct_rules.engines.durable import DurableBackend, durable_available
from conduct_rules.engines.python import PythonBackend
from conduct_rules.errors import OptionError, ParameterError, RulesetError, check_lang
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

__all__ = ["BACKENDS", "assess", "default_backend", "get_backend", "get_ruleset"]

BackendName = Literal["auto", "durable_rules", "python", "fast"]
BACKENDS: tuple[str, ...] = ("auto", "durable_rules", "python", "fast")


@functools.lru_cache(maxsize=32)
def _cached_ruleset(name: str) -> Ruleset:
    return load_ruleset(name)


@functools.lru_cache(maxsize=32)
def _cached_folder(folder: str, signature: tuple[tuple[int, ...], ...]) -> Ruleset:
    return load_ruleset(Path(folder))


def _load_folder(ruleset: str | Path) -> Ruleset:
    """A ruleset folder, loaded again only when one of its files changed.

    Why: ``assess(case, ruleset="path/to/folder")`` in a loop would otherwise read and check
    the four files, and recompile the rules for the fast backend, for every case. The key is
    the folder and each file's modification and change times, size and inode
    (``folder_signature``), so an edited ruleset is reloaded; the reloaded ruleset's content
    digest is part of its ``fingerprint``, so every backend compiles it afresh.
    """
    folder = Path(ruleset)
    try:
        resolved = folder.resolve(strict=True)
        signature = folder_signature(resolved)
    except (OSError, RuntimeError, ValueError):  # ``load_ruleset`` says what is wrong, as always
        return load_ruleset(folder)
    return _cached_folder(str(resolved), signature)


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
    ``Path`` or a ``str`` with a separator (``./ontario``).
    """
    if ruleset is None:
        rs = _cached_ruleset(DEFAULT_RULESET)
    elif isinstance(ruleset, Ruleset):
        rs = ruleset
    elif is_ruleset_name(ruleset):
        rs = _cached_ruleset(str(ruleset))
    elif isinstance(ruleset, str | Path):
        rs = _load_folder(ruleset)
    else:
        raise RulesetError("ruleset must be a built-in name, a folder path or a Ruleset")
    if parameters is None:
        return rs
    values = _checked_parameters(parameters)
    return rs.with_parameters(**values) if values else rs


def get_backend(name: str = "auto") -> Backend:
    """The backend instance for a name; ``auto`` is durable_rules where it loads, else python."""
    if not isinstance(name, str) or name not in (*BACKENDS, "durable"):
        raise OptionError(f"unknown backend; choose one of {', '.join(BACKENDS)}")
    return _backend(name)


@functools.lru_cache(maxsize=8)
def _backend(name: str) -> Backend:
    if name == "auto":
        name = default_backend()
    if name in ("durable_rules", "durable"):
        return DurableBackend()
    if name == "python":
        return PythonBackend()
    from conduct_rules.engines.fast import FastBackend  # type: ignore[import-untyped,unused-ignore]

    backend: Backend = FastBackend()
    return backend


def default_backend() -> str:
    """``durable_rules`` where its C extension loads (Python 3.11, 3.12), else ``python``."""
    return "durable_rules" if durable_available() else "python"


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
    """
    check_lang(lang)
    rs = get_ruleset(ruleset, parameters)
    if as_of is not None:
        require_in_force(rs.metadata, rs.id, as_of)
    vocab = rs.vocabulary
    warnings: tuple[Warning_, ...]
    c = vocab.parse(case)
    # The contradiction checks speak of the standard ``Case``; a ruleset's own record has none.
    # Only for a ruleset that reads the standard case the way the warnings assume (Ontario's).
    on = vocab.is_case and rs.metadata.contradiction_warnings
    warnings = contradictions(c, lang) if on else ()
    engine = get_backend(backend)
    evaluation = engine.evaluate(rs, c)
    return build_assessment(rs, c, evaluation, lang=lang, engine=engine.name, warnings=warnings)
