"""``conduct-rules explain CASE.json`` and ``conduct-rules what-if CASE.json``.

Why text as well as JSON: the reader of ``explain`` is often a supervisor or a trainer at a
terminal; each rule reads as "because … it concludes … [provisions]", and the provisions'
paraphrases are listed once at the end rather than after every rule.
"""

from __future__ import annotations

from collections.abc import Sequence

import click
from pydantic import TypeAdapter

from conduct_rules._cli.common import fail, format_option, lang_option, read_case, ruleset_option
from conduct_rules._labels import Lang, colon, value_text
from conduct_rules._terminal import shown, terminal_safe
from conduct_rules.counterfactual import ChangeSet, what_would_permit
from conduct_rules.errors import ConductRulesError
from conduct_rules.explain import (
    Check,
    Explanation,
    Missing,
    ProvisionRef,
    WhyNot,
    check_text,
    explain,
    why_not,
)

__all__ = [
    "explain_cmd",
    "render_changesets",
    "render_explanation",
    "render_why_not",
    "what_if_cmd",
]

_W = {
    "en": {
        "case": "Case",
        "verdict": "Verdict",
        "because": "because",
        "concludes": "concludes",
        "note": "note",
        "provisions": "Provisions applied",
        "ruleset": "Ruleset",
        "holds": "It holds: nothing is missing.",
        "not_holds": "It does not hold. What each rule that could conclude it still lacks:",
        "why_not": "Why not",
        "rule": "rule",
        "now": "now",
        "no_route": "No rule concludes it.",
        "already": "Ending is already permitted: the empty change set (nothing to change).",
        "none": "No set of at most {n} steps open to the member makes ending permitted.",
        "option": "Option",
        "steps": "step(s)",
        "what_if": "What would make ending permitted (the ending is now {v})",
        "matters": "matters through",
        "met": "met",
        "recorded": "recorded",
        "required": "required",
    },
    "fr": {
        "case": "Dossier",
        "verdict": "Verdict",
        "because": "parce que",
        "concludes": "conclut",
        "note": "note",
        "provisions": "Dispositions appliquées",
        "ruleset": "Règles",
        "holds": "C'est le cas : rien ne manque.",
        "not_holds": "Non. Ce qui manque à chaque règle qui pourrait le conclure :",
        "why_not": "Pourquoi pas",
        "rule": "règle",
        "now": "actuellement",
        "no_route": "Aucune règle ne le conclut.",
        "already": "La cessation est déjà permise : l'ensemble vide (rien à changer).",
        "none": "Aucun ensemble d'au plus {n} étapes à la portée du membre ne permet la cessation.",
        "option": "Option",
        "steps": "étape(s)",
        "what_if": "Ce qui permettrait la cessation (verdict actuel : cessation {v})",
        "matters": "compte par",
        "met": "remplie",
        "recorded": "consigné",
        "required": "requise",
    },
}


def _check_text(c: Check, lang: Lang) -> str:
    return check_text(c, lang)


def render_explanation(e: Explanation) -> str:
    """The derivation as text: one numbered block per rule that fired."""
    w, c = _W[e.lang], colon(e.lang)
    lines = [
        f"{w['case']}{c}{shown(e.case_id)}",
        f"{w['verdict']}{c}{e.verdict_label} — {e.verdict_text}",
    ]
    provisions: dict[str, ProvisionRef] = {}
    for n, step in enumerate(e.steps, 1):
        cites = ", ".join(p.id for p in step.provisions)
        lines += ["", f"{n}. {step.rule}  [{cites}]"]
        if step.because:
            because = "; ".join(_check_text(x, e.lang) for x in step.because)
            lines.append(f"   {w['because']}{c}{because}")
        for conc in step.concluded:
            line = f"   {w['concludes']}{c}{conc.text}"
            if conc.second is not None:
                why = "; ".join(_check_text(x, e.lang) for x in conc.second_because)
                second = w.get(conc.second, conc.second)
                line += f" — {second}{c}{value_text('', conc.second_holds, e.lang)}"
                line += f" ({why})" if why else ""
            lines.append(line)
        if step.note:
            lines.append(f"   {w['note']}{c}{step.note}")
        for p in step.provisions:
            provisions.setdefault(p.id, p)
    lines += ["", f"{w['provisions']}{c.rstrip()}"]
    lines += [f"  {p.id} — {p.source}{c}{p.text}" for p in provisions.values()]
    params = ", ".join(f"{k}={v}" for k, v in sorted(e.parameters.items()))
    lines += ["", f"{w['ruleset']}{c}{e.ruleset} {e.ruleset_version} ({params})"]
    return "\n".join(lines)


