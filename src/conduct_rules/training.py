"""Training exercises: a case drawn from one of the practice note's three scenarios, told as a
short story, three questions (verdict, safeguards still owed, records missing), and feedback.

Why generated and seeded: a trainer wants many variants of the same situation (was notice given?
were there threats? what is in the file?) to make learners look at the facts that decide, and
wants to hand out the same set twice (``seed``). Why scored against the engine: the answer key is
``assess`` itself, so an exercise can never disagree with the library; each difference is
explained from the rules that fired (``explain``) or did not (``why_not``), with citations.

The story says every fact the rules read, including the negative ones ("no session has been
arranged yet"), so a careful reader has all she needs to answer.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from conduct_rules._labels import Lang, colon
from conduct_rules._narrative import FAMILIES, Family, story, title
from conduct_rules._schema import OutputSpec
from conduct_rules.api import assess, get_ruleset
from conduct_rules.case import Case
from conduct_rules.errors import ConductRulesError, OptionError
from conduct_rules.explain import Check, FiredRule, check_text, explain, missing_text, why_not

__all__ = [
    "FAMILIES",
    "Answer",
    "AnswerKey",
    "Comment",
    "Exercise",
    "Feedback",
    "PartScore",
    "answer_from",
    "export_json",
    "export_markdown",
    "make_exercises",
    "options",
    "parse_choices",
    "random_seed",
    "score",
]

Part = Literal["verdict", "safeguards", "records"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AnswerKey(_Model):
    """What the engine concludes: the verdict, safeguards still owed, records missing."""

    verdict: str
    safeguards: tuple[str, ...]
    records: tuple[str, ...]


class Exercise(_Model):
    """One exercise: the story told to the learner, the case behind it, and the answer key."""

    id: str
    family: Family
    seed: int
    lang: Lang
    title: str
    story: tuple[str, ...]
    case: Case
    key: AnswerKey


class Answer(_Model):
    """A learner's answer, as identifiers (see ``parse_choices`` for numbers and free text)."""

    verdict: str | None = None
    safeguards: tuple[str, ...] = ()
    records: tuple[str, ...] = ()


class PartScore(_Model):
    """One question's score (0 to 1): for lists, the overlap |right ∩ given| / |right ∪ given|."""

    part: Part
    score: float
    correct: tuple[str, ...]
    missed: tuple[str, ...]
    extra: tuple[str, ...]


class Comment(_Model):
    """One difference from the key, explained, with the provisions it rests on."""

    part: Part
    item: str
    kind: Literal["verdict", "missed", "extra"]
    text: str
    citations: tuple[str, ...]


class Feedback(_Model):
    """The marking of one answer: scores per question, total out of 3, and comments."""

    exercise: str
    score: float
    out_of: int = 3
    parts: tuple[PartScore, ...]
    comments: tuple[Comment, ...]


# ------------------------------------------------------------------------------------ exercises


def make_exercises(
    count: int = 1, seed: int = 1, family: Family | None = None, lang: Lang = "en"
) -> list[Exercise]:
    """``count`` exercises; the same arguments always give the same exercises.

    Without ``family``, the three scenario families take turns.
    """
    if count < 1:
        raise OptionError("count must be at least 1")
    if family is not None and family not in FAMILIES:
        raise OptionError(f"unknown family '{family}'; choose one of {', '.join(FAMILIES)}")
    out = []
    for i in range(count):
        fam: Family = family or FAMILIES[i % len(FAMILIES)]
        rng = random.Random(f"conduct-rules:{seed}:{fam}:{i}")
        ex_id = f"{fam}/{seed}-{i + 1}"
        data, paragraphs = story(fam, rng, lang)
        case = Case.parse({"case_id": ex_id, **data})
        result = assess(case, backend="python")
        key = AnswerKey(
            verdict=result.verdict,
            safeguards=tuple(s.id for s in result.outstanding_safeguards),
            records=tuple(d.id for d in result.missing_documentation),
        )
        out.append(
            Exercise(
                id=ex_id,
                family=fam,
                seed=seed,
                lang=lang,
                title=title(fam, lang),
                story=paragraphs,
                case=case,
                key=key,
            )
        )
    return out


