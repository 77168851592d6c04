"""Generated docs and schemas stay in step with the rulesets and models.

``docs/provisions.md``, ``docs/rulesets/<name>.md`` and ``schemas/*.schema.json`` are written by
``conduct_rules_dev.docs`` (``scripts/gen_docs.py``). Here everything is regenerated in memory
and compared with the committed files: a rule, provision or model changed without regenerating
fails.
Fix: ``.venv/bin/python scripts/gen_docs.py`` and commit the result.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conduct_rules import Case, assess, load_ruleset
from conduct_rules.cli.main import main
from conduct_rules.rules.conditions import to_text
from conduct_rules_dev.docs import generated_files, ruleset_markdown

ROOT = Path(__file__).resolve().parents[2]
GENERATED = generated_files()


@pytest.mark.parametrize("rel", sorted(GENERATED))
def test_committed_file_is_up_to_date(rel: str) -> None:
    path = ROOT / rel
    assert path.is_file(), f"{rel} is missing: run .venv/bin/python scripts/gen_docs.py"
    committed = path.read_text(encoding="utf-8")
    if committed != GENERATED[rel]:
        diff = "".join(
            list(
                difflib.unified_diff(
                    committed.splitlines(keepends=True),
                    GENERATED[rel].splitlines(keepends=True),
                    fromfile=f"{rel} (committed)",
                    tofile=f"{rel} (generated)",
                )
            )[:40]
        )
        pytest.fail(f"{rel} is out of date: run .venv/bin/python scripts/gen_docs.py\n{diff}")


def test_no_stale_ruleset_page() -> None:
    pages = {f"docs/rulesets/{p.name}" for p in (ROOT / "docs" / "rulesets").glob("*.md")}
    assert pages == {rel for rel in GENERATED if rel.startswith("docs/rulesets/")}


def test_provisions_table_lists_every_provision_with_both_paraphrases() -> None:
    text = GENERATED["docs/provisions.md"]
    rs = load_ruleset("ontario")
    for pid, p in rs.provisions.items():
        row = next(line for line in text.splitlines() if line.startswith(f"| `{pid}` |"))
        assert " ".join(p.en.split()) in row
        assert " ".join(p.fr.split()) in row


def test_ruleset_page_shows_each_rule_beside_its_provisions() -> None:
    rs = load_ruleset("ontario")
    page = ruleset_markdown(rs)
    for rule in rs.rules:
        start = page.index(f'<h3 id="{rule.id}">')
        end = page.find("<h3 id=", start + 1)
        block = page[start : end if end != -1 else None]
        assert f"stratum {rule.stratum}" in block
        for pid in rule.cites:
            assert f"<code>{pid}</code>" in block
        encoded = to_text(rule.when).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert f"when {encoded}" in block, rule.id


@pytest.mark.parametrize("which", ["case", "assessment"])
def test_cli_schema_prints_the_committed_schema(which: str) -> None:
    result = CliRunner().invoke(main, ["schema", which])
    assert result.exit_code == 0
    assert result.output == (ROOT / "schemas" / f"{which}.schema.json").read_text(encoding="utf-8")


def test_cli_schema_defaults_to_case() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert json.loads(result.output)["title"] == "Case"


def test_case_schema_describes_the_contract() -> None:
    schema = json.loads(GENERATED["schemas/case.schema.json"])
    assert schema["required"] == ["case_id"]
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == set(Case.model_fields)


def test_assessment_schema_covers_a_real_assessment() -> None:
    schema = json.loads(GENERATED["schemas/assessment.schema.json"])
    dumped = assess({"case_id": "s-1", "client": {"withdrew": True}}).model_dump(mode="json")
    assert set(dumped) <= set(schema["properties"])
    assert set(schema["required"]) <= set(dumped)


def test_example_cases_and_their_assessments_validate_against_the_schemas() -> None:
    # jsonschema comes with the dev extras (through nbformat); the schemas are for other tools.
    jsonschema = pytest.importorskip("jsonschema")
    case_schema = json.loads(GENERATED["schemas/case.schema.json"])
    out_schema = json.loads(GENERATED["schemas/assessment.schema.json"])
    examples = sorted((ROOT / "examples").glob("scenario-*/*.json"))
    assert examples
    for path in examples:
        data = json.loads(path.read_text(encoding="utf-8"))
        jsonschema.validate(data, case_schema)
        jsonschema.validate(assess(data, lang="fr").model_dump(mode="json"), out_schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"case_id": "x", "services": {"neded": True}}, case_schema)
