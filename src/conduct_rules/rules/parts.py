"""What a ruleset says, as a user asks for it: provisions, parameters, outputs, metadata.

Why not the file models: ``rules.files`` describes what a YAML *file* may contain (pydantic,
strict, with the on-disk layout); that is the loader's business and may change with the format.
A report, an explanation, a service route or an auditor's table asks other questions — what does
provision X say, in French, and how is it cited; which safeguards block; what is parameter Y for —
and reads the answers here: frozen dataclasses built once when a ruleset is loaded (``Ruleset.
provisions``, ``parameters``, ``outputs``, ``derived``, ``metadata``). Their attribute names are
those of the file format, so ``docs/ruleset-format.md`` documents both.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from conduct_rules.rules import files as s
from conduct_rules.rules.compiled import Rule

__all__ = [
    "OUTPUT_KINDS",
    "DerivedFact",
    "Edition",
    "Lang",
    "Lever",
    "Metadata",
    "Output",
    "OutputKind",
    "Outputs",
    "Parameter",
    "Provision",
    "RecordField",
    "from_files",
]

Lang = Literal["en", "fr"]
Force = Literal["regulation", "standard_of_practice", "college_guidance"]
OutputKind = Literal["action", "safeguard", "documentation", "finding", "verdict"]
#: The kinds of item an assessment lists, in the order reports show them.
OUTPUT_KINDS: tuple[OutputKind, ...] = (
    "verdict",
    "action",
    "safeguard",
    "documentation",
    "finding",
)
#: The languages every text of a ruleset exists in (the loader refuses a text in one only).
LANGUAGES: tuple[Lang, ...] = ("en", "fr")


def _texts(texts: Mapping[Any, str]) -> dict[str, str]:
    # Plain dicts typed read-only (not MappingProxyType): a ruleset is pickled to worker processes.
    return {str(lang): text for lang, text in texts.items()}


def _frozen(texts: Mapping[Lang, str] | None) -> Mapping[str, str] | None:
    return None if texts is None else _texts(texts)


def _pick(lang: str, en: str, fr: str) -> str:
    return fr if lang == "fr" else en


@dataclass(frozen=True)
class Provision:
    """One provision of the registry: where it comes from and what it says, paraphrased.

    ``source`` is the full citation (``source_fr`` its French form, when the registry gives
    one); ``short`` the inline form a sentence cites ("2.8 iii"), per language; ``en``/``fr``
    the paraphrase; ``edition`` and ``effective`` the edition read and the date it applies from.
    """

    id: str
    source: str
    source_fr: str | None
    short: Mapping[str, str] | None
    document: str
    edition: str | None
    effective: str | None
    url: str | None
    force: Force
    parent: str | None
    en: str
    fr: str

    def text(self, lang: str) -> str:
        """The paraphrase in ``lang``."""
        return _pick(lang, self.en, self.fr)

    def citation(self, lang: str) -> str:
        """The full citation as a reader of ``lang`` sees it (French form when there is one)."""
        return self.source_fr if lang == "fr" and self.source_fr else self.source

    def short_citation(self, lang: str) -> str | None:
        """The short inline form ("2.8 iii"), or None when the registry gives none."""
        return None if self.short is None else self.short["fr" if lang == "fr" else "en"]


@dataclass(frozen=True)
class Parameter:
    """A judgement threshold the ruleset names (``min_attempts``): its bounds and its reason.

    ``sources`` are the provisions whose "reasonable" the number turns into a test; ``en``/``fr``
    say what it counts. The value in force is ``Ruleset.parameter_values[name]``.
    """

    name: str
    default: int
    minimum: int
    maximum: int
    sources: tuple[str, ...]
    en: str
    fr: str

    def text(self, lang: str) -> str:
        """What the parameter counts, in ``lang``."""
        return _pick(lang, self.en, self.fr)


@dataclass(frozen=True)
class Output:
    """One item an assessment can list: a verdict, action, safeguard, record or finding.

    ``label`` is the short name per language; ``en``/``fr`` the explanation; ``citations`` the
    provisions of the rules that conclude it, in rule order. Safeguards also say whether they
    are ``blocking`` (they hold the verdict at conditional), a ``basis`` for ending by itself,
    and the step to take (``todo``).
    """

    kind: OutputKind
    id: str
    force: Force
    label: Mapping[str, str]
    en: str
    fr: str
    citations: tuple[str, ...] = ()
    blocking: bool = False
    basis: bool = False
    todo: Mapping[str, str] | None = None

    def text(self, lang: str) -> str:
        """The explanation in ``lang``."""
        return _pick(lang, self.en, self.fr)

    def label_in(self, lang: str) -> str:
        """The label in ``lang``."""
        return self.label["fr" if lang == "fr" else "en"]


@dataclass(frozen=True)
class Outputs:
    """Every item of a ruleset, per kind, in catalogue order (the order reports list them)."""

    actions: Mapping[str, Output]
    safeguards: Mapping[str, Output]
    documentation: Mapping[str, Output]
    findings: Mapping[str, Output]
    verdicts: Mapping[str, Output]

    def of_kind(self, kind: OutputKind) -> Mapping[str, Output]:
        """The items of one kind (``"safeguard"``, ``"documentation"``...)."""
        return {
            "action": self.actions,
            "safeguard": self.safeguards,
            "documentation": self.documentation,
            "finding": self.findings,
            "verdict": self.verdicts,
        }[kind]

    def __iter__(self) -> Iterator[Output]:
        """Every item, kind by kind in ``OUTPUT_KINDS`` order."""
        for kind in OUTPUT_KINDS:
            yield from self.of_kind(kind).values()


@dataclass(frozen=True)
class DerivedFact:
    """A fact the rules conclude from the case (``risk``), with its meaning.

    ``grounds``: the fact means the member has grounds to consider ending, so reports name the
    way out instead of a bare "not permitted".
    """

    id: str
    en: str
    fr: str
    grounds: bool

    def text(self, lang: str) -> str:
        """The meaning in ``lang``."""
        return _pick(lang, self.en, self.fr)


@dataclass(frozen=True)
class Edition:
    """One source the ruleset reads: which edition, in force from when (and until when)."""

    id: str
    document: str
    edition: str
    in_force: str
    until: str | None
    url: str | None
    provisions: tuple[str, ...]
    note: Mapping[str, str] | None


@dataclass(frozen=True)
class Lever:
    """One step a member can take on an actionable case field (what counterfactuals propose).

    Exactly one of ``set`` (the field takes this value), ``at_least`` (a whole number rises to
    this value or to ``{"param": NAME}``) and ``add`` (an item joins a list) is given.
    """

    id: str
    set: bool | int | str | None
    at_least: int | dict[str, str] | None
    add: str | dict[str, str] | None
    cites: tuple[str, ...]
    en: str
    fr: str

    def text(self, lang: str) -> str:
        """The step, in ``lang``."""
        return _pick(lang, self.en, self.fr)


@dataclass(frozen=True)
class RecordField:
    """One field of a ruleset's own flat case record: its type, bounds and meaning."""

    name: str
    type: Literal["bool", "int", "enum", "list"]
    minimum: int | None
    maximum: int | None
    values: tuple[str, ...] | None
    en: str
    fr: str

    def text(self, lang: str) -> str:
        """What the field holds, in ``lang``."""
        return _pick(lang, self.en, self.fr)


