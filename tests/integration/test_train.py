"""``conduct-rules train``: played as a learner would (a pseudo-terminal, typed answers, the screen
read back) in both languages; marked from answer files; exported for printing.
"""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pexpect
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from conduct_rules import assess
from conduct_rules.api import get_ruleset
from conduct_rules.cli.main import main
from conduct_rules.errors import ConductRulesError
from conduct_rules.teach.exercise_set import export_markdown
from conduct_rules.teach.training import (
    FAMILIES,
    Answer,
    Exercise,
    make_exercises,
    options,
    parse_choices,
    score,
)

BIN = Path(sys.executable).parent / "conduct-rules"
GUIDE = Path(__file__).resolve().parents[2] / "docs" / "training.md"
RS = get_ruleset()


def _numbers(part: str, ids: tuple[str, ...] | list[str]) -> str:
    order = [o[0] for o in options(part)]  # type: ignore[arg-type]
    return ",".join(str(order.index(i) + 1) for i in ids) or "0"


def _spawn(*args: str) -> tuple[pexpect.spawn, io.StringIO]:
    screen = io.StringIO()
    child = pexpect.spawn(
        str(BIN),
        list(args),
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 100),
        env={**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"},
    )
    child.logfile_read = screen
    return child, screen


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_play_a_right_answer_in_english() -> None:
    (ex,) = make_exercises(1, seed=3, family="scenario-2")
    child, screen = _spawn("train", "--seed", "3", "--family", "scenario-2")
    child.expect("Question 1")
    child.expect("Your answer")
    child.sendline(_numbers("verdict", [ex.key.verdict]))
    child.expect("Question 2")
    child.expect("Your answer")
    child.sendline(_numbers("safeguards", ex.key.safeguards))
    child.expect("Question 3")
    child.expect("Your answer")
    child.sendline(_numbers("records", ex.key.records))
    child.expect("Everything is right.")
    child.expect(r"Score: 3\.00 / 3")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    seen = _flat(screen.getvalue())
    assert "Seed 3" in seen
    for paragraph in ex.story:  # the whole story reached the screen, wrapped
        assert _flat(paragraph) in seen


def test_play_in_french_with_a_slip_and_a_wrong_verdict() -> None:
    (ex,) = make_exercises(1, seed=8, family="scenario-3", lang="fr")
    wrong = next(v for v in RS.outputs.verdicts if v != ex.key.verdict)
    child, screen = _spawn("train", "--seed", "8", "--family", "scenario-3", "--lang", "fr")
    child.expect("Question 1 — Le verdict")
    child.expect("Votre réponse")
    child.sendline("douze")  # not understood: asked again
    child.expect("Réponse non comprise")
    child.expect("Votre réponse")
    child.sendline(wrong)  # an id works as well as a number
    child.expect("Question 2")
    child.expect("Votre réponse")
    child.sendline("aucun")
    child.expect("Question 3")
    child.expect("Votre réponse")
    child.sendline("0")
    child.expect("Rétroaction")
    child.expect("Verdict\u00a0: pas tout à fait\\.")  # French spacing: a no-break space
    child.expect("Score\u00a0: (\\d,\\d\\d) / 3")  # and a decimal comma
    got = float(child.match.group(1).replace(",", "."))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    expected = score(ex, Answer(verdict=wrong, safeguards=(), records=()))
    assert got == pytest.approx(expected.score, abs=0.005)
    assert got < 3
    seen = _flat(screen.getvalue())
    label = RS.outputs.verdicts[ex.key.verdict].label["fr"]
    assert f"Le verdict est « {label} »" in seen
    assert "[oreg384-2.8" in seen  # each difference comes with its citations


def test_a_session_of_two_exercises_ends_with_the_session_score() -> None:
    exercises = make_exercises(2, seed=4)
    child, _ = _spawn("train", "--seed", "4", "--count", "2")
    for ex in exercises:
        child.expect(f"\\({ex.id}\\)")
        for part, ids in (
            ("verdict", [ex.key.verdict]),
            ("safeguards", ex.key.safeguards),
            ("records", ex.key.records),
        ):
            child.expect("Your answer")
            child.sendline(_numbers(part, ids))
        child.expect(r"Score: 3\.00 / 3")
    child.expect(r"Session score: 6\.00 / 6")
    child.expect(pexpect.EOF)


# ------------------------------------------------------------------------------------ marking


