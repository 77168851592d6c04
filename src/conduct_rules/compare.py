"""One case, several colleges: ``compare(case, rulesets=("ontario", "crpo-6.3"))``.

Why: many Ontario social workers are also registered psychotherapists (dual registrants) and
answer to both colleges for the same ending. Each ruleset gives its own assessment; the registrant
must satisfy both, so the combined answer is the stricter one: the worst verdict
(``not_permitted`` > ``conditional`` > ``permitted``), every safeguard, record and possible
breach either college names (each labelled with the college or colleges that name it), an
action open only where every college that speaks of it allows it, and the differences — what
one college asks that the other does not — listed on their own.

Nothing here knows a college: the rulesets are data, and items are matched by their ids (the
same id in two rulesets, ``end_services`` or ``refer_client``, is one item with two sources).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from conduct_rules.api import assess, get_ruleset
from conduct_rules.errors import ConductRulesError
from conduct_rules.model.assessment import Assessment, Item, Verdict
from conduct_rules.model.case import Case
from conduct_rules.model.version import SCHEMA_VERSION
from conduct_rules.rules.ruleset import Ruleset

__all__ = [
    "ComparedAction",
    "ComparedItem",
    "ComparedSafeguard",
    "Comparison",
    "Difference",
    "RulesetVerdict",
    "combined_row",
    "compare",
    "comparison_of",
]

#: How strict each verdict is: the combined verdict is the strictest of the rulesets'.
STRICTNESS: dict[str, int] = {"permitted": 0, "conditional": 1, "not_permitted": 2}
#: More would only be a typing slip, and each ruleset costs one assessment.
MAX_RULESETS = 8
DEFAULT_PAIR: tuple[str, ...] = ("ontario", "crpo-6.3")
Kind = Literal["action", "safeguard", "documentation", "finding"]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RulesetVerdict(_Frozen):
    """One ruleset's answer, as a line of the comparison."""

    ruleset: str  # the name the caller gave ("ontario", "crpo-6.3")
    id: str
    version: str
    title: str
    verdict: Verdict
    verdict_label: str


class ComparedItem(_Frozen):
    """A record or possible breach named by one ruleset or more.

    ``required_by`` lists the rulesets (by the caller's names) that name it; ``citations`` and
    ``explanations`` give each one's provisions and words.
    """

    kind: Kind
    id: str
    label: str
    required_by: tuple[str, ...]
    citations: dict[str, tuple[str, ...]]
    explanations: dict[str, str]


class ComparedSafeguard(ComparedItem):
    """A safeguard: outstanding if any ruleset naming it finds it outstanding."""

    status: Literal["met", "outstanding"]
    blocking: bool


class ComparedAction(ComparedItem):
    """An action: open only if every ruleset that declares it permits it (``required_by`` then
    lists the rulesets that *require* it, ``permitted_by`` those that allow it)."""

    permitted: bool
    permitted_by: tuple[str, ...]
    required: bool


class Difference(_Frozen):
    """Something one ruleset asks or finds and another does not."""

    kind: Literal["verdict", "action", "safeguard", "documentation", "finding"]
    id: str
    label: str
    only_in: tuple[str, ...]  # the rulesets that name it (for ``verdict``: the stricter ones)
    not_in: tuple[str, ...]
    message: str


class Comparison(_Frozen):
    """The answers of several rulesets to one case, and the stricter answer they add up to."""

    case_id: str
    lang: Literal["en", "fr"]
    rulesets: tuple[RulesetVerdict, ...]
    verdict: Verdict
    verdict_from: tuple[str, ...]  # the rulesets whose verdict is the combined one
    actions: tuple[ComparedAction, ...]
    safeguards: tuple[ComparedSafeguard, ...]
    missing_documentation: tuple[ComparedItem, ...]
    findings: tuple[ComparedItem, ...]
    differences: tuple[Difference, ...]
    assessments: dict[str, Assessment]
    #: The version of this JSON shape (``schemas/comparison.schema.json``), not of the rules.
    schema_version: str = SCHEMA_VERSION

    @property
    def outstanding_safeguards(self) -> tuple[ComparedSafeguard, ...]:
        """The safeguards still to be met for at least one college."""
        return tuple(s for s in self.safeguards if s.status == "outstanding")

    def to_json(self) -> str:
        """Stable JSON text: same case, same rulesets, same bytes."""
        return self.model_dump_json()

    def render_text(self) -> str:
        """A plain-text report, in the comparison's language (``render.compare_view``)."""
        from conduct_rules.model.views import view

        text: str = view("comparison.text")(self)
        return text

    def _repr_html_(self) -> str:
        """Jupyter's view: the combined answer, then the colleges side by side."""
        from conduct_rules.model.views import view

        html: str = view("comparison.html")(self)
        return html


