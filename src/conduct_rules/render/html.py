"""HTML views: one assessment (Jupyter), an audit's summary (Jupyter), the audit report (a file).

Why hand-written HTML with inline styles: a report an auditor mails or archives must open anywhere
with nothing fetched — no scripts, no fonts, no stylesheets, the chart embedded as a ``data:`` PNG,
and a Content-Security-Policy that forbids anything else. Every piece of text, including case
identifiers and error messages, goes through ``html.escape``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING

from conduct_rules.audit.writers import ItemInfo, catalogue
from conduct_rules.render.typography import number, percent

if TYPE_CHECKING:
    from conduct_rules.batch import AuditResult, AuditRow
    from conduct_rules.model.assessment import Assessment

__all__ = ["render_assessment", "render_audit_report", "render_audit_summary"]

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
_RULES = (
    ("table", "border-collapse:collapse;margin:.5em 0 1.5em"),
    ("th,td", "border:1px solid #d5d8dc;padding:.25em .6em;text-align:left;vertical-align:top"),
    ("th", "background:#f2f3f4"),
    ("td.n", "text-align:right"),
    (".cite", "color:#566573;font-size:.85em"),
    (".badge", "color:#fff;padding:.1em .5em;border-radius:.3em"),
)
#: The report's own page: plain selectors.
_PAGE_CSS = "body{font-family:system-ui,sans-serif;margin:2em;color:#1c2833;max-width:70em}" + (
    "".join(f"{sel}{{{body}}}" for sel, body in _RULES)
)
#: A notebook output shares the page with everything else: every selector is scoped.
_SCOPED_CSS = "".join(
    ",".join(f".conduct-rules {part}" for part in sel.split(",")) + f"{{{body}}}"
    for sel, body in _RULES
)
_OPEN = (
    '<div class="conduct-rules" style="font-family:system-ui,sans-serif">'
    f"<style>{_SCOPED_CSS}</style>"
)


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _cites(citations: Iterable[str]) -> str:
    joined = ", ".join(citations)
    return f'<span class="cite">[{_e(joined)}]</span>' if joined else ""


def _table(head: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[int] = ()) -> str:
    out = ["<table><tr>", *(f"<th>{_e(h)}</th>" for h in head), "</tr>"]
    for r in rows:
        cells = (
            f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>" for i, c in enumerate(r)
        )
        out += ["<tr>", *cells, "</tr>"]
    out.append("</table>")
    return "".join(out)


def _badge(verdict: str, label: str) -> str:
    colour = _VERDICT_COLOURS.get(verdict, "#566573")
    return f'<span class="badge" style="background:{colour}">{_e(label)}</span>'


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

    def cites(ids: tuple[str, ...]) -> str:
        text = short_citations(rs, ids, a.lang)
        return f'<span class="cite">[{_e(text)}]</span>' if text else ""

    colon = "\u00a0:" if a.lang == "fr" else ":"
    label: str = a.verdict
    if rs is not None and a.verdict in rs.outputs.verdicts:
        label = rs.outputs.verdicts[a.verdict].label[a.lang]
    parts = [
        _OPEN,
        f"<p><b>{_e(t['case'])}{colon}</b> {_e(a.case_id)} &nbsp; "
        f"<b>{_e(t['verdict'])}{colon}</b> ",
        f"{_badge(a.verdict, label)}</p>",
        f"<p>{_e(a.summary)}</p>",
    ]
    rows = [
        (_e(x.label), _e(t["required"]) if x.required else "", cites(x.citations))
        for x in a.permitted_actions
    ]
    parts.append(f"<h4>{_e(t['actions'])}</h4>" + _table([t["item"], "", t["cites"]], rows))
    srows = [
        (
            "✓" if s.status == "met" else "✗",
            _e(s.label),
            _e(t[s.status]) + (f" ({_e(t['blocking'])})" if s.blocking else ""),
            cites(s.citations),
        )
        for s in a.required_safeguards
    ]
    parts.append(f"<h4>{_e(t['safeguards'])}</h4>" + _table(["", t["item"], "", t["cites"]], srows))
    for title, items in ((t["docs"], a.missing_documentation), (t["findings"], a.findings)):
        body = [(_e(i.label), _e(i.explanation), cites(i.citations)) for i in items]
        parts.append(f"<h4>{_e(title)}</h4>")
        parts.append(_table([t["item"], t["why"], t["cites"]], body) if body else _e(t["none"]))
    if a.warnings:
        parts.append(f"<h4>{_e(t['warnings'])}</h4><ul>")
        parts += [f"<li>⚠ {_e(w.message)}</li>" for w in a.warnings]
        parts.append("</ul>")
    sources = full_citations(rs, cited_ids(a), a.lang)
    if sources:
        parts.append(f"<h4>{_e(t['sources'])}</h4><ul>")
        parts += [f"<li>{_e(short)} — {_e(full)}</li>" for short, full in sources]
        parts.append("</ul>")
    note = caveat(rs, a.lang)
    if note:
        parts.append(f'<p class="cite">{_e(note)}</p>')
    parts.append(
        f'<p class="cite">{_e(t["ruleset"])}{colon} {_e(a.ruleset.id)} {_e(a.ruleset.version)} '
        f"({_e(t['engine'])} {_e(a.engine)})</p>"
    )
    parts += [  # the sources read and their editions (issue 15)
        f'<p class="cite">{_e(e.document)}, {_e(e.edition)} — {_e(e.in_force)}'
        + (f" → {_e(e.until)}" if e.until else "")
        + (f"<br>{_e(e.note)}" if e.note else "")
        + "</p>"
        for e in a.ruleset.editions
    ]
    parts.append("</div>")
    return "".join(parts)


# --------------------------------------------------------------------------------------------
# An audit


def _pct(n: int, of: int, lang: str = "en") -> str:
    return percent(n, of, "fr" if lang == "fr" else "en")


def _n(n: int, lang: str) -> str:
    """A count as the language writes it (1,001 / 1 001)."""
    return number(n, "fr" if lang == "fr" else "en")


def _c(lang: str) -> str:
    """A colon in markup, French spacing included."""
    return "&nbsp;:" if lang == "fr" else ":"


def _label(kind: str, item_id: str, info: Mapping[tuple[str, str], ItemInfo]) -> str:
    """An item's label in the report's language; the id only when the ruleset has none."""
    item = info.get((kind, item_id))
    return item.label if item else item_id


def _counts_table(
    counts: Mapping[str, int],
    kind: str,
    of: int,
    info: Mapping[tuple[str, str], ItemInfo],
    t: Mapping[str, str],
    lang: str = "en",
) -> str:
    rows = []
    for item_id, n in counts.items():
        item = info.get((kind, item_id))
        label = _e(item.label) if item else ""
        if item and item.blocking:
            label += f" <i>({_e(t['blocking'])})</i>"
        rows.append(
            (
                _e(item_id),
                label,
                _n(n, lang),
                _pct(n, of, lang),
                _cites(item.citations) if item else "",
            )
        )
    return _table([t["id"], t["item"], t["count"], t["share"], t["cites"]], rows, (2, 3))


def _parameters_text(values: Mapping[str, int]) -> str:
    """The parameter values every row was assessed under, as ``--parameters`` spells them."""
    return ", ".join(f"{k}={v}" for k, v in sorted(values.items()))


def _summary_html(result: AuditResult, chart: bool) -> str:
    s = result.summary
    t = _T[result.lang]
    info = catalogue(result.ruleset, result.lang)
    lang = result.lang
    c = _c(lang)
    parts = [
        f"<p>{_e(t['source'])}{c} {_e(result.source.label)} · {_e(t['ruleset'])}{c} "
        f"{_e(result.ruleset.id)} {_e(result.ruleset.version)} "
        f"({_e(_parameters_text(result.ruleset.parameter_values))}) · {_e(t['engine'])}{c} "
        f"{_e(result.engine)}</p>",
        _table(
            [t["rows"], t["count"], t["share"]],
            [
                (_e(t["rows"]), _n(s.total, lang), ""),
                (_e(t["assessed"]), _n(s.assessed, lang), _pct(s.assessed, s.total, lang)),
                (_e(t["rejected"]), _n(s.rejected, lang), _pct(s.rejected, s.total, lang)),
                (
                    _e(t["attention"]),
                    _n(s.needs_attention, lang),
                    _pct(s.needs_attention, s.assessed, lang),
                ),
                (
                    _e(t["termination"]),
                    _n(s.termination_required, lang),
                    _pct(s.termination_required, s.assessed, lang),
                ),
            ],
            (1, 2),
        ),
        f"<h3>{_e(t['verdicts'])}</h3>",
        _counts_table(s.verdicts, "verdict", s.assessed, info, t, lang),
    ]
    if chart:
        parts.append(f"<h3>{_e(t['chart'])}</h3>{_chart_img(result)}")
    for title, kind, counts in (
        (t["findings"], "finding", s.findings),
        (t["osafeguards"], "safeguard", s.outstanding_safeguards),
        (t["docs"], "documentation", s.missing_documentation),
    ):
        parts += [
            f"<h3>{_e(title)}</h3>",
            _counts_table(counts, kind, s.assessed, info, t, lang),
        ]
    if s.warnings:
        rows = [(_e(w), _n(n, lang)) for w, n in s.warnings.items()]
        parts += [f"<h3>{_e(t['warnings'])}</h3>", _table([t["id"], t["count"]], rows, (1,))]
    if s.rejected_fields:
        rows = [(_e(f), _n(n, lang)) for f, n in s.rejected_fields.items()]
        parts += [
            f"<h3>{_e(t['rejected_rows'])}</h3>",
            _table([t["field"], t["count"]], rows, (1,)),
        ]
    return "".join(parts)


def _chart_img(result: AuditResult) -> str:
    try:
        from conduct_rules.render.chart import figure_png_base64, summary_figure

        info = catalogue(result.ruleset, result.lang)
        labels = {(kind, i): item.label for (kind, i), item in info.items()}
        fig = summary_figure(result.summary, result.lang, labels)
    except Exception:  # noqa: BLE001 - a report without its chart beats no report
        return f"<p>{_e(_T[result.lang]['no_chart'])}</p>"
    data = figure_png_base64(fig)
    return f'<img alt="chart" src="data:image/png;base64,{data}">'


def _case_rows(
    rows: Sequence[AuditRow], info: Mapping[tuple[str, str], ItemInfo]
) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for r in rows:
        blocking = [s for s in r.outstanding_safeguards if info[("safeguard", s)].blocking]
        cites: dict[str, None] = {}
        keys = [("verdict", r.verdict or "")] + [("finding", f) for f in r.findings]
        keys += [("safeguard", s) for s in blocking]
        for key in keys:
            if key in info:
                cites.update(dict.fromkeys(info[key].citations))
        out.append(
            (
                str(r.row),
                _e(r.case_id or ""),
                _badge(r.verdict or "", _label("verdict", r.verdict or "", info)),
                _e("; ".join(_label("finding", f, info) for f in r.findings)),
                _e("; ".join(_label("safeguard", x, info) for x in blocking)),
                _e("; ".join(_label("documentation", d, info) for d in r.missing_documentation)),
                _cites(cites),
            )
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


def _rejected_html(result: AuditResult, rejected: Sequence[AuditRow]) -> str:
    if not rejected:
        return ""
    s = result.summary
    t = _T[result.lang]
    parts = [f"<h2>{_e(t['rejected_rows'])}</h2>"]
    if s.rejected > len(rejected):
        parts.append(f"<p>{_e(t['showing'].format(m=len(rejected), n=s.rejected))}</p>")
    rows = [(str(r.row), _e(r.case_id or ""), _e(r.error or "")) for r in rejected]
    parts.append(_table([t["row"], t["case"], t["error"]], rows, (0,)))
    return "".join(parts)


def _cases_html(
    result: AuditResult, attention: Sequence[AuditRow], rejected: Sequence[AuditRow]
) -> str:
    s = result.summary
    t = _T[result.lang]
    lang = result.lang
    info = catalogue(result.ruleset, result.lang)
    head = [t["row"], t["case"], t["verdict"], t["findings"], t["osafeguards"], t["docs"]]
    parts = [f"<h2>{_e(t['cases'])}</h2><p>{_e(t['attention_def'])}.</p>"]
    if s.needs_attention > len(attention):
        shown = t["showing"].format(m=_n(len(attention), lang), n=_n(s.needs_attention, lang))
        parts.append(f"<p>{_e(shown)}</p>")
    parts.append(_table([*head, t["cites"]], _case_rows(attention, info), (0,)))
    return "".join(parts) + _rejected_html(result, rejected)


def render_audit_summary(result: AuditResult, max_cases: int = 10) -> str:
    """The notebook view of an audit: summary tables and the first cases needing attention."""
    cases = _cases_html(result, *_collect(result, max_cases))  # one run gives rows and summary
    body = _summary_html(result, chart=False) + cases
    return f"{_OPEN}{body}</div>"


def render_audit_report(result: AuditResult, max_cases: int = 1_000) -> str:
    """A complete, self-contained HTML document: nothing is fetched when it is opened.

    Order: the caveat, the summary and chart, breakdowns, the cases needing attention grouped by
    reason (labels, not ids), rejected rows, the provisions cited.
    """
    from conduct_rules.audit.report import breakdowns_html, caveat_html, grouped_cases_html

    t = _T[result.lang]
    attention, rejected = _collect(result, max_cases)  # one run gives rows and summary
    info = catalogue(result.ruleset, result.lang)
    s = result.summary
    body = (
        _summary_html(result, chart=True)
        + breakdowns_html(s, result.lang, info)
        + f"<p>{_e(t['attention_def'])}.</p>"
        + grouped_cases_html(result, attention, s.needs_attention, info)
        + _rejected_html(result, rejected)
    )
    provisions = [
        f"<li><b>{_e(pid)}</b>{_c(result.lang)} {_e(p.source)}</li>"
        for pid, p in result.ruleset.provisions.items()
    ]
    return (
        f'<!DOCTYPE html>\n<html lang="{_e(result.lang)}"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">"
        f"<title>{_e(t['report'])}{_c(result.lang)} {_e(result.ruleset.id)}</title>"
        f"<style>{_PAGE_CSS}</style>"
        f"</head><body><h1>{_e(t['report'])}</h1>{caveat_html(result.lang, result.ruleset)}"
        f"<h2>{_e(t['summary'])}</h2>{body}"
        f"<h2>{_e(t['cites'])}</h2><ul>{''.join(provisions)}</ul></body></html>\n"
    )