def _missing_lines(items: Sequence[Missing], lang: Lang, indent: int) -> list[str]:
    pad, c = " " * indent, colon(lang)
    out: list[str] = []
    for m in items:
        if m.any_of or m.all_of:
            out.append(f"{pad}- {m.text}{c.rstrip()}")
            out += _missing_lines(m.any_of or m.all_of, lang, indent + 4)
            continue
        now = f" ({_W[lang]['now']}{c}{value_text(m.fact or '', m.now, lang)})" if m.fact else ""
        out.append(f"{pad}✗ {m.text}{now}")
        out += _missing_lines(m.because, lang, indent + 4)
    return out


def render_why_not(w: WhyNot) -> str:
    """Each route to the item, with the conditions it still lacks, as an indented tree."""
    words, c = _W[w.lang], colon(w.lang)
    mark = " ?" if w.lang == "fr" else "?"
    lines = [
        f"{words['why_not']}{c}{w.question_text}{mark}",
        f"{words['case']}{c}{shown(w.case_id)}",
    ]
    if w.holds:
        return "\n".join([*lines, words["holds"]])
    lines.append(words["not_holds"] if w.routes else words["no_route"])
    for route in w.routes:
        cites = ", ".join(p.id for p in route.provisions)
        lines += ["", f"  {words['rule']} {route.rule}  [{cites}]"]
        lines += _missing_lines(route.missing, w.lang, 4)
    return "\n".join(lines)


def render_changesets(sets: Sequence[ChangeSet], lang: Lang, max_changes: int) -> str:
    """Each option as a numbered list of steps, with what makes each step count."""
    w, c = _W[lang], colon(lang)
    if len(sets) == 1 and not sets[0].changes:
        return w["already"]
    if not sets:
        return w["none"].format(n=max_changes)
    lines = [w["what_if"].format(v=value_text("", sets[0].verdict_before, lang))]
    for n, cs in enumerate(sets, 1):
        lines += ["", f"{w['option']} {n} ({cs.size} {w['steps']}){c.rstrip()}"]
        for change in cs.changes:
            lines.append(f"  • {change.text}  [{', '.join(change.citations)}]")
            if change.rules:
                lines.append(f"      {w['matters']}{c}{', '.join(change.rules)}")
    return "\n".join(lines)


_LANG = lang_option()
_FORMAT = format_option()
_RULESET = ruleset_option()


@click.command("explain")
@click.argument("case_file", metavar="CASE.json")
@_LANG
@click.option(
    "--why-not",
    "item",
    default=None,
    metavar="ID",
    help="A verdict, action, safeguard or record id: say what is still missing for it.",
)
@_FORMAT
@_RULESET
def explain_cmd(
    case_file: str, lang: Lang, item: str | None, fmt: str, ruleset: str | None
) -> None:
    """Show which rules fired for a case, on which facts, applying which provisions."""
    case = read_case(case_file, ruleset)
    try:
        if item is not None:
            answer = why_not(case, item, lang=lang, ruleset=ruleset)
            click.echo(
                answer.model_dump_json(indent=2)
                if fmt == "json"
                else terminal_safe(render_why_not(answer))
            )
            return
        result = explain(case, lang=lang, ruleset=ruleset)
    except ConductRulesError as exc:
        fail(str(exc))
    click.echo(
        result.model_dump_json(indent=2)
        if fmt == "json"
        else terminal_safe(render_explanation(result))
    )


@click.command("what-if")
@click.argument("case_file", metavar="CASE.json")
@_LANG
@_FORMAT
@click.option(
    "--max-changes",
    type=click.IntRange(0, 8),
    default=5,
    show_default=True,
    help="The largest set of steps to consider.",
)
@_RULESET
def what_if_cmd(
    case_file: str, lang: Lang, fmt: str, max_changes: int, ruleset: str | None
) -> None:
    """List the smallest sets of steps still open to the member that make ending permitted."""
    case = read_case(case_file, ruleset)
    try:
        sets = what_would_permit(case, lang=lang, ruleset=ruleset, max_changes=max_changes)
    except ConductRulesError as exc:
        fail(str(exc))
    if fmt == "json":
        click.echo(TypeAdapter(list[ChangeSet]).dump_json(sets, indent=2).decode())
    else:
        click.echo(terminal_safe(render_changesets(sets, lang, max_changes)))