# --------------------------------------------------------------------------------------------


def _resolve(names: Sequence[str | Path | Ruleset]) -> list[tuple[str, Ruleset]]:
    if isinstance(names, str | Path | Ruleset):
        raise ConductRulesError("rulesets must be a list of names, e.g. ('ontario', 'crpo-6.3')")
    if not names:
        raise ConductRulesError("compare needs at least one ruleset")
    if len(names) > MAX_RULESETS:
        raise ConductRulesError(f"compare takes at most {MAX_RULESETS} rulesets")
    out: list[tuple[str, Ruleset]] = []
    for n in names:
        rs = get_ruleset(n)
        label = n if isinstance(n, str) else rs.name
        if any(label == seen for seen, _ in out):
            raise ConductRulesError(f"ruleset '{label}' is listed twice")
        if not rs.vocabulary.is_case:
            raise ConductRulesError(
                f"ruleset '{label}' reads its own record, not the standard case; "
                "compare needs rulesets that read one case"
            )
        out.append((label, rs))
    return out


def _merge(
    kind: Kind, per: Sequence[tuple[str, Sequence[Item]]], names: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """Items by id, in first-seen order (ruleset order, then each ruleset's catalogue order)."""
    merged: dict[str, dict[str, Any]] = {}
    for name, items in per:
        for it in items:
            m = merged.setdefault(
                it.id,
                {"kind": kind, "id": it.id, "label": it.label, "by": [], "cit": {}, "exp": {}},
            )
            m["by"].append(name)
            m["cit"][name] = it.citations
            m["exp"][name] = it.explanation
    for m in merged.values():
        m["by"] = tuple(n for n in names if n in m["by"])
    return merged


def _item(m: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "kind": m["kind"],
        "id": m["id"],
        "label": m["label"],
        "required_by": m["by"],
        "citations": m["cit"],
        "explanations": m["exp"],
    }


_WORDS = {
    "en": {
        "only": "{label}: asked only by {only}",
        "finding": "{label}: a possible breach only for {only}",
        "verdict": "{only} is stricter ({verdict}) than {others}",
    },
    "fr": {
        "only": "{label} : demandé seulement par {only}",
        "finding": "{label} : manquement possible seulement pour {only}",
        "verdict": "{only} est plus strict ({verdict}) que {others}",
    },
}


def _differences(
    lang: str,
    names: Sequence[str],
    verdicts: Mapping[str, RulesetVerdict],
    groups: Sequence[tuple[Kind, Sequence[ComparedItem]]],
) -> list[Difference]:
    words = _WORDS[lang]
    out: list[Difference] = []
    worst = max(STRICTNESS[v.verdict] for v in verdicts.values())
    strict = tuple(n for n in names if STRICTNESS[verdicts[n].verdict] == worst)
    if len(strict) < len(names):
        others = tuple(n for n in names if n not in strict)
        label = verdicts[strict[0]].verdict_label
        out.append(
            Difference(
                kind="verdict",
                id=verdicts[strict[0]].verdict,
                label=label,
                only_in=strict,
                not_in=others,
                message=words["verdict"].format(
                    only=", ".join(strict), verdict=label, others=", ".join(others)
                ),
            )
        )
    for kind, items in groups:
        for it in items:
            if len(it.required_by) == len(names):
                continue
            key = "finding" if kind == "finding" else "only"
            out.append(
                Difference(
                    kind=kind,
                    id=it.id,
                    label=it.label,
                    only_in=it.required_by,
                    not_in=tuple(n for n in names if n not in it.required_by),
                    message=words[key].format(label=it.label, only=", ".join(it.required_by)),
                )
            )
    return out


def comparison_of(
    assessed: Sequence[tuple[str, Ruleset, Assessment]], lang: Literal["en", "fr"] = "en"
) -> Comparison:
    """Combine assessments already made (name, ruleset, assessment) into a ``Comparison``."""
    named = [(n, a) for n, _, a in assessed]
    rulesets = {n: rs for n, rs, _ in assessed}
    names = [n for n, _ in named]
    by_name = dict(named)
    first = named[0][1]
    verdicts = {
        n: RulesetVerdict(
            ruleset=n,
            id=a.ruleset.id,
            version=a.ruleset.version,
            title=rulesets[n].metadata.title[lang],
            verdict=a.verdict,
            verdict_label=_verdict_label(rulesets[n], a.verdict, lang),
        )
        for n, a in named
    }
    worst = max(STRICTNESS[a.verdict] for a in by_name.values())
    verdict = next(a.verdict for a in by_name.values() if STRICTNESS[a.verdict] == worst)
    safeguards = []
    raw_s = _merge("safeguard", [(n, a.required_safeguards) for n, a in named], names)
    for sid, m in raw_s.items():
        states = [s for a in by_name.values() for s in a.required_safeguards if s.id == sid]
        safeguards.append(
            ComparedSafeguard(
                **_item(m),
                status="outstanding" if any(s.status == "outstanding" for s in states) else "met",
                blocking=any(s.blocking for s in states),
            )
        )
    actions = []
    raw_a = _merge("action", [(n, a.permitted_actions) for n, a in named], names)
    for aid, m in raw_a.items():
        declaring = [n for n in names if aid in rulesets[n].outputs.actions]
        allowed = m["by"]
        required = tuple(
            n for n, a in named for x in a.permitted_actions if x.id == aid and x.required
        )
        actions.append(
            ComparedAction(
                **{**_item(m), "required_by": required},
                permitted=set(declaring) <= set(allowed),
                permitted_by=allowed,
                required=bool(required),
            )
        )
    docs = [
        ComparedItem(**_item(m))
        for m in _merge(
            "documentation", [(n, a.missing_documentation) for n, a in named], names
        ).values()
    ]
    findings = [
        ComparedItem(**_item(m))
        for m in _merge("finding", [(n, a.findings) for n, a in named], names).values()
    ]
    differences = _differences(
        lang,
        names,
        verdicts,
        [("safeguard", safeguards), ("documentation", docs), ("finding", findings)],
    )
    return Comparison(
        case_id=first.case_id,
        lang=lang,
        rulesets=tuple(verdicts[n] for n in names),
        verdict=verdict,
        verdict_from=tuple(n for n in names if by_name[n].verdict == verdict),
        actions=tuple(actions),
        safeguards=tuple(safeguards),
        missing_documentation=tuple(docs),
        findings=tuple(findings),
        differences=tuple(differences),
        assessments=dict(named),
    )


def _verdict_label(rs: Ruleset, verdict: str, lang: Literal["en", "fr"]) -> str:
    spec = rs.outputs.verdicts.get(verdict)
    return spec.label[lang] if spec is not None else verdict


def compare(
    case: Case | Mapping[str, Any],
    rulesets: Sequence[str | Path | Ruleset] = DEFAULT_PAIR,
    *,
    lang: Literal["en", "fr"] = "en",
    backend: str = "auto",
    as_of: dt.date | None = None,
) -> Comparison:
    """Assess ``case`` against every ruleset and combine the answers, the stricter winning.

    ``rulesets`` are built-in names or folders, all reading the standard case. ``as_of`` is
    passed to each assessment: a ruleset whose sources were not in force that day is refused
    (``EditionError``). Raises ``CaseValidationError`` naming a bad field, never its value.
    """
    if lang not in ("en", "fr"):
        raise ConductRulesError("lang must be 'en' or 'fr'")
    resolved = _resolve(rulesets)
    parsed = Case.parse(case) if not isinstance(case, Case) else case
    assessed = [
        (name, rs, assess(parsed, ruleset=rs, lang=lang, backend=backend, as_of=as_of))
        for name, rs in resolved
    ]
    return comparison_of(assessed, lang)


def combined_row(comparison: Comparison) -> dict[str, Any]:
    """The comparison as one audit row: the combined verdict, then columns per ruleset.

    Why the same columns as ``conduct-rules audit --rulesets`` (``audit.compared``): an auditor
    can join a single comparison to an audit's rows. Per ruleset: ``<name>.verdict``,
    ``<name>.outstanding_safeguards``, ``<name>.missing_documentation``, ``<name>.findings``.
    """
    row: dict[str, Any] = {
        "case_id": comparison.case_id,
        "verdict": comparison.verdict,
        "verdict_from": list(comparison.verdict_from),
    }
    for name, a in comparison.assessments.items():
        row[f"{name}.verdict"] = a.verdict
        row[f"{name}.outstanding_safeguards"] = [s.id for s in a.outstanding_safeguards]
        row[f"{name}.missing_documentation"] = [d.id for d in a.missing_documentation]
        row[f"{name}.findings"] = [f.id for f in a.findings]
    return row
