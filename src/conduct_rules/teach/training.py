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

import difflib
import random
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from conduct_rules.api import assess, get_ruleset
from conduct_rules.errors import ConductRulesError, OptionError
from conduct_rules.model.case import Case
from conduct_rules.render.labels import Lang
from conduct_rules.render.typography import join_and, semicolon, sentence, typeset
from conduct_rules.rules.parts import Output
from conduct_rules.teach.explain import Check, check_text, explain, why_not
from conduct_rules.teach.stories import FAMILIES, Family, story, title

__all__ = [
    "ANSWER_KEYS",
    "FAMILIES",
    "FILE_KEYS",
    "Answer",
    "AnswerKey",
    "Comment",
    "Exercise",
    "Feedback",
    "PartScore",
    "answer_from",
    "make_exercises",
    "options",
    "parse_choices",
    "random_seed",
    "score",
    "unknown_key_message",
]

#: The three questions of an exercise.
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
    """A learner's answer, as identifiers (see ``parse_choices`` for numbers and free text).

    ``None`` means *not answered*: the question is scored 0 and reported as unanswered, never
    read as "none" (an empty tuple is the answer "none").
    """

    verdict: str | None = None
    safeguards: tuple[str, ...] | None = None
    records: tuple[str, ...] | None = None


class PartScore(_Model):
    """One question's score (0 to 1): for lists, the overlap |right ∩ given| / |right ∪ given|.

    ``answered`` is False when the learner gave no answer to the question (scored 0).
    """

    part: Part
    score: float
    correct: tuple[str, ...]
    missed: tuple[str, ...]
    extra: tuple[str, ...]
    answered: bool = True


class Comment(_Model):
    """One difference from the key, explained, with the provisions it rests on."""

    part: Part
    item: str
    kind: Literal["verdict", "missed", "extra"]
    text: str
    citations: tuple[str, ...]


class Feedback(_Model):
    """The marking of one answer: scores per question, total out of 3, and comments.

    ``marked`` names what was marked, in words ("verdict (right or wrong), safeguards still owed
    and records missing (overlap with the key)"); ``unanswered`` the questions left blank.
    """

    exercise: str
    score: float
    out_of: int = 3
    parts: tuple[PartScore, ...]
    comments: tuple[Comment, ...]
    unanswered: tuple[Part, ...] = ()
    marked: str = ""


# ------------------------------------------------------------------------------------ exercises


