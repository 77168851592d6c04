"""``conduct-rules train``: an interactive exercise, classroom marking, and exercise-set export.

Three modes, one set of options:

* interactive (default): tell a story, ask the three questions, mark the answers and explain
  each difference with citations; ``--count`` exercises in a row, then the session score;
* ``--answers FILE`` (JSON or YAML): mark answers given in a file, for a class or a test;
* ``--export md|json``: write an exercise set and its answer key for printing.

The seed is always shown, so a session can be replayed and a printed set re-marked.
"""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import click
import yaml

from conduct_rules.api import get_ruleset
from conduct_rules.cli.common import (
    emit,
    fail,
    format_option,
    output_option,
    parameters_option,
    parse_parameters,
    reason,
    ruleset_option,
)
from conduct_rules.errors import ConductRulesError
from conduct_rules.model.version import SCHEMA_VERSION
from conduct_rules.render.labels import Lang
from conduct_rules.render.terminal import shown, terminal_safe
from conduct_rules.render.typography import typeset
from conduct_rules.rules.ruleset import DEFAULT_RULESET
from conduct_rules.teach.exercise_set import export_json, export_markdown
from conduct_rules.teach.stories import Family
from conduct_rules.teach.training import (
    FAMILIES,
    FILE_KEYS,
    Answer,
    Exercise,
    Feedback,
    Part,
    answer_from,
    make_exercises,
    options,
    parse_choices,
    random_seed,
    score,
    unknown_key_message,
)

__all__ = ["render_feedback", "train_cmd"]

_W: dict[Lang, dict[str, str]] = {
    "en": {
        "banner": "Ending the client relationship — training exercise",
        "seed": "Seed {seed}: replay this session with --seed {seed}",
        "exercise": "Exercise {n} of {count} — {title} ({id})",
        "q_verdict": "Question 1 — The verdict: may the social worker end the services now?",
        "q_safeguards": "Question 2 — Which safeguards are still owed?",
        "q_records": "Question 3 — Which records are missing from the file?",
        "one": "Your answer (a number or an id)",
        "many": "Your answer (numbers or ids, separated by commas; 0 for none)",
        "retry": "Not understood: give numbers from the list or ids, separated by commas.",
        "feedback": "Feedback",
        "verdict": "Verdict",
        "verdict_ok": "Verdict: correct.",
        "verdict_no": "Verdict: not quite.",
        "list": "{part}: {found} {participle}, {extra_n}.",
        "of": "{found} of {total}",
        "extra": "{n} listed that {verb} not",
        "unanswered": "{part}: not answered (scored 0).",
        "safeguards": "Safeguards still owed",
        "records": "Records missing",
        "all_right": "Everything is right.",
        "score": "Score: {score} / {out_of}",
        "session": "Session score: {score} / {out_of}",
        "blanks": "Questions left blank, scored 0: {n}.",
    },
    "fr": {
        "banner": "Mettre fin à la relation avec un client — exercice de formation",
        "seed": "Graine {seed} : rejouez cette séance avec --seed {seed}",
        "exercise": "Exercice {n} sur {count} — {title} ({id})",
        "q_verdict": "Question 1 — Le verdict : la personne peut-elle mettre fin aux services ?",
        "q_safeguards": "Question 2 — Quelles mesures de protection sont encore dues ?",
        "q_records": "Question 3 — Quels documents manquent au dossier ?",
        "one": "Votre réponse (un numéro ou un identifiant)",
        "many": "Votre réponse (numéros ou identifiants séparés par des virgules ; 0 si aucun)",
        "retry": "Réponse non comprise : donnez des numéros de la liste ou des identifiants.",
        "feedback": "Rétroaction",
        "verdict": "Verdict",
        "verdict_ok": "Verdict : juste.",
        "verdict_no": "Verdict : pas tout à fait.",
        "list": "{part} : {found} {participle}, {extra_n}.",
        "of": "{found} sur {total}",
        "extra": "{n} en trop",
        "unanswered": "{part} : sans réponse (0).",
        "safeguards": "Mesures encore dues",
        "records": "Documents manquants",
        "all_right": "Tout est juste.",
        "score": "Score : {score} / {out_of}",
        "session": "Score de la séance : {score} / {out_of}",
        "blanks": "Questions sans réponse, notées 0 : {n}.",
    },
}


#: French words with French spacing (no-break spaces before ``:`` ``;`` ``?``), once.
_W["fr"] = {key: typeset(text, "fr") for key, text in _W["fr"].items()}


def _wrap(text: str, indent: str = "", hang: str = "") -> str:
    """Fill to 78 columns; never split a provision id such as ``note-scenario-3``."""
    return textwrap.fill(
        text,
        width=78,
        initial_indent=indent,
        subsequent_indent=indent + hang,
        break_on_hyphens=False,
    )


def _show_exercise(ex: Exercise, n: int, count: int) -> None:
    w = _W[ex.lang]
    click.echo("")
    click.echo(w["exercise"].format(n=n, count=count, title=ex.title, id=ex.id))
    click.echo("")
    for paragraph in ex.story:
        click.echo(_wrap(paragraph))
        click.echo("")


