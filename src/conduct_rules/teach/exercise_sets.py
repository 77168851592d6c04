"""An exercise set written out: Markdown to print (stories, choices, answer key) or JSON.

Why apart from ``training``: making and marking exercises is the trainer's loop; writing a set
for paper or another tool only reads them (and marks an empty answer to print the key).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from conduct_rules.api import get_ruleset
from conduct_rules.render.labels import Lang, colon
from conduct_rules.render.typography import typeset
from conduct_rules.teach.training import Answer, Exercise, Part, options, score

__all__ = ["export_json", "export_markdown"]

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
        ids=ids, rs=rs.id, v=rs.version, asof=rs.metadata.as_of, seed=exercises[0].seed
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
    return typeset("\n".join(lines).rstrip(), lang) + "\n"


def _paragraphs(paragraphs: Sequence[str]) -> list[str]:
    return [line for p in paragraphs for line in (p, "")]


def export_json(exercises: Sequence[Exercise]) -> str:
    """The set as JSON: each exercise with its story, case and answer key."""
    return json.dumps([e.model_dump(mode="json") for e in exercises], ensure_ascii=False, indent=2)
