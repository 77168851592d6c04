"""``conduct-rules explain CASE.json`` and ``conduct-rules what-if CASE.json``.

Why paragraphs first: the reader of ``explain`` is a practitioner, a supervisor or a trainer
handing the text to students; they want the reasoning (situation, deciding provision, what is
missing, the options), not a derivation. ``--rules`` adds the rule-by-rule derivation for those
who check it. ``--format json`` prints the same content for programs, with ``schema_version``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import click

from conduct_rules.api import get_ruleset
from conduct_rules.cli.common import (
    did_you_mean,
    emit,
    fail,
    format_option,
    lang_option,
    output_option,
    parameters_option,
    parse_parameters,
    read_case,
    ruleset_option,
)
from conduct_rules.errors import ConductRulesError
from conduct_rules.render.labels import Lang, value_text
from conduct_rules.render.terminal import shown
from conduct_rules.render.typography import colon, quote, typeset
from conduct_rules.rules.ruleset import Ruleset
from conduct_rules.teach.counterfactual import ChangeSet
from conduct_rules.teach.explain import (
    Explanation,
    Missing,
    ProvisionRef,
    WhyNot,
    check_text,
    explain,
    why_not,
)
from conduct_rules.teach.reasoning import step_text
from conduct_rules.teach.what_if import WhatIf, what_if

__all__ = [
    "explain_cmd",
    "render_changesets",
    "render_explanation",
    "render_what_if",
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
        "provisions": "Provisions cited",
        "derivation": "How the rules reach this, rule by rule",
        "ruleset": "Ruleset",
        "why_not": "Why not",
        "rule": "rule",
        "now": "now",
        "lacks": "What each rule that could conclude it still lacks",
        "option": "Option",
        "steps_of": "Every step is needed; each in any one of its ways.",
        "what_if": "What would make ending permitted (now{c}{v})",
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
        "provisions": "Dispositions citées",
        "derivation": "Comment les règles y parviennent, règle par règle",
        "ruleset": "Règles",
        "why_not": "Pourquoi pas",
        "rule": "règle",
        "now": "actuellement",
        "lacks": "Ce qui manque encore à chaque règle qui pourrait le conclure",
        "option": "Option",
        "steps_of": "Chaque étape est nécessaire ; chacune d'une de ses façons.",
        "what_if": "Ce qui permettrait la cessation (actuellement{c}{v})",
        "met": "remplie",
        "recorded": "consigné",
        "required": "requise",
    },
}


def _wrap(text: str, indent: str = "", hang: str = "", lang: Lang = "en") -> str:
    """Fill to 78 columns; never split a provision id such as ``note-scenario-3``, nor a French
    colon from its word (the text is typeset first: its no-break spaces do not break)."""
    return textwrap.fill(
        typeset(text, lang),
        width=78,
        initial_indent=indent,
        subsequent_indent=" " * len(indent) + hang,
        break_on_hyphens=False,
        break_long_words=False,
    )


def _ruleset_line(e: Explanation | WhatIf, lang: Lang) -> str:
    params = ", ".join(f"{k}={v}" for k, v in sorted(e.ruleset.parameters.items()))
    return f"{_W[lang]['ruleset']}{colon(lang)}{e.ruleset.id} {e.ruleset.version} ({params})"


def _cited(rs: Ruleset, e: Explanation) -> list[ProvisionRef]:
    """The provisions the reasoning cites, in order of first mention."""
    ids = list(e.reasoning.deciding_provisions)
    for option in e.reasoning.options:
        for step in option.steps:
            ids += [c for c in step.citations if c not in ids]
    out = []
    for pid in ids:
        p = rs.provisions.get(pid)
        if p is not None:
            source = p.source_fr if e.lang == "fr" and p.source_fr else p.source
            out.append(ProvisionRef(id=pid, source=source, text=p.fr if e.lang == "fr" else p.en))
    return out


def render_explanation(e: Explanation, rules: bool = False, rs: Ruleset | None = None) -> str:
    """The reasoning as paragraphs, the provisions it cites, and (``rules``) the derivation."""
    w, c = _W[e.lang], colon(e.lang)
    rs = rs or get_ruleset(e.ruleset.id)
    lines = [f"{w['case']}{c}{shown(e.case_id)}", f"{w['verdict']}{c}{e.verdict_label}", ""]
    for paragraph in e.reasoning.paragraphs:
        lines += [_wrap(paragraph, lang=e.lang), ""]
    cited = _cited(rs, e)
    if rules:  # every provision the derivation applies, as before
        every = {p.id: p for step in e.steps for p in step.provisions}
        cited += [p for pid, p in every.items() if pid not in {x.id for x in cited}]
    if cited:
        lines.append(f"{w['provisions']}{c.rstrip()}")
        lines += [_wrap(f"{p.source}{c}{p.text}", "  • ", lang=e.lang) for p in cited]
        lines.append("")
    if rules:
        lines += _derivation(e)
    lines.append(_ruleset_line(e, e.lang))
    return typeset("\n".join(lines), e.lang)


def _derivation(e: Explanation) -> list[str]:
    w, c = _W[e.lang], colon(e.lang)
    lines = [f"{w['derivation']}{c.rstrip()}"]
    for n, step in enumerate(e.steps, 1):
        cites = ", ".join(p.id for p in step.provisions)
        lines += ["", f"{n}. {step.rule}  [{cites}]"]
        if step.because:
            because = "; ".join(check_text(x, e.lang) for x in step.because)
            lines.append(_wrap(f"{w['because']}{c}{because}", "   ", "  ", e.lang))
        for conc in step.concluded:
            line = f"{w['concludes']}{c}{conc.text}"
            if conc.second is not None:
                why = "; ".join(check_text(x, e.lang) for x in conc.second_because)
                second = w.get(conc.second, conc.second)
                line += f" — {second}{c}{value_text('', conc.second_holds, e.lang)}"
                line += f" ({why})" if why else ""
            lines.append(_wrap(line, "   ", "  ", e.lang))
        if step.note:
            lines.append(_wrap(f"{w['note']}{c}{step.note}", "   ", "  ", e.lang))
    return [*lines, ""]


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


def render_why_not(w: WhyNot, rules: bool = False) -> str:
    """The answer in words (only what the member can act on); ``rules`` adds each route."""
    words, c = _W[w.lang], colon(w.lang)
    mark = "\u202f?" if w.lang == "fr" else "?"
    lines = [
        f"{words['why_not']}{c}{quote(w.label, w.lang)}{mark}",
        f"{words['case']}{c}{shown(w.case_id)}",
        "",
        _wrap(w.text, lang=w.lang),
    ]
    if rules and w.routes:
        lines += ["", f"{words['lacks']}{c.rstrip()}"]
        for route in w.routes:
            cites = ", ".join(p.id for p in route.provisions)
            lines += ["", f"  {words['rule']} {route.rule}  [{cites}]"]
            lines += _missing_lines(route.missing, w.lang, 4)
    return typeset("\n".join(lines), w.lang)


def render_what_if(answer: WhatIf, rs: Ruleset | None = None) -> str:
    """The options as numbered steps, each with its ways and the provisions it rests on."""
    lang = answer.lang
    w, c = _W[lang], colon(lang)
    rs = rs or get_ruleset(answer.ruleset.id)
    spec = rs.outputs.verdicts.get(answer.verdict)
    now = spec.label[lang] if spec else value_text("", answer.verdict, lang)
    lines = [w["what_if"].format(c=c, v=now), ""]
    if not answer.options:
        return typeset(
            "\n".join([*lines, _wrap(answer.text, lang=lang), "", _ruleset_line(answer, lang)]),
            lang,
        )
    for n, option in enumerate(answer.options, 1):
        if len(answer.options) > 1:
            lines.append(f"{w['option']} {n}{c.rstrip()}")
        for k, step in enumerate(option.steps, 1):
            lines.append(_wrap(step_text(rs, step, lang), f"  {k}. ", lang=lang))
        lines.append("")
    if any(len(o.steps) > 1 for o in answer.options):
        lines += [w["steps_of"], ""]
    lines.append(_ruleset_line(answer, lang))
    return typeset("\n".join(lines), lang)


def render_changesets(sets: Sequence[ChangeSet], lang: Lang, max_changes: int) -> str:
    """The raw change sets, one per paragraph (kept for callers of the earlier API)."""
    if len(sets) == 1 and not sets[0].changes:
        return (
            "La cessation est déjà permise : rien n'a besoin de changer."
            if lang == "fr"
            else "Ending is already permitted: nothing needs to change."
        )
    return "\n\n".join("\n".join(f"• {x.text}" for x in cs.changes) for cs in sets)


def _item_id(rs: Ruleset, item: str) -> str:
    """Check a --why-not id early, with a suggestion for a near miss."""
    groups = (
        rs.outputs.verdicts,
        rs.outputs.actions,
        rs.outputs.safeguards,
        rs.outputs.documentation,
        rs.outputs.findings,
        rs.derived,
    )
    known = [k for g in groups for k in g]
    name = item.rpartition(":")[2]
    if name not in known:
        fail(f"--why-not: unknown id '{name}'{did_you_mean(name, known)}")
    return item


@click.command("explain")
@click.argument("case_file", metavar="CASE.json")
@lang_option()
@click.option(
    "--why-not",
    "item",
    default=None,
    metavar="ID",
    help="A verdict, action, safeguard or record id: say what the member can do about it.",
)
@click.option("--rules", is_flag=True, help="Add the derivation, rule by rule, to the text.")
@format_option("text: paragraphs for people; json: the same content for programs.")
@ruleset_option()
@parameters_option()
@output_option()
def explain_cmd(
    case_file: str,
    lang: Lang,
    item: str | None,
    rules: bool,
    fmt: str,
    ruleset: str | None,
    params: tuple[str, ...],
    output: str | None,
) -> None:
    """Explain a case as a supervisor would: the situation, the provision that decides, what is
    missing, and what the member can still do.

    Exit status: 0 when explained, 2 for a bad file, field, id or parameter.
    """
    parameters = parse_parameters(params)
    case = read_case(case_file, ruleset)
    try:
        rs = get_ruleset(ruleset, parameters)
        if item is not None:
            answer = why_not(case, _item_id(rs, item), lang=lang, ruleset=rs)
            text = (
                answer.model_dump_json(indent=2) if fmt == "json" else render_why_not(answer, rules)
            )
            emit(text, output, raw=fmt == "json")
            return
        result = explain(case, lang=lang, ruleset=rs)
    except ConductRulesError as exc:
        fail(str(exc))
    emit(
        result.model_dump_json(indent=2)
        if fmt == "json"
        else render_explanation(result, rules, rs),
        output,
        raw=fmt == "json",
    )


@click.command("what-if")
@click.argument("case_file", metavar="CASE.json")
@lang_option()
@format_option("text: numbered steps for people; json: options and change sets for programs.")
@click.option(
    "--max-changes",
    type=click.IntRange(0, 8),
    default=5,
    show_default=True,
    help="The largest set of steps to consider.",
)
@ruleset_option()
@parameters_option()
@output_option()
def what_if_cmd(
    case_file: str,
    lang: Lang,
    fmt: str,
    max_changes: int,
    ruleset: str | None,
    params: tuple[str, ...],
    output: str | None,
) -> None:
    """List what the member can still do to make ending permitted, grouped as plans.

    Exit status: 0 when answered (even when nothing open to the member helps), 2 for bad input.
    """
    parameters = parse_parameters(params)
    case = read_case(case_file, ruleset)
    try:
        rs = get_ruleset(ruleset, parameters)
        answer = what_if(case, lang=lang, ruleset=rs, max_changes=max_changes)
    except ConductRulesError as exc:
        fail(str(exc))
    emit(
        answer.model_dump_json(indent=2) if fmt == "json" else render_what_if(answer, rs),
        output,
        raw=fmt == "json",
    )