def make_exercises(
    count: int = 1,
    seed: int = 1,
    family: Family | None = None,
    lang: Lang = "en",
    *,
    parameters: Mapping[str, int] | None = None,
) -> list[Exercise]:
    """``count`` exercises; the same arguments always give the same exercises.

    Without ``family``, the three scenario families take turns. ``parameters`` (the ruleset's
    thresholds, e.g. ``min_attempts``) shape the answer key; mark with the same ones.
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
        result = assess(case, backend="python", parameters=parameters)
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
                story=tuple(typeset(x, lang) for x in paragraphs),
                case=case,
                key=key,
            )
        )
    return out


def options(part: Part) -> list[tuple[str, str, str]]:
    """The numbered choices of a question: ``(id, English label, French label)``."""
    out = get_ruleset().outputs
    groups: dict[str, Mapping[str, Output]] = {
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


ANSWER_KEYS = ("exercise", "verdict", "safeguards", "records")
FILE_KEYS = ("seed", "family", "lang", "answers")


def unknown_key_message(key: object, allowed: Sequence[str], where: str) -> str:
    """ "unknown key 'famly' in the answer file (did you mean 'family'?); allowed keys are …"."""
    name = str(key)[:40]
    close = difflib.get_close_matches(name, list(allowed), n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown key '{name}' in {where}{hint}; allowed keys are {', '.join(allowed)}"


def answer_from(raw: Mapping[str, Any]) -> Answer:
    """An ``Answer`` from a mapping read from a file (ids, numbers or comma-separated text).

    Validated like a case: an unknown key is an error naming it; a question whose key is absent
    is *not answered* (``None``), while an empty value or ``none`` answers "none".
    """
    for key in raw:
        if key not in ANSWER_KEYS:
            raise ConductRulesError(unknown_key_message(key, ANSWER_KEYS, "an answer"))
    verdict = parse_choices(raw.get("verdict"), "verdict")
    lists: dict[str, tuple[str, ...] | None] = {
        part: parse_choices(raw.get(part), part) if part in raw else None
        for part in ("safeguards", "records")
    }
    return Answer(
        verdict=verdict[0] if verdict else None,
        safeguards=lists["safeguards"],
        records=lists["records"],
    )


# ------------------------------------------------------------------------------------ scoring


def _overlap(right: Sequence[str], given: Sequence[str] | None, part: Part) -> PartScore:
    if given is None:  # not answered: nothing found, scored 0, every item of the key missed
        return PartScore(
            part=part, score=0.0, correct=(), missed=tuple(right), extra=(), answered=False
        )
    r, g = set(right), set(given)
    union = r | g
    return PartScore(
        part=part,
        score=1.0 if not union else round(len(r & g) / len(union), 4),
        correct=tuple(x for x in right if x in g),
        missed=tuple(x for x in right if x not in g),
        extra=tuple(x for x in given if x not in r),
    )


_T = {
    "en": {
        "verdict": "The verdict is “{label}”. {decision}",
        "missed_sg": "Still owed: “{label}” — {text} It applies here because {why}.{met}",
        "met_when": " It is not yet met: {met}.",
        "missed_doc": "Missing record: “{label}” — {text} It is expected here because {why}.",
        "already_met": "Already met: “{label}” — {met}.",
        "already_documented": "Already in the file: “{label}”.",
        "marked": (
            "Marked: the verdict (1 if right, else 0), the safeguards still owed and the records "
            "missing (each: the items in both your answer and the key, divided by the items in "
            "either; 1 when both are empty). A question left blank scores 0."
        ),
    },
    "fr": {
        "verdict": "Le verdict est « {label} ». {decision}",
        "missed_sg": (
            "Mesure encore due : « {label} » — {text} Elle s'applique ici parce que {why}.{met}"
        ),
        "met_when": " Elle n'est pas encore remplie : {met}.",
        "missed_doc": (
            "Document manquant : « {label} » — {text} Il est attendu ici parce que {why}."
        ),
        "already_met": "Mesure déjà remplie : « {label} » — {met}.",
        "already_documented": "Déjà au dossier : « {label} ».",
        "marked": (
            "Notation : le verdict (1 s'il est juste, sinon 0), les mesures encore dues et les "
            "documents manquants (pour chacun : les éléments à la fois dans votre réponse et dans "
            "le corrigé, divisés par les éléments dans l'un ou l'autre ; 1 si les deux sont "
            "vides). Une question laissée sans réponse vaut 0."
        ),
    },
}


def _unmet(checks: Sequence[Check], lang: Lang) -> str:
    """What a safeguard still lacks, each fact with its value now ("… (2.8 iii): no")."""
    return semicolon(lang).join(dict.fromkeys(check_text(c, lang) for c in checks))


def _why(checks: Sequence[Check], lang: Lang) -> str:
    """The facts that hold, as a reader says them: "the client still needs the services and …".

    Facts the rule needs false (no serious risk) go unsaid: they explain nothing to a learner.
    """
    parts: list[str] = []
    for c in checks:
        if c.kind == "flag" and not c.expected:
            continue
        text = c.label if c.kind == "flag" else check_text(c, lang)
        if text not in parts:
            parts.append(text)
    return join_and(parts, lang)


def score(
    exercise: Exercise,
    answer: Answer,
    lang: Lang | None = None,
    *,
    parameters: Mapping[str, int] | None = None,
) -> Feedback:
    """Mark an answer against the key and explain each difference from the rules (under the
    ``parameters`` the exercise was made with)."""
    lang = lang or exercise.lang
    t = _T[lang]
    key = exercise.key
    rs = get_ruleset()
    expl = explain(exercise.case, lang=lang, parameters=parameters, max_changes=0)  # no options
    concluded = {(c.kind, c.id): (step, c) for step in expl.steps for c in step.concluded}
    cites_of = {r.id: r.cites for r in rs.rules}
    parts = (
        PartScore(
            part="verdict",
            score=1.0 if answer.verdict == key.verdict else 0.0,
            correct=(key.verdict,) if answer.verdict == key.verdict else (),
            missed=() if answer.verdict == key.verdict else (key.verdict,),
            extra=(answer.verdict,) if answer.verdict and answer.verdict != key.verdict else (),
            answered=answer.verdict is not None,
        ),
        _overlap(key.safeguards, answer.safeguards, "safeguards"),
        _overlap(key.records, answer.records, "records"),
    )
    comments: list[Comment] = []
    if answer.verdict != key.verdict:
        step, _ = concluded[("verdict", key.verdict)]
        spec = rs.outputs.verdicts[key.verdict]
        decision = expl.reasoning.decision.removeprefix(sentence(spec.label[lang])).strip()
        text = t["verdict"].format(label=spec.label[lang], decision=decision)
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
            unmet = _unmet(conc.second_because, lang)
            text = t["missed_sg" if kind == "safeguard" else "missed_doc"].format(
                label=spec.label[lang],
                text=spec.fr if lang == "fr" else spec.en,
                why=_why(step.because, lang) or "-",
                met=t["met_when"].format(met=unmet) if unmet else "",
            )
            cites = cites_of[step.rule]
            comments.append(
                Comment(part=part, item=item, kind="missed", text=text, citations=cites)
            )
        comments += [_extra_comment(exercise, part, kind, i, lang, concluded) for i in ps.extra]
    total = round(sum(p.score for p in parts), 2)
    unanswered = tuple(p.part for p in parts if not p.answered)
    comments = [c.model_copy(update={"text": typeset(c.text, lang)}) for c in comments]
    return Feedback(
        exercise=exercise.id,
        score=total,
        parts=parts,
        comments=tuple(comments),
        unanswered=unanswered,
        marked=typeset(t["marked"], lang),
    )


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
            text = t["already_met"].format(label=label, met=_why(conc.second_because, lang))
        else:
            text = t["already_documented"].format(label=label)
        return Comment(part=part, item=item, kind="extra", text=text, citations=cites_of[step.rule])
    prefix = "safeguard" if kind == "safeguard" else "documentation"
    answer = why_not(exercise.case, f"{prefix}:{item}", lang=lang)
    route = answer.routes[0]
    text = answer.text
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
