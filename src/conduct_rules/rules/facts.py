"""The one table of fact kinds: how each fact key is spelled, and who produces it.

Why one table: the rules, the three engines, the assembler, the audit rows and the teaching
modules all name facts such as ``safeguard.{id}.outstanding``. Spelled once here, a key cannot
drift between a producer and a reader, and "outstanding = required and not met" has one
definition (``unmet``, and ``UNMET_SOURCE`` for the code generators).

Who produces what:

* a rule's conclusion makes its *main* fact true when the rule fires (``main_key``), and a
  conclusion with a second condition (``required_when`` / ``met_when`` / ``recorded_when``) its
  *second* fact when that holds too (``second_key``);
* the engine adds the *automatic* facts between strata, from conclusions already final
  (``add_auto_facts``): "outstanding" is *required and not met*, "missing" is *required and not
  recorded*, and ``documentation.any_missing`` is whether any record is missing. Writing these as
  rules would need a negation in the same stratum as the facts negated, which durable_rules
  cannot do safely;
* every other key a condition reads is a feature of the case (``Vocabulary``).
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass
from typing import Any, Protocol


class Ruleset(Protocol):
    """What this table reads of a ruleset (``rules.ruleset.Ruleset`` is one); a Protocol, so that
    the ruleset module can import this table without this table importing it back."""

    @property
    def outputs(self) -> Any: ...  # ``rules.parts.Outputs`` (which imports this module)

    @property
    def auto_facts(self) -> tuple[AutoFact, ...]: ...

__all__ = [
    "ACTION",
    "ACTION_REQUIRED",
    "ANY_MISSING",
    "DOCUMENT_MISSING",
    "DOCUMENT_RECORDED",
    "DOCUMENT_REQUIRED",
    "FACT_KINDS",
    "FINDING",
    "SAFEGUARD_MET",
    "SAFEGUARD_OUTSTANDING",
    "SAFEGUARD_REQUIRED",
    "TERMINATION_REQUIRED",
    "UNMET_SOURCE",
    "VERDICT",
    "AutoFact",
    "FactKind",
    "add_auto_facts",
    "auto_facts",
    "auto_keys",
    "keys_of",
    "main_key",
    "second_key",
    "unmet",
    "unmet_from",
]

# Key templates: ``TEMPLATE.format(id)`` (ids are checked identifiers: no braces).
VERDICT = "verdict.{}"
ACTION = "action.{}"
ACTION_REQUIRED = "action.{}.required"
SAFEGUARD_REQUIRED = "safeguard.{}.required"
SAFEGUARD_MET = "safeguard.{}.met"
SAFEGUARD_OUTSTANDING = "safeguard.{}.outstanding"
DOCUMENT_REQUIRED = "documentation.{}.required"
DOCUMENT_RECORDED = "documentation.{}.recorded"
DOCUMENT_MISSING = "documentation.{}.missing"
FINDING = "finding.{}"
#: Whether any record is missing (automatic, no id).
ANY_MISSING = "documentation.any_missing"
#: A derived fact every ruleset reports in ``Assessment.termination_required``.
TERMINATION_REQUIRED = "termination_required"


@dataclass(frozen=True)
class FactKind:
    """One kind of fact: its key template, the conclusion kind and the producer.

    ``producer`` is ``"rule"`` (a conclusion's main fact), ``"rule, second condition"`` (its
    ``*_when`` fact) or ``"engine"`` (an automatic fact, ``add_auto_facts``).
    """

    template: str
    conclusion: str  # the ``then`` kind whose items it speaks of ("" for none)
    producer: str
    catalogue: str  # the ``outputs`` section listing its ids ("" for none)


FACT_KINDS: tuple[FactKind, ...] = (
    FactKind(VERDICT, "verdict", "rule", "verdicts"),
    FactKind(ACTION, "permit", "rule", "actions"),
    FactKind(ACTION_REQUIRED, "permit", "rule, second condition", "actions"),
    FactKind(SAFEGUARD_REQUIRED, "safeguard", "rule", "safeguards"),
    FactKind(SAFEGUARD_MET, "safeguard", "rule, second condition", "safeguards"),
    FactKind(SAFEGUARD_OUTSTANDING, "safeguard", "engine", "safeguards"),
    FactKind(DOCUMENT_REQUIRED, "document", "rule", "documentation"),
    FactKind(DOCUMENT_RECORDED, "document", "rule, second condition", "documentation"),
    FactKind(DOCUMENT_MISSING, "document", "engine", "documentation"),
    FactKind(ANY_MISSING, "document", "engine", ""),
    FactKind(FINDING, "finding", "rule", "findings"),
)

#: The main fact of each conclusion kind (``derive`` concludes the named fact itself).
_MAIN = {
    "derive": "{}",
    "verdict": VERDICT,
    "permit": ACTION,
    "safeguard": SAFEGUARD_REQUIRED,
    "document": DOCUMENT_REQUIRED,
    "finding": FINDING,
}
#: The fact a conclusion's second condition makes true.
_SECOND = {"permit": ACTION_REQUIRED, "safeguard": SAFEGUARD_MET, "document": DOCUMENT_RECORDED}


def main_key(kind: str, target: str) -> str:
    """The fact a conclusion of ``kind`` about ``target`` makes true when its rule fires."""
    return _MAIN[kind].format(target)


def second_key(kind: str, target: str) -> str:
    """The fact a conclusion's second condition makes true (``KeyError`` for other kinds)."""
    return _SECOND[kind].format(target)


