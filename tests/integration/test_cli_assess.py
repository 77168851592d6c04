"""``conduct-rules assess``: the report a social worker reads, the JSON a program reads, and the
one-line errors both get for bad input (exit 2, field named, value never echoed, no traceback).

Most tests use click's ``CliRunner`` (fast, in process); one runs the installed console script in
a real subprocess, as a user would.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conduct_rules import assess
from conduct_rules.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
S1_BEFORE = ROOT / "examples" / "scenario-1" / "1-before-notice.json"
S1_AFTER = ROOT / "examples" / "scenario-1" / "2-after-notice.json"
SECRET = "Jane-Doe-1984"  # a value that must never reach stderr


def _run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, ["assess", *args], input=stdin)


def _write(tmp_path: Path, text: str, name: str = "case.json") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _one_error_line(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


# ------------------------------------------------------------------------------ text report


def test_text_report_has_every_section_with_citations() -> None:
    result = _run(str(S1_BEFORE))
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Case: scenario-1/1-before-notice" in out
    assert "Verdict: ENDING NOT PERMITTED" in out
    assert "Ending is required (3.8) but not yet permitted: first make reasonable efforts" in out
    assert "What may be done:" in out
    refer = "• Refer the client to another professional (required)"
    assert f"{refer}  [practice note, introduction; 3.8]" in out
    assert "✓ Supervision or consultation  [practice note, conclusion" in out
    consent = "✗ Client's consent before sending a summary (must come first)"
    assert f"{consent}  [Code of Ethics, 6; scenario 1]" in out
    assert "Missing records:\n  ✗ Reasons for the decision  [practice note, conclusion]" in out
    assert "\nSources:\n  2.8 iii — O. Reg. 384/00, s. 2, para. 8, sub. iii" in out
    assert "General guidance drawn from the College's practice note" in out
    assert "session_owed" not in out
    assert "domain.md" not in out
    assert "Possible breaches:\n  none" in out
    assert "Ruleset: ontario-sw-ending" in out


def test_text_report_shows_possible_breaches(tmp_path: Path) -> None:
    case = _write(tmp_path, json.dumps({"case_id": "B-1", "stage": "ended"}))
    out = _run(case).stdout
    assert "Possible breaches:\n  ! Needed services ended without a basis — " in out
    assert "[2.8]" in out
    assert "Possible breaches: needed services ended without a basis (2.8)." in " ".join(
        line.strip() for line in out.splitlines()
    )


def test_outstanding_safeguards_say_what_to_do() -> None:
    out = _run(str(S1_AFTER)).stdout
    line = "✗ Reasonable efforts to hold a termination session (must come first)"
    assert line in out
    explanation = out.split(line, 1)[1].splitlines()[1].strip()
    assert explanation.startswith("Hold a termination session")


def test_french_report() -> None:
    result = _run(str(S1_BEFORE), "--lang", "fr")
    assert result.exit_code == 0
    out = result.stdout
    assert "Dossier\u00a0: scenario-1/1-before-notice" in out
    assert "La cessation est requise (3.8), mais elle n'est pas encore permise" in out
    assert "Règl. de l'Ont. 384/00 : Faute professionnelle, disposition 2.8" in out
    assert "séance de conclusion" in out
    assert "Verdict\u00a0: CESSATION NON PERMISE" in out
    assert "Ce qui peut être fait\u00a0:" in out
    assert "Orienter le client vers un autre professionnel (requis)" in out
    assert "Documents manquants\u00a0:" in out
    assert "Manquements possibles\u00a0:\n  aucun" in out


# ------------------------------------------------------------------------------------ JSON


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_json_output_is_the_assessment_dump(lang: str) -> None:
    result = _run(str(S1_AFTER), "--format", "json", "--lang", lang)
    assert result.exit_code == 0
    data = json.loads(S1_AFTER.read_text(encoding="utf-8"))
    assert json.loads(result.stdout) == assess(data, lang=lang).model_dump(mode="json")


def test_standard_input() -> None:
    result = _run("-", "--format", "json", stdin=S1_BEFORE.read_text(encoding="utf-8"))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["verdict"] == "not_permitted"


@pytest.mark.parametrize("backend", ["python", "auto"])
def test_backend_option(backend: str) -> None:
    result = _run(str(S1_BEFORE), "--format", "json", "--backend", backend)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["verdict"] == "not_permitted"


# ---------------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ({"case_id": "E-1", "services": {"needed": SECRET}}, "services.needed"),
        ({"case_id": "E-2", "stage": SECRET}, "stage"),
        (
            {"case_id": "E-3", "alternatives": {"providers_offered": SECRET}},
            "alternatives.providers_offered",
        ),
        (
            {
                "case_id": "E-4",
                "termination_session": {"attempts": [{"channel": "fax", "date": SECRET}]},
            },
            "termination_session.attempts.0.channel",
        ),
        ({"case_id": "E-5", "member": {"threatened": True}}, "member.threatened"),
        ({"stage": "ended"}, "case_id"),
    ],
)
def test_invalid_case_gives_one_line_naming_the_field(
    tmp_path: Path, case: dict[str, object], field: str
) -> None:
    line = _one_error_line(_run(_write(tmp_path, json.dumps(case))))
    assert f": {field}: " in line
    assert SECRET not in line
    assert line.startswith("conduct-rules: ")


def test_a_case_that_is_not_an_object(tmp_path: Path) -> None:
    line = _one_error_line(_run(_write(tmp_path, "[1, 2]")))
    assert "expected an object" in line


def test_missing_file_is_a_clear_message(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-case.json"
    line = _one_error_line(_run(str(missing)))
    assert line == f"conduct-rules: {missing}: no such file"


def test_a_directory_is_not_a_case_file(tmp_path: Path) -> None:
    line = _one_error_line(_run(str(tmp_path)))
    assert "is a directory" in line


@pytest.mark.parametrize("text", ["{", "", "{'case_id': 'x'}", '{"case_id": "x",}'])
def test_invalid_json(tmp_path: Path, text: str) -> None:
    line = _one_error_line(_run(_write(tmp_path, text)))
    assert line.endswith("not valid JSON")


def test_unknown_ruleset(tmp_path: Path) -> None:
    line = _one_error_line(_run(str(S1_BEFORE), "--ruleset", "atlantis"))
    assert "no ruleset named 'atlantis'" in line


def test_bad_option_is_a_usage_error() -> None:
    result = _run(str(S1_BEFORE), "--lang", "de")
    assert result.exit_code == 2
    assert "Invalid value for '--lang'" in result.stderr


# ----------------------------------------------------------------------- real subprocess


def test_console_script_in_a_real_process(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("conduct-rules")
    assert script.is_file(), "the console script is installed with the project (scripts/setup.sh)"
    ok = subprocess.run(
        [str(script), "assess", str(S1_BEFORE), "--format", "json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["case_id"] == "scenario-1/1-before-notice"
    bad = _write(tmp_path, json.dumps({"case_id": "P-1", "client": {"withdrew": SECRET}}))
    err = subprocess.run(
        [str(script), "assess", bad], capture_output=True, text=True, timeout=120, check=False
    )
    assert err.returncode == 2
    assert err.stdout == ""
    assert err.stderr.splitlines() == [
        f"conduct-rules: {bad}: invalid case: client.withdrew: expected true or false"
    ]
