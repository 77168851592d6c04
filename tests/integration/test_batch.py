"""Batch assessment: every input row accounted for, rows that agree with ``assess``, in order.

Inputs: mappings, JSON Lines, CSV (strict cells), DataFrames. Bad rows become rejections with
their 1-based row number and field error and never abort the batch; a value from a bad row never
reaches any output (privacy). The summary's counts are checked against the rows themselves.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conduct_rules import (
    AuditResult,
    AuditRow,
    ConductRulesError,
    InputError,
    assess,
    assess_many,
    durable_available,
    records_from_csv,
    records_from_dataframe,
    records_from_file,
    records_from_jsonl,
)
from conduct_rules.api import get_ruleset
from conduct_rules.audit.runner import RowAssessor
from conduct_rules.audit.sample import sample_cases
from conduct_rules.rules.flat import CSV_COLUMNS, flatten_case

SENTINEL = "Zq7-SECRET-Jane-Doe"  # a client value that must never be echoed anywhere


def _expected(case: dict[str, Any], backend: str = "python") -> tuple[Any, ...]:
    a = assess(case, backend=backend)
    return (
        a.case_id,
        a.verdict,
        a.termination_required,
        tuple(s.id for s in a.outstanding_safeguards),
        tuple(d.id for d in a.missing_documentation),
        tuple(f.id for f in a.findings),
        tuple(w.id for w in a.warnings),
    )


def _got(r: AuditRow) -> tuple[Any, ...]:
    return (
        r.case_id,
        r.verdict,
        r.termination_required,
        r.outstanding_safeguards,
        r.missing_documentation,
        r.findings,
        r.warnings,
    )


def _write_csv(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None) -> Path:
    cols = columns or [c for c in CSV_COLUMNS if any(c in r for r in rows)]
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols, extrasaction="raise")
        w.writeheader()
        w.writerows(rows)
    return path


# --------------------------------------------------------------------------------------------
# Rows agree with assess()


@given(seed=st.integers(0, 10_000))
def test_rows_agree_with_assess(seed: int) -> None:
    cases = list(sample_cases(25, seed=seed))
    rows = list(assess_many(cases, backend="python", workers=1))
    assert [r.row for r in rows] == list(range(1, 26))
    for case, r in zip(cases, rows, strict=True):
        assert r.status == "assessed"
        assert _got(r) == _expected(case)


def test_every_backend_gives_the_same_rows() -> None:
    cases = list(sample_cases(300, seed=11, invalid_share=0.05))
    reference = list(assess_many(cases, backend="python", workers=1))
    backends = ["fast"] + (["durable_rules"] if durable_available() else [])
    for backend in backends:
        result = assess_many(cases, backend=backend, workers=1)
        assert list(result) == reference, backend
        assert result.engine == backend


def test_auto_backend_prefers_fast() -> None:
    assert assess_many([{"case_id": "x"}]).engine == "fast"


# --------------------------------------------------------------------------------------------
# Mappings: bad rows accounted for


def test_bad_rows_are_rejected_with_row_number_and_field() -> None:
    records: list[Any] = [
        {"case_id": "A"},
        {"case_id": "B", "services": {"needed": "yes"}},
        "not an object",
        {"services": {"needed": True}},
        {"case_id": "E", "stage": "finished"},
        {"case_id": "F", "services": {"neded": True}},
        {"case_id": "G"},
    ]
    rows = list(assess_many(records, workers=1))
    assert [r.row for r in rows] == [1, 2, 3, 4, 5, 6, 7]
    assert [r.status for r in rows] == ["assessed"] + ["rejected"] * 5 + ["assessed"]
    by_row = {r.row: r for r in rows}
    assert by_row[2].error_field == "services.needed"
    assert by_row[2].case_id == "B"  # a valid identifier is shown, never a value
    assert by_row[3].error_field == "(case)"
    assert by_row[4].error_field == "case_id"
    assert by_row[4].case_id is None
    assert by_row[5].error_field == "stage"
    assert "considering" in (by_row[5].error or "")  # allowed values are named
    assert by_row[6].error == "services.neded: unknown field"


def test_an_engine_failure_on_one_row_does_not_abort(monkeypatch: pytest.MonkeyPatch) -> None:
    assessor = RowAssessor(get_ruleset(), "python")

    class Boom:
        name = "python"

        def evaluate(self, ruleset: Any, case: Any) -> Any:
            if case.case_id == "bad":
                raise ZeroDivisionError(SENTINEL)
            return real.evaluate(ruleset, case)

    real = assessor.backend
    monkeypatch.setattr(assessor, "backend", Boom())
    rows = [assessor.assess(i, {"case_id": cid}) for i, cid in enumerate(["a", "bad", "c"], 1)]
    assert [r.status for r in rows] == ["assessed", "rejected", "assessed"]
    assert rows[1].error == "(engine): internal error (ZeroDivisionError)"
    assert SENTINEL not in repr(rows)


# --------------------------------------------------------------------------------------------
# JSON Lines


def test_jsonl_rows_are_line_numbers_and_bad_lines_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"case_id": "A", "client": {"withdrew": True}}),
        "",  # blank: not a record, but still a line
        '{"case_id": "B", "services": {',  # truncated
        "[1, 2]",
        json.dumps({"case_id": "C", "alternatives": {"providers_offered": -2}}),
        json.dumps({"case_id": "D"}),
    ]
    path.write_bytes(("\n".join(lines) + "\n").encode() + b'{"case_id": "\xff"}\n')
    rows = list(assess_many(records_from_jsonl(path), workers=1))
    assert [(r.row, r.status) for r in rows] == [
        (1, "assessed"),
        (3, "rejected"),
        (4, "rejected"),
        (5, "rejected"),
        (6, "assessed"),
        (7, "rejected"),
    ]
    assert rows[1].error_field == "(line)"
    assert rows[2].error_field == "(case)"
    assert rows[3].error == "alternatives.providers_offered: must not be negative"
    assert rows[5].error_field == "(line)"  # not UTF-8


def test_jsonl_stream_is_read_once(tmp_path: Path) -> None:
    data = b'{"case_id": "A"}\n{"case_id": "B"}\n'
    result = assess_many(records_from_jsonl(io.BytesIO(data)), workers=1, keep_rows=0)
    assert [r.case_id for r in result] == ["A", "B"]
    with pytest.raises(ConductRulesError, match="cannot be read again"):
        list(result)


def test_results_are_kept_or_recomputed(tmp_path: Path) -> None:
    cases = list(sample_cases(50, seed=3))
    kept = assess_many(cases, workers=1)
    assert list(kept) == list(kept)
    recomputed = assess_many(cases, workers=1, keep_rows=10)
    assert list(recomputed) == list(recomputed) == list(kept)
    assert recomputed.summary == kept.summary


def test_file_format_is_chosen_by_extension(tmp_path: Path) -> None:
    (tmp_path / "a.ndjson").write_text('{"case_id": "A"}\n')
    assert [r.case_id for r in assess_many(records_from_file(tmp_path / "a.ndjson"))] == ["A"]
    with pytest.raises(InputError, match="input format"):
        records_from_file(tmp_path / "a.txt")
    with pytest.raises(InputError, match="no such file"):
        records_from_file(tmp_path / "missing.jsonl")
    (tmp_path / "a.txt").write_text("case_id\nA\n")
    assert [r.case_id for r in assess_many(records_from_file(tmp_path / "a.txt", "csv"))] == ["A"]


# --------------------------------------------------------------------------------------------
# CSV


@given(seed=st.integers(0, 10_000))
def test_csv_round_trip_gives_the_same_rows(seed: int) -> None:
    cases = list(sample_cases(20, seed=seed))
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(CSV_COLUMNS))
    w.writeheader()
    w.writerows(flatten_case(c) for c in cases)
    from_csv = list(assess_many(records_from_csv(io.BytesIO(buf.getvalue().encode())), workers=1))
    assert from_csv == list(assess_many(cases, workers=1))


def test_csv_cells_are_strict(tmp_path: Path) -> None:
    good = {"case_id": "A", "services.needed": "FALSE", "client.withdrew": "true"}
    rows = [
        good,
        {"case_id": "B", "services.needed": "yes"},
        {"case_id": "C", "services.needed": "1"},
        {"case_id": "D", "alternatives.providers_offered": "3.0"},
        {"case_id": "E", "alternatives.providers_offered": "2", "alternatives.notice_days": ""},
        {"case_id": "F", "documented": '["decision_rationale"]'},
        {"case_id": "G", "documented": "decision_rationale"},
        {
            "case_id": "H",
            "termination_session.attempts": '[{"channel": "x", "date": "2024-01-01"}]',
        },
        {"case_id": "I", "services.needed": " true"},
    ]
    path = _write_csv(tmp_path / "in.csv", rows)
    out = {r.case_id: r for r in assess_many(records_from_csv(path), workers=1)}
    assert out["A"].status == "assessed"
    assert out["A"].verdict == assess({"case_id": "A", "services": {"needed": False}}).verdict
    for cid, field, message in (
        ("B", "services.needed", "expected true or false"),
        ("C", "services.needed", "expected true or false"),
        ("D", "alternatives.providers_offered", "expected a whole number"),
        ("G", "documented", "expected a JSON list"),
        ("H", "termination_session.attempts.0.channel", "expected one of"),
        ("I", "services.needed", "expected true or false"),
    ):
        assert out[cid].status == "rejected", cid
        assert out[cid].error_field == field, cid
        assert message in (out[cid].error or ""), cid
    assert out["E"].status == "assessed"
    assert out["F"].status == "assessed"
    assert "decision_rationale" not in out["F"].missing_documentation


def test_csv_unknown_column_rejects_rows_that_use_it(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("case_id,services.neded,services\nA,,\nB,true,\nC,,x\n", encoding="utf-8")
    rows = list(assess_many(records_from_csv(path), workers=1))
    assert [r.status for r in rows] == ["assessed", "rejected", "rejected"]
    assert rows[1].error == "services.neded: unknown column"
    assert rows[2].error_field == "services"
    assert "dotted columns" in (rows[2].error or "")


def test_csv_row_shape_and_header_errors(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("case_id,stage\nA,ended\nB\nC,ended,extra\n\nD,ended\n", encoding="utf-8")
    rows = list(assess_many(records_from_csv(path), workers=1))
    assert [(r.row, r.status) for r in rows] == [
        (1, "assessed"),
        (2, "rejected"),
        (3, "rejected"),
        (4, "assessed"),
    ]
    assert rows[1].error == "(row): has 1 cells; the header has 2"
    (tmp_path / "dup.csv").write_text("case_id,case_id\nA,A\n")
    with pytest.raises(InputError, match="repeats the column"):
        records_from_csv(tmp_path / "dup.csv")


def test_csv_byte_order_mark_and_bad_bytes(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(b"\xef\xbb\xbfcase_id,stage\nA,ended\nB\xff,ended\n")
    rows = list(assess_many(records_from_csv(path), workers=1))
    assert rows[0].status == "assessed"
    assert rows[1].error == "case_id: not valid UTF-8 text"


# --------------------------------------------------------------------------------------------
# DataFrame


def test_dataframe_from_json_normalize_gives_the_same_rows() -> None:
    pd = pytest.importorskip("pandas")
    cases = list(sample_cases(200, seed=5, invalid_share=0.05))
    frame = pd.json_normalize(cases)
    assert any(frame.dtypes == "float64")  # integer columns with gaps: pandas' floats
    from_frame = list(assess_many(frame, workers=1))
    # A misspelt field is an "unknown column" in a table, an "unknown field" in a mapping.
    assert [r._replace(error=None) for r in from_frame] == [
        r._replace(error=None) for r in assess_many(cases, workers=1)
    ]


def test_dataframe_native_values() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "case_id": [101, 102, 103, 104],
            "services.needed": [True, None, "true", True],
            "alternatives.providers_offered": [2.0, float("nan"), 1.0, 1.5],
            "documented": [["decision_rationale"], None, "[]", ()],
            "client": [{"withdrew": True}, None, None, None],
        }
    )
    rows = list(assess_many(records_from_dataframe(frame), workers=1))
    assert [r.case_id for r in rows[:2]] == ["101", "102"]
    assert [r.status for r in rows] == ["assessed", "assessed", "rejected", "rejected"]
    assert rows[2].error_field == "services.needed"
    assert rows[3].error_field == "alternatives.providers_offered"


# --------------------------------------------------------------------------------------------
# Order, processes, summary


def test_order_is_preserved_with_worker_processes() -> None:
    cases = list(sample_cases(3_500, seed=9, invalid_share=0.02))
    single = list(assess_many(cases, workers=1))
    pooled = list(assess_many(cases, workers=2))
    assert pooled == single
    assert [r.row for r in pooled] == list(range(1, 3_501))


@pytest.mark.skipif(not durable_available(), reason="durable_rules not importable here")
def test_durable_rules_in_worker_processes() -> None:
    cases = list(sample_cases(1_200, seed=10))
    pooled = list(assess_many(cases, workers=2, backend="durable_rules"))
    assert pooled == list(assess_many(cases, workers=1, backend="python"))


def test_summary_counts_match_the_rows() -> None:
    cases = list(sample_cases(1_000, seed=12, invalid_share=0.05))
    result = assess_many(cases, workers=1)
    rows = list(result)
    s = result.summary
    assessed = [r for r in rows if r.status == "assessed"]
    assert s.total == 1_000 == s.assessed + s.rejected
    assert s.rejected == sum(r.status == "rejected" for r in rows) > 0
    assert dict(s.verdicts) == {
        v: sum(r.verdict == v for r in assessed)
        for v in ("not_permitted", "conditional", "permitted")
    }
    for attr, field in (
        ("findings", "findings"),
        ("outstanding_safeguards", "outstanding_safeguards"),
        ("missing_documentation", "missing_documentation"),
    ):
        counted: Counter[str] = Counter(i for r in assessed for i in getattr(r, field))
        summary = getattr(s, attr)
        assert {k: v for k, v in summary.items() if v} == dict(counted)
    rs = get_ruleset()
    assert list(s.findings) == list(rs.outputs.findings)  # every id listed, zero or not
    assert s.needs_attention == sum(result.needs_attention(r) for r in rows)
    assert s.rejected_fields == dict(Counter(r.error_field for r in rows if r.error_field))


def test_needs_attention() -> None:
    result = assess_many([{"case_id": "x"}], workers=1)
    base = AuditRow(1, "x", "assessed", "permitted", False)
    assert not result.needs_attention(base)
    assert result.needs_attention(base._replace(verdict="not_permitted"))
    assert result.needs_attention(base._replace(findings=("disclosure_without_consent",)))
    assert result.needs_attention(base._replace(outstanding_safeguards=("legal_advice",)))
    assert not result.needs_attention(base._replace(outstanding_safeguards=("several_referrals",)))


# --------------------------------------------------------------------------------------------
# Outputs and privacy


def _outputs(result: AuditResult) -> Iterator[str]:
    yield result.to_jsonl() or ""
    yield result.to_csv() or ""
    yield result.to_html() or ""
    yield result._repr_html_()
    yield result.summary_table().to_csv()
    yield result.to_dataframe().to_csv()
    yield repr(result.summary)


def test_a_value_from_a_bad_row_never_reaches_any_output(tmp_path: Path) -> None:
    records = [
        {"case_id": "A", "services": {"needed": SENTINEL}},
        {"case_id": "B", "stage": SENTINEL},
        {"case_id": "C", "alternatives": {"providers_offered": SENTINEL}},
        {"case_id": "D", "termination_session": {"attempts": [{"channel": SENTINEL}]}},
        {"case_id": "E", "documented": [SENTINEL]},
        {
            "case_id": "F",
            "termination_session": {"attempts": [{"channel": "email", "date": SENTINEL}]},
        },
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + f'\n{{"case_id": "{SENTINEL}\n')
    result = assess_many(records_from_jsonl(path), workers=1)
    assert result.summary.rejected == len(records) + 1
    for text in _outputs(result):
        assert SENTINEL not in text
    csv_path = _write_csv(
        tmp_path / "in.csv", [{"case_id": "A", "services.needed": SENTINEL, "documented": SENTINEL}]
    )
    result = assess_many(records_from_csv(csv_path), workers=1)
    assert result.summary.rejected == 1
    for text in _outputs(result):
        assert SENTINEL not in text


def test_outputs_have_one_record_per_row_in_order() -> None:
    cases = list(sample_cases(300, seed=13, invalid_share=0.1))
    result = assess_many(cases, workers=1)
    lines = (result.to_jsonl() or "").splitlines()
    assert [json.loads(line)["row"] for line in lines] == list(range(1, 301))
    assert [json.loads(line) for line in lines] == [r.as_dict() for r in result]
    table = list(csv.DictReader(io.StringIO(result.to_csv() or "")))
    assert [int(t["row"]) for t in table] == list(range(1, 301))
    first = next(r for r in result if r.outstanding_safeguards)
    assert table[first.row - 1]["outstanding_safeguards"] == ";".join(first.outstanding_safeguards)
    frame = result.to_dataframe()
    assert list(frame["row"]) == list(range(1, 301))


def test_html_is_escaped_and_self_contained() -> None:
    cases = [
        {"case_id": "<script>alert(1)</script>"},
        {"case_id": "ok", "stage": "ended", "transfer": {"summary_to_new_provider": True}},
        {"case_id": 'x" onerror="y', "services": {"needed": 3}},
    ]
    result = assess_many(cases, workers=1, lang="fr")
    page = result.to_html() or ""
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'onerror="' not in page
    assert "Content-Security-Policy" in page
    assert "http://" not in page
    assert "https://" not in page
    assert 'src="data:image/png;base64,' in page
    assert "disclosure_without_consent" in page  # a case needing attention is listed
    assert "note-scenario-1" in page  # with its citation
    fragment = result._repr_html_()
    assert "<script" not in fragment
    assert "body{" not in fragment  # notebook styles are scoped, never page-wide


def test_assessment_repr_html_escapes() -> None:
    html = assess({"case_id": "<b>x</b>", "court_order": {"applies": True}})._repr_html_()
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "legal_advice" not in html or "Legal advice" in html
    assert "Legal advice about the court order" in html


def test_plot_has_three_panels() -> None:
    pytest.importorskip("matplotlib")
    fig = assess_many(list(sample_cases(100, seed=1)), workers=1).plot()
    assert len(fig.axes) == 3


def test_summary_table() -> None:
    pytest.importorskip("pandas")
    result = assess_many(list(sample_cases(200, seed=2, invalid_share=0.1)), workers=1)
    table = result.summary_table()
    assert list(table.columns) == ["kind", "id", "label", "count", "percent", "citations"]
    rows = table.set_index(["kind", "id"])
    assert rows.loc[("rows", "rejected"), "count"] == result.summary.rejected
    assert rows.loc[("finding", "discontinued_needed_services"), "citations"]


def test_assess_many_refuses_a_path_or_bad_options() -> None:
    with pytest.raises(ConductRulesError, match="records_from_file"):
        assess_many("cases.jsonl")  # type: ignore[arg-type]
    with pytest.raises(ConductRulesError, match="workers"):
        assess_many([], workers=0)
    with pytest.raises(ConductRulesError, match="backend"):
        assess_many([], backend="nope")