def options(part: Part) -> list[tuple[str, str, str]]:
    """The numbered choices of a question: ``(id, English label, French label)``."""
    out = get_ruleset().outputs
    groups: dict[str, Mapping[str, OutputSpec]] = {
        "verdict": out.verdicts,
        "safeguards": out.safeguards,
        "records": out.documentation,
    }
    group = groups[part]
    return [(k, v.label["en"], v.label["fr"]) for k, v in group.items()]


_NONE_WORDS = {"", "0", "-", "none", "nothing", "aucun", "aucune", "rien"}


def parse_choices(raw: str | int | Sequence[str | int] | None, part: Part) -> tuple[str, ...]:
    """Read ids or numbers (1-based, as shown) into ids; ``none``/``0``/empty means none.

    Raises ``ConductRulesError`` naming the unknown choice (choices are not case data).
    """
    if raw is None:
        return ()
    tokens: list[str]
    if isinstance(raw, str | int):
        tokens = str(raw).replace(";", ",").replace(" ", ",").split(",")
    else:
        tokens = [str(t) for t in raw]
    ids = [o[0] for o in options(part)]
    chosen: list[str] = []
    for token in (t.strip().lower() for t in tokens):
        if token in _NONE_WORDS:
            continue
        choice = ids[int(token) - 1] if token.isdigit() and 1 <= int(token) <= len(ids) else token
        if choice not in ids:
            raise ConductRulesError(f"unknown choice '{choice}' for {part}: give a number or an id")
        if choice not in chosen:
            chosen.append(choice)
    if part == "verdict" and len(chosen) > 1:
        raise ConductRulesError("give one verdict")
    return tuple(chosen)


def answer_from(raw: Mapping[str, Any]) -> Answer:
    """An ``Answer`` from a mapping read from a file (ids, numbers or comma-separated text)."""
    unknown = set(raw) - {"exercise", "verdict", "safeguards", "records"}
    if unknown:
        raise ConductRulesError(
            f"unexpected key(s) {', '.join(sorted(unknown))} in an answer; "
            "allowed keys are exercise, verdict, safeguards, records"
        )
    verdict = parse_choices(raw.get("verdict"), "verdict")
    return Answer(
        verdict=verdict[0] if verdict else None,
        safeguards=parse_choices(raw.get("safeguards"), "safeguards"),
        records=parse_choices(raw.get("records"), "records"),
    )


# ------------------------------------------------------------------------------------ scoring


def _overlap(right: Sequence[str], given: Sequence[str], part: Part) -> PartScore:
    r, g = set(right), set(given)
    union = r | g
    return PartScore(
        part=part,
        score=1.0 if not union else round(len(r & g) / len(union), 4),
        correct=tuple(x for x in right if x in g),
        missed=tuple(x for x in right if x not in g),
        extra=tuple(x for x in given if x not in r),
    )


def _checks_text(
    checks: Sequence[Check], lang: Lang, derived: Mapping[str, FiredRule] | None = None
) -> str:
    """Checks as "label: value; …"; a true derived fact is followed by what made it true."""
    parts: list[str] = []
    for c in checks:
        text = check_text(c, lang)
        step = (derived or {}).get(c.fact)
        if step is not None and c.value is True and step.because:
            text += f" ({_checks_text(step.because, lang)})"
        if text not in parts:
            parts.append(text)
    return _join(parts, lang)


def _join(parts: Sequence[str], lang: Lang) -> str:
    return (" ; " if lang == "fr" else "; ").join(parts)


_T = {
    "en": {
        "verdict": "The verdict is “{label}”: {text} Why: {why} (rule {rule}).",
        "missed_sg": "Still owed: “{label}” — {text} Why: {why}. Not met: {met}.",
        "missed_doc": "Missing record: “{label}” — {text} Why: {why}.",
        "not_required_sg": "Not required here: “{label}”; rule {rule} would need: {needs}.",
        "not_required_doc": "Not required here: “{label}”; rule {rule} would need: {needs}.",
        "already_met": "Already met: “{label}” — {met}.",
        "already_recorded": "Already in the file: “{label}”.",
    },
    "fr": {
        "verdict": "Le verdict est « {label} » : {text} Pourquoi : {why} (règle {rule}).",
        "missed_sg": (
            "Mesure encore due : « {label} » — {text} Pourquoi : {why}. Non remplie : {met}."
        ),
        "missed_doc": "Document manquant : « {label} » — {text} Pourquoi : {why}.",
        "not_required_sg": (
            "Mesure non requise ici : « {label} » ; la règle {rule} exigerait : {needs}."
        ),
        "not_required_doc": (
            "Document non requis ici : « {label} » ; la règle {rule} exigerait : {needs}."
        ),
        "already_met": "Mesure déjà remplie : « {label} » — {met}.",
        "already_recorded": "Déjà au dossier : « {label} ».",
    },
}


