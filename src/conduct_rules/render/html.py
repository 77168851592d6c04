"""HTML views: one assessment (Jupyter), an audit's summary (Jupyter), the audit report (a file).

Why templates (Jinja2, ``render/templates/*.html.j2``, shipped in the package): the markup lives
in one place a reader can follow, and the environment escapes every value (autoescape), so no
text, case identifier or error message can reach the page unescaped by omission. This module
only gathers what each view shows (strings, numbers, table rows of ``Cell``); the templates hold
all markup. Why inline styles and nothing fetched: a report an auditor mails or archives must
open anywhere — no scripts, no fonts, no stylesheets, the chart embedded as a ``data:`` PNG, and
a Content-Security-Policy that forbids anything else.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import jinja2

from conduct_rules.audit.writers import ItemInfo, catalogue
from conduct_rules.render.cells import Cell
from conduct_rules.render.typography import number, percent

if TYPE_CHECKING:
    from conduct_rules.batch import AuditResult, AuditRow
    from conduct_rules.model.assessment import Assessment

__all__ = [
    "Cell",
    "render_assessment",
    "render_audit_report",
    "render_audit_summary",
    "render_template",
]

_T = {
    "en": {
        "case": "Case",
        "verdict": "Verdict",
        "sources": "Sources",
        "actions": "What may be done",
        "required": "required",
        "safeguards": "Safeguards",
        "met": "met",
        "outstanding": "outstanding",
        "blocking": "must come first",
        "docs": "Missing records",
        "findings": "Possible breaches",
        "warnings": "Warnings",
        "none": "none",
        "ruleset": "Ruleset",
        "engine": "engine",
        "report": "Audit report",
        "summary": "Summary",
        "rows": "Rows",
        "assessed": "assessed",
        "rejected": "rejected",
        "attention": "need attention",
        "termination": "service must stop",
        "verdicts": "Verdicts",
        "osafeguards": "Outstanding safeguards",
        "chart": "Chart",
        "cases": "Cases that need attention",
        "cites": "Provisions",
        "count": "Cases",
        "share": "Share",
        "id": "Id",
        "item": "Item",
        "row": "Row",
        "why": "Why",
        "error": "Error",
        "field": "Field",
        "rejected_rows": "Rejected rows",
        "showing": "showing the first {m} of {n}; the JSON Lines or CSV output lists all",
        "attention_def": "not permitted, a possible breach, or a safeguard that must come "
        "first still outstanding",
        "source": "Input",
        "no_chart": "(the chart needs matplotlib)",
    },
    "fr": {
        "case": "Dossier",
        "verdict": "Verdict",
        "sources": "Sources",
        "actions": "Ce qui peut être fait",
        "required": "requis",
        "safeguards": "Mesures de protection",
        "met": "remplie",
        "outstanding": "à remplir",
        "blocking": "préalable",
        "docs": "Documents manquants",
        "findings": "Manquements possibles",
        "warnings": "Avertissements",
        "none": "aucun",
        "ruleset": "Règles",
        "engine": "moteur",
        "report": "Rapport d'audit",
        "summary": "Sommaire",
        "rows": "Lignes",
        "assessed": "évaluées",
        "rejected": "rejetées",
        "attention": "à examiner",
        "termination": "service qui doit cesser",
        "verdicts": "Verdicts",
        "osafeguards": "Mesures non remplies",
        "chart": "Graphique",
        "cases": "Dossiers à examiner",
        "cites": "Dispositions",
        "count": "Dossiers",
        "share": "Part",
        "id": "Id",
        "item": "Élément",
        "row": "Ligne",
        "why": "Pourquoi",
        "error": "Erreur",
        "field": "Champ",
        "rejected_rows": "Lignes rejetées",
        "showing": "les {m} premiers sur {n}\u202f; la sortie JSON Lines ou CSV les énumère tous",
        "attention_def": "non permis, manquement possible, ou mesure préalable non remplie",
        "source": "Entrée",
        "no_chart": "(le graphique exige matplotlib)",
    },
}
_VERDICT_COLOURS = {"not_permitted": "#b03a2e", "conditional": "#b9770e", "permitted": "#1e8449"}
#: Table styles: (selectors, declarations). The report's page uses them as they are; a notebook
#: output shares its page with everything else, so there every selector is scoped.
_RULES = (
    (("table",), "border-collapse:collapse;margin:.5em 0 1.5em"),
    (
        ("th", "td"),
        "border:1px solid #d5d8dc;padding:.25em .6em;text-align:left;vertical-align:top",
    ),
    (("th",), "background:#f2f3f4"),
    (("td.n",), "text-align:right"),
    ((".cite",), "color:#566573;font-size:.85em"),
    ((".badge",), "color:#fff;padding:.1em .5em;border-radius:.3em"),
)


@functools.cache
def _environment() -> jinja2.Environment:
    """One environment per process: templates compile once; rendering is thread-safe."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("conduct_rules", "render/templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a misspelt name fails loudly, never prints empty
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,
    )


