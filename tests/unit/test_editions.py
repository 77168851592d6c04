"""Editions: each ruleset declares its sources with edition and in-force dates (issue 15).

The loader checks the block; ``assess(..., as_of=DATE)`` and ``--as-of`` refuse a ruleset whose
sources were not in force that day, with a message naming the source and its date (never a case
value); every assessment and report names the editions used.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conduct_rules import EditionError, RulesetError, assess, load_ruleset, render_text
from conduct_rules.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
CASE = {"case_id": "E-1"}


@pytest.mark.parametrize(
    ("ruleset", "first_day"),
    [("crpo-6.3", dt.date(2024, 1, 1)), ("ontario", dt.date(2022, 10, 17))],
)
def test_as_of_refuses_a_date_before_the_sources(ruleset: str, first_day: dt.date) -> None:
    assert assess(CASE, ruleset=ruleset, as_of=first_day).case_id == "E-1"
    assert assess(CASE, ruleset=ruleset, as_of=dt.date(2030, 6, 1)).case_id == "E-1"
    with pytest.raises(EditionError, match=f"in force from {first_day.isoformat()}") as info:
        assess(CASE, ruleset=ruleset, as_of=first_day - dt.timedelta(days=1))
    assert isinstance(info.value, ValueError)


def test_as_of_must_be_a_date() -> None:
    with pytest.raises(EditionError, match="must be a date"):
        assess(CASE, ruleset="crpo-6.3", as_of="2024-01-01")  # type: ignore[arg-type]
    with pytest.raises(EditionError, match="must be a date"):
        assess(CASE, ruleset="crpo-6.3", as_of=dt.datetime(2024, 1, 1))


def test_a_ruleset_without_editions_cannot_be_checked() -> None:
    folder = str(ROOT / "benchmarks/rulesets/bench8")
    with pytest.raises(EditionError, match="declares no source editions"):
        assess({"case_id": "B"}, ruleset=folder, as_of=dt.date(2025, 1, 1))


def test_until_is_enforced(tmp_path: Path) -> None:
    folder = _copy(tmp_path, lambda e: e[1].update(until="2026-01-01"))
    with pytest.raises(EditionError, match="no longer applies from 2026-01-01"):
        assess(CASE, ruleset=load_ruleset(folder), as_of=dt.date(2026, 1, 1))
    assert assess(CASE, ruleset=load_ruleset(folder), as_of=dt.date(2025, 12, 31)) is not None


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_reports_state_the_editions(lang: str) -> None:
    a = assess(CASE, ruleset="crpo-6.3", lang=lang)  # type: ignore[arg-type]
    assert [e.id for e in a.ruleset.editions] == ["crpo-standards-2024", "oreg-317-12"]
    assert a.ruleset.editions[0].in_force == "2024-01-01"
    text = render_text(a)
    assert ("Editions read" if lang == "en" else "Éditions lues") in text
    assert "O. Reg. 317/12" in text
    html = a._repr_html_()
    assert "2024-01-01" in html
    ontario = assess(CASE, lang=lang)  # type: ignore[arg-type]
    assert [e.id for e in ontario.ruleset.editions][1] == "code-2008"
    assert "2008" in ontario.ruleset.editions[1].edition


def test_every_backend_reports_the_same_editions() -> None:
    refs = {b: assess(CASE, backend=b).ruleset for b in ("python", "fast")}
    assert refs["python"] == refs["fast"]


def _copy(tmp_path: Path, edit: object) -> Path:
    folder = tmp_path / "crpo"
    shutil.copytree(ROOT / "rulesets" / "crpo-6.3", folder)
    header = yaml.safe_load((folder / "ruleset.yaml").read_text(encoding="utf-8"))
    edit(header["editions"])  # type: ignore[operator]
    (folder / "ruleset.yaml").write_text(yaml.safe_dump(header, allow_unicode=True), "utf-8")
    return folder


@pytest.mark.parametrize(
    ("edit", "field", "message"),
    [
        (lambda e: e[0].update(in_force="2024-02-30"), "editions[0].in_force", "calendar date"),
        (lambda e: e[0].update(in_force="1 Jan 2024"), "editions[0].in_force", "calendar date"),
        (lambda e: e[0].update(in_force="20240101"), "editions[0].in_force", "calendar date"),
        (lambda e: e[0].update(in_force=dt.date(2024, 1, 1)), "in_force", "text"),
        (lambda e: e[0].update(until="2023-12-31"), "editions[0]", "after 'in_force'"),
        (lambda e: e[1].update(id=e[0]["id"]), "editions[1].id", "duplicate edition id"),
        (lambda e: e[0]["provisions"].append("nope"), "editions[0].provisions", "unknown"),
        (lambda e: e[1]["provisions"].append("crpo-6.3"), "editions[1].provisions", "already"),
        (lambda e: e[0].update(colour="red"), "editions[0].colour", "unexpected key"),
    ],
)
def test_the_loader_checks_the_block(
    tmp_path: Path, edit: object, field: str, message: str
) -> None:
    folder = _copy(tmp_path, edit)
    with pytest.raises(RulesetError, match=message) as info:
        load_ruleset(folder)
    assert field in str(info.value)


def test_cli_as_of() -> None:
    path = str(ROOT / "examples/crpo/2-considering-ready.json")
    args = ["assess", path, "--ruleset", "crpo-6.3"]
    ok = CliRunner().invoke(main, [*args, "--as-of", "2024-01-01"])
    assert ok.exit_code == 0
    assert "Editions read" in ok.output
    old = CliRunner().invoke(main, [*args, "--as-of", "2023-12-31"])
    assert old.exit_code == 2
    assert "in force from 2024-01-01" in old.output
    bad = CliRunner().invoke(main, [*args, "--as-of", "yesterday"])
    assert bad.exit_code == 2
