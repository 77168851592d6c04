"""A ruleset with its own flat record (``record:`` in ruleset.yaml) works end to end.

``benchmarks/rulesets/bench8-flat`` declares the benchmark page's flat records as its case
vocabulary. These tests pin what the format promises: the record is as strict as ``Case``
(unknown, missing, mistyped and out-of-range fields are errors naming the field, never the value),
every backend reads it and agrees with the page's own function, batches of mappings, JSON Lines,
CSV and process pools read it, explanations name its fields in both languages, and a ``Case`` and
a record are never mistaken for each other.
"""

from __future__ import annotations

import io
import json
import pickle
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from conduct_rules import (
    Case,
    CaseValidationError,
    assess,
    assess_many,
    durable_available,
    explain,
    load_ruleset,
    records_from_csv,
    records_from_jsonl,
)
from conduct_rules.api import get_backend
from conduct_rules.cli.main import main
from conduct_rules.engines.fast import FastBackend
from conduct_rules.rules.record import Record
from support.bench8_page import FLAGS, page
from support.profiles import examples

ROOT = Path(__file__).resolve().parents[2]
FLAT = ROOT / "benchmarks" / "rulesets" / "bench8-flat"
RS = load_ruleset(FLAT)
BACKENDS = ["fast", "python", *(["durable_rules"] if durable_available() else [])]


records = st.fixed_dictionaries(
    {"case_id": st.just("R-1"), **{f: st.booleans() for f in FLAGS},
     "session_attempts": st.integers(0, 4)}
)  # fmt: skip


def test_the_ruleset_reads_its_record() -> None:
    assert not RS.vocabulary.is_case
    assert set(RS.vocabulary.fields) == {*FLAGS, "session_attempts"}
    assert set(RS.feature_keys) == {*FLAGS, "session_attempts"}
    assert issubclass(RS.vocabulary.model, Record)


@settings(max_examples=examples(300), deadline=None)
@given(records)
def test_every_backend_agrees_with_the_page(r: dict[str, Any]) -> None:
    """Differential: the page's function, three backends, the audit summary — all the same."""
    record = RS.vocabulary.parse(r)
    want = page(r)
    for name in BACKENDS:
        ev = get_backend(name).evaluate(RS, record)
        got = {k[8:] for k, v in ev.facts.items() if k.startswith("finding.") and v}
        assert got == want, name
    assert set(FastBackend().summarize(RS, record).findings) == want
    if r["terminating"]:  # an assessment has a verdict only when the services end
        dumps = {
            name: assess(r, ruleset=RS, backend=name).model_dump(exclude={"engine"})
            for name in BACKENDS
        }
        assert all(d == dumps["python"] for d in dumps.values())
        assert {f["id"] for f in dumps["python"]["findings"]} == want
        assert dumps["python"]["warnings"] == ()  # contradiction checks speak of ``Case`` only