def test_mark_an_answer_file_in_yaml_and_json(tmp_path: Path) -> None:
    exercises = make_exercises(2, seed=12, family="scenario-1")
    right = {
        "exercise": exercises[0].id,
        "verdict": exercises[0].key.verdict,
        "safeguards": list(exercises[0].key.safeguards),
        "records": _numbers("records", exercises[0].key.records),
    }
    blank = {"verdict": 1, "safeguards": "none", "records": []}
    doc = {"seed": 12, "family": "scenario-1", "answers": [right, blank]}
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    runner = CliRunner()
    text = runner.invoke(main, ["train", "--answers", str(path)])
    assert text.exit_code == 0, text.output
    assert "Everything is right." in text.output
    first_verdict = next(iter(RS.outputs.verdicts))
    second = score(exercises[1], Answer(verdict=first_verdict, safeguards=(), records=()))
    assert f"Session score: {3 + second.score:.2f} / 6" in text.output
    jpath = tmp_path / "answers.json"
    jpath.write_text(json.dumps(doc))
    out = runner.invoke(main, ["train", "--answers", str(jpath), "--format", "json"])
    marked = json.loads(out.output)
    assert marked["exercises"] == [e.id for e in exercises]
    assert marked["feedback"][0]["score"] == 3.0
    assert marked["score"] == pytest.approx(3 + second.score, abs=0.01)


def test_french_marking_writes_the_session_score_the_french_way(tmp_path: Path) -> None:
    """The session score of a marking in French used an English decimal point ("0.50 / 6")."""
    path = tmp_path / "answers.yaml"
    doc = {"seed": 4, "lang": "fr", "answers": [{"verdict": 1}, {"verdict": 2}]}
    path.write_text(yaml.safe_dump(doc))
    text = CliRunner().invoke(main, ["train", "--answers", str(path)]).output
    session = next(line for line in text.splitlines() if line.startswith("Score de la séance"))
    assert session.split("\u00a0: ")[1].split(" / ")[0].count(",") == 1
    assert "." not in session


def test_marking_refuses_answers_for_another_set(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"seed": 1, "answers": [{"exercise": "scenario-9/1-1"}]}))
    result = CliRunner().invoke(main, ["train", "--answers", str(path)])
    assert result.exit_code == 2
    assert "check the seed" in result.output
    path.write_text(json.dumps({"seed": 1, "answers": [{"safeguards": "1, 99"}]}))
    result = CliRunner().invoke(main, ["train", "--answers", str(path)])
    assert result.exit_code == 2
    assert "unknown choice '99'" in result.output
    path.write_text(json.dumps({"answers": [{}]}))
    assert CliRunner().invoke(main, ["train", "--answers", str(path)]).exit_code == 2


def test_answer_files_are_checked_like_cases(tmp_path: Path) -> None:
    """An unknown key is an error naming it, at the top and in an answer (a typo never passes)."""
    path = tmp_path / "a.yaml"
    path.write_text("seed: 4\nfamly: scenario-3\nanswers:\n  - verdict: 1\n")
    result = CliRunner().invoke(main, ["train", "--answers", str(path)])
    assert result.exit_code == 2
    assert "unknown key 'famly' in the answer file (did you mean 'family'?)" in result.output
    path.write_text("seed: 4\nanswers:\n  - verdikt: 1\n")
    result = CliRunner().invoke(main, ["train", "--answers", str(path)])
    assert result.exit_code == 2
    assert "unknown key 'verdikt' in an answer (did you mean 'verdict'?)" in result.output


def test_missing_answers_are_reported_and_scored_as_missing(tmp_path: Path) -> None:
    (ex,) = make_exercises(1, seed=4, family="scenario-3")
    key = ex.key
    path = tmp_path / "a.yaml"
    doc = {"seed": 4, "family": "scenario-3", "answers": [{"verdict": key.verdict}]}
    path.write_text(yaml.safe_dump(doc))
    result = CliRunner().invoke(main, ["train", "--answers", str(path)])
    assert result.exit_code == 0, result.output
    assert "Safeguards still owed: not answered (scored 0)." in result.output
    assert "Records missing: not answered (scored 0)." in result.output
    assert "Questions left blank, scored 0: 2." in result.output
    assert "Marked: the verdict (1 if right, else 0)" in result.output
    assert "Session score: 1.00 / 3" in result.output
    out = CliRunner().invoke(main, ["train", "--answers", str(path), "--format", "json"])
    marked = json.loads(out.output)
    assert marked["unanswered"] == [{"answer": 1, "questions": ["safeguards", "records"]}]
    assert marked["score"] == 1.0
    assert marked["schema_version"]
    # "none" is an answer, not a blank: it scores 1 when nothing is owed or missing.
    none = score(ex, Answer(verdict=key.verdict, safeguards=(), records=()))
    assert none.unanswered == ()


def test_wrong_answers_are_explained_in_words_with_their_provision() -> None:
    (ex,) = make_exercises(1, seed=4, family="scenario-3")
    fb = score(ex, Answer(verdict="not_permitted", safeguards=("legal_advice",), records=()))
    for comment in fb.comments:
        assert comment.citations
        for word in ("would need", "one of (", "not: ", "rule verdict-", "session_owed"):
            assert word not in comment.text
    extra = next(c for c in fb.comments if c.item == "legal_advice")
    assert "Nothing the member can do changes this" in extra.text
    assert "a court order applies (now: no)" in extra.text


