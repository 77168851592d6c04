"""Inputs as auditors have them: CSV dialects and encodings, stdin of either format, gzip, Parquet.

Every story ends the same way: one output row per input record, in order, and the same rows as
the plain comma-separated UTF-8 file gives.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings

from conduct_rules import assess_many, records_from_csv, records_from_file
from conduct_rules.audit.csvread import CsvReader
from conduct_rules.audit.sample import sample_cases
from conduct_rules.cli.main import main
from conduct_rules.model.version import SCHEMA_VERSION
from conduct_rules.rules.flat import CSV_COLUMNS, flatten_case
from support.profiles import examples
from support.strategies import csv_tables

N = 60


def _run(*args: str, stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(main, ["audit", *args], input=stdin)


def _cases() -> list[dict[str, Any]]:
    return list(sample_cases(N, seed=31, invalid_share=0.1))


def _csv_text(delimiter: str = ",", cases: list[dict[str, Any]] | None = None) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(
        buf, fieldnames=list(CSV_COLUMNS), delimiter=delimiter, extrasaction="ignore"
    )
    w.writeheader()
    w.writerows(flatten_case(c) for c in (cases or _cases()))
    return buf.getvalue()


def _rows(result: Result) -> list[dict[str, Any]]:
    assert result.exit_code in (0, 1), result.stderr
    return [json.loads(x) for x in result.stdout.splitlines()]


@pytest.fixture(scope="module")
def expected() -> list[dict[str, Any]]:
    return [
        r.as_dict()
        for r in assess_many(records_from_csv(io.BytesIO(_csv_text().encode())), workers=1)
    ]


@pytest.mark.parametrize(
    ("delimiter", "encoding", "bom"),
    [(";", "utf-8", True), ("\t", "utf-8", False), (";", "cp1252", False), (",", "utf-8", True)],
)
def test_csv_dialects_and_encodings_give_the_same_rows(
    tmp_path: Path, expected: list[dict[str, Any]], delimiter: str, encoding: str, bom: bool
) -> None:
    data = _csv_text(delimiter).encode(encoding)
    path = tmp_path / "in.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    args = ["--encoding", encoding] if encoding != "utf-8" else []
    assert _rows(_run(str(path), "--workers", "1", *args)) == expected


def test_semicolon_excel_export_with_decimal_comma_and_accents(tmp_path: Path) -> None:
    text = (
        "case_id;stage;alternatives.notice_days;alternatives.providers_offered\r\n"
        "Dossier-é;ended;14,0;2\r\n"
        "B;ended;14,5;2\r\n"
        "C;ended;14.0;2\r\n"
    )
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode("cp1252"))
    rows = _rows(_run(str(path), "--encoding", "cp1252", "--workers", "1"))
    assert [(r["case_id"], r["status"]) for r in rows] == [
        ("Dossier-é", "assessed"),
        ("B", "rejected"),
        ("C", "rejected"),
    ]
    assert rows[1]["error"] == "alternatives.notice_days: expected a whole number"
    # Read as UTF-8, the accented byte is a rejection naming the field, not a crash.
    rows = _rows(_run(str(path), "--workers", "1"))
    assert rows[0]["error_field"] == "case_id"


def test_unknown_or_unsupported_encoding_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("case_id\nA\n")
    for enc, message in (("klingon", "unknown encoding"), ("utf-16", "not supported")):
        result = _run(str(path), "--encoding", enc)
        assert result.exit_code == 2
        assert message in result.stderr


def test_cr_only_line_ends_are_records(tmp_path: Path) -> None:
    path = tmp_path / "mac.csv"
    path.write_bytes(b'case_id,stage\rA,ended\rB,"two\rlines"\rC,ended\r')
    rows = _rows(_run(str(path), "--workers", "1"))
    assert [(r["row"], r["case_id"]) for r in rows] == [(1, "A"), (2, "B"), (3, "C")]
    assert rows[1]["error_field"] == "stage"


def test_stdin_csv_is_detected(expected: list[dict[str, Any]]) -> None:
    data = _csv_text(";").encode()
    assert _rows(_run("-", "--workers", "1", stdin=data)) == expected


def test_stdin_jsonl_is_detected() -> None:
    data = b'\xef\xbb\xbf{"case_id": "A"}\n{"case_id": 1}\n'
    rows = _rows(_run("-", "--workers", "1", stdin=data))
    assert [r["status"] for r in rows] == ["assessed", "rejected"]


def test_stdin_of_unknown_format_says_what_to_pass() -> None:
    result = _run("-", stdin=b"hello world\nmore\n")
    assert result.exit_code == 2
    assert "--input-format jsonl" in result.stderr
    assert result.stdout == ""


def test_gzip_files_and_stdin(tmp_path: Path, expected: list[dict[str, Any]]) -> None:
    data = _csv_text().encode()
    path = tmp_path / "in.csv.gz"
    path.write_bytes(gzip.compress(data))
    assert _rows(_run(str(path), "--workers", "1")) == expected
    assert _rows(_run("-", "--workers", "1", stdin=gzip.compress(data))) == expected
    jpath = tmp_path / "in.jsonl.gz"
    jpath.write_bytes(gzip.compress(b'{"case_id": "A"}\n'))
    assert _rows(_run(str(jpath), "--workers", "1"))[0]["case_id"] == "A"
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(gzip.compress(b'{"case_id": "A"}\n' * 1000)[:-30])
    result = _run(str(cut), "--workers", "1")
    assert result.exit_code == 2
    assert "damaged" in result.stderr


def test_parquet_in_and_out(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    pq = pytest.importorskip("pyarrow.parquet")
    cases = _cases()
    frame = pd.json_normalize(cases)
    src = tmp_path / "in.parquet"
    frame.to_parquet(src)
    from_frame = [r.as_dict() for r in assess_many(frame, workers=1)]
    from_parquet = [r.as_dict() for r in assess_many(records_from_file(src), workers=1)]
    assert from_parquet == from_frame
    out = tmp_path / "out.parquet"
    result = _run(str(src), "--format", "parquet", "--out", str(out), "--workers", "1")
    assert result.exit_code == 0, result.stderr
    table = pq.read_table(out).to_pylist()
    # The columns of the CSV output; the version of the row shape is the file's metadata.
    assert table == [{k: v for k, v in r.items() if k != "schema_version"} for r in from_frame]
    assert pq.read_schema(out).metadata[b"schema_version"] == SCHEMA_VERSION.encode()
    result = _run(str(src), "--format", "parquet")
    assert result.exit_code == 2
    assert "needs -o/--output FILE" in result.stderr
    # Rejected Parquet records are written as JSON Lines of their fields, with their reason.
    rej = tmp_path / "rejected.jsonl"
    assert _run(str(src), "--rejected", str(rej), "--workers", "1").exit_code == 0
    lines = [json.loads(x) for x in rej.read_text().splitlines()]
    assert len(lines) == sum(r["status"] == "rejected" for r in from_frame) > 0
    assert all(set(x["_rejected"]) == {"row", "reason"} and "case_id" in x for x in lines)


@settings(max_examples=examples(300), deadline=None)
@given(csv_tables())
def test_record_boundaries_agree_with_the_csv_module(table: tuple[str, list[list[str]]]) -> None:
    delimiter, rows = table
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    text = buf.getvalue()
    want = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) if r]
    reader = CsvReader(io.BytesIO(text.encode()), delimiter=delimiter, keep_text=True)
    got = [reader.header, *(cells for cells, _, _ in reader)]
    assert got == want
    # The kept text of each record is the record as written.
    reader = CsvReader(io.BytesIO(text.encode()), delimiter=delimiter, keep_text=True)
    kept = reader.header_text + "".join(t or "" for _, _, t in reader)
    assert kept.replace("\r\n", "") == text.replace("\r\n", "")
