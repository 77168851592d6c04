"""Audits against several rulesets (``conduct-rules audit --rulesets``): one combined row per
input row, the stricter verdict, a column set per ruleset, rejected rows kept in place."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conduct_rules import compare
from conduct_rules.audit.compared import audit_compared, combined_columns
from conduct_rules.batch import records_from_file
from conduct_rules.cli.main import main
from conduct_rules.errors import ConductRulesError

ROOT = Path(__file__).resolve().parents[2]
PAIR = ["ontario", "crpo-6.3"]


@pytest.fixture
def jsonl(tmp_path: Path) -> Path:
    lines = [
        json.dumps(json.loads(p.read_text(encoding="utf-8")))
        for p in sorted((ROOT / "examples").glob("*/*.json"))
    ]
    lines.insert(3, json.dumps({"case_id": "bad", "member": {"good_faith": "SECRET"}}))
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_rows_agree_with_compare(jsonl: Path) -> None:
    rows = list(audit_compared(records_from_file(jsonl, "auto"), PAIR, backend="python"))
    lines = jsonl.read_text(encoding="utf-8").splitlines()
    assert [r["row"] for r in rows] == list(range(1, len(lines) + 1))
    for r, line in zip(rows, lines, strict=True):
        if r["case_id"] == "bad":
            assert r["status"] == "rejected"
            assert r["error_field"] == "member.good_faith"
            assert "SECRET" not in json.dumps(r)
            continue
        c = compare(json.loads(line), PAIR)
        assert r["verdict"] == c.verdict
        assert r["verdict_from"] == list(c.verdict_from)
        for n, a in c.assessments.items():
            assert r[f"{n}.verdict"] == a.verdict
            assert r[f"{n}.findings"] == [f.id for f in a.findings]


def test_cli_csv_has_per_college_columns(jsonl: Path) -> None:
    res = CliRunner().invoke(main, ["audit", str(jsonl), "--rulesets", "ontario,crpo-6.3",
                                    "--format", "csv"])  # fmt: skip
    assert res.exit_code == 0, res.output
    body = res.stdout if hasattr(res, "stdout") else res.output
    reader = list(csv.reader(io.StringIO(body.split("conduct-rules:")[0])))
    assert reader[0] == combined_columns(PAIR)
    assert len(reader) == 1 + len(jsonl.read_text(encoding="utf-8").splitlines())


def test_cli_refusals(jsonl: Path) -> None:
    run = CliRunner().invoke
    html = run(main, ["audit", str(jsonl), "--rulesets", "ontario,crpo-6.3", "--format", "html"])
    assert html.exit_code == 2
    both = run(main, ["audit", str(jsonl), "--rulesets", "ontario", "--ruleset", "ontario"])
    assert both.exit_code == 2
    stdin = run(main, ["audit", "-", "--rulesets", "ontario,crpo-6.3"], input="{}\n")
    assert stdin.exit_code == 2
    assert "standard input" in stdin.output


def test_one_shot_sources_and_duplicates_are_refused() -> None:
    from conduct_rules.batch import records_from_jsonl

    one_shot = records_from_jsonl(io.BytesIO(b'{"case_id": "A"}\n'))
    with pytest.raises(ConductRulesError, match="standard input"):
        list(audit_compared(one_shot, PAIR))
    with pytest.raises(ConductRulesError, match="twice"):
        list(audit_compared(records_from_file(ROOT / "README.md", "jsonl"), ["ontario"] * 2))