@dataclass(frozen=True)
class Metadata:
    """Who the ruleset is: id, version, title, jurisdiction, reading date, caveat, editions."""

    id: str
    version: str
    title: Mapping[str, str]
    jurisdiction: str
    as_of: str
    caveat: Mapping[str, str] | None
    editions: tuple[Edition, ...]
    #: Whether assessments add the named warnings on contradictory facts (Ontario's reading).
    contradiction_warnings: bool = True
    languages: tuple[Lang, ...] = LANGUAGES

    def title_in(self, lang: str) -> str:
        """The title in ``lang``."""
        return self.title["fr" if lang == "fr" else "en"]

    def caveat_in(self, lang: str) -> str | None:
        """The caveat every report prints, in ``lang`` (None when the ruleset has none)."""
        return None if self.caveat is None else self.caveat["fr" if lang == "fr" else "en"]


@dataclass(frozen=True)
class Parts:
    """Everything ``from_files`` builds, handed to ``Ruleset`` at load time."""

    metadata: Metadata
    provisions: Mapping[str, Provision]
    parameters: Mapping[str, Parameter]
    outputs: Outputs
    derived: Mapping[str, DerivedFact]
    actionable: tuple[str, ...]
    levers: Mapping[str, tuple[Lever, ...]]
    record_fields: Mapping[str, RecordField]