def _ask(part: Part, lang: Lang) -> tuple[str, ...]:
    w = _W[lang]
    click.echo(w[f"q_{part}"])
    for n, (_, en, fr) in enumerate(options(part), 1):
        click.echo(f"  {n:>2}. {fr if lang == 'fr' else en}")
    while True:
        raw = click.prompt(
            w["one" if part == "verdict" else "many"], default="", show_default=False
        )
        try:
            chosen = parse_choices(raw, part)
        except ConductRulesError:
            click.echo(w["retry"])
            continue
        if part == "verdict" and not chosen:
            click.echo(w["retry"])
            continue
        click.echo("")
        return chosen


def render_feedback(fb: Feedback, lang: Lang) -> str:
    """The marking of one exercise as text: a line per question, then each difference."""
    w = _W[lang]
    verdict, *lists = fb.parts
    lines = [f"{w['feedback']} ({shown(fb.exercise)})"]
    if verdict.answered:
        lines.append("  " + (w["verdict_ok"] if verdict.score == 1 else w["verdict_no"]))
    else:
        lines.append("  " + w["unanswered"].format(part=w["verdict"]))
    for ps in lists:
        if not ps.answered:
            lines.append("  " + w["unanswered"].format(part=w[ps.part]))
            continue
        total = len(ps.correct) + len(ps.missed)
        n = len(ps.extra)
        verb = "is" if n == 1 else "are"
        line = w["list"].format(
            part=w[ps.part],
            found=w["of"].format(found=len(ps.correct), total=total),
            participle=_found(len(ps.correct), ps.part, lang),
            extra_n=w["extra"].format(n=n, verb=verb),
        )
        lines.append(f"  {line}")
    if not fb.comments:
        lines.append("  " + w["all_right"])
    for c in fb.comments:
        lines.append(_wrap(f"• {c.text} [{', '.join(c.citations)}]", "  ", "  "))
    lines.append(w["score"].format(score=_score(fb.score, lang), out_of=fb.out_of))
    return terminal_safe(typeset("\n".join(lines), lang))


def _score(value: float, lang: Lang) -> str:
    """A score with two decimals, as the language writes it (0.17 / 0,17)."""
    text = f"{value:.2f}"
    return text.replace(".", ",") if lang == "fr" else text


def _found(n: int, part: str, lang: Lang) -> str:
    """ "found", or French « trouvé » agreeing with what was found: *mesures* are feminine,
    *documents* masculine, and French counts 0 and 1 as singular."""
    if lang != "fr":
        return "found"
    return "trouvé" + ("e" if part == "safeguards" else "") + ("s" if n >= 2 else "")


def _marked_line(lang: Lang, feedback: Sequence[Feedback]) -> str:
    """What was marked, said once for the session."""
    return _wrap(feedback[0].marked) if feedback else ""


def _interactive(
    exercises: Sequence[Exercise], lang: Lang, parameters: dict[str, int] | None = None
) -> None:
    w = _W[lang]
    total = 0.0
    for n, ex in enumerate(exercises, 1):
        _show_exercise(ex, n, len(exercises))
        verdict = _ask("verdict", lang)
        answer = Answer(
            verdict=verdict[0], safeguards=_ask("safeguards", lang), records=_ask("records", lang)
        )
        fb = score(ex, answer, lang, parameters=parameters)
        total += fb.score
        click.echo(render_feedback(fb, lang))
    if len(exercises) > 1:
        click.echo("")
        session = w["session"].format(score=_score(total, lang), out_of=3 * len(exercises))
        click.echo(typeset(session, lang))


def _ruleset_ref(parameters: dict[str, int] | None) -> dict[str, Any]:
    """The ruleset and parameters the key was made with, as the assessment nests them."""
    rs = get_ruleset(None, parameters)
    return {"id": rs.id, "version": rs.version, "parameters": dict(rs.parameter_values)}


def _read_answers(path: str) -> Any:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        fail(f"{path}: no such file")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{path}: cannot read ({reason(exc)})")
    try:
        return json.loads(text) if path.endswith(".json") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError):
        fail(f"{path}: not valid JSON or YAML")


def _family(name: object) -> Family | None:
    """A family name checked against the list (None: the three in turn)."""
    known: dict[str, Family] = {f: f for f in FAMILIES}
    if name is not None and name not in known:
        fail(f"unknown family; choose one of {', '.join(FAMILIES)}")
    return None if name is None else known[str(name)]