def score(exercise: Exercise, answer: Answer, lang: Lang | None = None) -> Feedback:
    """Mark an answer against the key and explain each difference from the rules."""
    lang = lang or exercise.lang
    t = _T[lang]
    key = exercise.key
    rs = get_ruleset()
    expl = explain(exercise.case, lang=lang)
    concluded = {(c.kind, c.id): (step, c) for step in expl.steps for c in step.concluded}
    derived = {c.id: step for step in expl.steps for c in step.concluded if c.kind == "derive"}
    cites_of = {r.id: r.cites for r in rs.rules}
    parts = (
        PartScore(
            part="verdict",
            score=1.0 if answer.verdict == key.verdict else 0.0,
            correct=(key.verdict,) if answer.verdict == key.verdict else (),
            missed=() if answer.verdict == key.verdict else (key.verdict,),
            extra=(answer.verdict,) if answer.verdict and answer.verdict != key.verdict else (),
        ),
        _overlap(key.safeguards, answer.safeguards, "safeguards"),
        _overlap(key.records, answer.records, "records"),
    )
    comments: list[Comment] = []
    if answer.verdict != key.verdict:
        step, _ = concluded[("verdict", key.verdict)]
        spec = rs.outputs.verdicts[key.verdict]
        text = t["verdict"].format(
            label=spec.label[lang],
            text=spec.fr if lang == "fr" else spec.en,
            rule=step.rule,
            why=_checks_text(step.because, lang, derived),
        )
        cites = cites_of[step.rule]
        comments.append(
            Comment(part="verdict", item=key.verdict, kind="verdict", text=text, citations=cites)
        )
    lists: tuple[tuple[Part, str, Mapping[str, Any], PartScore], ...] = (
        ("safeguards", "safeguard", rs.outputs.safeguards, parts[1]),
        ("records", "document", rs.outputs.documentation, parts[2]),
    )
    for part, kind, group, ps in lists:
        for item in ps.missed:
            step, conc = concluded[(kind, item)]
            spec = group[item]
            text = t["missed_sg" if kind == "safeguard" else "missed_doc"].format(
                label=spec.label[lang],
                text=spec.fr if lang == "fr" else spec.en,
                why=_checks_text(step.because, lang),
                met=_checks_text(conc.second_because, lang),
            )
            cites = cites_of[step.rule]
            comments.append(
                Comment(part=part, item=item, kind="missed", text=text, citations=cites)
            )
        comments += [_extra_comment(exercise, part, kind, i, lang, concluded) for i in ps.extra]
    total = round(sum(p.score for p in parts), 2)
    return Feedback(exercise=exercise.id, score=total, parts=parts, comments=tuple(comments))


def _extra_comment(
    exercise: Exercise,
    part: Part,
    kind: str,
    item: str,
    lang: Lang,
    concluded: Mapping[tuple[str, str], Any],
) -> Comment:
    """Why an item the learner listed is not owed (or not missing): not required, or done."""
    t = _T[lang]
    rs = get_ruleset()
    spec = (rs.outputs.safeguards if kind == "safeguard" else rs.outputs.documentation)[item]
    label = spec.label[lang]
    cites_of = {r.id: r.cites for r in rs.rules}
    if (kind, item) in concluded:
        step, conc = concluded[(kind, item)]
        if kind == "safeguard":
            text = t["already_met"].format(label=label, met=_checks_text(conc.second_because, lang))
        else:
            text = t["already_recorded"].format(label=label)
        return Comment(part=part, item=item, kind="extra", text=text, citations=cites_of[step.rule])
    prefix = "safeguard" if kind == "safeguard" else "documentation"
    answer = why_not(exercise.case, f"{prefix}:{item}", lang=lang)
    route = answer.routes[0]
    needs = missing_text(route.missing, lang)
    template = t["not_required_sg" if kind == "safeguard" else "not_required_doc"]
    text = template.format(label=label, rule=route.rule, needs=needs)
    return Comment(
        part=part,
        item=item,
        kind="extra",
        text=text,
        citations=tuple(p.id for p in route.provisions),
    )