_CONCLUSION_KIND: dict[str, OutputKind] = {
    "verdict": "verdict",
    "permit": "action",
    "safeguard": "safeguard",
    "document": "documentation",
    "finding": "finding",
}


def _citations(rules: tuple[Rule, ...]) -> dict[tuple[str, str], tuple[str, ...]]:
    found: dict[tuple[str, str], dict[str, None]] = {}
    for rule in sorted(rules, key=lambda r: r.index):
        for c in rule.then:
            kind = _CONCLUSION_KIND.get(c.kind)
            if kind is not None:
                found.setdefault((kind, c.target), {}).update(dict.fromkeys(rule.cites))
    return {key: tuple(cites) for key, cites in found.items()}


def _outputs(outputs: s.OutputsFile, rules: tuple[Rule, ...]) -> Outputs:
    cites = _citations(rules)

    def items(kind: OutputKind, specs: Mapping[str, s.OutputSpec]) -> Mapping[str, Output]:
        made = {}
        for item_id, spec in specs.items():
            extra = (
                {"blocking": spec.blocking, "basis": spec.basis, "todo": _frozen(spec.todo)}
                if isinstance(spec, s.SafeguardSpec)
                else {}
            )
            made[item_id] = Output(
                kind=kind,
                id=item_id,
                force=spec.force,
                label=_texts(spec.label),
                en=spec.en,
                fr=spec.fr,
                citations=cites.get((kind, item_id), ()),
                **extra,  # type: ignore[arg-type]
            )
        return made

    return Outputs(
        actions=items("action", outputs.actions),
        safeguards=items("safeguard", outputs.safeguards),
        documentation=items("documentation", outputs.documentation),
        findings=items("finding", outputs.findings),
        verdicts=items("verdict", outputs.verdicts),
    )


def from_files(
    header: s.HeaderFile,
    provisions: Mapping[str, s.ProvisionSpec],
    outputs: s.OutputsFile,
    rules: tuple[Rule, ...],
) -> Parts:
    """The user-facing parts of a checked ruleset, built once from its file models."""
    return Parts(
        metadata=Metadata(
            id=header.id,
            version=header.version,
            title=_texts(header.title),
            jurisdiction=header.jurisdiction,
            as_of=header.as_of,
            caveat=_frozen(header.caveat),
            editions=tuple(
                Edition(
                    id=e.id,
                    document=e.document,
                    edition=e.edition,
                    in_force=e.in_force,
                    until=e.until,
                    url=e.url,
                    provisions=tuple(e.provisions),
                    note=_frozen(e.note),
                )
                for e in header.editions
            ),
            contradiction_warnings=header.contradiction_warnings,
        ),
        provisions=(
            {
                pid: Provision(
                    id=pid,
                    source=p.source,
                    source_fr=p.source_fr,
                    short=_frozen(p.short),
                    document=p.document,
                    edition=p.edition,
                    effective=p.effective,
                    url=p.url,
                    force=p.force,
                    parent=p.parent,
                    en=p.en,
                    fr=p.fr,
                )
                for pid, p in provisions.items()
            }
        ),
        parameters=(
            {
                name: Parameter(
                    name=name,
                    default=p.default,
                    minimum=p.minimum,
                    maximum=p.maximum,
                    sources=tuple(p.sources),
                    en=p.en,
                    fr=p.fr,
                )
                for name, p in header.parameters.items()
            }
        ),
        outputs=_outputs(outputs, rules),
        derived=(
            {
                name: DerivedFact(id=name, en=d.en, fr=d.fr, grounds=d.grounds)
                for name, d in header.derived.items()
            }
        ),
        actionable=tuple(header.actionable),
        levers={
            path: tuple(
                Lever(
                    id=v.id,
                    set=v.set,
                    at_least=_texts(v.at_least) if isinstance(v.at_least, dict) else v.at_least,
                    add=_texts(v.add) if isinstance(v.add, dict) else v.add,
                    cites=tuple(v.cites),
                    en=v.en,
                    fr=v.fr,
                )
                for v in specs
            )
            for path, specs in header.levers.items()
        },
        record_fields={}
        if header.record is None
        else {
            name: RecordField(
                name=name,
                type=f.type,
                minimum=f.minimum,
                maximum=f.maximum,
                values=None if f.values is None else tuple(f.values),
                en=f.en,
                fr=f.fr,
            )
            for name, f in header.record.fields.items()
        },
    )
