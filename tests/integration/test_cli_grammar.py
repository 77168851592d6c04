"""One CLI grammar: the same options on every command, stdin, exit codes, words not class names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conduct_rules import __version__
from conduct_rules.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
S2_AFTER = ROOT / "examples" / "scenario-2" / "2-after-legal-advice-and-attempts.json"
RUNNER = CliRunner()
S1_BEFORE = ROOT / "examples" / "scenario-1" / "1-before-notice.json"
S2_ENDED = ROOT / "examples" / "scenario-2" / "3-ended-by-final-email.json"
#: The options every command takes (one grammar), as click spells them.
SHARED = ("-o", "--output", "--lang", "--format", "--ruleset", "--parameters")
#: What each command needs besides the shared options to run (a case, a set to export...); a
#: new command must be added here, so that the checks below cover it.
ARGS: dict[str, list[str]] = {
    "assess": [str(S2_AFTER)],
    "audit": ["AUDIT"],
    "compare": [str(S2_AFTER)],
    "explain": [str(S2_AFTER)],
    "what-if": [str(S2_AFTER), "--max-changes", "2"],
    "train": ["--export", "json", "--count", "1", "--seed", "1"],
    "schema": [],
    "template": [],
    # No server may start here: a host no key allows makes serve stop after the options.
    "serve": ["--host", "192.0.2.1"],
}


def _args(command: str, tmp_path: Path) -> list[str]:
    audit = tmp_path / "one.jsonl"
    audit.write_text(S2_AFTER.read_text().replace("\n", "") + "\n")
    return [command, *(str(audit) if a == "AUDIT" else a for a in ARGS[command])]


def test_every_command_is_covered() -> None:
    assert set(ARGS) == set(main.commands)


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_takes_the_shared_options(command: str) -> None:
    opts = {o for p in main.commands[command].params for o in p.opts}
    assert set(SHARED) <= opts, set(SHARED) - opts
    help_text = RUNNER.invoke(main, [command, "--help"]).output
    assert "-o, --output" in help_text


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_answers_a_bad_parameter_in_one_line(command: str, tmp_path: Path) -> None:
    """A parameter no ruleset has is bad input everywhere (exit 2), named or refused in words."""
    res = RUNNER.invoke(main, [*_args(command, tmp_path), "--parameters", "min_atempts=3"])
    assert res.exit_code == 2, res.output
    assert "--parameters" in res.stderr or "min_atempts" in res.stderr
    assert res.stderr.startswith("conduct-rules: ")
    assert len(res.stderr.splitlines()) == 1
    assert "Error" not in res.stderr


#: Where a shared option cannot apply, the value that makes no sense and the words refusing it.
REFUSED = [
    ("train", ["--ruleset", "crpo-6.3"], "Ontario ruleset only"),
    ("template", ["--lang", "fr"], "English only"),
    ("schema", ["--lang", "fr"], "English only"),
    ("compare", ["--ruleset", "ontario"], "--rulesets"),
    ("serve", ["--lang", "fr"], "each request"),
    ("serve", ["--ruleset", "ontario"], "each request"),
    ("serve", ["-o", "x.json"], "no output file"),
    ("audit", ["--rulesets", "ontario,crpo-6.3", "--parameters", "min_attempts=3"], "one ruleset"),
]


@pytest.mark.parametrize(("command", "extra", "words"), REFUSED)
def test_an_option_that_cannot_apply_is_refused_in_words(
    command: str, extra: list[str], words: str, tmp_path: Path
) -> None:
    res = RUNNER.invoke(main, [*_args(command, tmp_path), *extra])
    assert res.exit_code == 2
    assert words in res.stderr
    assert len(res.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    "command", sorted(set(main.commands) - {c for c, _, w in REFUSED if "English" in w} - {"serve"})
)
def test_every_command_that_speaks_french_takes_lang_fr(command: str, tmp_path: Path) -> None:
    res = RUNNER.invoke(main, [*_args(command, tmp_path), "--lang", "fr", "-o", "-"])
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize("command", ["assess", "explain", "what-if", "compare", "audit"])
def test_every_command_that_reads_a_file_reads_stdin(command: str, tmp_path: Path) -> None:
    args = _args(command, tmp_path)
    text = Path(args[1]).read_text()
    fmt = [] if command == "audit" else ["--format", "json"]  # audit: JSON Lines by default
    res = RUNNER.invoke(main, [command, "-", *args[2:], *fmt], input=text)
    assert res.exit_code == 0, res.output
    assert '"case_id": "scenario-2/2-after' in res.stdout.replace('":"', '": "')


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


# --------------------------------------------------------------------------------------------
# Exit codes: 0 done, 1 a --fail-on policy met, 2 bad input


@pytest.mark.parametrize(
    ("case", "extra", "code"),
    [
        (S1_BEFORE, ["--fail-on", "not_permitted"], 1),
        (S2_AFTER, ["--fail-on", "not_permitted"], 0),
        (S1_BEFORE, ["--fail-on", "attention"], 1),
        (S2_AFTER, ["--fail-on", "conditional,not_permitted"], 0),
        (S2_ENDED, ["--fail-on", "findings"], 0),
        (S2_ENDED, ["--fail-on", "findings", "--parameters", "min_attempts=5"], 1),
        (S2_AFTER, ["--fail-on", "not_permited"], 2),
        (S2_AFTER, [], 0),
    ],
)
def test_assess_exit_codes(case: Path, extra: list[str], code: int) -> None:
    res = RUNNER.invoke(main, ["assess", str(case), "--format", "json", *extra])
    assert res.exit_code == code, res.output
    if code == 1:  # the answer is still written, and stderr says which policy failed
        assert json.loads(res.stdout)["case_id"]
        assert res.stderr.startswith("conduct-rules: exit 1 under --fail-on")
    if code == 2:
        assert "did you mean 'not_permitted'?" in res.stderr


@pytest.mark.parametrize(
    ("case", "extra", "code"),
    [
        (S1_BEFORE, ["--fail-on", "not_permitted"], 1),
        (S2_AFTER, ["--fail-on", "not_permitted"], 0),
        # Ending is permitted for Ontario; CRPO still has a blocking safeguard outstanding.
        (S2_AFTER, ["--fail-on", "not_permitted,attention"], 1),
        (S2_ENDED, ["--fail-on", "findings", "--parameters", "min_attempts=5"], 1),
        (S2_AFTER, ["--fail-on", "permited"], 2),
    ],
)
def test_compare_exit_codes(case: Path, extra: list[str], code: int) -> None:
    res = RUNNER.invoke(main, ["compare", str(case), "--format", "json", *extra])
    assert res.exit_code == code, res.output
    if code == 1:
        assert json.loads(res.stdout)["verdict"]
        assert res.stderr.startswith("conduct-rules: exit 1 under --fail-on")


def _audit_file(tmp_path: Path, cases: list[Path], repeat: int = 1) -> Path:
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(c.read_text().replace("\n", "") + "\n" for c in cases) * repeat)
    return path


@pytest.mark.parametrize(
    ("extra", "code", "words"),
    [
        ([], 0, "passed (exit 0)"),
        (["--fail-on", "not_permitted"], 1, "1 row with the verdict"),
        (["--fail-on", "attention"], 1, "need attention (--fail-on attention)"),
        (["--fail-on", "findings"], 0, "passed (exit 0)"),
        (["--fail-on", "findings", "--parameters", "min_attempts=5"], 1, "1 possible breach"),
        (["--fail-on", "breaches"], 2, "unknown policy"),
        (["--parameters", "min_attempts=lots"], 2, "whole number"),
    ],
)
def test_audit_exit_codes(tmp_path: Path, extra: list[str], code: int, words: str) -> None:
    source = _audit_file(tmp_path, [S1_BEFORE, S2_AFTER, S2_ENDED])
    res = RUNNER.invoke(main, ["audit", str(source), "-o", str(tmp_path / "out.jsonl"), *extra])
    assert res.exit_code == code, res.stderr
    assert words in res.stderr


@pytest.mark.parametrize("workers", ["1", "2"])
def test_audit_parameters_reach_every_row(tmp_path: Path, workers: str) -> None:
    """In this process and in worker processes alike, every row is assessed under the
    parameters given, and each row is what ``assess`` says under them."""
    source = _audit_file(tmp_path, [S2_AFTER], repeat=40)
    args = ["audit", str(source), "--workers", workers, "--format", "jsonl"]
    plain = [json.loads(x) for x in RUNNER.invoke(main, args).stdout.splitlines()]
    res = RUNNER.invoke(main, [*args, "--parameters", "min_attempts=5"])
    assert res.exit_code == 0, res.stderr
    strict = [json.loads(x) for x in res.stdout.splitlines()]
    assessed = RUNNER.invoke(
        main, ["assess", str(S2_AFTER), "--format", "json", "--parameters", "min_attempts=5"]
    )
    expected = json.loads(assessed.stdout)["verdict"]
    assert len(plain) == len(strict) == 40
    assert {r["verdict"] for r in plain} == {"permitted"}
    assert {r["verdict"] for r in strict} == {expected} == {"conditional"}


def test_audit_says_which_parameters_every_row_was_assessed_under(tmp_path: Path) -> None:
    """The HTML report and stderr name the parameter values, so a report made under other
    thresholds cannot pass for one made under the defaults."""
    source = _audit_file(tmp_path, [S2_AFTER])
    report = tmp_path / "report.html"
    args = ["audit", str(source), "--format", "html", "-o", str(report)]
    res = RUNNER.invoke(main, [*args, "--parameters", "min_attempts=5"])
    assert res.exit_code == 0, res.stderr
    assert "min_attempts=5, min_channels=2" in report.read_text()
    assert "assessed under ontario-sw-ending" in res.stderr
    assert "min_attempts=5" in res.stderr
    assert RUNNER.invoke(main, args).exit_code == 0
    assert "min_attempts=2, min_channels=2" in report.read_text()


def test_audit_output_option_and_its_alias_write_the_same(tmp_path: Path) -> None:
    source = _audit_file(tmp_path, [S1_BEFORE, S2_AFTER])
    for option in ("-o", "--output", "--out"):
        target = tmp_path / f"out{option}.jsonl"
        res = RUNNER.invoke(main, ["audit", str(source), option, str(target)])
        assert res.exit_code == 0, res.stderr
        assert res.stdout == ""
        assert len(target.read_text().splitlines()) == 2
    res = RUNNER.invoke(main, ["audit", str(source), "-o", "-"])
    assert len(res.stdout.splitlines()) == 2
