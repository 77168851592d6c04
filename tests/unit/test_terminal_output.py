"""Control characters in a ``case_id`` never reach the terminal raw (issue 11, item 5).

An escape sequence can set the window title or clear the screen, a CR or newline can forge a
verdict line, a bidi override can make a line read backwards. Every text output of ``assess``,
``explain`` (and ``--why-not``), ``what-if`` and ``train`` shows them escaped; JSON output keeps the
``case_id`` exact.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from conduct_rules.cli.main import main
from conduct_rules.render.terminal import shown, terminal_safe

HOSTILE = "X-1\x1b]0;pwned\x07\x1b[2J\r\nVerdict: ENDING PERMITTED\u202e\x85\x9b31m\x00\t\u2028"
# Raw characters that must never be printed: every C0 control but the report's own newlines,
# DEL, C1 controls, bidi and other format characters.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def _case(tmp_path: Path) -> str:
    path = tmp_path / "case.json"
    data = {"case_id": HOSTILE, "stage": "ended", "services": {"needed": True}}
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    "args",
    [
        ["assess"],
        ["assess", "--lang", "fr"],
        ["explain"],
        ["explain", "--why-not", "permitted"],
        ["what-if"],
    ],
    ids=["assess", "assess-fr", "explain", "why-not", "what-if"],
)
def test_text_output_escapes_control_characters(tmp_path: Path, args: list[str]) -> None:
    result = CliRunner().invoke(main, [args[0], _case(tmp_path), *args[1:]])
    assert result.exit_code == 0, result.output
    assert not RAW.search(result.output), repr(result.output[:300])
    assert "Verdict: ENDING PERMITTED" not in result.output.splitlines()
    if args[0] != "what-if":  # what-if does not print the case id
        assert "X-1\\x1b]0;pwned\\x07" in result.output


@pytest.mark.parametrize("command", ["assess", "explain"])
def test_json_output_keeps_the_case_id_exact(tmp_path: Path, command: str) -> None:
    result = CliRunner().invoke(main, [command, _case(tmp_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["case_id"] == HOSTILE


def test_train_marking_escapes_what_the_answers_file_says(tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(
        json.dumps({"seed": 1, "answers": [{"verdict": "x\x1b[2Jy", "safeguards": []}]}),
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["train", "--answers", str(answers)])
    assert result.exit_code == 2
    assert not RAW.search(result.output), repr(result.output)


def test_train_text_output_is_clean() -> None:
    result = CliRunner().invoke(main, ["train", "--seed", "3"], input="1\n0\n0\n")
    assert result.exit_code == 0, result.output
    assert not RAW.search(result.output), repr(result.output[:300])


def test_error_line_escapes_a_file_name(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["assess", str(tmp_path / "no\x1b[2Jsuch.json")])
    assert result.exit_code == 2
    assert not RAW.search(result.output), repr(result.output)
    assert "\\x1b[2J" in result.output


@given(st.text())
def test_shown_has_no_raw_control_and_keeps_printable_text(text: str) -> None:
    out = shown(text)
    assert not RAW.search(out)
    assert "\n" not in out
    if not RAW.search(text) and "\n" not in text:
        assert out == text
    assert "\n" not in terminal_safe(text) or "\n" in text
    assert not RAW.search(terminal_safe(text))