def keys_of(template: str, ids: Iterable[str]) -> list[str]:
    """``template`` filled with each id, in order (``keys_of(VERDICT, out.verdicts)``)."""
    return [template.format(i) for i in ids]


@dataclass(frozen=True)
class AutoFact:
    """An automatic fact: true when ``required`` is true and ``met`` is not (``unmet``)."""

    key: str
    required: str
    met: str
    record: bool  # a ``missing`` record (counted in ``ANY_MISSING``), not a safeguard


#: The automatic facts per conclusion kind: (outstanding/missing, required, met/recorded).
_AUTO = (
    ("safeguards", SAFEGUARD_OUTSTANDING, SAFEGUARD_REQUIRED, SAFEGUARD_MET),
    ("documentation", DOCUMENT_MISSING, DOCUMENT_REQUIRED, DOCUMENT_RECORDED),
)


def auto_facts(ruleset: Ruleset) -> tuple[AutoFact, ...]:
    """Every automatic fact of ``ruleset`` but ``ANY_MISSING``: safeguards first, then records."""
    out = ruleset.outputs
    return tuple(
        AutoFact(key.format(i), required.format(i), met.format(i), section == "documentation")
        for section, key, required, met in _AUTO
        for i in getattr(out, section)
    )


#: The last word of an automatic fact's key -> that of the fact it is unmet from.
_UNMET_FROM = {key.rsplit(".", 1)[1]: met.rsplit(".", 1)[1] for _, key, _, met in _AUTO}


def unmet_from(key: str) -> tuple[str, str] | None:
    """For an ``outstanding`` / ``missing`` key, its ``required`` key and its ``met`` /
    ``recorded`` key (whatever the id); None for any other key."""
    base, _, last = key.rpartition(".")
    other = _UNMET_FROM.get(last)
    if not base or other is None:
        return None
    return f"{base}.required", f"{base}.{other}"


def auto_keys(ruleset: Ruleset) -> frozenset[str]:
    """The keys the engine computes (``auto_facts`` and ``ANY_MISSING``), never a rule."""
    return frozenset([*(a.key for a in auto_facts(ruleset)), ANY_MISSING])


def unmet(required: Any, met: Any) -> bool:
    """"Outstanding" and "missing": required and not met (or not recorded). The one definition."""
    return bool(required and not met)


#: ``unmet`` as Python source, for the code generators (``{required}`` and ``{met}`` are
#: expressions); equal to ``unmet`` for every pair of values (``tests/unit/test_fast_backend.py``).
UNMET_SOURCE = "(not {met}) if {required} else False"


def add_auto_facts(ruleset: Ruleset, facts: MutableMapping[str, Any]) -> None:
    """Set the ``outstanding`` / ``missing`` facts and ``documentation.any_missing``."""
    get = facts.get
    any_missing = False
    for a in ruleset.auto_facts:  # ``auto_facts``, made once per ruleset
        value = facts[a.key] = unmet(get(a.required), get(a.met))
        if value and a.record:
            any_missing = True
    facts[ANY_MISSING] = any_missing