def test_parse_choices() -> None:
    assert parse_choices("1, 3", "safeguards") == (
        "termination_session_efforts",
        "client_consent_for_transfer",
    )
    assert parse_choices([2, "legal_advice"], "records") == ("consultations", "legal_advice")
    assert parse_choices("", "records") == ()
    with pytest.raises(ConductRulesError):
        parse_choices("1 2", "verdict")


# ------------------------------------------------------------------------------------ export


def test_export_markdown_for_scenario_3(tmp_path: Path) -> None:
    out = tmp_path / "set.md"
    args = ["train", "--export", "md", "--count", "3", "--seed", "7", "--family", "scenario-3"]
    result = CliRunner().invoke(main, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    exercises = make_exercises(3, seed=7, family="scenario-3")
    assert text == export_markdown(exercises)
    assert text.index("## Answer key") > text.index("## Exercise 3")
    for ex in exercises:
        assert text.count(f"`{ex.id}`") == 3  # the set line, the story, the key
        label = RS.outputs.verdicts[ex.key.verdict].label["en"]
        assert f"The verdict is “{label}”" in text
        for sid in ex.key.safeguards:
            assert f"Still owed: “{RS.outputs.safeguards[sid].label['en']}”" in text
    assert "{" not in text.replace("{param", "")


def test_the_sample_in_the_trainers_guide_is_what_the_program_exports() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    sample = text.split("<!-- sample:start -->\n````markdown\n")[1].split("````\n<!-- sample:end")[
        0
    ]
    assert sample == export_markdown(make_exercises(2, seed=4, family="scenario-3"))


def test_export_json_round_trips_and_its_key_is_the_engine() -> None:
    result = CliRunner().invoke(main, ["train", "--export", "json", "--count", "4", "--seed", "2"])
    exercises = [Exercise.model_validate(x) for x in json.loads(result.output)["exercises"]]
    assert [e.family for e in exercises] == [*FAMILIES, FAMILIES[0]]
    for ex in exercises:
        result_ = assess(ex.case)
        assert ex.key.verdict == result_.verdict
        assert ex.key.records == tuple(d.id for d in result_.missing_documentation)


@given(st.integers(0, 10**6), st.sampled_from(FAMILIES), st.sampled_from(["en", "fr"]))
def test_any_exercise_is_consistent(seed: int, family: str, lang: str) -> None:
    (ex,) = make_exercises(1, seed=seed, family=family, lang=lang)  # type: ignore[arg-type]
    assert make_exercises(1, seed=seed, family=family, lang=lang) == [ex]  # type: ignore[arg-type]
    story = " ".join(ex.story)
    assert "{" not in story
    assert "}" not in story
    for d in ex.case.documented:  # only records that exist in the story are in the file
        assert RS.outputs.documentation[d].label[lang].lower() in story  # type: ignore[index]
    result = assess(ex.case)
    assert ex.key.verdict == result.verdict
    assert ex.key.safeguards == tuple(s.id for s in result.outstanding_safeguards)
    key = ex.key
    perfect = score(ex, Answer(verdict=key.verdict, safeguards=key.safeguards, records=key.records))
    assert perfect.score == 3.0
    assert perfect.comments == ()
    empty = score(ex, Answer())
    assert empty.score == 0
    assert empty.unanswered == ("verdict", "safeguards", "records")
    assert len(empty.comments) == 1 + len(ex.key.safeguards) + len(ex.key.records)
    assert all(c.citations for c in empty.comments)
    extra = set(RS.outputs.safeguards) - set(ex.key.safeguards)
    over = score(ex, Answer(verdict=ex.key.verdict, safeguards=(*ex.key.safeguards, *extra)))
    assert {c.item for c in over.comments if c.kind == "extra"} == extra


def test_a_set_made_under_other_parameters_says_so_and_keys_under_them() -> None:
    """The Markdown key was explained under the default thresholds even for a set made under
    others, and its heading did not say which; its date was an ISO string in French text."""
    strict = {"min_attempts": 5}
    exercises = make_exercises(6, seed=3, lang="fr", parameters=strict)
    args = ["train", "--export", "md", "--count", "6", "--seed", "3", "--lang", "fr"]
    text = CliRunner().invoke(main, [*args, "--parameters", "min_attempts=5"]).output
    assert "Paramètres\u00a0: min_attempts=5" in text
    assert "lecture au 30 novembre 2026" in text.replace("\u00a0", " ")
    key = text.split("## Corrigé")[1]
    for ex in exercises:
        label = RS.outputs.verdicts[ex.key.verdict].label["fr"]
        section = key.split(f"(`{ex.id}`)")[1].split("###")[0]
        assert label.lower()[:20] in section.lower(), ex.id