def _settings(path: str, raw: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The file's settings and answers, checked like a case: unknown keys are errors."""
    settings: dict[str, Any] = raw if isinstance(raw, dict) else {"answers": raw}
    for key in settings:
        if key not in FILE_KEYS:
            fail(f"{path}: {unknown_key_message(key, FILE_KEYS, 'the answer file')}")
    items = settings.get("answers")
    if not isinstance(items, list) or not items or not all(isinstance(a, dict) for a in items):
        fail(f"{path}: 'answers' must be a non-empty list of mappings")
    return settings, items


def _mark(
    path: str,
    seed: int | None,
    family: str | None,
    lang: Lang | None,
    fmt: str,
    parameters: dict[str, int] | None = None,
) -> str:
    raw = _read_answers(path)
    settings, items = _settings(path, raw)
    seed = seed if seed is not None else settings.get("seed")
    if not isinstance(seed, int) or isinstance(seed, bool):
        fail(f"{path}: give the set's seed (--seed or 'seed' in the file)")
    language = lang or settings.get("lang") or "en"
    if language not in ("en", "fr"):
        fail(f"{path}: 'lang' must be en or fr")
    language = cast(Lang, language)
    exercises = make_exercises(
        len(items),
        seed,
        _family(family or settings.get("family")),
        language,
        parameters=parameters,
    )
    feedback = []
    for n, (ex, item) in enumerate(zip(exercises, items, strict=True), 1):
        if "exercise" in item and item["exercise"] != ex.id:
            fail(
                f"answer {n} is for another exercise than exercise {n} of this set ('{ex.id}'); "
                "check the seed and the family"
            )
        try:
            feedback.append(score(ex, answer_from(item), language, parameters=parameters))
        except ConductRulesError as exc:
            fail(f"{path}: answer {n}: {exc}")
    total = round(sum(f.score for f in feedback), 2)
    unanswered = [
        {"answer": n, "questions": list(f.unanswered)}
        for n, f in enumerate(feedback, 1)
        if f.unanswered
    ]
    if fmt == "json":
        out = {
            "schema_version": SCHEMA_VERSION,
            "seed": seed,
            "exercises": [e.id for e in exercises],
            "feedback": [f.model_dump(mode="json") for f in feedback],
            "score": total,
            "out_of": 3 * len(feedback),
            "marked": feedback[0].marked,
            "unanswered": unanswered,
            "ruleset": _ruleset_ref(parameters),
        }
        return json.dumps(out, ensure_ascii=False, indent=2)
    lines = [_marked_line(language, feedback), ""]
    for fb in feedback:
        lines += [render_feedback(fb, language), ""]
    lines.append(
        _W[language]["session"].format(score=_score(total, language), out_of=3 * len(feedback))
    )
    if unanswered:
        blanks = sum(len(u["questions"]) for u in unanswered)  # type: ignore[misc, arg-type]
        lines.append(_W[language]["blanks"].format(n=blanks))
    return "\n".join(lines)


@click.command("train")
@click.option("--lang", type=click.Choice(["en", "fr"]), default=None, help="Language [en].")
@click.option(
    "--family",
    type=click.Choice(list(FAMILIES)),
    default=None,
    help="Scenario family (default: the three in turn).",
)
@click.option("--seed", type=click.IntRange(0), default=None, help="Seed (default: random, shown).")
@click.option(
    "--count",
    type=click.IntRange(1, 200),
    default=None,
    help="Exercises (default: 1 to play, 5 to export).",
)
@click.option(
    "--answers",
    "answers_file",
    metavar="FILE",
    default=None,
    help="Mark the answers in FILE (JSON or YAML) instead of asking.",
)
@click.option(
    "--export",
    "export_fmt",
    type=click.Choice(["md", "json"]),
    default=None,
    help="Write the exercise set and its answer key.",
)
@output_option()
@format_option("Output of --answers marking.")
@ruleset_option("The exercises are written for the Ontario ruleset only (the default).")
@parameters_option()
def train_cmd(
    lang: Lang | None,
    family: str | None,
    seed: int | None,
    count: int | None,
    answers_file: str | None,
    export_fmt: str | None,
    output: str | None,
    fmt: str,
    ruleset: str | None,
    params: tuple[str, ...],
) -> None:
    """Practise judging an ending: a story, three questions, feedback with citations.

    --answers FILE ('-': standard input) marks a class's answers; give the same --seed, --family
    and --parameters as the set was made with. Exit status: 0 done, 2 bad input.
    """
    if ruleset not in (None, DEFAULT_RULESET):
        fail("--ruleset: the exercises exist for the Ontario ruleset only (ontario)")
    parameters = parse_parameters(params)
    try:
        get_ruleset(None, parameters)
    except ConductRulesError as exc:
        fail(str(exc))
    if answers_file is not None:
        emit(_mark(answers_file, seed, family, lang, fmt, parameters), output, raw=fmt == "json")
        return
    language: Lang = lang or "en"
    if export_fmt is not None:
        sets = make_exercises(
            count or 5,
            1 if seed is None else seed,
            _family(family),
            language,
            parameters=parameters,
        )
        md = export_fmt == "md"
        text = export_markdown(sets, parameters) if md else export_json(sets, parameters) + "\n"
        emit(text, output, raw=not md)
        return
    seed = random_seed() if seed is None else seed
    w = _W[language]
    click.echo(w["banner"])
    click.echo(w["seed"].format(seed=seed))
    exercises = make_exercises(count or 1, seed, _family(family), language, parameters=parameters)
    _interactive(exercises, language, parameters)
