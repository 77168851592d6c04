"""Privacy: no exception, log record, warning or CLI error echoes a case value (``case_id`` aside).

A sentinel is planted in every place of a case that can hold a value: as a wrong-typed value in
every boolean, number and object; as an unknown value in every enum; as an impossible date; as
the value of an unknown field at every level; inside list items. Each planted case goes through
``Case.parse``, ``Case.model_validate`` (the contract's entry point, which raises pydantic's own
error), ``assess`` on every backend, ``parse_case_json`` and the command line; the sentinel must
not appear in ``str``/``repr``/``args`` of the exception or anything chained to it, its formatted
traceback, any log record at DEBUG (the ``durable`` logger included), any Python warning, or the
CLI's stderr. Field *names* may be echoed (they are not client data; the issue says so), so
unknown keys are not sentinels. Valid numbers and dates planted in a case that assesses must not
reach logs, warnings or stderr either.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pydantic import BaseModel, ValidationError

from conduct_rules import Case, CaseValidationError, assess, durable_available
from conduct_rules.cli.main import main
from conduct_rules.model.case import parse_case_json
from conduct_rules.rules.vocabulary import case_fields
from support.privacy import (
    PLANTINGS,
    SENTINEL,
    VALID_VALUES,
    VALID_WITH_VALUES,
    Capture,
    assert_clean,
    assert_exception_clean,
    captured,
)

__all__ = ["captured"]  # the fixture, imported so that pytest finds it here
BACKENDS = ["python", *(["durable_rules"] if durable_available() else [])]


# ---------------------------------------------------------------------------------------------
# The checks


def test_every_field_is_planted() -> None:
    planted = {label.split(" ")[0].split("[")[0] for label, _ in PLANTINGS}
    assert set(case_fields()) <= planted
    assert len(PLANTINGS) > 60


@pytest.mark.parametrize(("label", "data"), PLANTINGS, ids=[p[0] for p in PLANTINGS])
def test_library_errors_and_logs_never_echo_values(
    label: str, data: dict[str, Any], captured: Capture
) -> None:
    calls: list[tuple[str, Any]] = [
        ("Case.parse", lambda: Case.parse(data)),
        ("parse_case_json", lambda: parse_case_json(json.dumps(data))),
        *((f"assess[{b}]", lambda b=b: assess(data, backend=b)) for b in BACKENDS),
        *((f"assess[{b}, fr]", lambda b=b: assess(data, backend=b, lang="fr")) for b in BACKENDS),
    ]
    for name, call in calls:
        with pytest.raises(CaseValidationError) as info:
            call()
        assert_exception_clean(info.value, f"{label} via {name}")
        assert info.value.field != "?"
    with pytest.raises(ValidationError) as pyd:
        Case.model_validate(data)
    assert_exception_clean(pyd.value, f"{label} via Case.model_validate")
    with pytest.raises(ValidationError) as pyd_json:
        Case.model_validate_json(json.dumps(data))
    assert_exception_clean(pyd_json.value, f"{label} via Case.model_validate_json")
    for text in captured.texts:
        assert_clean(text, f"{label}: log record")


def test_valid_values_never_reach_logs_or_warnings(captured: Capture) -> None:
    for backend in BACKENDS:
        for lang in ("en", "fr"):
            result = assess(VALID_WITH_VALUES, backend=backend, lang=lang)  # type: ignore[arg-type]
            assert result.warnings  # notice without opportunity; attempts but not attempted
            for w in result.warnings:
                assert_clean(w.message, "warning message", VALID_VALUES)
    for text in captured.texts:
        assert_clean(text, "log record", VALID_VALUES)


def test_cli_errors_never_echo_values(tmp_path: Path) -> None:
    runner = CliRunner()
    jsonl = tmp_path / "all.jsonl"
    with jsonl.open("w", encoding="utf-8") as fh:
        for i, (label, data) in enumerate(PLANTINGS):
            path = tmp_path / f"case-{i}.json"
            path.write_text(json.dumps(data), encoding="utf-8")
            fh.write(json.dumps(data) + "\n")
            for args in (
                ["assess", str(path)],
                ["assess", str(path), "--format", "json", "--lang", "fr"],
                ["explain", str(path)],
            ):
                result = runner.invoke(main, args)
                assert result.exit_code != 0, (label, args)
                assert_clean(result.stderr, f"{label}: stderr of {args[0]}")
                assert_clean(result.stdout, f"{label}: stdout of {args[0]}")
    valid = tmp_path / "valid.json"
    valid.write_text(json.dumps(VALID_WITH_VALUES), encoding="utf-8")
    for args in (["assess", str(valid)], ["assess", str(valid), "--format", "json"]):
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.stderr
        assert_clean(result.stderr, "stderr for a valid case", VALID_VALUES)
    out = tmp_path / "audit.jsonl"
    result = runner.invoke(main, ["audit", str(jsonl), "--out", str(out), "--workers", "1"])
    assert_clean(result.stderr, "stderr of audit")
    assert_clean(result.stdout, "stdout of audit")
    assert out.exists(), result.stderr
    rows = out.read_text("utf-8").splitlines()
    assert len(rows) == len(PLANTINGS)  # no row lost to a bad record
    assert_clean("\n".join(rows), "audit results")


def test_real_cli_process_stderr_is_one_clean_line(tmp_path: Path) -> None:
    """Outside click's test runner: a real process, real stderr, no traceback."""
    path = tmp_path / "everything.json"
    path.write_text(json.dumps(PLANTINGS[-1][1]), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", "from conduct_rules.cli import main; main()", "assess", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2
    assert_clean(proc.stderr, "process stderr")
    assert_clean(proc.stdout, "process stdout")
    assert proc.stderr.count("\n") == 1
    assert "Traceback" not in proc.stderr


def test_the_checks_can_fail() -> None:
    """A model with pydantic's default configuration does echo the sentinel, and is caught."""

    class Leaky(BaseModel):
        flag: bool

    with pytest.raises(ValidationError) as info:
        Leaky.model_validate({"flag": SENTINEL})
    with pytest.raises(AssertionError):
        assert_exception_clean(info.value, "leaky model")
    handler = Capture()
    logging.getLogger("durable").addHandler(handler)
    try:
        logging.getLogger("durable").error("value %s", SENTINEL)
    finally:
        logging.getLogger("durable").removeHandler(handler)
    with pytest.raises(AssertionError):
        assert_clean(handler.texts[0], "log")
