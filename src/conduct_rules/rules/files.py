"""Pydantic models of the ruleset *files* (the on-disk format), before compilation.

Why separate from ``ruleset.py``: these models only say what a file may contain (unknown keys
rejected, types checked); cross-references, citations and the condition language are checked by
the loader, which can then name the rule and field involved.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

__all__ = [
    "Conclusion",
    "DerivedSpec",
    "EditionSpec",
    "Force",
    "HeaderFile",
    "LeverSpec",
    "OutputSpec",
    "OutputsFile",
    "ParameterSpec",
    "ProvisionSpec",
    "ProvisionsFile",
    "RecordFieldSpec",
    "RecordSpec",
    "RuleSpec",
    "RulesFile",
    "SafeguardSpec",
]

Force = Literal["regulation", "standard_of_practice", "college_guidance"]
Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=80)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=4000, strip_whitespace=True)]


def _both_languages(value: dict[str, str]) -> dict[str, str]:
    # Every text a practitioner reads exists in English and French; a label in one language
    # only would show up as a blank in the other language's report.
    missing = [lang for lang in ("en", "fr") if lang not in value]
    if missing:
        raise ValueError(f"needs both English and French (en, fr); missing {', '.join(missing)}")
    return value


#: A short text in both languages (labels, titles).
Bilingual = Annotated[dict[Literal["en", "fr"], Text], AfterValidator(_both_languages)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class ProvisionSpec(_Strict):
    """One provision of the registry: where it comes from and what it says, paraphrased."""

    source: Text  # e.g. "O. Reg. 384/00, s. 2, para. 8, sub. iii"
    #: The same citation as French readers see it (the note's own footnote forms); reports in
    #: French show this one, and fall back to ``source`` when a ruleset has no French form.
    source_fr: Text | None = None
    #: The short form a sentence cites inline ("2.8 iii", "scenario 1"), in both languages.
    short: Bilingual | None = None
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
    """A fact the rules conclude from the case (e.g. ``risk``), with its meaning.

    ``grounds``: the fact means the member has grounds to consider ending (the note's
    introduction). Reports then never show a bare "not permitted": they name the way out.
    """

    en: Text
    fr: Text
    grounds: bool = False


class LeverSpec(_Strict):
    """One step a member can take on an actionable case field (what counterfactuals propose).

    Why data and not code: which steps are open to the member (hold the session, but never mark
    it declined by the client) is a reading of the standards, so it sits in the ruleset beside
    its citations. Exactly one of ``set`` (the field takes this value), ``at_least`` (a whole
    number rises to this value or ``{param: NAME}``) and ``add`` (an item joins a list: an
    identifier, or the fields of a list item, whose date is filled in) is given.
    """

    id: Id
    set: bool | int | str | None = None
    at_least: int | dict[Literal["param"], Id] | None = None
    add: str | dict[str, str] | None = None
    cites: list[Id] = Field(min_length=1)
    en: Text
    fr: Text


#: A record field's name: a plain lower-case identifier (it becomes an attribute of the record).
FieldName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}$")]


class RecordFieldSpec(_Strict):
    """One field of a flat case record (``record.fields`` in ``ruleset.yaml``).

    ``type`` is ``bool``, ``int`` (bounded by ``minimum`` / ``maximum``), ``enum`` (one of
    ``values``) or ``list`` (a set of ``values``, order and duplicates dropped). Without a
    ``default`` the field is required: a compliance answer must not rest on a value nobody gave.
    """

    type: Literal["bool", "int", "enum", "list"]
    minimum: int | None = None
    maximum: int | None = None
    values: list[Id] | None = None
    default: bool | int | str | list[Id] | None = None
    en: Text
    fr: Text


class RecordSpec(_Strict):
    """A ruleset's own case vocabulary: a flat record instead of the standard ``Case``.

    Why: a code other than Ontario's may speak of facts the standard case does not hold, and a
    flat record is what most case-management exports give. The record always has ``case_id``;
    every other field is declared here and typed, so conditions are checked against it on load.
    """

    en: Text
    fr: Text
    fields: dict[FieldName, RecordFieldSpec] = Field(min_length=1, max_length=250)


#: A calendar date written as quoted text, ``"YYYY-MM-DD"`` (YAML would read an unquoted one as
#: a date); the loader checks it is a real date (``rules.editions.check_editions``).
IsoDate = Text


class EditionSpec(_Strict):
    """One source of a ruleset: which edition the rules read and when it is in force.

    Why in the header: an assessment asked for a date (``as_of``) must refuse a ruleset whose
    sources did not apply that day, and every report names the editions it used. ``in_force`` is
    the first day the ruleset's reading of this edition applies; ``until``, when known, the first
    day it no longer does. ``note`` says what a reader should check (a later revision whose
    date is not known, for instance). ``provisions`` ties registry entries to this edition.
    """

    id: Id
    document: Text
    edition: Text
    in_force: IsoDate
    until: IsoDate | None = None
    url: Text | None = None
    provisions: list[Id] = []
    note: Bilingual | None = None


class HeaderFile(_Strict):
    id: Id
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$")]
    title: Bilingual
    jurisdiction: Text
    as_of: Text  # the date the ruleset's reading of the sources is judged at
    verdicts: list[Id] = Field(min_length=1)
    documentation_field: Id = "documented"
    parameters: dict[Id, ParameterSpec] = {}
    derived: dict[Id, DerivedSpec] = {}
    actionable: list[str] = []  # case fields the member can still change (counterfactuals)
    levers: dict[str, list[LeverSpec]] = {}  # per actionable field: the steps open to the member
    record: RecordSpec | None = None  # a flat case vocabulary of its own (else the ``Case``)
    #: What every report says about the ruleset's standing (general guidance, editions cited).
    caveat: Bilingual | None = None
    editions: list[EditionSpec] = []  # the sources read, their editions and in-force dates
    # The named warnings on contradictory facts speak of the Ontario reading (2.8 iii, iv...);
    # a ruleset that reads the same fields differently turns them off (issue 15).
    contradiction_warnings: bool = True


class OutputSpec(_Strict):
    """An item of the assessment (action, documentation, finding, verdict)."""

    force: Force
    label: Bilingual
    en: Text
    fr: Text


class SafeguardSpec(OutputSpec):
    """A safeguard; ``blocking`` ones hold the verdict at ``conditional`` until met.

    ``basis``: meeting it gives a basis for ending by itself (2.8 iii, iv), so it is the way out
    a report names when ending is called for but not yet permitted. ``todo``: the step, said as
    an instruction inside a sentence ("make reasonable efforts to …"); the label otherwise.
    """

    blocking: bool = False
    basis: bool = False
    todo: Bilingual | None = None


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
    note: Text | None = None  # why the rule reads the sources this way (shown in explanations)
    note_fr: Text | None = None  # the same note in French: required with ``note``
    exception_to: Id | None = None


class RulesFile(_Strict):
    rules: list[RuleSpec]
