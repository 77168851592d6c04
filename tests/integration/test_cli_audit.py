"""``conduct-rules audit``: one output record per input row, in order; bad rows never stop the run.

Exit codes: 0 when the batch ran (rejected rows counted on stderr), 2 for an unusable input.
Most tests use click's ``CliRunner``; the console script runs in a real subprocess for worker
processes, and on a pseudo-terminal (pexpect) for the progress bar.
"""

from __future__ import annotations

import csv
import html
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conduct_rules.audit.sample import sample_cases
from conduct_rules.cli.main import main
from conduct_rules.rules.flat import CSV_COLUMNS, flatten_case

SECRET = "Zq7-SECRET-Jane-Doe"
SCRIPT = Path(sys.executable).with_name("conduct-rules")


def _run(*args: str, stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(main, ["audit", *args], input=stdin)


def _jsonl(tmp_path: Path, n: int = 40, name: str = "in.jsonl") -> tuple[Path, int]:
    """n sample lines, one line that is not JSON, one with a secret in a bad field."""
    lines = [json.dumps(c) for c in sample_cases(n, seed=21, invalid_share=0.1)]
    lines.insert(5, '{"case_id": "cut", "services": {')
    lines.insert(9, json.dumps({"case_id": "S", "services": {"needed": SECRET}}))
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, len(lines)


def test_jsonl_output_has_one_line_per_input_row(tmp_path: Path) -> None:
    path, n = _jsonl(tmp_path)
    result = _run(str(path), "--workers", "1")
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["row"] for r in rows] == list(range(1, n + 1))
    assert rows[5]["status"] == "rejected"
    assert rows[5]["error_field"] == "(line)"
    assert rows[9]["error"] == "services.needed: expected true or false"
    rejected = sum(r["status"] == "rejected" for r in rows)
    assert f"{rejected} rejected" in result.stderr
    assert SECRET not in result.stdout + result.stderr


def test_csv_output(tmp_path: Path) -> None:
    path, n = _jsonl(tmp_path)
    result = _run(str(path), "--format", "csv", "--workers", "1")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == n + 1  # header + one line per row
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [int(t["row"]) for t in table] == list(range(1, n + 1))
    assert table[5]["status"] == "rejected"
    assert SECRET not in result.stdout


def test_csv_input(tmp_path: Path) -> None:
    cases = list(sample_cases(30, seed=22))
    path = tmp_path / "in.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=[*CSV_COLUMNS, "notes"])
        w.writeheader()
        w.writerows(flatten_case(c) for c in cases)
        w.writerow({"case_id": "X", "notes": SECRET})
    result = _run(str(path), "--workers", "1")
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 31
    assert rows[-1]["error"] == "notes: unknown column"
    assert SECRET not in result.stdout + result.stderr


def test_html_report(tmp_path: Path) -> None:
    path, _ = _jsonl(tmp_path)
    out = tmp_path / "report.html"
    result = _run(str(path), "--format", "html", "--out", str(out), "--lang", "fr")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "Rapport d'audit" in html.unescape(page)
    assert "Rapport d'audit" not in page  # the apostrophe is escaped
    assert 'src="data:image/png;base64,' in page
    assert "https://" not in page
    assert SECRET not in page
    assert not list(tmp_path.glob("*.partial"))


def test_stdin_and_input_format(tmp_path: Path) -> None:
    result = _run("-", "--workers", "1", stdin=b'{"case_id": "A"}\n\n{"case_id": 1}\n')
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["row"], r["status"]) for r in rows] == [(1, "assessed"), (3, "rejected")]
    text = tmp_path / "cases.txt"
    text.write_text("case_id,stage\nA,ended\n")
    assert _run(str(text)).exit_code == 2
    result = _run(str(text), "--input-format", "csv")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["case_id"] == "A"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.jsonl"], "no such file"),
        (["cases.txt"], "input format"),
        (["dup.csv"], "repeats the column"),
        (["ok.jsonl", "--format", "pdf"], "Invalid value"),
        (["ok.jsonl", "--workers", "0"], "Invalid value"),
    ],
)
def test_unusable_input_exits_2(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "cases.txt").write_text('{"case_id": "A"}\n')
    (tmp_path / "dup.csv").write_text("case_id,case_id\nA,B\n")
    (tmp_path / "ok.jsonl").write_text('{"case_id": "A"}\n')
    args = [str(tmp_path / args[0]), *args[1:]]
    result = _run(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


def test_console_script_with_worker_processes(tmp_path: Path) -> None:
    path, n = _jsonl(tmp_path, n=2_500)
    out = tmp_path / "out.jsonl"
    proc = subprocess.run(
        [str(SCRIPT), "audit", str(path), "--workers", "2", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["row"] for r in rows] == list(range(1, n + 1))
    # stderr is not a terminal: the summary lines only, no progress bar
    lines = proc.stderr.splitlines()
    assert 2 <= len(lines) <= 3
    assert all(line.startswith("conduct-rules: ") for line in lines)
    assert "\r" not in proc.stderr
    assert lines[-1].startswith("conduct-rules: passed (exit 0)")


def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    path, _ = _jsonl(tmp_path, n=300)
    out = tmp_path / "out.jsonl"
    child = pexpect.spawn(
        str(SCRIPT), ["audit", str(path), "--out", str(out), "--workers", "1"], timeout=60
    )
    child.expect(pexpect.EOF)
    child.close()
    text = child.before.decode()
    assert child.exitstatus == 0, text
    assert "100%" in text  # tqdm's bar, drawn on the terminal
    assert "rejected" in text