def render_template(name: str, **context: Any) -> str:
    """Render a packaged template (``render/templates/<name>``) with every value escaped."""
    return _environment().get_template(name).render(**context)


def _badge(verdict: str, label: str) -> Cell:
    return Cell(label, colour=_VERDICT_COLOURS.get(verdict, "#566573"))


def _joined(citations: Iterable[str]) -> str:
    return ", ".join(citations)


# --------------------------------------------------------------------------------------------
# One assessment


def render_assessment(a: Assessment) -> str:
    """An HTML fragment for a notebook: verdict and summary, items, sources and the caveat."""
    from conduct_rules.render.citations import (
        caveat,
        cited_ids,
        full_citations,
        reference_ruleset,
        short_citations,
    )

    rs = reference_ruleset(a)
    t = _T[a.lang]

    def cites(ids: tuple[str, ...]) -> Cell:
        return Cell(cites=short_citations(rs, ids, a.lang))

    label: str = a.verdict
    if rs is not None and a.verdict in rs.outputs.verdicts:
        label = rs.outputs.verdicts[a.verdict].label[a.lang]
    actions = [
        [Cell(x.label), Cell(t["required"] if x.required else ""), cites(x.citations)]
        for x in a.permitted_actions
    ]
    safeguards = [
        [
            Cell("✓" if s.status == "met" else "✗"),
            Cell(s.label),
            Cell(t[s.status], note=t["blocking"] if s.blocking else ""),
            cites(s.citations),
        ]
        for s in a.required_safeguards
    ]
    lists = [
        (title, [[Cell(i.label), Cell(i.explanation), cites(i.citations)] for i in items])
        for title, items in ((t["docs"], a.missing_documentation), (t["findings"], a.findings))
    ]
    return render_template(
        "assessment.html.j2",
        a=a,
        t=t,
        rules=_RULES,
        colon="\u00a0:" if a.lang == "fr" else ":",
        colour=_VERDICT_COLOURS.get(a.verdict, "#566573"),
        verdict_label=label,
        actions=actions,
        safeguards=safeguards,
        lists=lists,
        sources=full_citations(rs, cited_ids(a), a.lang),
        note=caveat(rs, a.lang),
    )


# --------------------------------------------------------------------------------------------
# An audit


def _pct(n: int, of: int, lang: str = "en") -> str:
    return percent(n, of, "fr" if lang == "fr" else "en")


def _n(n: int, lang: str) -> str:
    """A count as the language writes it (1,001 / 1 001)."""
    return number(n, "fr" if lang == "fr" else "en")


def _label(kind: str, item_id: str, info: Mapping[tuple[str, str], ItemInfo]) -> str:
    """An item's label in the report's language; the id only when the ruleset has none."""
    item = info.get((kind, item_id))
    return item.label if item else item_id


def _count_rows(
    counts: Mapping[str, int],
    kind: str,
    of: int,
    info: Mapping[tuple[str, str], ItemInfo],
    t: Mapping[str, str],
    lang: str,
) -> list[list[Cell]]:
    rows = []
    for item_id, n in counts.items():
        item = info.get((kind, item_id))
        rows.append(
            [
                Cell(item_id),
                Cell(
                    item.label if item else "", note=t["blocking"] if item and item.blocking else ""
                ),
                Cell(_n(n, lang), numeric=True),
                Cell(_pct(n, of, lang), numeric=True),
                Cell(cites=_joined(item.citations) if item else ""),
            ]
        )
    return rows


def _parameters_text(values: Mapping[str, int]) -> str:
    """The parameter values every row was assessed under, as ``--parameters`` spells them."""
    return ", ".join(f"{k}={v}" for k, v in sorted(values.items()))


def _summary_context(result: AuditResult, chart: bool) -> dict[str, Any]:
    """What ``_audit_summary.html.j2`` shows: counts, verdicts, breakdowns by item."""
    s = result.summary
    t = _T[result.lang]
    info = catalogue(result.ruleset, result.lang)
    lang = result.lang

    def total(key: str, n: int, of: int | None) -> list[Cell]:
        share = _pct(n, of, lang) if of is not None else ""
        return [Cell(t[key]), Cell(_n(n, lang), numeric=True), Cell(share, numeric=True)]

    return {
        "t": t,
        "lang": lang,
        "source": result.source.label,
        "ruleset_id": result.ruleset.id,
        "ruleset_version": result.ruleset.version,
        "parameters": _parameters_text(result.ruleset.parameter_values),
        "engine": result.engine,
        "totals": [
            total("rows", s.total, None),
            total("assessed", s.assessed, s.total),
            total("rejected", s.rejected, s.total),
            total("attention", s.needs_attention, s.assessed),
            total("termination", s.termination_required, s.assessed),
        ],
        "count_head": [t["id"], t["item"], t["count"], t["share"], t["cites"]],
        "verdicts": _count_rows(s.verdicts, "verdict", s.assessed, info, t, lang),
        "chart": _chart_data(result) if chart else None,
        "count_tables": [
            (title, _count_rows(counts, kind, s.assessed, info, t, lang))
            for title, kind, counts in (
                (t["findings"], "finding", s.findings),
                (t["osafeguards"], "safeguard", s.outstanding_safeguards),
                (t["docs"], "documentation", s.missing_documentation),
            )
        ],
        "warnings": [[Cell(w), Cell(_n(n, lang), numeric=True)] for w, n in s.warnings.items()],
        "rejected_fields": [
            [Cell(f), Cell(_n(n, lang), numeric=True)] for f, n in s.rejected_fields.items()
        ],
        "rules": _RULES,
    }


