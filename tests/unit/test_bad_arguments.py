"""Bad arguments and odd input shapes (issue 11, item 10).

Each used to raise ``TypeError``, ``AttributeError`` or a bare ``ConductRulesError`` (not a
``ValueError``), slip past a length guard, or read two records as one. Now: a ``ValueError``
subclass from ``errors.py`` with a clear message, the length guard for every iterable, one
record per CR-ended line, and duplicate JSON keys refused naming the field.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conduct_rules import (
    Case,
    CaseValidationError,
    ConductRulesError,
    OptionError,
    ParameterError,
    RulesetError,
    assess,
    assess_many,
    explain,
    what_would_permit,
    why_not,
)
from conduct_rules.audit.sources import records_from_csv, records_from_jsonl
from conduct_rules.cli.main import main
from conduct_rules.model.case import parse_case_json

CASE = {"case_id": "A-1", "stage": "ended", "services": {"needed": True}}


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: assess(CASE, parameters=5), ParameterError),
        (lambda: assess(CASE, parameters={1: 1}), ParameterError),
        (lambda: assess(CASE, parameters=[("min_attempts", 3)]), ParameterError),
        (lambda: assess(CASE, ruleset=123), RulesetError),
        (lambda: assess(CASE, ruleset=b"ontario"), RulesetError),
        (lambda: assess(CASE, lang="de"), OptionError),
        (lambda: assess(CASE, lang=None), OptionError),
        (lambda: assess(CASE, lang=["en"]), OptionError),
        (lambda: assess(CASE, backend="nope"), OptionError),
        (lambda: assess(CASE, backend=["python"]), OptionError),
        (lambda: assess(CASE, backend=None), OptionError),
        (lambda: why_not(CASE, None), OptionError),
        (lambda: why_not(CASE, 5), OptionError),
        (lambda: why_not(CASE, "nope"), OptionError),
        (lambda: why_not(CASE, "permitted", lang="de"), OptionError),
        (lambda: explain(CASE, lang="de"), OptionError),
        (lambda: explain(CASE, parameters=5), ParameterError),
        (lambda: what_would_permit(CASE, lang="xx"), OptionError),
        (lambda: assess_many([CASE], lang="xx"), OptionError),
    ],
)
def test_bad_argument_is_a_value_error(call: Callable[[], Any], error: type[Exception]) -> None:
    with pytest.raises(error) as info:
        call()
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, ConductRulesError)
    assert "\n" not in str(info.value)
    assert len(str(info.value)) < 300


@pytest.mark.parametrize("field", ["documented", "attempts"])
@pytest.mark.parametrize("shape", ["set", "generator", "dict_keys"])
def test_a_million_items_in_any_iterable_hit_the_length_guard(field: str, shape: str) -> None:
    n = 1_000_000
    items: Any = (f"x{i}" for i in range(n))  # the guard counts before looking at any item
    made: Any = {
        "set": set,
        "frozenset": frozenset,
        "dict_keys": lambda it: dict.fromkeys(it).keys(),
        "generator": lambda it: it,
    }[shape](items)
    data: dict[str, Any] = {"case_id": "L-1"}
    if field == "documented":
        data["documented"] = made
    else:
        data["termination_session"] = {"status": "attempted", "attempts": made}
    t0 = time.process_time()
    with pytest.raises(CaseValidationError) as info:
        Case.parse(data)
    assert time.process_time() - t0 < 1.0
    assert "too many items" in str(info.value)


def test_a_small_set_still_works() -> None:
    case = Case.parse({"case_id": "S-1", "documented": {"decision_rationale", "consultations"}})
    assert case.documented == ("consultations", "decision_rationale")


def test_cr_only_json_lines_are_separate_records() -> None:
    data = b'{"case_id": "a"}\r{"case_id": "b"}\r\r{"case_id": "c"}\r'
    rows = list(assess_many(records_from_jsonl(io.BytesIO(data)), backend="python"))
    assert [(r.row, r.case_id, r.status) for r in rows] == [
        (1, "a", "assessed"),
        (2, "b", "assessed"),
        (4, "c", "assessed"),
    ]


def test_crlf_json_lines_keep_their_line_numbers() -> None:
    data = b'{"case_id": "a"}\r\n\r\n{"case_id": "b"}\r\n'
    rows = list(assess_many(records_from_jsonl(io.BytesIO(data)), backend="python"))
    assert [(r.row, r.case_id) for r in rows] == [(1, "a"), (3, "b")]


DUPLICATE = '{"case_id": "D-1", "stage": "ended", "stage": "continued"}'


def test_duplicate_key_in_json_text_is_refused() -> None:
    with pytest.raises(CaseValidationError) as info:
        parse_case_json(DUPLICATE)
    assert info.value.field == "stage"
    assert "duplicate" in str(info.value)
    assert "continued" not in str(info.value)
    assert "ended" not in str(info.value)


def test_nested_duplicate_key_is_refused() -> None:
    text = '{"case_id": "D-2", "services": {"needed": true, "needed": false}}'
    with pytest.raises(CaseValidationError) as info:
        parse_case_json(text)
    assert info.value.field == "needed"


def test_duplicate_key_in_cli_case_file(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text(DUPLICATE, encoding="utf-8")
    result = CliRunner().invoke(main, ["assess", str(path)])
    assert result.exit_code == 2
    assert "stage: duplicate key" in result.output
    assert "continued" not in result.output


def test_duplicate_key_in_a_json_lines_row() -> None:
    data = (DUPLICATE + "\n" + '{"case_id": "ok"}\n').encode()
    rows = list(assess_many(records_from_jsonl(io.BytesIO(data)), backend="python"))
    assert rows[0].status == "rejected"
    assert rows[0].error_field == "stage"
    assert rows[1].status == "assessed"


def test_duplicate_key_in_a_csv_json_cell() -> None:
    data = (
        b"case_id,termination_session.status,termination_session.attempts\n"
        b'C-1,attempted,"[{""channel"": ""email"", ""channel"": ""phone"", '
        b'""date"": ""2020-01-02""}]"\n'
    )
    rows = list(assess_many(records_from_csv(io.BytesIO(data)), backend="python"))
    assert rows[0].status == "rejected"
    assert rows[0].error_field == "termination_session.attempts"


def test_duplicate_key_in_a_service_batch_body() -> None:
    pytest.importorskip("starlette")
    from conduct_rules.service.batch import read_batch

    body = ("[" + DUPLICATE + "]").encode()
    answer = read_batch(body, "application/json", 10)
    assert getattr(answer, "status_code", None) == 422
    text = bytes(answer.body).decode()  # type: ignore[union-attr]
    assert '"stage"' in text
    assert "continued" not in text
