"""Plain-text report of an assessment, for a social worker reading a terminal.

Why this layout: the verdict first, then what may be done, then what is still owed (✗) and what is
done (✓), then missing records and possible breaches — each line with its citation, because the
reader's next question is always "where does that come from?". An outstanding safeguard also
carries its explanation on the next line: it is the one thing the reader has to act on. Safeguards
that hold the verdict at "conditional" are marked, so the reader sees which ones come first.

The summary comes second: it says in words what the verdict means and the way forward (when
ending is required but not yet permitted, how to get there). Citations show inline in their short
form ("2.8 iii") and in full, in the reader's language, under "Sources", followed by the ruleset's
caveat. Those come from the ruleset that produced the assessment (given, or found again among the
built-in ones by id and version), so a stored JSON assessment renders the same as a fresh one.
"""

from __future__ import annotations

import textwrap

from conduct_rules.model.assessment import Assessment
from conduct_rules.render.citations import (
    caveat,
    cited_ids,
    full_citations,
    reference_ruleset,
    short_citations,
)
from conduct_rules.render.terminal import shown
from conduct_rules.rules.ruleset import Ruleset

__all__ = ["render_text", "verdict_heading"]

_HEAD = {
    "en": {
        "case": "Case",
        "verdict": "Verdict",
        "actions": "What may be done",
        "required": "required",
        "safeguards": "Safeguards (✓ met, ✗ outstanding)",
        "blocking": "must come first",
        "docs": "Missing records",
        "findings": "Possible breaches",
        "warnings": "Warnings",
        "none": "none",
        "engine": "Ruleset",
        "sources": "Sources",
        "caveat": "Note",
        "editions": "Editions read",
        "from": "in force from",
        "until": "until",
        "colon": ":",
    },
    "fr": {
        "case": "Dossier",
        "verdict": "Verdict",
        "actions": "Ce qui peut être fait",
        "required": "requis",
        "safeguards": "Mesures de protection (✓ remplie, ✗ à remplir)",
        "blocking": "préalable",
        "docs": "Documents manquants",
        "findings": "Manquements possibles",
        "warnings": "Avertissements",
        "none": "aucun",
        "engine": "Règles",
        "sources": "Sources",
        "caveat": "Remarque",
        "editions": "Éditions lues",
        "from": "en vigueur depuis le",
        "until": "jusqu'au",
        "colon": "\u00a0:",
    },
}

# The contract's three verdicts, in words, for an assessment whose ruleset cannot be found again;
# otherwise the heading is the ruleset's own verdict label in capitals (Ontario's labels give these
# same words; CRPO's speak of discontinuation). Any other verdict id is shown as is.
_VERDICT_WORDS = {
    "en": {
        "not_permitted": "ENDING NOT PERMITTED",
        "conditional": "ENDING PERMITTED ONCE SAFEGUARDS ARE MET",
        "permitted": "ENDING PERMITTED",
    },
    "fr": {
        "not_permitted": "CESSATION NON PERMISE",
        "conditional": "CESSATION PERMISE UNE FOIS LES MESURES REMPLIES",
        "permitted": "CESSATION PERMISE",
    },
}


def verdict_heading(verdict: str, rs: Ruleset | None, lang: str) -> str:
    """The verdict as a heading, in the words of the ruleset that gave it (in capitals).

    Why the ruleset's words: each college names its own act ("ending" under the social work
    regulation, "discontinuation" under CRPO 6.3); a report must not put one college's words on
    the other's answer.
    """
    if rs is not None and verdict in rs.outputs.verdicts:
        return rs.outputs.verdicts[verdict].label["fr" if lang == "fr" else "en"].upper()
    return _VERDICT_WORDS["fr" if lang == "fr" else "en"].get(verdict, verdict.upper())


def render_text(a: Assessment, ruleset: Ruleset | None = None) -> str:
    """Render the assessment as a short, readable report in its own language."""
    rs = reference_ruleset(a, ruleset)
    h = _HEAD[a.lang]
    c = h["colon"]

    def cite(citations: tuple[str, ...]) -> str:
        return f"  [{short_citations(rs, citations, a.lang)}]" if citations else ""

    verdict = verdict_heading(a.verdict, rs, a.lang)
    lines = [
        f"{h['case']}{c} {shown(a.case_id)}",
        f"{h['verdict']}{c} {verdict}",
        *textwrap.wrap(a.summary, 96, initial_indent="  ", subsequent_indent="  "),
    ]
    lines += ["", f"{h['actions']}{c}"]
    for act in a.permitted_actions:
        req = f" ({h['required']})" if act.required else ""
        lines.append(f"  • {act.label}{req}{cite(act.citations)}")
    if not a.permitted_actions:
        lines.append(f"  {h['none']}")
    lines += ["", f"{h['safeguards']}{c}"]
    for s in a.required_safeguards:
        met = s.status == "met"
        first = f" ({h['blocking']})" if s.blocking and not met else ""
        lines.append(f"  {'✓' if met else '✗'} {s.label}{first}{cite(s.citations)}")
        if not met:
            lines.append(f"      {s.explanation}")
    if not a.required_safeguards:
        lines.append(f"  {h['none']}")
    lines += ["", f"{h['docs']}{c}"]
    for d in a.missing_documentation:
        lines.append(f"  ✗ {d.label}{cite(d.citations)}")
    if not a.missing_documentation:
        lines.append(f"  {h['none']}")
    lines += ["", f"{h['findings']}{c}"]
    for f in a.findings:
        lines.append(f"  ! {f.label} — {f.explanation}{cite(f.citations)}")
    if not a.findings:
        lines.append(f"  {h['none']}")
    if a.warnings:
        lines += ["", f"{h['warnings']}{c}"]
        lines += [f"  ⚠ {w.message}" for w in a.warnings]
    sources = full_citations(rs, cited_ids(a), a.lang)
    if sources:
        lines += ["", f"{h['sources']}{c}"]
        lines += [f"  {s} — {full}" if s != full else f"  {full}" for s, full in sources]
    note = caveat(rs, a.lang)
    if note:
        lines += ["", *textwrap.wrap(f"{h['caveat']}{c} {note}", 96)]
    lines += ["", f"{h['engine']}{c} {a.ruleset.id} {a.ruleset.version} ({a.engine})"]
    lines += _editions(a, h)
    return "\n".join(lines)


def _editions(a: Assessment, h: dict[str, str]) -> list[str]:
    """The sources the rules read, each with its edition and dates (issue 15), and any note."""
    if not a.ruleset.editions:
        return []
    lines = ["", f"{h['editions']}{h['colon']}"]
    for e in a.ruleset.editions:
        until = f", {h['until']} {e.until}" if e.until else ""
        lines.append(f"  • {e.document}, {e.edition} — {h['from']} {e.in_force}{until}")
        if e.note:
            lines.append(f"      {e.note}")
    return lines
