"""The reasoning a supervisor would write: short paragraphs built from an evaluation.

Why paragraphs and not a derivation: a trainer hands the explanation to students and a
practitioner reads it between sessions; both want the situation, the provision that decides,
what is missing and what can be done, in words. The derivation (``Explanation.steps``) stays for
those who audit it. Every word about the rules comes from the ruleset (derived-fact texts,
verdict and safeguard labels, lever texts, provision sources), so another ruleset gets its own
words; only the connecting phrases ("Still to do before ending") live here, in both languages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

from conduct_rules.render.citations import short_citations
from conduct_rules.render.labels import Lang
from conduct_rules.render.typography import (
    capitalize,
    clause,
    colon,
    count_word,
    either,
    join_and,
    quote,
    semicolon,
    sentence,
    typeset,
)
from conduct_rules.rules.conditions import references
from conduct_rules.rules.facts import DOCUMENT_MISSING, SAFEGUARD_OUTSTANDING, unmet_from
from conduct_rules.rules.ruleset import Ruleset
from conduct_rules.teach.counterfactual import ChangeSet
from conduct_rules.teach.derivation import definition
from conduct_rules.teach.options import Alternative, Option, Step, factor_options

__all__ = [
    "Reasoning",
    "cite",
    "options_text",
    "reasoning",
    "step_text",
]


class Reasoning(BaseModel):
    """An explanation as a supervisor would write it; ``paragraphs`` in reading order.

    ``situation``: what the case shows; ``decision``: the verdict and the provision that
    decides; ``missing``: what must come before ending; ``advice``: what else is advised or still
    to record (it does not change the verdict); ``next_steps``: the options as text, and
    ``options`` the same as data. An empty text means there is nothing to say.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    situation: str
    decision: str
    deciding_provisions: tuple[str, ...]
    missing: str
    advice: str
    next_steps: str
    options: tuple[Option, ...]
    paragraphs: tuple[str, ...]


_W: dict[Lang, dict[str, str]] = {
    "en": {
        "decides": "The provision that decides is {cite}{c}{text}",
        "rests": "This rests on{c}{items}.",
        "blocking": "Still to do before ending{c}{items}.",
        "advised": "Also advised (this does not change the answer){c}{items}.",
        "records": "Still to record in the file{c}{items}.",
        "any": "any {n} of these{c}{items}",
        "ways": "There are {n} ways to get there.",
        "way": "Way {n}{c}",
        "already": "Nothing more is needed: ending is already permitted.",
        "none": (
            "No set of at most {n} steps still open to the member makes ending permitted; "
            "what stands in the way is outside the member's control."
        ),
        "to_permit": "To make ending permitted{c}",
    },
    "fr": {
        "decides": "La disposition qui tranche est {cite}{c}{text}",
        "rests": "Cela repose sur{c}{items}.",
        "blocking": "À faire avant de mettre fin{c}{items}.",
        "advised": "Aussi conseillé (cela ne change pas la réponse){c}{items}.",
        "records": "Encore à consigner au dossier{c}{items}.",
        "any": "{n} de ces démarches au choix{c}{items}",
        "ways": "Il y a {n} façons d'y parvenir.",
        "way": "Façon {n}{c}",
        "already": "Rien d'autre n'est nécessaire : la cessation est déjà permise.",
        "none": (
            "Aucun ensemble d'au plus {n} démarches encore à la portée du membre ne permet la "
            "cessation ; ce qui y fait obstacle ne dépend pas du membre."
        ),
        "to_permit": "Pour que la cessation soit permise{c}",
    },
}


def _source(rs: Ruleset, pid: str, lang: Lang) -> str:
    p = rs.provisions[pid]
    text = getattr(p, "source_fr", None) if lang == "fr" else None
    return str(text or p.source)


