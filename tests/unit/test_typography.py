"""French as French readers expect it: spacing, quotes, numbers, percentages, dates, labels."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from conduct_rules import assess, assess_many
from conduct_rules.cli.main import main
from conduct_rules.render.html import render_assessment
from conduct_rules.render.typography import date_text, number, percent, quote, typeset

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted((ROOT / "examples").glob("scenario-*/*.json"))
#: Punctuation that French spaces, preceded by an ordinary space (wrong) or by a letter (missing).
BAD_FRENCH = re.compile(r"( |\w)[:;!?](?=\s|$)")


def test_typeset_spaces_french_punctuation_and_leaves_the_rest() -> None:
    assert typeset("Dossier : x ; y ? « Cessation »", "fr") == (
        "Dossier\u00a0: x\u202f; y\u202f? «\u00a0Cessation\u00a0»"
    )
    assert typeset("Verdict: a; b?", "fr") == "Verdict\u00a0: a\u202f; b\u202f?"
    for kept in ("https://example.org", "12:30", "note-scenario-2", "2.8 iii"):
        assert typeset(kept, "fr") == kept
    assert typeset("Case: x; y", "en") == "Case: x; y"
    assert quote("x", "fr") == "«\u00a0x\u00a0»"
    assert quote("x", "en") == "“x”"


def test_numbers_percentages_and_dates_by_locale() -> None:
    assert number(1001, "en") == "1,001"
    assert number(1001, "fr") == "1\u00a0001"
    assert percent(899, 1000, "en") == "89.9%"
    assert percent(899, 1000, "fr") == "89,9\u00a0%"
    assert percent(1, 0, "fr") == "–"
    assert date_text(dt.date(2024, 3, 1), "fr") == "1 mars 2024"
    assert date_text(dt.date(2024, 3, 1), "en") == "March 1, 2024"


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_french_explanations_are_typeset(path: Path) -> None:
    runner = CliRunner()
    for args in (["explain"], ["what-if"], ["explain", "--why-not", "permitted"]):
        out = runner.invoke(main, [*args[:1], str(path), *args[1:], "--lang", "fr"]).output
        bad = [m.group(0) for m in BAD_FRENCH.finditer(out)]
        assert bad == [], (args, bad[:5])


def test_html_badge_shows_the_label_in_the_language() -> None:
    case = json.loads(FILES[0].read_text())
    html = render_assessment(assess(case, lang="fr"))
    assert "Cessation non permise</span>" in html
    assert ">not_permitted<" not in html
    assert "Dossier\u00a0:" in html


def test_french_audit_report_formats_numbers_and_labels(tmp_path: Path) -> None:
    rows = [json.loads(f.read_text()) for f in FILES] * 3
    result = assess_many(rows, lang="fr", keep_rows=100)
    html = result.to_html() or ""
    assert "100,0\u00a0%" in html
    assert "100.0%" not in html
    assert re.search(r"\d\.\d%", html) is None
    assert re.search(r'class="badge"[^>]*>[a-z_]+<', html) is None  # badges carry labels
    assert "Cessation non permise" in html or "Cessation permise" in html
    fig = result.plot()
    names = {t.get_text() for ax in fig.axes for t in ax.get_yticklabels()}
    assert "Motifs de la décision" in names  # a record's label, not its id
    assert "decision_rationale" not in names


def test_french_marking_agrees_in_gender_and_number() -> None:
    from conduct_rules.cli.train import render_feedback
    from conduct_rules.teach.training import Answer, make_exercises, score

    (ex,) = make_exercises(1, seed=4, family="scenario-3", lang="fr")
    two = Answer(verdict=ex.key.verdict, safeguards=ex.key.safeguards[:2], records=())
    text = render_feedback(score(ex, two), "fr")
    assert "Mesures encore dues\u00a0: 2 sur 5 trouvées, 0 en trop." in text
    assert "Documents manquants\u00a0: 0 sur 2 trouvé, 0 en trop." in text
    assert "(s)" not in text
