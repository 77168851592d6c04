"""The output contract: an assessment, and the items it lists.

Why items carry their own citations, explanation and force: a practitioner reads one line of a
report, not the ruleset; an auditor filters by provision; a trainer asks "where does this come
from". Everything needed to answer travels with the item. Lists are in the ruleset's catalogue
order, so the same case always gives byte-identical JSON.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from conduct_rules.model.version import SCHEMA_VERSION

__all__ = [
    "Action",
    "Assessment",
    "Documentation",
    "EditionRef",
    "Finding",
    "Item",
    "RulesetRef",
    "Safeguard",
    "Warning_",
]

Verdict = Literal["not_permitted", "conditional", "permitted"]
Force = Literal["regulation", "standard_of_practice", "college_guidance"]
Lang = Literal["en", "fr"]
Engine = Literal["durable_rules", "python", "fast"]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Item(_Frozen):
    """Something an assessment lists, with where it comes from."""

    id: str
    label: str
    explanation: str
    citations: tuple[str, ...]
    force: Force
    rules: tuple[str, ...]  # the rules that concluded it


class Action(Item):
    """A permitted action; ``required`` when the standards demand it, not only allow it."""

    required: bool = False


class Safeguard(Item):
    """A required safeguard and whether the case shows it met."""

    status: Literal["met", "outstanding"]
    blocking: bool


class Documentation(Item):
    """A record the standards expect and the case does not list as made."""


class Finding(Item):
    """A possible breach, for a past ending (stage ``ended``) or continuation (``continued``)."""


class Warning_(_Frozen):  # noqa: N801 - ``Warning`` is a built-in
    """A named warning: facts that cannot all be true, or an assumption the engine made."""

    id: str
    fields: tuple[str, ...]
    message: str


class EditionRef(_Frozen):
    """One source a ruleset reads, with the edition and the dates it is in force (issue 15)."""

    id: str
    document: str
    edition: str
    in_force: str  # ISO date from which the ruleset's reading of this edition applies
    until: str | None = None  # ISO date from which it no longer applies, when known
    note: str | None = None  # in the assessment's language, e.g. a later revision to check


class RulesetRef(_Frozen):
    """Which rules produced the assessment, so it can be reproduced."""

    id: str
    version: str
    parameters: dict[str, int]
    editions: tuple[EditionRef, ...] = ()  # the sources and editions the rules read


class Assessment(_Frozen):
    """The result of assessing one case against a ruleset."""

    case_id: str
    lang: Lang
    verdict: Verdict
    verdict_explanation: str
    #: The answer in a sentence or two, as a supervisor would say it: what the verdict means,
    #: the way out when ending is called for but not yet permitted, what comes first, and any
    #: possible breach, each with its provision (``assemble/summary.py``): for programs.
    #: Empty only in an assessment stored before the field existed (it still reads back).
    summary: str = ""
    termination_required: bool
    permitted_actions: tuple[Action, ...]
    required_safeguards: tuple[Safeguard, ...]
    missing_documentation: tuple[Documentation, ...]
    required_documentation: tuple[str, ...]
    findings: tuple[Finding, ...]
    derived_facts: dict[str, bool]
    rules_fired: tuple[str, ...]
    ruleset: RulesetRef
    engine: Engine
    warnings: tuple[Warning_, ...] = ()
    #: The version of this JSON shape (``schemas/assessment.schema.json``), not of the rules.
    schema_version: str = SCHEMA_VERSION

    @property
    def outstanding_safeguards(self) -> tuple[Safeguard, ...]:
        """The safeguards still to be met."""
        return tuple(s for s in self.required_safeguards if s.status == "outstanding")

    def to_json(self) -> str:
        """Stable JSON text: same case, same ruleset, same bytes."""
        return self.model_dump_json()

    def _repr_html_(self) -> str:
        """Jupyter's view: the same content as the text report, as escaped HTML
        (``render.html``, reached through ``model.views``)."""
        from conduct_rules.model.views import view

        html: str = view("assessment.html")(self)
        return html
