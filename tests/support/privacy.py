"""Sentinels planted in cases, and what "clean" means: the privacy checks' shared half.

Why here: the library's privacy suite (``tests/integration/test_privacy.py``) and the HTTP
service's (``test_service.py``, ``test_service_process.py``) plant the same values in the same
places and must mean the same thing by "no case value echoed". A sentinel is planted in every
place of a case that can hold a value; field *names* may be echoed (they are not client data).
"""

from __future__ import annotations

import copy
import logging
import traceback
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from conduct_rules import CaseValidationError
from conduct_rules.rules.vocabulary import case_fields

__all__ = [
    "BASE",
    "DATE_SENTINEL",
    "NUMBER_SENTINEL",
    "PLANTINGS",
    "SENTINEL",
    "SENTINELS",
    "VALID_VALUES",
    "VALID_WITH_VALUES",
    "Capture",
    "assert_clean",
    "assert_exception_clean",
    "captured",
]

SENTINEL = "ZQXJ-SECRET-7731"
DATE_SENTINEL = "ZQ77-31-XJ"  # ten characters, shaped like a date, not one
NUMBER_SENTINEL = 77_317_731  # out of every allowed range
SENTINELS = (SENTINEL, DATE_SENTINEL, str(NUMBER_SENTINEL), "ZQXJ", "7731")

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


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.texts: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(self.format(record))


@pytest.fixture
def captured() -> Iterator[Capture]:
    """Every log record at DEBUG from every logger (``durable`` included), and every warning."""
    handler = Capture()
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