def cite(rs: Ruleset, ids: Sequence[str], lang: Lang) -> str:
    """Provisions as a sentence cites them inline: their short forms ("2.8 iii; scenario 1")
    when the ruleset gives them, else their sources with shared leading parts said once
    ("O. Reg. 384/00, s. 2, para. 8, sub. iii, sub. iv")."""
    order = {pid: i for i, pid in enumerate(rs.provisions)}
    known = sorted((pid for pid in dict.fromkeys(ids) if pid in order), key=order.__getitem__)
    if known and all(rs.provisions[pid].short for pid in known):
        return short_citations(rs, known, lang)
    groups: dict[str, list[str]] = {}
    for pid in ids:
        if pid not in rs.provisions:
            continue
        source = _source(rs, pid, lang)
        head, sep, tail = source.rpartition(", ")
        if not sep:
            head, tail = source, ""
        tail = tail.split(" (")[0] if head else tail
        groups.setdefault(head, [])
        if tail and tail not in groups[head]:
            groups[head].append(tail)
    parts = [head + (", " + ", ".join(tails) if tails else "") for head, tails in groups.items()]
    return semicolon(lang).join(parts)


def _alternative_text(alt: Alternative, lang: Lang) -> str:
    phrases = [clause(c.text) for c in alt.changes]
    if alt.choose is not None:
        items = semicolon(lang).join(phrases)
        return _W[lang]["any"].format(n=count_word(alt.choose, lang), c=colon(lang), items=items)
    return join_and(phrases, lang)


def step_text(rs: Ruleset, step: Step, lang: Lang) -> str:
    """One step as a sentence: its ways ("either … or …") and the provisions it rests on."""
    body = either([_alternative_text(a, lang) for a in step.alternatives], lang)
    cites = cite(rs, step.citations, lang)
    return sentence(f"{body} ({cites})" if cites else body)


def options_text(rs: Ruleset, options: Sequence[Option], lang: Lang, lead: str = "") -> str:
    """The options as a paragraph: one plan as sentences, several plans numbered."""
    w = _W[lang]
    if len(options) == 1:
        text = " ".join(step_text(rs, s, lang) for s in options[0].steps)
        if lead.rstrip().endswith(":"):  # a list after a colon starts in lower case
            text = text[:1].lower() + text[1:]
        return (lead + text).strip()
    out = [lead + w["ways"].format(n=count_word(len(options), lang, feminine=True))]
    for n, option in enumerate(options, 1):
        steps = " ".join(step_text(rs, s, lang) for s in option.steps)
        out.append(w["way"].format(n=n, c=colon(lang)) + steps)
    return " ".join(out).strip()


def _about_safeguards(rs: Ruleset, key: str) -> bool:
    """Whether a derived fact only sums up safeguards or records (said in its own paragraph)."""
    cond = definition(rs, key)
    refs = references(cond) if cond is not None else set()
    return bool(refs) and all(unmet_from(r) is not None for r in refs)


def _labels(group: Mapping[str, Any], ids: Sequence[str], lang: Lang) -> str:
    return semicolon(lang).join(clause(group[i].label[lang]) for i in ids if i in group)


