"""The parts of the audit report people read first: the caveat, breakdowns, and the cases grouped
by what needs attention — with labels, never bare ids, in English or French.

Why grouped by *what* needs attention: an auditor works through a list by kind of problem (every
case ended without a permitted ground, then every case with a given possible breach, then every
case where a safeguard that must come first is outstanding), not by row number. Each case appears
once, under its most serious reason, and its row lists everything else outstanding.

Why a caveat on every report: the rules paraphrase general guidance; an audit result is a
prompt for review, not a finding of misconduct. This module gathers what those parts show; the
markup is the report's template (``render/templates/audit_report.html.j2``, escaped throughout,
with a CSP that forbids scripts and remote resources; see ``render.html``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from conduct_rules.audit.writers import ItemInfo
from conduct_rules.render.cells import Cell
from conduct_rules.render.labels import value_text
from conduct_rules.render.typography import number, percent

if TYPE_CHECKING:
    from conduct_rules.audit.results import AuditOutput, AuditRow, AuditSummary

__all__ = ["CAVEAT", "report_context"]

#: Shown at the top of every report when the ruleset has no caveat of its own.
CAVEAT = {
    "en": (
        "General guidance drawn from the College's practice note; not a substitute for "
        "professional judgement or for the College's advice. The Code cited is the 2008 edition "
        "of the Code of Ethics and Standards of Practice, revised by the College in fall 2023: "
        "check the current wording. An audit row is a prompt for review, not a finding."
    ),
    "fr": (
        "Orientation générale tirée de la note de pratique de l'Ordre; elle ne remplace ni le "
        "jugement professionnel ni les conseils de l'Ordre. Le Code cité est l'édition 2008 du "
        "Code de déontologie et des normes d'exercice, révisée par l'Ordre à l'automne 2023 : "
        "vérifiez le libellé en vigueur. Une ligne d'audit invite à un examen; ce n'est pas "
        "une conclusion."
    ),
}

_T = {
    "en": {
        "caveat": "Caveat",
        "breakdowns": "Breakdowns",
        "by_stage": "Verdict by stage",
        "by_initiator": "Verdict by who is ending",
        "stage": "Stage",
        "initiator": "Who is ending",
        "total": "Total",
        "top_safeguards": "Most frequent outstanding safeguards",
        "top_docs": "Most frequent missing records",
        "item": "Item",
        "cases": "Cases",
        "share": "Share of assessed cases",
        "grouped": "Cases that need attention, by reason",
        "not_permitted": "Ending not permitted",
        "finding": "Possible breach",
        "blocking": "Safeguard that must come first, outstanding",
        "row": "Row",
        "case": "Case",
        "verdict": "Verdict",
        "also": "Also outstanding",
        "missing": "Missing records",
        "none": "none",
        "showing": "showing the first {m:,} of {n:,}; the JSON Lines or CSV output lists all",
    },
    "fr": {
        "caveat": "Mise en garde",
        "breakdowns": "Ventilations",
        "by_stage": "Verdict selon l'étape",
        "by_initiator": "Verdict selon qui met fin",
        "stage": "Étape",
        "initiator": "Qui met fin",
        "total": "Total",
        "top_safeguards": "Mesures de protection le plus souvent non remplies",
        "top_docs": "Documents le plus souvent manquants",
        "item": "Élément",
        "cases": "Dossiers",
        "share": "Part des dossiers évalués",
        "grouped": "Dossiers à examiner, par motif",
        "not_permitted": "Fin non permise",
        "finding": "Manquement possible",
        "blocking": "Mesure préalable non remplie",
        "row": "Ligne",
        "case": "Dossier",
        "verdict": "Verdict",
        "also": "Autres points non remplis",
        "missing": "Documents manquants",
        "none": "aucun",
        "showing": "les {m:,} premiers sur {n:,} ; la sortie JSON Lines ou CSV les énumère tous",
    },
}
_TOP = 10


def _pct(n: int, of: int, lang: str = "en") -> str:
    return percent(n, of, "fr" if lang == "fr" else "en")


def _n(n: int, lang: str) -> str:
    return number(n, "fr" if lang == "fr" else "en")


def _label(info: Mapping[tuple[str, str], ItemInfo], kind: str, item_id: str) -> str:
    item = info.get((kind, item_id))
    return item.label if item else item_id


def _cross_table(
    cross: Mapping[str, Mapping[str, int]],
    field: str,
    head: str,
    lang: str,
    info: Mapping[tuple[str, str], ItemInfo],
) -> tuple[list[str], list[list[Cell]]]:
    t = _T[lang]
    verdicts = list(dict.fromkeys(v for counts in cross.values() for v in counts))
    rows = []
    for group, counts in cross.items():
        total = sum(counts.values())
        cells = [Cell(value_text(field, group, "fr" if lang == "fr" else "en"))]
        cells += [
            Cell(
                f"{_n(counts.get(v, 0), lang)} ({_pct(counts.get(v, 0), total, lang)})",
                numeric=True,
            )
            for v in verdicts
        ]
        cells.append(Cell(_n(total, lang), numeric=True))
        rows.append(cells)
    labels = [_label(info, "verdict", v) for v in verdicts]
    return [head, *labels, t["total"]], rows


def _top_table(
    counts: Mapping[str, int],
    kind: str,
    of: int,
    lang: str,
    info: Mapping[tuple[str, str], ItemInfo],
) -> tuple[list[str], list[list[Cell]]]:
    """The most frequent items, most frequent first; no rows when there are none."""
    t = _T[lang]
    top = sorted(((n, i) for i, n in counts.items() if n), key=lambda x: (-x[0], x[1]))[:_TOP]
    rows = [
        [
            Cell(_label(info, kind, i)),
            Cell(_n(n, lang), numeric=True),
            Cell(_pct(n, of, lang), numeric=True),
        ]
        for n, i in top
    ]
    return [t["item"], t["cases"], t["share"]], rows


def _breakdowns(
    s: AuditSummary, lang: str, info: Mapping[tuple[str, str], ItemInfo]
) -> list[tuple[str, list[str], list[list[Cell]]]]:
    """Verdict by stage and by initiator; the most frequent outstanding safeguards and missing
    records, with counts and shares of the assessed cases: (title, head, rows) each."""
    t = _T[lang]
    out: list[tuple[str, list[str], list[list[Cell]]]] = []
    if s.verdicts_by_stage:
        out.append(
            (t["by_stage"], *_cross_table(s.verdicts_by_stage, "stage", t["stage"], lang, info))
        )
    if s.verdicts_by_initiator:
        cross = _cross_table(s.verdicts_by_initiator, "initiated_by", t["initiator"], lang, info)
        out.append((t["by_initiator"], *cross))
    top = _top_table(s.outstanding_safeguards, "safeguard", s.assessed, lang, info)
    out.append((t["top_safeguards"], *top))
    top = _top_table(s.missing_documentation, "documentation", s.assessed, lang, info)
    out.append((t["top_docs"], *top))
    return out


def _reason(r: AuditRow, info: Mapping[tuple[str, str], ItemInfo]) -> tuple[str, str]:
    """The most serious reason a case needs attention: ``(kind, id)``."""
    if r.verdict == "not_permitted":
        return "not_permitted", ""
    if r.findings:
        return "finding", r.findings[0]
    for sg in r.outstanding_safeguards:
        item = info.get(("safeguard", sg))
        if item is not None and item.blocking:
            return "blocking", sg
    return "blocking", ""


def _groups(
    lang: str, attention: Sequence[AuditRow], info: Mapping[tuple[str, str], ItemInfo]
) -> list[tuple[str, list[list[Cell]]]]:
    """The cases needing attention, one table per reason, labels throughout."""
    t = _T[lang]
    groups: dict[tuple[str, str], list[AuditRow]] = {}
    for r in attention:
        groups.setdefault(_reason(r, info), []).append(r)
    rank = {"not_permitted": 0, "finding": 1, "blocking": 2}
    out = []
    for (kind, item_id), rows in sorted(groups.items(), key=lambda g: (rank[g[0][0]], g[0][1])):
        title = t[kind]
        if item_id:
            cat = "finding" if kind == "finding" else "safeguard"
            title += f": {_label(info, cat, item_id)}"
        body = []
        for r in rows:
            also = [_label(info, "finding", f) for f in r.findings if f != item_id]
            also += [_label(info, "safeguard", x) for x in r.outstanding_safeguards if x != item_id]
            missing = [_label(info, "documentation", d) for d in r.missing_documentation]
            body.append(
                [
                    Cell(str(r.row)),
                    Cell(r.case_id or ""),
                    Cell(_label(info, "verdict", r.verdict or "")),
                    Cell("; ".join(also) or t["none"]),
                    Cell("; ".join(missing) or t["none"]),
                ]
            )
        out.append((f"{title} ({len(rows):,})", body))
    return out


def report_context(
    result: AuditOutput, attention: Sequence[AuditRow], info: Mapping[tuple[str, str], ItemInfo]
) -> dict[str, Any]:
    """What the report template shows beyond the summary: the caveat (the ruleset's own where
    it has one, else ``CAVEAT``), the breakdowns and the cases grouped by reason."""
    from conduct_rules.render.citations import caveat

    lang = result.lang
    t = _T[lang]
    total = result.summary.needs_attention
    showing = t["showing"].format(m=len(attention), n=total) if total > len(attention) else ""
    return {
        "r": t,
        "caveat": caveat(result.ruleset, lang) or CAVEAT[lang],
        "breakdowns": _breakdowns(result.summary, lang, info),
        "groups": _groups(lang, attention, info),
        "showing": showing,
    }
