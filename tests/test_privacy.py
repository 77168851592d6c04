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

import copy
import json
import logging
import subprocess
import sys
import traceback
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pydantic import BaseModel, ValidationError

from conduct_rules import Case, CaseValidationError, assess, durable_available
from conduct_rules.cli.main import main
from conduct_rules.model.case import parse_case_json
from conduct_rules.rules.vocabulary import case_fields

SENTINEL = "ZQXJ-SECRET-7731"
DATE_SENTINEL = "ZQ77-31-XJ"  # ten characters, shaped like a date, not one
NUMBER_SENTINEL = 77_317_731  # out of every allowed range
SENTINELS = (SENTINEL, DATE_SENTINEL, str(NUMBER_SENTINEL), "ZQXJ", "7731")
BACKENDS = ["python", *(["durable_rules"] if durable_available() else [])]

BASE: dict[str, Any] = {
    "case_id": "P-1",
    "termination_session": {"attempts": [{"channel": "email", "date": "2024-01-02"}]},
}


def _set(data: dict[str, Any], path: list[Any], value: Any) -> None:
    obj: Any = data
    for i, part in enumerate(path[:-1]):
        if isinstance(part, int):
            obj = obj[part]
        else:
            obj = obj.setdefault(part, [] if isinstance(path[i + 1], int) else {})
    if isinstance(path[-1], int):
        obj.append(value) if len(obj) <= path[-1] else obj.__setitem__(path[-1], value)
    else:
        obj[path[-1]] = value


def _plantings() -> list[tuple[str, dict[str, Any]]]:
    """(label, case) for every field and every way a value can be planted in it."""
    out: list[tuple[str, dict[str, Any]]] = []

    def add(label: str, path: list[Any], value: Any) -> None:
        data = copy.deepcopy(BASE)
        _set(data, path, value)
        out.append((label, data))

    for dotted, ftype in case_fields().items():
        path: list[Any] = dotted.split(".")
        if ftype.kind == "list_obj":
            add(f"{dotted} (not a list)", path, SENTINEL)
            add(f"{dotted}[0] (not an object)", [*path, 0], SENTINEL)
            for sub, stype in ftype.item_fields:
                add(f"{dotted}[0].{sub}", [*path, 0, sub], SENTINEL)
                if stype.kind == "date":
                    add(f"{dotted}[0].{sub} (date)", [*path, 0, sub], DATE_SENTINEL)
                    add(f"{dotted}[0].{sub} (number)", [*path, 0, sub], NUMBER_SENTINEL)
            add(f"{dotted}[0] (extra field)", [*path, 0, "extra"], SENTINEL)
            continue
        if ftype.kind == "list_enum":
            add(f"{dotted} (not a list)", path, SENTINEL)
            add(f"{dotted}[0]", [*path, 0], SENTINEL)
            continue
        add(dotted, path, SENTINEL)
        add(f"{dotted} (in a list)", path, [SENTINEL])
        add(f"{dotted} (in an object)", path, {"value": SENTINEL})
        if ftype.kind == "int":
            add(f"{dotted} (number)", path, NUMBER_SENTINEL)
            add(f"{dotted} (negative)", path, -NUMBER_SENTINEL)
            add(f"{dotted} (float)", path, NUMBER_SENTINEL + 0.5)
    for part in ("services", "client", "member", "court_order", "alternatives", "consultation"):
        add(f"{part} (not an object)", [part], SENTINEL)
        add(f"{part}.extra", [part, "extra"], SENTINEL)
    add("extra top-level field", ["extra"], SENTINEL)
    add("case_id (wrong type)", ["case_id"], NUMBER_SENTINEL)
    everything: dict[str, Any] = {}
    for _, data in out:
        for k, v in data.items():
            if k != "case_id":
                everything[k] = v
    out.append(("everything at once", {"case_id": "P-2", **everything}))
    return out


PLANTINGS = _plantings()
VALID_WITH_VALUES: dict[str, Any] = {
    "case_id": "P-3",
    "alternatives": {"providers_offered": 7731, "notice_days": 3317},
    "termination_session": {
        "status": "not_attempted",
        "attempts": [{"channel": "phone", "date": "1977-03-31"}],
    },
}
VALID_VALUES = ("7731", "3317", "1977-03-31")

# ---------------------------------------------------------------------------------------------
# What "clean" means


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo += [e.__cause__, e.__context__]


def assert_clean(text: str, where: str, values: tuple[str, ...] = SENTINELS) -> None:
    for value in values:
        assert value not in text, f"{where} echoes a case value: {text[:300]!r}"


def assert_exception_clean(exc: BaseException, where: str) -> None:
    for e in _chain(exc):
        assert_clean(str(e), f"{where}: str({type(e).__name__})")
        assert_clean(repr(e), f"{where}: repr({type(e).__name__})")
        assert_clean(repr(e.args), f"{where}: args")
        if isinstance(e, CaseValidationError):
            assert_clean(repr(e.errors), f"{where}: errors")
    assert_clean("".join(traceback.format_exception(exc)), f"{where}: traceback")


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.texts: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(self.format(record))


@pytest.fixture
def captured() -> Iterator[_Capture]:
    """Every log record at DEBUG from every logger (``durable`` included), and every warning."""
    handler = _Capture()
    root = logging.getLogger()
    old_level = root.level
    loggers = [logging.getLogger(n) for n in ("durable", "conduct_rules", "pydantic")]
    old = [(lg, lg.level, lg.propagate) for lg in loggers]
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
        lg.propagate = True
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield handler
    for w in caught:
        handler.texts.append(f"warning {w.category.__name__}: {w.message}")
    root.removeHandler(handler)
    root.setLevel(old_level)
    for lg, level, propagate in old:
        lg.setLevel(level)
        lg.propagate = propagate


# ---------------------------------------------------------------------------------------------
# The checks


def test_every_field_is_planted() -> None:
    planted = {label.split(" ")[0].split("[")[0] for label, _ in PLANTINGS}
    assert set(case_fields()) <= planted
    assert len(PLANTINGS) > 60


@pytest.mark.parametrize(("label", "data"), PLANTINGS, ids=[p[0] for p in PLANTINGS])
def test_library_errors_and_logs_never_echo_values(
    label: str, data: dict[str, Any], captured: _Capture
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


def test_valid_values_never_reach_logs_or_warnings(captured: _Capture) -> None:
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
    handler = _Capture()
    logging.getLogger("durable").addHandler(handler)
    try:
        logging.getLogger("durable").error("value %s", SENTINEL)
    finally:
        logging.getLogger("durable").removeHandler(handler)
    with pytest.raises(AssertionError):
        assert_clean(handler.texts[0], "log")
