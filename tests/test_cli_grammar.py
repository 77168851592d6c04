"""One CLI grammar: the same options on every command, stdin, exit codes, words not class names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conduct_rules import __version__
from conduct_rules.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
S2_AFTER = ROOT / "examples" / "scenario-2" / "2-after-legal-advice-and-attempts.json"
RUNNER = CliRunner()
READERS = ("assess", "explain", "what-if")
#: Commands whose options another issue owns (audit: --out; serve: a server, no output file).
OWN_GRAMMAR = {"audit", "serve"}


@pytest.mark.parametrize("command", sorted(set(main.commands) - OWN_GRAMMAR))
def test_every_command_takes_output(command: str) -> None:
    help_text = RUNNER.invoke(main, [command, "--help"]).output
    assert "-o, --output" in help_text


@pytest.mark.parametrize("command", READERS)
def test_commands_that_read_cases_share_the_grammar(command: str) -> None:
    help_text = RUNNER.invoke(main, [command, "--help"]).output
    for option in ("--lang", "--format", "--ruleset", "--parameters"):
        assert option in help_text, option


def test_version_and_documented_exit_codes() -> None:
    assert __version__ in RUNNER.invoke(main, ["--version"]).output
    assert "Exit status: 0" in RUNNER.invoke(main, ["--help"]).output


def test_parameters_change_the_answer_from_text_or_file(tmp_path: Path) -> None:
    base = json.loads(RUNNER.invoke(main, ["assess", str(S2_AFTER), "--format", "json"]).output)
    args = ["assess", str(S2_AFTER), "--format", "json", "--parameters", "min_attempts=5"]
    strict = json.loads(RUNNER.invoke(main, args).output)
    assert strict["ruleset"]["parameters"]["min_attempts"] == 5
    assert (base["verdict"], strict["verdict"]) == ("permitted", "conditional")
    params = tmp_path / "p.yaml"
    params.write_text("min_attempts: 5\n")
    args[-1] = str(params)
    assert json.loads(RUNNER.invoke(main, args).output)["verdict"] == "conditional"


@pytest.mark.parametrize(
    ("value", "words"),
    [("min_atempts=3", "min_atempts"), ("min_attempts=lots", "whole number")],
)
def test_bad_parameters_exit_2_in_words(value: str, words: str) -> None:
    res = RUNNER.invoke(main, ["assess", str(S2_AFTER), "--parameters", value])
    assert res.exit_code == 2
    assert words in res.output
    assert "Error" not in res.output


def test_output_file_and_stdin(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    res = RUNNER.invoke(main, ["assess", "-", "-o", str(target)], input=S2_AFTER.read_text())
    assert res.exit_code == 0
    assert res.output == ""
    assert "Case: scenario-2/2-after-legal-advice-and-attempts" in target.read_text()
    res = RUNNER.invoke(main, ["explain", "-"], input=S2_AFTER.read_text())
    assert res.exit_code == 0


def test_unreadable_file_is_said_in_words(tmp_path: Path) -> None:
    res = RUNNER.invoke(main, ["assess", str(tmp_path)])
    assert res.exit_code == 2
    assert "Error" not in res.output


def test_one_row_is_singular(tmp_path: Path) -> None:
    source = tmp_path / "one.jsonl"
    source.write_text(S2_AFTER.read_text().replace("\n", "") + "\n")
    res = RUNNER.invoke(main, ["audit", str(source), "--out", str(tmp_path / "r.jsonl")])
    assert res.exit_code == 0
    assert "1 row:" in res.stderr
    assert "rows" not in res.stderr.split(":")[1]


def test_a_mistyped_ruleset_gets_a_suggestion() -> None:
    res = RUNNER.invoke(main, ["assess", str(S2_AFTER), "--ruleset", "ontaro"])
    assert res.exit_code == 2
    assert "did you mean 'ontario'?" in res.output
