"""Plain-text report of an assessment, for a social worker reading a terminal.

Why this layout: the verdict first, then what may be done, then what is still owed (✗) and what is
done (✓), then missing records and possible breaches — each line with its citation, because the
reader's next question is always "where does that come from?".
"""

from __future__ import annotations

from conduct_rules.assessment import Assessment

__all__ = ["render_text"]

_HEAD = {
    "en": {
        "case": "Case",
        "verdict": "Verdict",
        "termination_required": "This service must stop (3.8/3.9)",
        "actions": "What may be done",
        "required": "required",
        "safeguards": "Safeguards",
        "docs": "Missing records",
        "findings": "Possible breaches",
        "none": "none",
        "engine": "Ruleset",
    },
    "fr": {
        "case": "Dossier",
        "verdict": "Verdict",
        "termination_required": "Ce service doit cesser (3.8/3.9)",
        "actions": "Ce qui peut être fait",
        "required": "requis",
        "safeguards": "Mesures de protection",
        "docs": "Documents manquants",
        "findings": "Manquements possibles",
        "none": "aucun",
        "engine": "Règles",
    },
}


def _cite(citations: tuple[str, ...]) -> str:
    return f"  [{', '.join(citations)}]" if citations else ""


def render_text(a: Assessment) -> str:
    """Render the assessment as a short, readable report in its own language."""
    h = _HEAD[a.lang]
    lines = [
        f"{h['case']}: {a.case_id}",
        f"{h['verdict']}: {a.verdict.upper()} — {a.verdict_explanation}",
    ]
    if a.termination_required:
        lines.append(f"! {h['termination_required']}")
    lines += ["", f"{h['actions']}:"]
    for act in a.permitted_actions:
        req = f" ({h['required']})" if act.required else ""
        lines.append(f"  • {act.label}{req}{_cite(act.citations)}")
    if not a.permitted_actions:
        lines.append(f"  {h['none']}")
    lines += ["", f"{h['safeguards']}:"]
    for s in a.required_safeguards:
        mark = "✓" if s.status == "met" else "✗"
        lines.append(f"  {mark} {s.label}{_cite(s.citations)}")
    if not a.required_safeguards:
        lines.append(f"  {h['none']}")
    lines += ["", f"{h['docs']}:"]
    for d in a.missing_documentation:
        lines.append(f"  ✗ {d.label}{_cite(d.citations)}")
    if not a.missing_documentation:
        lines.append(f"  {h['none']}")
    lines += ["", f"{h['findings']}:"]
    for f in a.findings:
        lines.append(f"  ! {f.label} — {f.explanation}{_cite(f.citations)}")
    if not a.findings:
        lines.append(f"  {h['none']}")
    for w in a.warnings:
        lines.append(f"  ⚠ {w.message}")
    lines += ["", f"{h['engine']}: {a.ruleset.id} {a.ruleset.version} ({a.engine})"]
    return "\n".join(lines)
