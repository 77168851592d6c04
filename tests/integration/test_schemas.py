"""Every JSON the library prints validates against its published schema, with a version.

The schemas are generated from the models (``schemas/*.schema.json``, kept in step by
``test_docs_in_step``); here real outputs — from the command line, as integrators see them — are
validated with jsonschema: explanations, why-not and what-if answers for every scenario moment in
both languages, an assessment, audit rows (assessed and rejected), the audit summary and a
training marking.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from conduct_rules import assess_many
from conduct_rules.cli.main import main
from conduct_rules.cli.schemas import SCHEMAS, schema_text
from conduct_rules.model.version import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted((ROOT / "examples").glob("scenario-*/*.json"))
RUNNER = CliRunner()


def _schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((ROOT / "schemas" / f"{name}.schema.json").read_text())
    return schema


def _valid(name: str, instance: Any) -> None:
    jsonschema.Draft202012Validator(_schema(name)).validate(instance)


def _cli_json(*args: str) -> Any:
    result = RUNNER.invoke(main, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_every_schema_is_published_and_valid() -> None:
    for name in SCHEMAS:
        schema = _schema(name)
        jsonschema.Draft202012Validator.check_schema(schema)
        assert json.loads(schema_text(name)) == schema


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_explain_why_not_and_what_if_outputs_validate(path: Path, lang: str) -> None:
    for name, args in (
        ("explanation", ["explain", str(path)]),
        ("why-not", ["explain", str(path), "--why-not", "legal_advice"]),
        ("what-if", ["what-if", str(path), "--max-changes", "3"]),
        ("assessment", ["assess", str(path)]),
    ):
        data = _cli_json(*args, "--lang", lang)
        _valid(name, data)
        assert data["schema_version"] == SCHEMA_VERSION


def test_explanation_nests_the_ruleset_as_the_assessment_does() -> None:
    path = str(FILES[0])
    explained = _cli_json("explain", path)
    assessed = _cli_json("assess", path)
    assert explained["ruleset"] == assessed["ruleset"]


def test_audit_rows_and_summary_validate(tmp_path: Path) -> None:
    rows = [json.loads(f.read_text()) for f in FILES] + [{"case_id": "bad", "stage": "x"}]
    source = tmp_path / "cases.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows) + "not json\n")
    result = RUNNER.invoke(main, ["audit", str(source), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines() if line]
    assert {line["status"] for line in lines} == {"assessed", "rejected"}
    for line in lines:
        _valid("audit-row", line)
        assert line["schema_version"] == SCHEMA_VERSION
    summary = assess_many(rows).summary.as_dict()
    _valid("audit-summary", summary)
    assert summary["schema_version"] == SCHEMA_VERSION


def test_audit_rows_against_several_rulesets_validate(tmp_path: Path) -> None:
    rows = [json.loads(f.read_text()) for f in FILES] + [{"case_id": "bad", "stage": "x"}]
    source = tmp_path / "cases.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = RUNNER.invoke(main, ["audit", str(source), "--rulesets", "ontario,crpo-6.3"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines() if line]
    assert {line["status"] for line in lines} == {"assessed", "rejected"}
    for line in lines:
        _valid("audit-compared-row", line)
        assert line["schema_version"] == SCHEMA_VERSION
        assert "crpo-6.3.verdict" in line


def test_training_marking_validates(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    doc = {"seed": 4, "answers": [{"verdict": 1, "safeguards": "none"}, {"verdict": 2}]}
    path.write_text(yaml.safe_dump(doc))
    data = _cli_json("train", "--answers", str(path))
    _valid("training-marking", data)
    for fb in data["feedback"]:
        assert fb["marked"]
    assert data["ruleset"]["parameters"]["min_attempts"] == 2


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_exercise_set_export_is_a_versioned_object(lang: str) -> None:
    """``train --export json`` was a bare list: now an object with its version and ruleset."""
    result = RUNNER.invoke(main, ["train", "--export", "json", "--count", "3", "--lang", lang])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    _valid("exercise-set", data)
    assert data["schema_version"] == SCHEMA_VERSION
    assert len(data["exercises"]) == 3
    assert data["ruleset"]["id"] == "ontario-sw-ending"


def test_exercise_set_and_marking_carry_the_parameters(tmp_path: Path) -> None:
    """A set made under other parameters says so, and is marked under them: the key changes."""
    args = ["train", "--export", "json", "--count", "6", "--seed", "3"]
    plain = json.loads(RUNNER.invoke(main, args).output)
    strict = json.loads(RUNNER.invoke(main, [*args, "--parameters", "min_attempts=5"]).output)
    _valid("exercise-set", strict)
    assert strict["ruleset"]["parameters"]["min_attempts"] == 5
    keys = [e["key"]["verdict"] for e in plain["exercises"]]
    strict_keys = [e["key"]["verdict"] for e in strict["exercises"]]
    assert keys != strict_keys
    answers = tmp_path / "answers.yaml"
    doc = {"seed": 3, "answers": [{"verdict": k} for k in strict_keys]}
    answers.write_text(yaml.safe_dump(doc))
    marked = _cli_json("train", "--answers", str(answers), "--parameters", "min_attempts=5")
    _valid("training-marking", marked)
    assert [f["parts"][0]["score"] for f in marked["feedback"]] == [1.0] * 6
    from_stdin = RUNNER.invoke(
        main,
        ["train", "--answers", "-", "--parameters", "min_attempts=5", "--format", "json"],
        input=answers.read_text(),
    )
    assert json.loads(from_stdin.stdout)["score"] == marked["score"]


def test_comparison_validates_with_its_version() -> None:
    data = _cli_json("compare", str(FILES[0]), "--parameters", "min_attempts=3")
    _valid("comparison", data)
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["assessments"]["ontario"]["ruleset"]["parameters"]["min_attempts"] == 3


def _properties(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every property of the case schema, nested objects included, as (path, definition)."""
    defs = schema.get("$defs", {})
    out: list[tuple[str, dict[str, Any]]] = []

    def walk(node: dict[str, Any], prefix: str) -> None:
        for name, prop in node.get("properties", {}).items():
            out.append((prefix + name, prop))
            ref = prop.get("$ref") or next(
                (a.get("$ref") for a in prop.get("anyOf", []) if "$ref" in a), None
            )
            items = prop.get("items", {})
            ref = ref or items.get("$ref")
            if ref:
                walk(defs[ref.rsplit("/", 1)[1]], f"{prefix}{name}.")

    walk(schema, "")
    return out


def test_every_case_field_is_described() -> None:
    props = _properties(_schema("case"))
    assert len(props) > 30
    undescribed = [path for path, prop in props if not prop.get("description")]
    assert undescribed == []


def test_template_is_the_default_case_with_every_field_explained(tmp_path: Path) -> None:
    text = RUNNER.invoke(main, ["template"]).output
    data = yaml.safe_load(text)
    as_json = json.loads(RUNNER.invoke(main, ["template", "--format", "json"]).output)
    assert data == as_json
    comments = "\n".join(line for line in text.splitlines() if line.lstrip().startswith("#"))
    for path, prop in _properties(_schema("case")):
        first_words = " ".join(prop["description"].split()[:4])
        assert first_words in " ".join(comments.replace("#", " ").split()), path
    path = tmp_path / "case.yaml"
    path.write_text(text)
    assert RUNNER.invoke(main, ["assess", str(path)]).exit_code == 0
