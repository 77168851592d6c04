"""``compare``: one case, several colleges, the stricter answer (issue 15).

The combined verdict is the strictest of the rulesets' verdicts; safeguards, missing records and
findings are the union, each naming the rulesets that ask for it; an action is open only where
every ruleset declaring it allows it; differences list what one ruleset asks and another does
not. Properties check these against the separate assessments, so the comparison cannot drift
from ``assess``; the CLI, the JSON Schema and the HTML view are checked on the note's scenarios.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import conduct_rules
from conduct_rules import Case, Comparison, EditionError, assess, compare
from conduct_rules.cli.main import main
from conduct_rules.compare import STRICTNESS, combined_row
from conduct_rules.errors import ConductRulesError
from support.strategies import cases

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "examples").glob("scenario-*/*.json"))
PAIR = ("ontario", "crpo-6.3")


def _case(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@given(case=cases(), lang=st.sampled_from(["en", "fr"]))
def test_the_comparison_is_the_stricter_union(case: Case, lang: str) -> None:
    c = compare(case, PAIR, lang=lang)  # type: ignore[arg-type]
    each = {n: assess(case, ruleset=n, lang=lang) for n in PAIR}  # type: ignore[arg-type]
    assert c.assessments == each
    assert STRICTNESS[c.verdict] == max(STRICTNESS[a.verdict] for a in each.values())
    assert set(c.verdict_from) == {n for n, a in each.items() if a.verdict == c.verdict}
    for n, a in each.items():
        assert {s.id for s in a.required_safeguards} <= {
            s.id for s in c.safeguards if n in s.required_by
        }
        assert {s.id for s in a.outstanding_safeguards} <= {s.id for s in c.outstanding_safeguards}
        assert {d.id for d in a.missing_documentation} == {
            d.id for d in c.missing_documentation if n in d.required_by
        }
        assert {f.id for f in a.findings} == {f.id for f in c.findings if n in f.required_by}
    ends = {a.id: a for a in c.actions}["end_services"] if c.verdict != "not_permitted" else None
    assert (ends is not None and ends.permitted) == (c.verdict != "not_permitted")
    verdict_diff = [d for d in c.differences if d.kind == "verdict"]
    assert bool(verdict_diff) == (len({a.verdict for a in each.values()}) > 1)


@given(case=cases())
def test_one_ruleset_compares_to_its_own_assessment(case: Case) -> None:
    c = compare(case, ["crpo-6.3"])
    a = assess(case, ruleset="crpo-6.3")
    assert c.verdict == a.verdict
    assert c.differences == ()
    assert [s.id for s in c.safeguards] == [s.id for s in a.required_safeguards]


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_scenarios_compare_in_both_languages(path: Path, lang: str) -> None:
    c = compare(_case(path), lang=lang)  # type: ignore[arg-type]
    text = c.render_text()
    assert c.case_id in text
    head = "For both colleges" if lang == "en" else "Pour les deux ordres"
    assert head in text
    # Every outstanding item names the college asking for it, in the text.
    for s in c.outstanding_safeguards:
        assert f"{s.label}" in text
        assert all(n in PAIR for n in s.required_by)
    back = Comparison.model_validate_json(c.to_json())
    assert back == c


def test_scenario_2_ended_differs_between_colleges() -> None:
    """Scenario 2 ended by e-mail: Ontario permits it; CRPO finds the reasons not explained (the
    note's case does not record that they were, and the reading's default is false), so the
    stricter answer is not permitted. A case that says the file does not tell (null) waits on
    the step instead, with no finding."""
    data = _case(ROOT / "examples/scenario-2/3-ended-by-final-email.json")
    c = compare(data)
    assert [v.verdict for v in c.rulesets] == ["permitted", "not_permitted"]
    assert c.verdict == "not_permitted"
    assert c.verdict_from == ("crpo-6.3",)
    assert [f.id for f in c.findings] == ["reasons_not_communicated"]
    assert c.findings[0].required_by == ("crpo-6.3",)
    refer = {a.id: a for a in c.actions}["refer_client"]
    assert refer.required_by == ("crpo-6.3",)
    unknown = compare({**data, "client": {**data.get("client", {}), "informed_of_reasons": None}})
    assert unknown.verdict == "conditional"
    assert unknown.findings == ()
    reasons = {s.id: s for s in unknown.safeguards}["reasons_communicated"]
    assert (reasons.status, reasons.required_by) == ("outstanding", ("crpo-6.3",))


def test_the_json_fits_the_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "schemas/comparison.schema.json").read_text(encoding="utf-8"))
    for path in SCENARIOS:
        jsonschema.validate(json.loads(compare(_case(path)).to_json()), schema)


def test_bad_ruleset_lists_are_refused() -> None:
    case = {"case_id": "X-1"}
    with pytest.raises(ConductRulesError, match="list of names"):
        compare(case, "ontario")
    with pytest.raises(ConductRulesError, match="at least one"):
        compare(case, [])
    with pytest.raises(ConductRulesError, match="twice"):
        compare(case, ["ontario", "ontario"])
    with pytest.raises(ConductRulesError, match="no ruleset named"):
        compare(case, ["ontario", "nope"])
    with pytest.raises(ConductRulesError, match="its own record"):
        compare(case, ["ontario", str(ROOT / "benchmarks/rulesets/bench8-flat")])
    with pytest.raises(ConductRulesError, match="lang"):
        compare(case, lang="de")  # type: ignore[arg-type]


def test_as_of_is_passed_to_every_ruleset() -> None:
    case = {"case_id": "X-1"}
    assert compare(case, as_of=dt.date(2024, 1, 1)).verdict
    with pytest.raises(EditionError, match=r"crpo-6\.3.*2024-01-01"):
        compare(case, as_of=dt.date(2023, 12, 31))


def test_a_bad_case_names_the_field_never_the_value() -> None:
    with pytest.raises(ConductRulesError) as info:
        compare({"case_id": "X-1", "member": {"good_faith": "SECRET-VALUE"}})
    assert "member.good_faith" in str(info.value)
    assert "SECRET-VALUE" not in str(info.value)


def test_html_is_escaped_and_side_by_side() -> None:
    c = compare({"case_id": "<script>alert(1)</script>"})
    html = c._repr_html_()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert html.count('class="conduct-rules"') == 2  # one assessment per college


def test_combined_row_has_per_college_columns() -> None:
    data = _case(ROOT / "examples/scenario-2/3-ended-by-final-email.json")
    data["client"] = {**data.get("client", {}), "informed_of_reasons": False}
    c = compare(data)
    row = combined_row(c)
    assert row["verdict"] == "not_permitted"
    assert row["ontario.verdict"] == "permitted"
    assert row["crpo-6.3.verdict"] == "not_permitted"
    assert row["crpo-6.3.findings"] == ["reasons_not_communicated"]
    assert row["verdict_from"] == ["crpo-6.3"]


def test_public_names() -> None:
    for name in ("compare", "Comparison", "EditionError", "EditionRef", "Difference"):
        assert name in conduct_rules.__all__


# ----------------------------------------------------------------------------------- CLI


def _cli(*args: str) -> Any:
    return CliRunner().invoke(main, ["compare", *args])


def test_cli_formats() -> None:
    path = str(ROOT / "examples/scenario-3/2-after-threats.json")
    text = _cli(path, "--lang", "fr")
    assert text.exit_code == 0, text.output
    assert "Pour les deux ordres" in text.output
    js = _cli(path, "--format", "json", "--rulesets", "ontario,crpo-6.3")
    assert js.exit_code == 0
    assert Comparison.model_validate_json(js.output).verdict == "not_permitted"
    html = _cli(path, "--format", "html")
    assert html.exit_code == 0
    assert html.output.startswith("<!DOCTYPE html>")
    assert "Content-Security-Policy" in html.output


def test_cli_refusals_are_one_line_exit_2(tmp_path: Path) -> None:
    path = str(ROOT / "examples/scenario-1/1-before-notice.json")
    old = _cli(path, "--as-of", "2020-01-01")
    assert old.exit_code == 2
    assert "does not apply on 2020-01-01" in old.output
    unknown = _cli(path, "--rulesets", "ontario,nope")
    assert unknown.exit_code == 2
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"case_id": "B", "client": {"informed_of_reasons": "SECRET"}}))
    res = _cli(str(bad))
    assert res.exit_code == 2
    assert "client.informed_of_reasons" in res.output
    assert "SECRET" not in res.output
