"""Pydantic models of the ruleset *files* (the on-disk format), before compilation.

Why separate from ``ruleset.py``: these models only say what a file may contain (unknown keys
rejected, types checked); cross-references, citations and the condition language are checked by
the loader, which can then name the rule and field involved.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

__all__ = [
    "Conclusion",
    "DerivedSpec",
    "Force",
    "HeaderFile",
    "OutputSpec",
    "OutputsFile",
    "ParameterSpec",
    "ProvisionSpec",
    "ProvisionsFile",
    "RuleSpec",
    "RulesFile",
    "SafeguardSpec",
]

Force = Literal["regulation", "standard_of_practice", "college_guidance"]
Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=80)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=4000, strip_whitespace=True)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class ProvisionSpec(_Strict):
    """One provision of the registry: where it comes from and what it says, paraphrased."""

    source: Text  # e.g. "O. Reg. 384/00, s. 2, para. 8, sub. iii"
    document: Text  # the instrument it belongs to
    edition: Text | None = None
    effective: Text | None = None  # date or year from which it applies, as the source gives it
    url: Text | None = None
    force: Force
    parent: Id | None = None
    en: Text
    fr: Text


class ProvisionsFile(_Strict):
    provisions: dict[Id, ProvisionSpec]


class ParameterSpec(_Strict):
    """A judgement threshold turned into a named, documented, overridable number."""

    default: int
    minimum: int = 0
    maximum: int = 1000
    sources: list[Id] = Field(min_length=1)
    en: Text
    fr: Text


class DerivedSpec(_Strict):
    """A fact the rules conclude from the case (e.g. ``risk``), with its meaning."""

    en: Text
    fr: Text


class HeaderFile(_Strict):
    id: Id
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$")]
    title: dict[Literal["en", "fr"], Text]
    jurisdiction: Text
    as_of: Text  # the date the ruleset's reading of the sources is judged at
    verdicts: list[Id] = Field(min_length=1)
    documentation_field: Id = "documented"
    parameters: dict[Id, ParameterSpec] = {}
    derived: dict[Id, DerivedSpec] = {}
    actionable: list[str] = []  # case fields the member can still change (counterfactuals)


class OutputSpec(_Strict):
    """An item of the assessment (action, documentation, finding, verdict)."""

    force: Force
    label: dict[Literal["en", "fr"], Text]
    en: Text
    fr: Text


class SafeguardSpec(OutputSpec):
    """A safeguard; ``blocking`` ones hold the verdict at ``conditional`` until met."""

    blocking: bool = False


class OutputsFile(_Strict):
    actions: dict[Id, OutputSpec]
    safeguards: dict[Id, SafeguardSpec]
    documentation: dict[Id, OutputSpec]
    findings: dict[Id, OutputSpec]
    verdicts: dict[Id, OutputSpec]


class Conclusion(_Strict):
    """What a rule concludes. Exactly one of the first six keys is set."""

    derive: Id | None = None
    verdict: Id | None = None
    permit: Id | None = None
    safeguard: Id | None = None
    document: Id | None = None
    finding: Id | None = None
    required_when: Any = None  # with ``permit``: when the action is required, not only allowed
    met_when: Any = None  # with ``safeguard``: when it is met
    recorded_when: Any = None  # with ``document``: when the record exists (default: listed)


class RuleSpec(_Strict):
    """One rule: an id, the provisions it applies, a condition, its conclusions."""

    id: Id
    cites: list[Id] = Field(min_length=1)
    when: Any
    then: list[Conclusion] = Field(min_length=1)
    note: Text | None = None
    exception_to: Id | None = None


class RulesFile(_Strict):
    rules: list[RuleSpec]
