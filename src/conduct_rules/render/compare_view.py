"""Text and HTML views of a ``Comparison`` (``compare.py``), for a dual registrant.

Why this layout: the reader's first question is "what must I do to satisfy both colleges?", so
the combined (stricter) verdict comes first, then each college's verdict on one line, then what
is still owed — each item labelled with the college or colleges asking for it — and last what one
college asks that the other does not. The HTML view then shows the full assessments side by
side. Like the single-assessment report, these read only the ``Comparison``; the HTML is the
template ``render/templates/comparison.html.j2``, which escapes every text.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from markupsafe import Markup

from conduct_rules.render.citations import reference_ruleset, short_citations
from conduct_rules.render.html import render_assessment, render_template
from conduct_rules.render.text import verdict_heading

if TYPE_CHECKING:
    from conduct_rules.compare import ComparedItem, Comparison

__all__ = ["render_comparison_html", "render_comparison_text"]

_T = {
    "en": {
        "case": "Case",
        "combined": "For both colleges (the stricter answer)",
        "from": "from",
        "each": "Each ruleset",
        "actions": "What may be done",
        "not_all": "not for",
        "required": "required by",
        "safeguards": "Safeguards (✓ met, ✗ outstanding)",
        "blocking": "must come first",
        "docs": "Missing records",
        "findings": "Possible breaches",
        "differences": "Differences",
        "none": "none",
        "side": "Side by side",
        "colon": ":",
    },
    "fr": {
        "case": "Dossier",
        "combined": "Pour les deux ordres (la réponse la plus stricte)",
        "from": "selon",
        "each": "Chaque jeu de règles",
        "actions": "Ce qui peut être fait",
        "not_all": "pas pour",
        "required": "requis par",
        "safeguards": "Mesures de protection (✓ remplie, ✗ à remplir)",
        "blocking": "préalable",
        "docs": "Documents manquants",
        "findings": "Manquements possibles",
        "differences": "Différences",
        "none": "aucune",
        "side": "Côte à côte",
        "colon": " :",
    },
}


def _by(item: ComparedItem) -> str:
    return ", ".join(item.required_by)


def _cites(item: ComparedItem, c: Comparison) -> str:
    """Each college's citations as a reader sees them ("6.3.3", "2.8 iii"), never provision ids."""
    col = _T[c.lang]["colon"]
    sep = "\u00a0; " if c.lang == "fr" else "; "
    parts = []
    for name, ids in item.citations.items():
        if not ids:
            continue
        a = c.assessments.get(name)
        rs = reference_ruleset(a) if a is not None else None
        parts.append(f"{name}{col} {short_citations(rs, ids, c.lang)}")
    return f"  [{sep.join(parts)}]" if parts else ""


def _combined_heading(c: Comparison) -> str:
    """The combined verdict in the words of the (first) ruleset it comes from."""
    a = c.assessments.get(c.verdict_from[0]) if c.verdict_from else None
    return verdict_heading(c.verdict, reference_ruleset(a) if a is not None else None, c.lang)


def render_comparison_text(c: Comparison) -> str:
    """The comparison as a short report in its own language."""
    t = _T[c.lang]
    col = t["colon"]
    lines = [
        f"{t['case']}{col} {c.case_id}",
        f"{t['combined']}{col} {_combined_heading(c)} ({t['from']} {', '.join(c.verdict_from)})",
        "",
        f"{t['each']}{col}",
    ]
    for v in c.rulesets:
        lines.append(f"  • {v.ruleset} ({v.id} {v.version}){col} {v.verdict_label}")
        summary = c.assessments[v.ruleset].summary if v.ruleset in c.assessments else ""
        if summary:  # the college's own answer in words: the way forward it names
            lines += textwrap.wrap(summary, 96, initial_indent="    ", subsequent_indent="    ")
    lines += ["", f"{t['actions']}{col}"]
    for a in c.actions:
        if not a.permitted:
            blocked = [n for n in c.assessments if n not in a.permitted_by]
            lines.append(f"  ✗ {a.label} ({t['not_all']} {', '.join(blocked)})")
            continue
        req = f" ({t['required']} {', '.join(a.required_by)})" if a.required else ""
        lines.append(f"  • {a.label}{req}")
    lines += ["", f"{t['safeguards']}{col}"]
    for s in c.safeguards:
        met = s.status == "met"
        first = f" ({t['blocking']})" if s.blocking and not met else ""
        lines.append(f"  {'✓' if met else '✗'} {s.label}{first} — {_by(s)}{_cites(s, c)}")
    if not c.safeguards:
        lines.append(f"  {t['none']}")
    for title, items in ((t["docs"], c.missing_documentation), (t["findings"], c.findings)):
        lines += ["", f"{title}{col}"]
        mark = "!" if items is c.findings else "✗"
        lines += [f"  {mark} {i.label} — {_by(i)}{_cites(i, c)}" for i in items]
        if not items:
            lines.append(f"  {t['none']}")
    lines += ["", f"{t['differences']}{col}"]
    lines += [f"  • {d.message}" for d in c.differences]
    if not c.differences:
        lines.append(f"  {t['none']}")
    return "\n".join(lines)


def render_comparison_html(c: Comparison) -> str:
    """An HTML fragment: the combined answer and differences, then the assessments side by side."""
    # Each assessment is rendered (and escaped) by its own template: its markup is safe as is.
    fragments = [Markup(render_assessment(a)) for a in c.assessments.values()]
    return render_template(
        "comparison.html.j2", c=c, t=_T[c.lang], verdict=_combined_heading(c), fragments=fragments
    )