def random_seed() -> int:
    """A seed for an unplanned session (shown, so that the session can be replayed)."""
    return random.SystemRandom().randrange(1, 100_000)


# ------------------------------------------------------------------------------------ export

_QUESTIONS: dict[Lang, tuple[str, str, str]] = {
    "en": ("Verdict", "Safeguards", "Records"),
    "fr": ("Verdict", "Mesures de protection", "Documents"),
}
_PARTS: tuple[Part, Part, Part] = ("verdict", "safeguards", "records")
_MD: dict[Lang, dict[str, str]] = {
    "en": {
        "title": "Ending the client relationship — exercise set",
        "set": "Exercises {ids}. Ruleset {rs} {v}, reading as of {asof}. Seed {seed}.",
        "how": (
            "Read each story and answer three questions: (1) may the social worker end the "
            "services now — the verdict; (2) which safeguards are still owed; (3) which records "
            "are missing from the file. Answer with the numbers of the lists below."
        ),
        "exercise": "Exercise",
        "key": "Answer key",
        "owed": "Safeguards still owed",
        "missing": "Records missing",
        "none": "none",
    },
    "fr": {
        "title": "Mettre fin à la relation avec un client — série d'exercices",
        "set": "Exercices {ids}. Règles {rs} {v}, lecture au {asof}. Graine {seed}.",
        "how": (
            "Lisez chaque récit et répondez à trois questions : (1) la personne peut-elle mettre "
            "fin aux services maintenant — le verdict ; (2) quelles mesures de protection sont "
            "encore dues ; (3) quels documents manquent au dossier. Répondez avec les numéros des "
            "listes ci-dessous."
        ),
        "exercise": "Exercice",
        "key": "Corrigé",
        "owed": "Mesures encore dues",
        "missing": "Documents manquants",
        "none": "aucun",
    },
}


def export_markdown(exercises: Sequence[Exercise]) -> str:
    """The set as Markdown for printing: the stories, the lists to choose from, then the key."""
    lang: Lang = exercises[0].lang
    w, c = _MD[lang], colon(lang)
    rs = get_ruleset()
    ids = ", ".join(f"`{e.id}`" for e in exercises)
    head = w["set"].format(
        ids=ids, rs=rs.id, v=rs.version, asof=rs.header.as_of, seed=exercises[0].seed
    )
    lines = [f"# {w['title']}", "", head, "", w["how"], ""]
    for heading, part in zip(_QUESTIONS[lang], _PARTS, strict=True):
        lines += [f"**{heading}**", ""]
        lines += [f"{n}. {o[2 if lang == 'fr' else 1]}" for n, o in enumerate(options(part), 1)]
        lines.append("")
    for n, ex in enumerate(exercises, 1):
        lines += [f"## {w['exercise']} {n} — {ex.title} (`{ex.id}`)", "", *_paragraphs(ex.story)]
    lines += [f"## {w['key']}", ""]
    for n, ex in enumerate(exercises, 1):
        # Marking an empty answer explains every item of the key: the verdict, each safeguard
        # still owed and each record missing, with their citations.
        fb = score(ex, Answer(), lang)
        verdict = next(x for x in fb.comments if x.kind == "verdict")
        cites = ", ".join(verdict.citations)
        lines += [f"### {w['exercise']} {n} (`{ex.id}`)", ""]
        lines += [f"**{_QUESTIONS[lang][0]}**{c}{verdict.text} [{cites}]", ""]
        for heading, part in ((w["owed"], "safeguards"), (w["missing"], "records")):
            items = [x for x in fb.comments if x.part == part]
            lines.append(f"**{heading}**" + (c.rstrip() if items else f"{c}{w['none']}"))
            lines += [f"- {x.text} [{', '.join(x.citations)}]" for x in items]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _paragraphs(paragraphs: Sequence[str]) -> list[str]:
    return [line for p in paragraphs for line in (p, "")]


def export_json(exercises: Sequence[Exercise]) -> str:
    """The set as JSON: each exercise with its story, case and answer key."""
    return json.dumps([e.model_dump(mode="json") for e in exercises], ensure_ascii=False, indent=2)