def reasoning(
    rs: Ruleset,
    facts: Mapping[str, Any],
    verdict: str,
    verdict_rule_cites: Sequence[str],
    grounds: Sequence[str],
    change_sets: Sequence[ChangeSet] | None,
    lang: Lang,
    max_changes: int,
) -> Reasoning:
    """The supervisor's paragraphs for an evaluated case (``change_sets``: the what-if search,
    None when it was not run because the verdict is already the target)."""
    w, c = _W[lang], colon(lang)
    situation = " ".join(
        sentence((spec.fr if lang == "fr" else spec.en).strip())
        for key, spec in rs.derived.items()
        if facts.get(key) is True and not _about_safeguards(rs, key)
    )
    vspec = rs.outputs.verdicts.get(verdict)
    decision = ""
    deciding = tuple(p for p in verdict_rule_cites[:1] if p in rs.provisions)
    if vspec is not None:
        verdict_text = vspec.fr if lang == "fr" else vspec.en
        decision = f"{sentence(vspec.label[lang])} {sentence(verdict_text)}"
        if grounds:
            decision += " " + w["rests"].format(c=c, items=semicolon(lang).join(grounds))
        if deciding:
            p = rs.provisions[deciding[0]]
            text = w["decides"].format(
                cite=_source(rs, deciding[0], lang),
                c=c,
                text=clause(p.fr if lang == "fr" else p.en),
            )
            decision += " " + sentence(text)
    sg = rs.outputs.safeguards
    outstanding = [k for k in sg if facts.get(SAFEGUARD_OUTSTANDING.format(k))]
    blocking = [k for k in outstanding if getattr(sg[k], "blocking", False)]
    advised = [k for k in outstanding if k not in blocking]
    missing_docs = [k for k in rs.outputs.documentation if facts.get(DOCUMENT_MISSING.format(k))]
    missing = w["blocking"].format(c=c, items=_labels(sg, blocking, lang)) if blocking else ""
    advice = " ".join(
        text
        for text in (
            w["advised"].format(c=c, items=_labels(sg, advised, lang)) if advised else "",
            w["records"].format(c=c, items=_labels(rs.outputs.documentation, missing_docs, lang))
            if missing_docs
            else "",
        )
        if text
    )
    options: tuple[Option, ...] = ()
    if change_sets is None:
        next_steps = w["already"]
    else:
        options = factor_options(change_sets)
        next_steps = (
            options_text(rs, options, lang, w["to_permit"].format(c=c))
            if options
            else w["none"].format(n=max_changes)
        )
    situation, decision, missing, next_steps, advice = (
        typeset(x, lang) for x in (situation, decision, missing, next_steps, advice)
    )
    paragraphs = tuple(p for p in (situation, decision, missing, next_steps, advice) if p)
    return Reasoning(
        situation=situation,
        decision=decision,
        deciding_provisions=deciding,
        missing=missing,
        advice=advice,
        next_steps=next_steps,
        options=options,
        paragraphs=paragraphs,
    )


_WHY: dict[Lang, dict[str, str]] = {
    "en": {
        "holds": "{q} already holds: nothing is missing.",
        "not_required": "{q} is not required in this case.",
        "no_finding": "{q} is not found in this case.",
        "not_yet": "{q} does not hold yet.",
        "can": "What the member can do{c}",
        "cannot": "Nothing the member can do changes this",
        "depends": "it depends on facts outside the member's control{c}{items}.",
        "finding": "It depends on{c}{items}.",
    },
    "fr": {
        "holds": "Déjà acquis{c}{q}{sc} rien ne manque.",
        "not_required": "Non requis dans ce cas{c}{q}.",
        "no_finding": "Non relevé dans ce cas{c}{q}.",
        "not_yet": "Pas encore acquis{c}{q}.",
        "can": "Ce que le membre peut faire{c}",
        "cannot": "Rien de ce que le membre peut faire ne change cela",
        "depends": "cela tient à des faits qui ne dépendent pas de lui{c}{items}.",
        "finding": "Cela tient à{c}{items}.",
    },
}


def why_not_text(
    rs: Ruleset,
    label: str,
    holds: bool,
    required_question: bool,
    kind: str,
    options: Sequence[Option],
    outside: Sequence[str],
    lang: Lang,
) -> str:
    """The answer to "why not" in words: only what the member can act on, or plainly that
    nothing can change it (and which facts, outside the member's control, decide)."""
    w, c = _WHY[lang], colon(lang)
    q = quote(capitalize(label), lang)
    if holds:
        return w["holds"].format(q=q, c=c, sc=semicolon(lang).rstrip())
    head = (
        w["not_required"]
        if required_question
        else w["no_finding"]
        if kind == "finding"
        else w["not_yet"]
    ).format(q=q, c=c)
    if kind == "finding":
        items = semicolon(lang).join(outside)
        return f"{head} {w['finding'].format(c=c, items=items)}" if outside else head
    if options:
        return typeset(f"{head} {options_text(rs, options, lang, w['can'].format(c=c))}", lang)
    if not outside:
        return f"{head} {w['cannot']}."
    items = semicolon(lang).join(outside)
    return typeset(f"{head} {w['cannot']} — " + w["depends"].format(c=c, items=items), lang)
