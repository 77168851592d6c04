"""Exercise sets for printing and for other tools: Markdown with its answer key, and JSON.

Why apart from ``training``: making and marking exercises is one job, laying a set out for a
class or a learning platform another; the set is written from the same ``score`` the marking
uses, so the printed key and the marking never disagree. ``training`` still offers
``export_json`` and ``export_markdown`` under its own name.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import to_jsonable_python

from conduct_rules.api import get_ruleset
from conduct_rules.model.contracts import RulesetUsedShape
from conduct_rules.model.version import SCHEMA_VERSION
from conduct_rules.render.labels import Lang, colon
from conduct_rules.render.typography import date_text, typeset
from conduct_rules.teach.training import Answer, Exercise, Part, options, score

__all__ = ["ExerciseSetShape", "export_json", "export_markdown"]


class ExerciseSetShape(BaseModel):
    """``conduct-rules train --export json``: an exercise set with its answer key."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: str = SCHEMA_VERSION
    ruleset: RulesetUsedShape = Field(
        description="The ruleset and parameters the answer key was made with."
    )
    exercises: list[Exercise] = Field(
        description="Each exercise: its story, the case behind it and the answer key."
    )

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
        "parameters": "Parameters: {values}.",
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
        "parameters": "Paramètres : {values}.",
    },
}


def export_markdown(
    exercises: Sequence[Exercise], parameters: Mapping[str, int] | None = None
) -> str:
    """The set as Markdown for printing: the stories, the lists to choose from, then the key
    (explained under the ``parameters`` the set was made with, which the heading names)."""
    lang: Lang = exercises[0].lang
    w, c = _MD[lang], colon(lang)
    rs = get_ruleset(None, parameters)
    ids = ", ".join(f"`{e.id}`" for e in exercises)
    head = w["set"].format(
        ids=ids, rs=rs.id, v=rs.version, asof=_date(rs.metadata.as_of, lang), seed=exercises[0].seed
    )
    if parameters:  # a set made under other thresholds says so where the trainer looks
        values = ", ".join(f"{k}={v}" for k, v in sorted(rs.parameter_values.items()))
        head += " " + w["parameters"].format(values=values)
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
        fb = score(ex, Answer(), lang, parameters=parameters)
        verdict = next(x for x in fb.comments if x.kind == "verdict")
        cites = ", ".join(verdict.citations)
        lines += [f"### {w['exercise']} {n} (`{ex.id}`)", ""]
        lines += [f"**{_QUESTIONS[lang][0]}**{c}{verdict.text} [{cites}]", ""]
        for heading, part in ((w["owed"], "safeguards"), (w["missing"], "records")):
            items = [x for x in fb.comments if x.part == part]
            lines.append(f"**{heading}**" + (c.rstrip() if items else f"{c}{w['none']}"))
            lines += [f"- {x.text} [{', '.join(x.citations)}]" for x in items]
            lines.append("")
    return typeset("\n".join(lines).rstrip(), lang) + "\n"


def _date(text: str, lang: Lang) -> str:
    """The ruleset's reading date as the language writes it (November 30, 2026 / 30 novembre
    2026); a value that is not an ISO date is shown as written."""
    try:
        return date_text(dt.date.fromisoformat(text), lang)
    except ValueError:
        return text


def _paragraphs(paragraphs: Sequence[str]) -> list[str]:
    return [line for p in paragraphs for line in (p, "")]


def export_json(exercises: Sequence[Exercise], parameters: Mapping[str, int] | None = None) -> str:
    """The set as JSON (``schemas/exercise-set.schema.json``): ``schema_version``, the ruleset
    and parameters that made the key, and each exercise with its story, case and answer key."""
    rs = get_ruleset(None, parameters)
    ref = {"id": rs.id, "version": rs.version, "parameters": dict(rs.parameter_values)}
    doc = {"schema_version": SCHEMA_VERSION, "ruleset": ref, "exercises": exercises}
    return json.dumps(to_jsonable_python(doc), ensure_ascii=False, indent=2)
