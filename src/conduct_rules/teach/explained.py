"""The shapes ``explain`` and ``why_not`` return (published as JSON Schemas).

Why apart from ``explain``: the derivation code is long and these models are a contract read
by integrators (``schemas/explanation.schema.json``, ``why-not``), by ``training`` and by the
command line; here they can be read on their own. ``teach.explain`` re-exports them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from conduct_rules.model.assessment import RulesetRef
from conduct_rules.model.version import SCHEMA_VERSION
from conduct_rules.render.labels import Lang, Scalar
from conduct_rules.teach.options import Option
from conduct_rules.teach.reasoning import Reasoning

__all__ = [
    "Check",
    "Concluded",
    "Explanation",
    "FiredRule",
    "Missing",
    "ProvisionRef",
    "Route",
    "WhyNot",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProvisionRef(_Model):
    """A provision a rule applies: its id, where it comes from, and a paraphrase."""

    id: str
    source: str
    text: str


class Check(_Model):
    """One leaf of a condition, evaluated on the case: what it reads and what it found."""

    fact: str
    text: str  # the leaf as a statement: "number of attempts … ≥ 2"
    label: str  # the fact's name alone: "number of attempts …"
    kind: Literal["flag", "choice", "compare"]  # yes/no; equal to / one of; more or less than
    value: Scalar
    holds: bool
    expected: bool = True  # False for a leaf under a ``not``: the rule needs it false


class Concluded(_Model):
    """One conclusion of a fired rule, with its second condition (met / recorded / required)."""

    kind: str
    id: str
    text: str
    second: str | None = None
    second_holds: bool | None = None
    second_because: tuple[Check, ...] = ()


class FiredRule(_Model):
    """A rule that fired: the leaves that made it fire, what it concluded, what it applies."""

    rule: str
    stratum: int
    note: str | None
    because: tuple[Check, ...]
    concluded: tuple[Concluded, ...]
    provisions: tuple[ProvisionRef, ...]


class Explanation(_Model):
    """An explanation of one case: the reasoning in paragraphs, and the derivation behind it.

    ``reasoning`` is what a supervisor would say (situation, deciding provision, what is missing,
    the options); ``steps`` every rule that fired, in evaluation order, for those who check it.
    JSON-ready with ``model_dump``; ``ruleset`` is nested as in the assessment.
    """

    schema_version: str = SCHEMA_VERSION
    case_id: str
    lang: Lang
    verdict: str
    verdict_label: str
    verdict_text: str
    reasoning: Reasoning
    steps: tuple[FiredRule, ...]
    ruleset: RulesetRef


class Missing(_Model):
    """A condition still to be fulfilled: a leaf that must become true (or false), or a group.

    ``any_of`` holds alternatives (one suffices); ``all_of`` a group that must hold together;
    ``because`` what would make a derived fact so, following the rules that conclude it.
    """

    text: str
    fact: str | None = None
    now: Scalar = None
    needed: bool = True
    any_of: tuple[Missing, ...] = ()
    all_of: tuple[Missing, ...] = ()
    because: tuple[Missing, ...] = ()


class Route(_Model):
    """One rule that would conclude the item, and what it still lacks."""

    rule: str
    provisions: tuple[ProvisionRef, ...]
    missing: tuple[Missing, ...]


class WhyNot(_Model):
    """Why an item does not hold for this case, and what each route to it still lacks."""

    case_id: str
    lang: Lang
    item: str
    kind: str
    label: str
    question: str  # the fact asked about, e.g. ``safeguard.legal_advice.met``
    question_text: str
    holds: bool
    routes: tuple[Route, ...]
    schema_version: str = SCHEMA_VERSION
    #: The answer in words: only what the member can act on, or plainly that nothing can.
    text: str = ""
    #: What the member can do, as plans (empty when nothing open to the member helps).
    options: tuple[Option, ...] = ()
    #: Whether some set of steps open to the member makes the item hold.
    actionable: bool = False
    #: Conditions the member cannot change that the routes still lack (labels, with now-values).
    outside_control: tuple[str, ...] = ()