def _chart_data(result: AuditResult) -> str:
    """The summary chart as base64 PNG; empty when it cannot be drawn (no matplotlib)."""
    try:
        from conduct_rules.render.chart import figure_png_base64, summary_figure

        info = catalogue(result.ruleset, result.lang)
        labels = {(kind, i): item.label for (kind, i), item in info.items()}
        fig = summary_figure(result.summary, result.lang, labels)
    except Exception:  # noqa: BLE001 - a report without its chart beats no report
        return ""
    return figure_png_base64(fig)


def _case_rows(
    rows: Sequence[AuditRow], info: Mapping[tuple[str, str], ItemInfo]
) -> list[list[Cell]]:
    out: list[list[Cell]] = []
    for r in rows:
        blocking = [s for s in r.outstanding_safeguards if info[("safeguard", s)].blocking]
        cites: dict[str, None] = {}
        keys = [("verdict", r.verdict or "")] + [("finding", f) for f in r.findings]
        keys += [("safeguard", s) for s in blocking]
        for key in keys:
            if key in info:
                cites.update(dict.fromkeys(info[key].citations))
        out.append(
            [
                Cell(str(r.row), numeric=True),
                Cell(r.case_id or ""),
                _badge(r.verdict or "", _label("verdict", r.verdict or "", info)),
                Cell("; ".join(_label("finding", f, info) for f in r.findings)),
                Cell("; ".join(_label("safeguard", x, info) for x in blocking)),
                Cell("; ".join(_label("documentation", d, info) for d in r.missing_documentation)),
                Cell(cites=_joined(cites)),
            ]
        )
    return out


def _collect(result: AuditResult, max_cases: int) -> tuple[list[AuditRow], list[AuditRow]]:
    attention: list[AuditRow] = []
    rejected: list[AuditRow] = []
    for r in result:
        if r.status == "rejected":
            if len(rejected) < max_cases:
                rejected.append(r)
        elif len(attention) < max_cases and result.needs_attention(r):
            attention.append(r)
    return attention, rejected


def _rejected_context(result: AuditResult, rejected: Sequence[AuditRow]) -> dict[str, Any]:
    """What ``_audit_rejected.html.j2`` shows: the first rejected rows, field errors only."""
    s = result.summary
    t = _T[result.lang]
    showing = ""
    if s.rejected > len(rejected):
        showing = t["showing"].format(m=len(rejected), n=s.rejected)
    return {
        "rejected": [
            [Cell(str(r.row), numeric=True), Cell(r.case_id or ""), Cell(r.error or "")]
            for r in rejected
        ],
        "rejected_showing": showing,
    }


def render_audit_summary(result: AuditResult, max_cases: int = 10) -> str:
    """The notebook view of an audit: summary tables and the first cases needing attention."""
    attention, rejected = _collect(result, max_cases)  # one run gives rows and summary
    s = result.summary
    t = _T[result.lang]
    lang = result.lang
    info = catalogue(result.ruleset, result.lang)
    showing = ""
    if s.needs_attention > len(attention):
        showing = t["showing"].format(m=_n(len(attention), lang), n=_n(s.needs_attention, lang))
    return render_template(
        "audit_summary.html.j2",
        **_summary_context(result, chart=False),
        **_rejected_context(result, rejected),
        case_head=[
            t["row"],
            t["case"],
            t["verdict"],
            t["findings"],
            t["osafeguards"],
            t["docs"],
            t["cites"],
        ],
        cases=_case_rows(attention, info),
        showing=showing,
    )


def render_audit_report(result: AuditResult, max_cases: int = 1_000) -> str:
    """A complete, self-contained HTML document: nothing is fetched when it is opened.

    Order: the caveat, the summary and chart, breakdowns, the cases needing attention grouped by
    reason (labels, not ids), rejected rows, the provisions cited.
    """
    from conduct_rules.audit.report import report_context

    attention, rejected = _collect(result, max_cases)  # one run gives rows and summary
    info = catalogue(result.ruleset, result.lang)
    return (
        render_template(
            "audit_report.html.j2",
            **_summary_context(result, chart=True),
            **_rejected_context(result, rejected),
            **report_context(result, attention, info),
            provisions=[(pid, p.source) for pid, p in result.ruleset.provisions.items()],
        )
        + "\n"
    )
