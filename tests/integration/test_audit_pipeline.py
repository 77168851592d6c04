"""An audit a pipeline can trust unattended: rejection policy, rejected-records file, safe outputs.

Also the regressions of the reliability review (each failed on the code before its fix): CSV
records lost after an over-long quoted cell, CSV output injection (a CR splitting a row, formula
prefixes), ``--out`` replacing a FIFO or the input, and SIGTERM during a pooled audit leaving
workers and a ``.partial`` file behind.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from conduct_rules import assess_many, records_from_csv
from conduct_rules.audit.sample import sample_cases
from conduct_rules.cli.main import main

SECRET = "Zq7-SECRET-Jane-Doe"
SCRIPT = Path(sys.executable).with_name("conduct-rules")


def _run(*args: str, stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(main, ["audit", *args], input=stdin)


def _lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _good(n: int, seed: int = 5) -> list[str]:
    return [json.dumps(c) for c in sample_cases(n, seed=seed)]


# --------------------------------------------------------------------------------------------
# Rejection policy and summary


def test_default_policy_fails_when_no_row_is_assessed(tmp_path: Path) -> None:
    path = _lines(tmp_path / "in.jsonl", ['{"case_id": 1}', "not json", "[1]"])
    out = tmp_path / "out.jsonl"
    result = _run(str(path), "--out", str(out), "--workers", "1")
    assert result.exit_code == 1, result.stderr
    assert "FAILED (exit 1): no row could be assessed (all 3 rejected)" in result.stderr
    assert len(out.read_text().splitlines()) == 3  # the output is written in full all the same
    empty = _lines(tmp_path / "empty.jsonl", [])
    result = _run(str(empty), "--workers", "1")
    assert result.exit_code == 1
    assert "holds no record" in result.stderr


def test_default_policy_passes_with_some_rows_assessed(tmp_path: Path) -> None:
    path = _lines(tmp_path / "in.jsonl", [*_good(3), "not json"])
    result = _run(str(path), "--workers", "1")
    assert result.exit_code == 0, result.stderr
    assert "rejected by field: (line) 1" in result.stderr
    assert "passed (exit 0)" in result.stderr


@pytest.mark.parametrize(
    ("limit", "code"),
    [("2", 0), ("1", 1), ("0", 1), ("20%", 0), ("19.9%", 1), ("100%", 0)],
)
def test_max_rejected(tmp_path: Path, limit: str, code: int) -> None:
    lines = [*_good(8), "not json", json.dumps({"case_id": "S", "services": {"needed": SECRET}})]
    path = _lines(tmp_path / "in.jsonl", lines)  # 2 of 10 rejected: 20%
    result = _run(str(path), "--max-rejected", limit, "--workers", "1")
    assert result.exit_code == code, result.stderr
    assert "2 rejected" in result.stderr
    assert "services.needed 1" in result.stderr
    assert ("FAILED" in result.stderr) == bool(code)
    assert SECRET not in result.stdout + result.stderr


@pytest.mark.parametrize("bad", ["x", "-1", "1.5", "101%", "%"])
def test_max_rejected_bad_values_exit_2(tmp_path: Path, bad: str) -> None:
    path = _lines(tmp_path / "in.jsonl", _good(1))
    result = _run(str(path), "--max-rejected", bad)
    assert result.exit_code == 2
    assert "--max-rejected" in result.stderr
    assert result.stdout == ""


# --------------------------------------------------------------------------------------------
# The rejected-records file


def test_rejected_jsonl_is_verbatim_with_reasons_and_reruns(tmp_path: Path) -> None:
    bad_bool = '{"case_id": "B", "services": {"needed": "' + SECRET + '"}}'
    lines = [*_good(2), bad_bool, '{"case_id": "cut", "services": {', "[1, 2]", "{}"]
    path = _lines(tmp_path / "in.jsonl", lines)
    rej = tmp_path / "rejected.jsonl"
    result = _run(str(path), "--rejected", str(rej), "--workers", "1")
    assert result.exit_code == 0, result.stderr
    assert f"the records are in {rej}" in result.stderr
    got = rej.read_text(encoding="utf-8").splitlines()
    assert len(got) == 4  # "{}" is rejected too: no case_id
    # Verbatim: each line is the original with the annotation spliced in front.
    assert (
        got[0]
        == '{"_rejected":{"row": 3, "reason": "services.needed: expected true or false"},'
        + bad_bool[1:]
    )
    assert got[1].startswith('{"_rejected":{"row": 4, "reason": "(line): not valid JSON')
    assert got[1].endswith('"case_id": "cut", "services": {')
    assert json.loads(got[2]) == {
        "_rejected": {"row": 5, "reason": json.loads(got[2])["_rejected"]["reason"]},
        "_record": "[1, 2]",
    }
    assert got[3].startswith('{"_rejected":{"row": 6')
    assert got[3].endswith("}")
    # Re-running the file as it is gives the same rejections (the annotation is dropped).
    again = _run(str(rej), "--workers", "1", "--max-rejected", "100%")
    rows = [json.loads(x) for x in again.stdout.splitlines()]
    assert [r["status"] for r in rows] == ["rejected"] * 4
    assert rows[0]["error"] == "services.needed: expected true or false"
    # Fixed in place, the record is assessed.
    fixed = tmp_path / "fixed.jsonl"
    fixed.write_text(got[0].replace(f'"{SECRET}"', "true") + "\n", encoding="utf-8")
    rows = [json.loads(x) for x in _run(str(fixed), "--workers", "1").stdout.splitlines()]
    assert rows[0]["status"] == "assessed"
    assert rows[0]["case_id"] == "B"


def test_rejected_csv_keeps_dialect_and_encoding_and_reruns(tmp_path: Path) -> None:
    raw = (
        "case_id;services.needed;alternatives.notice_days\r\n"
        "A;true;14\r\n"
        'Bé;"vrai\r\nmulti";3\r\n'
        "=C;false;x\r\n"
    ).encode("cp1252")
    path = tmp_path / "in.csv"
    path.write_bytes(raw)
    rej = tmp_path / "rejected.csv"
    result = _run(str(path), "--encoding", "cp1252", "--rejected", str(rej), "--workers", "1")
    assert result.exit_code == 0, result.stderr
    data = rej.read_bytes()
    assert data.startswith(
        b"case_id;services.needed;alternatives.notice_days;_rejected_row;_rejected_reason\r\n"
    )
    assert 'Bé;"vrai\r\nmulti";3;2;'.encode("cp1252") in data  # the record byte for byte
    assert b"=C;false;x;3;alternatives.notice_days: expected a whole number\r\n" in data
    again = _run(str(rej), "--encoding", "cp1252", "--workers", "1")
    rows = [json.loads(x) for x in again.stdout.splitlines()]
    assert [(r["row"], r["case_id"], r["error_field"]) for r in rows] == [
        (1, "Bé", "services.needed"),
        (2, "=C", "alternatives.notice_days"),
    ]


def test_rejected_csv_file_has_a_header_when_nothing_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("case_id\nA\n", encoding="utf-8")
    rej = tmp_path / "rej.csv"
    assert _run(str(path), "--rejected", str(rej), "--workers", "1").exit_code == 0
    assert rej.read_bytes() == b"case_id,_rejected_row,_rejected_reason\r\n"


# --------------------------------------------------------------------------------------------
# Issue 11 item 3: a quoted multi-line cell longer than the csv module's field limit


def test_csv_over_long_quoted_cell_loses_no_following_record(tmp_path: Path) -> None:
    huge = "x\n" * 70_000  # 140,000 characters over 70,000 lines, inside one quoted cell
    text = f'case_id,stage\nA,ended\nB,"{huge}"\nC,ended\nD,continued\n"E",ended\n'
    path = tmp_path / "in.csv"
    path.write_text(text, encoding="utf-8")
    rows = list(assess_many(records_from_csv(path), workers=1))
    assert [(r.row, r.case_id, r.status) for r in rows] == [
        (1, "A", "assessed"),
        (2, None, "rejected"),
        (3, "C", "assessed"),
        (4, "D", "assessed"),
        (5, "E", "assessed"),
    ]
    assert rows[1].error_field == "(row)"
    assert "longer than 131,072 characters" in (rows[1].error or "")


# --------------------------------------------------------------------------------------------
# Issue 11 item 4: CSV output injection


def test_csv_output_quotes_cr_and_neutralises_formulas() -> None:
    ids = ["a\rb", "=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rz", "plain"]
    audit = assess_many([{"case_id": i} for i in ids], workers=1)
    text = audit.to_csv() or ""
    table = list(csv.reader(io.StringIO(text, newline="")))
    assert len(table) == len(ids) + 1  # nothing split a row
    got = [row[1] for row in table[1:]]
    assert got == ["a\rb", "'=1+2", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rz", "plain"]
    # JSON Lines stays exact.
    assert [json.loads(x)["case_id"] for x in (audit.to_jsonl() or "").splitlines()] == ids


def test_csv_output_neutralises_error_cells(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text('case_id,=HYPERLINK("x")\nA,1\n', encoding="utf-8")
    text = assess_many(records_from_csv(path), workers=1).to_csv() or ""
    row = next(iter(csv.DictReader(io.StringIO(text, newline=""))))
    assert row["error_field"].startswith("'=")
    assert row["error"].startswith("'=")


# --------------------------------------------------------------------------------------------
# Issue 11 item 7: --out must not replace what it should not


def test_out_is_written_through_a_symlink(tmp_path: Path) -> None:
    path = _lines(tmp_path / "in.jsonl", _good(3))
    real = tmp_path / "real.jsonl"
    real.write_text("old\n")
    real.chmod(0o640)
    link = tmp_path / "link.jsonl"
    link.symlink_to(real)
    result = _run(str(path), "--out", str(link), "--workers", "1")
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink()
    assert len(real.read_text().splitlines()) == 3
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


def test_out_into_a_fifo_writes_into_it(tmp_path: Path) -> None:
    path = _lines(tmp_path / "in.jsonl", _good(3))
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a reader, so the writer can open
    try:
        result = _run(str(path), "--out", str(fifo), "--workers", "1")
        assert result.exit_code == 0, result.stderr
        assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still the FIFO, not a regular file
        data = os.read(reader, 1 << 20)
    finally:
        os.close(reader)
    assert len(data.decode().splitlines()) == 3


def test_out_dev_stdout_into_a_pipe(tmp_path: Path) -> None:
    path = _lines(tmp_path / "in.jsonl", _good(3))
    proc = subprocess.run(
        [str(SCRIPT), "audit", str(path), "--workers", "1", "--out", "/dev/stdout"],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == 3


@pytest.mark.parametrize("same", ["input", "symlink", "rejected"])
def test_out_equal_to_the_input_is_refused(tmp_path: Path, same: str) -> None:
    lines = _good(3)
    path = _lines(tmp_path / "in.jsonl", lines)
    before = path.read_bytes()
    if same == "symlink":
        link = tmp_path / "out.jsonl"
        link.symlink_to(path)
        args = ["--out", str(link)]
    elif same == "rejected":
        args = ["--out", str(tmp_path / "o.jsonl"), "--rejected", str(tmp_path / "o.jsonl")]
    else:
        args = ["--out", str(path)]
    result = _run(str(path), *args)
    assert result.exit_code == 2
    assert "same file" in result.stderr or "names the input file" in result.stderr
    assert path.read_bytes() == before


def test_out_directory_is_refused(tmp_path: Path) -> None:
    path = _lines(tmp_path / "in.jsonl", _good(1))
    result = _run(str(path), "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "is a directory" in result.stderr


# --------------------------------------------------------------------------------------------
# Issue 11 item 8: SIGTERM during a pooled audit


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc to find worker processes")
def test_sigterm_during_a_pooled_audit_ends_workers_and_removes_partial(tmp_path: Path) -> None:
    lines = _good(200, seed=3) * 400  # 80,000 rows: long enough to be stopped midway
    path = _lines(tmp_path / "in.jsonl", lines)
    out = tmp_path / "out.jsonl"
    proc = subprocess.Popen(
        [
            str(SCRIPT),
            "audit",
            str(path),
            "--workers",
            "2",
            "--out",
            str(out),
            "--backend",
            "python",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            workers |= _children(proc.pid)
            partial = [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]
            if len(workers) >= 2 and partial and partial[0].stat().st_size > 0:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the audit finished before it could be stopped"
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 143, err
        assert b"stopped" in err
        assert b"Traceback" not in err
        assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]
        assert not out.exists()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.05)
        assert not any(_alive(w) for w in workers), "worker processes were left behind"
    finally:
        for pid in (proc.pid, *workers):
            with contextlib.suppress(OSError):
                if _alive(pid):
                    os.kill(pid, signal.SIGKILL)
        proc.wait(timeout=10)


# --------------------------------------------------------------------------------------------
# Text rendered where rows are assessed (keep_rows=0, as the CLI runs) equals the row path


@pytest.mark.parametrize("workers", [1, 2])
def test_rendered_output_equals_the_row_path(tmp_path: Path, workers: int) -> None:
    from conduct_rules import records_from_jsonl

    lines = [json.dumps(c) for c in sample_cases(2_500, seed=61, invalid_share=0.1)]
    lines[7] = '{"case_id": "cut"'
    path = _lines(tmp_path / "in.jsonl", lines)
    for fmt in ("jsonl", "csv"):
        by_rows = assess_many(records_from_jsonl(path), workers=1)
        rendered = assess_many(records_from_jsonl(path), workers=workers, keep_rows=0)
        assert rendered.renders
        assert not by_rows.renders
        sunk: list[tuple[int, bytes]] = []

        def sink(r: Any, raw: Any, into: list[tuple[int, bytes]] = sunk) -> None:
            into.append((r.row, raw))

        rendered.rejected_sink = sink
        write = "to_jsonl" if fmt == "jsonl" else "to_csv"
        assert getattr(rendered, write)() == getattr(by_rows, write)()
        assert rendered.summary == by_rows.summary
        rejected = [r.row for r in by_rows if r.status == "rejected"]
        assert [row for row, _ in sunk] == rejected
        assert sunk[0][1] == lines[rejected[0] - 1].encode() + b"\n"


# --------------------------------------------------------------------------------------------
# Inputs that can be read only once: a FIFO, /dev/stdin


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_input_from_a_fifo_path_is_read_once_in_full(tmp_path: Path, suffix: str) -> None:
    """A named pipe is read as a stream: checking it first or reading it per span would take
    (or wait for) data the audit never sees. It used to hang."""
    import threading

    rows = _good(2_500)
    if suffix == ".csv":
        from conduct_rules.rules.flat import CSV_COLUMNS

        data = _csv_of(rows, CSV_COLUMNS)
    else:
        data = ("\n".join(rows) + "\n").encode()
    fifo = tmp_path / f"pipe{suffix}"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(data), daemon=True)
    writer.start()
    out = tmp_path / "out.jsonl"
    proc = subprocess.run(
        [str(SCRIPT), "audit", str(fifo), "--workers", "2", "--format", "jsonl", "--out", str(out)],
        capture_output=True,
        timeout=120,
        check=False,
    )
    writer.join(timeout=10)
    assert proc.returncode == 0, proc.stderr
    assert len(out.read_text().splitlines()) == 2_500


def test_dev_stdin_as_a_path(tmp_path: Path) -> None:
    rows = _good(1_500)
    out = tmp_path / "out.jsonl"
    proc = subprocess.run(
        [str(SCRIPT), "audit", "/dev/stdin", "--input-format", "jsonl", "--workers", "2",
         "--out", str(out)],
        input=("\n".join(rows) + "\n").encode(),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert len(out.read_text().splitlines()) == 1_500


def _csv_of(rows: list[str], columns: Any) -> bytes:
    """The records as a CSV file with the standard dotted columns (lists as JSON text)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(columns)
    for line in rows:
        case = json.loads(line)
        flat = []
        for col in columns:
            value: Any = case
            for part in col.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            flat.append(
                json.dumps(value) if isinstance(value, list)
                else "" if value is None
                else str(value).lower() if isinstance(value, bool)
                else value
            )
        w.writerow(flat)
    return buf.getvalue().encode()