def _record(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"case_id": "R-2", **dict.fromkeys(FLAGS, False), "session_attempts": 0}
    return base | changes


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"needed": "yes"}, "needed", "expected true or false"),
        ({"needed": 1}, "needed", "expected true or false"),
        ({"session_attempts": 5}, "session_attempts", "must be at most 4"),
        ({"session_attempts": -1}, "session_attempts", "must not be negative"),
        ({"session_attempts": True}, "session_attempts", "expected a whole number"),
        ({"services": {"needed": True}}, "services", "unknown field"),
        ({"case_id": " "}, "case_id", "case_id must not be blank"),
    ],
)
def test_the_record_is_strict_and_names_only_the_field(
    changes: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(CaseValidationError) as info:
        assess(_record(**changes), ruleset=RS)
    assert info.value.errors[0] == (field, message)
    assert "yes" not in str(info.value)


def test_a_field_without_default_is_required() -> None:
    data = _record()
    del data["threats"]
    with pytest.raises(CaseValidationError) as info:
        assess(data, ruleset=RS)
    assert info.value.errors == [("threats", "field required")]


def test_a_case_and_a_record_are_not_mistaken_for_each_other() -> None:
    with pytest.raises(CaseValidationError, match="this ruleset reads a flat record"):
        assess(Case(case_id="C-1"), ruleset=RS)
    with pytest.raises(CaseValidationError, match="this ruleset reads a Case"):
        assess(RS.vocabulary.parse(_record()))
    with pytest.raises(CaseValidationError, match="unknown field"):
        assess(_record())  # the Ontario ruleset reads a Case


def test_a_record_from_another_load_of_the_folder_is_accepted() -> None:
    """Each load builds its model class; a record of an earlier load is checked, not refused."""
    again = load_ruleset(FLAT)
    assert again.vocabulary.model is not RS.vocabulary.model
    assert again.vocabulary == RS.vocabulary
    record = RS.vocabulary.parse(_record(terminating=True))
    assert assess(record, ruleset=again) == assess(record, ruleset=RS)


def test_the_ruleset_pickles_with_its_record() -> None:
    """A process-pool worker receives the ruleset and rebuilds the record model."""
    back = pickle.loads(pickle.dumps(RS))
    assert back == RS
    assert back.vocabulary.parse(_record()).session_attempts == 0


def test_batches_read_records_from_every_source(tmp_path: Path) -> None:
    good = _record(case_id="B-1", terminating=True, needed=True)
    rows = [good, _record(case_id="B-2", needed="no"), _record(case_id="B-3", extra=1)]
    result = assess_many(rows, ruleset=RS, workers=1)
    got = [(r.row, r.status, r.error_field) for r in result]
    assert got == [(1, "assessed", None), (2, "rejected", "needed"), (3, "rejected", "extra")]
    assert next(iter(result)).findings == ("misconduct_2_8", "missing_doc_rationale")

    jsonl = "\n".join(json.dumps(r) for r in rows).encode()
    from_jsonl = assess_many(records_from_jsonl(io.BytesIO(jsonl)), ruleset=RS, workers=1)
    assert [r.as_dict() for r in from_jsonl] == [r.as_dict() for r in result]

    header = list(good)
    lines = [",".join(header)]
    for r in rows[:2]:
        lines.append(",".join(str(r[k]).lower() for k in header))
    lines.append(",".join(str(good[k]).lower() for k in header) + ",1")
    path = tmp_path / "flat.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    from_csv = list(assess_many(records_from_csv(path), ruleset=RS, workers=1))
    assert [r.status for r in from_csv] == ["assessed", "rejected", "rejected"]
    assert from_csv[0].findings == ("misconduct_2_8", "missing_doc_rationale")
    assert from_csv[1].error_field == "needed"


def test_a_process_pool_reads_records() -> None:
    rows = [_record(case_id=f"P-{i}", terminating=True, needed=bool(i % 2)) for i in range(40)]
    pooled = [r.as_dict() for r in assess_many(rows, ruleset=RS, workers=2)]
    here = [r.as_dict() for r in assess_many(rows, ruleset=RS, workers=1)]
    assert pooled == here
    assert all(r["status"] == "assessed" for r in pooled)


@pytest.mark.parametrize(
    ("lang", "label"),
    [("en", "the services are being ended"), ("fr", "les services prennent fin")],
)
def test_explanations_name_the_record_fields(lang: str, label: str) -> None:
    result = explain(_record(terminating=True), ruleset=RS, lang=lang)  # type: ignore[arg-type]
    assert label in json.dumps(result.model_dump(), ensure_ascii=False)


def test_cli_reads_a_record_with_its_ruleset(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps(_record(terminating=True, needed=True)), encoding="utf-8")
    args = ["assess", str(path), "--ruleset", str(FLAT), "--format", "json"]
    out = CliRunner().invoke(main, args)
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["verdict"] == "not_permitted"
    wrong = CliRunner().invoke(main, ["assess", str(path)])
    assert wrong.exit_code == 2
    assert "unknown field" in wrong.output


def test_schema_command_prints_the_record() -> None:
    out = CliRunner().invoke(main, ["schema", "--ruleset", str(FLAT)])
    assert out.exit_code == 0, out.output
    schema = json.loads(out.output)
    assert set(schema["properties"]) == {"case_id", *FLAGS, "session_attempts"}
    assert schema["additionalProperties"] is False
    assert schema["properties"]["session_attempts"]["maximum"] == 4
    assert "threats" in schema["required"]


def test_counterfactuals_work_over_a_record(tmp_path: Path) -> None:
    """Levers name record fields and are typed against them; ``what_would_permit`` applies them
    to the record and validates the result with the record's own model."""
    import shutil

    from conduct_rules import RulesetError, what_would_permit

    folder = tmp_path / "flat-levers"
    shutil.copytree(FLAT, folder)
    levers = """
actionable: [alt_efforts, documented_rationale]
levers:
  alt_efforts:
    - {id: seek-alternatives, set: true, cites: [bench8-page], en: Seek alternatives., fr: Chercher des solutions de rechange.}
  documented_rationale:
    - {id: record-rationale, set: true, cites: [bench8-page], en: Record the rationale., fr: Consigner la justification.}
"""  # noqa: E501
    header = folder / "ruleset.yaml"
    header.write_text(header.read_text(encoding="utf-8") + levers, encoding="utf-8")
    rs = load_ruleset(folder)
    record = _record(terminating=True, needed=True)
    assert assess(record, ruleset=rs).verdict == "not_permitted"
    sets = what_would_permit(record, ruleset=rs)
    assert [[c.lever for c in s.changes] for s in sets] == [["seek-alternatives"]]
    assert sets[0].verdict_after == "permitted"

    text = header.read_text(encoding="utf-8")
    header.write_text(text.replace("set: true, cites: [bench8-page], en: Seek", "set: 3, cites: [bench8-page], en: Seek"), encoding="utf-8")  # noqa: E501
    with pytest.raises(RulesetError, match="does not fit 'alt_efforts'"):
        load_ruleset(folder)


def test_a_folder_is_loaded_once_until_a_file_changes(tmp_path: Path) -> None:
    """``assess(..., ruleset=folder)`` in a loop reuses the loaded ruleset; an edit reloads it."""
    import os
    import shutil

    from conduct_rules.api import get_ruleset

    folder = tmp_path / "flat"
    shutil.copytree(FLAT, folder)
    first = get_ruleset(str(folder))
    assert get_ruleset(folder) is first
    outputs = folder / "outputs.yaml"
    text = outputs.read_text(encoding="utf-8")
    edited = text.replace("Benchmark verdict when R1 fires.", "EDITED.")
    outputs.write_text(edited, encoding="utf-8")
    st = outputs.stat()
    os.utime(outputs, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))  # a coarse clock
    again = get_ruleset(str(folder))
    assert again is not first
    record = _record(terminating=True, needed=True)
    assert assess(record, ruleset=str(folder)).verdict_explanation == "EDITED."
