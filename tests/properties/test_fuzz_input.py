"""Hostile case input: the only outcomes are an ``Assessment`` or a ``CaseValidationError``.

Hypothesis feeds ``Case.parse`` and ``assess`` arbitrary JSON (wrong types, huge and negative
numbers, NaN and infinities, odd Unicode including lone surrogates, nulls, extra and missing
fields) and valid cases with one to three parts broken. Every outcome must be an assessment or a
``CaseValidationError`` (a ``ValueError``) whose fields name a place in the input or the contract.

The durable_rules backend is C code that could take the process down, so it runs in a separate
worker process fed one case per line: a crash there fails the example (and the worker is
restarted) instead of killing the test run. The worker's answer must also equal the python
backend's, so the fuzzing doubles as a differential test on whatever passes validation.
"""

from __future__ import annotations

import json
import math
import os
import select
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from conduct_rules import Assessment, Case, CaseValidationError, assess, durable_available
from conduct_rules.model.validation import _name

# ---------------------------------------------------------------------------------------------
# Strategies

_ODD_TEXT = st.text(
    alphabet=st.characters(codec=None, exclude_categories=()),  # surrogates, controls, all planes
    max_size=30,
)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([-(2**63), 2**63, 2**64 + 1, 10**100, -1, 0, 1, 3_650, 3_651, 10_001]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([math.nan, math.inf, -math.inf, 1.0, -0.0, 1e308]),
    _ODD_TEXT,
    st.sampled_from(["", " ", "true", "false", "null", "1", "2020-02-30", "x" * 5_000]),
)
JSON = st.recursive(
    _SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(_ODD_TEXT, children, max_size=4)
    ),
    max_leaves=12,
)

_DATES = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(
        [
            "2021-02-29",
            "2020-13-01",
            "2020-00-10",
            "2020-01-32",
            "0000-01-01",
            "9999-12-31",
            "2020-1-1",
            "2020/01/01",
            "2020-01-01T00:00:00",
            "20200101",
            "+2020-01-01",
            "２０２０-01-01",
        ]
    ),
)
_ATTEMPT = st.fixed_dictionaries(
    {
        "channel": st.sampled_from(["email", "phone", "letter", "text", "in_person", "video"]),
        "date": st.dates().map(lambda d: d.isoformat()),
    }
)


def _flags(*names: str) -> st.SearchStrategy[dict[str, bool]]:
    return st.fixed_dictionaries({}, optional={n: st.booleans() for n in names})


VALID_CASES = st.fixed_dictionaries(
    {"case_id": st.text(min_size=1, max_size=20).filter(str.strip)},
    optional={
        "stage": st.sampled_from(["considering", "ended", "continued"]),
        "initiated_by": st.sampled_from(["member", "client"]),
        "services": _flags("needed", "requested", "likely_to_benefit"),
        "client": _flags("requested_termination", "withdrew"),
        "member": _flags(
            "serious_risk_of_harm", "feels_unsafe", "threats_received", "objectivity_impaired"
        ),
        "court_order": _flags("applies", "legal_advice_obtained", "court_direction_sought"),
        "alternatives": st.fixed_dictionaries(
            {},
            optional={
                "efforts_made": st.booleans(),
                "providers_offered": st.integers(0, 10_000),
                "client_supported_to_connect": st.booleans(),
                "opportunity_given": st.booleans(),
                "notice_days": st.none() | st.integers(0, 3_650),
            },
        ),
        "termination_session": st.fixed_dictionaries(
            {},
            optional={
                "status": st.sampled_from(
                    ["held", "scheduled", "attempted", "not_attempted", "declined_by_client"]
                ),
                "modality": st.sampled_from(["in_person", "video", "phone", "none"]),
                "attempts": st.lists(_ATTEMPT, max_size=5),
            },
        ),
        "consultation": _flags("supervision", "college", "legal"),
        "transfer": _flags("summary_to_new_provider", "client_consent"),
        "documented": st.lists(
            st.sampled_from(
                [
                    "decision_rationale",
                    "consultations",
                    "alternatives_and_referrals",
                    "contact_attempts",
                    "termination_session",
                    "legal_advice",
                    "safety_concerns",
                    "written_notice",
                    "client_consent",
                ]
            ),
            max_size=12,
        ),
    },
)

# Every place a value can go, as a path into the case, with a hostile value for it.
_PATHS = [
    ("case_id",),
    ("stage",),
    ("initiated_by",),
    ("services",),
    ("services", "needed"),
    ("client", "withdrew"),
    ("member", "threats_received"),
    ("court_order",),
    ("court_order", "applies"),
    ("alternatives", "providers_offered"),
    ("alternatives", "notice_days"),
    ("termination_session", "status"),
    ("termination_session", "modality"),
    ("termination_session", "attempts"),
    ("termination_session", "attempts", 0),
    ("termination_session", "attempts", 0, "channel"),
    ("termination_session", "attempts", 0, "date"),
    ("consultation", "legal"),
    ("transfer", "client_consent"),
    ("documented",),
    ("documented", 0),
]


def _set(data: Any, path: tuple[Any, ...], value: Any) -> None:
    """Set ``value`` at ``path``, creating objects and lists on the way (in place)."""
    obj = data
    for i, part in enumerate(path[:-1]):
        nxt = path[i + 1]
        empty: Any = [] if isinstance(nxt, int) else {}
        if isinstance(part, int):
            if not isinstance(obj, list):
                return
            while len(obj) <= part:
                obj.append(empty)
            obj = obj[part]
        else:
            if not isinstance(obj, dict):
                return
            if not isinstance(obj.get(part), dict | list):
                obj[part] = empty
            obj = obj[part]
    last = path[-1]
    if isinstance(last, int) and isinstance(obj, list):
        if obj:
            obj[min(last, len(obj) - 1)] = value
        else:
            obj.append(value)
    elif isinstance(obj, dict) and not isinstance(last, int):
        obj[last] = value


def _delete(data: Any, path: tuple[Any, ...]) -> None:
    obj = data
    for part in path[:-1]:
        if isinstance(obj, dict) and part in obj:
            obj = obj[part]
        else:
            return
    if isinstance(obj, dict):
        obj.pop(path[-1], None)


@st.composite
def broken_cases(draw: st.DrawFn) -> Any:
    """A valid case with one to three parts replaced, removed or added."""
    data = json.loads(json.dumps(draw(VALID_CASES)))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_PATHS))
        action = draw(st.sampled_from(["value", "date", "enum", "delete", "extra", "null"]))
        if action == "value":
            _set(data, path, draw(JSON))
        elif action == "date":
            _set(data, ("termination_session", "attempts", 0, "date"), draw(_DATES))
        elif action == "enum":
            _set(data, path, draw(_ODD_TEXT | st.sampled_from(["Ended", "ended ", "HELD", "sms"])))
        elif action == "delete":
            _delete(data, path)
        elif action == "null":
            _set(data, path, None)
        else:
            parent = path[:-1] if len(path) > 1 else ()
            key = draw(_ODD_TEXT)
            if parent:
                _set(data, (*parent, key), draw(JSON))
            elif isinstance(data, dict):
                data[key] = draw(JSON)
    return data


ANY_INPUT = st.one_of(JSON, broken_cases(), VALID_CASES)

# ---------------------------------------------------------------------------------------------
# The one property, in process (python backend)


def _names_a_field(data: Any, field: str) -> bool:
    """The error's field is '(case)', a contract field, or a key the input really has."""
    if field == "(case)":
        return True
    names = [*Case.model_fields, *(_name(k) for k in data)] if isinstance(data, dict) else []
    return any(field == n or field.startswith(n + ".") for n in names)


def outcome(data: Any, backend: str = "python") -> dict[str, Any]:
    """What ``assess`` gives: ``{"ok": json}`` or ``{"invalid": [fields]}``; nothing else."""
    error: CaseValidationError | None = None
    try:
        result = assess(data, backend=backend)
    except CaseValidationError as exc:
        error = exc
    if error is not None:
        assert isinstance(error, ValueError)
        assert error.errors, "a validation error lists at least one field"
        for field, message in error.errors:
            assert field
            assert message
            assert _names_a_field(data, field), (field, message)
        assert str(error).startswith("invalid case: ")
        return {"invalid": [f for f, _ in error.errors]}
    assert isinstance(result, Assessment)
    payload = json.loads(result.to_json())
    assert payload["verdict"] in ("not_permitted", "conditional", "permitted")
    payload.pop("engine")
    return {"ok": payload}


@given(ANY_INPUT)
def test_any_input_gives_an_assessment_or_a_validation_error(data: Any) -> None:
    outcome(data)


@given(VALID_CASES)
def test_valid_cases_always_assess(data: dict[str, Any]) -> None:
    assert "ok" in outcome(data)


@given(broken_cases())
def test_case_parse_and_model_validate_agree_on_validity(data: Any) -> None:
    """``Case.parse`` (privacy-safe errors) accepts exactly what the pydantic model accepts."""
    try:
        Case.model_validate(data)
        model_ok = True
    except ValueError:
        model_ok = False
    try:
        Case.parse(data)
        parse_ok = True
    except CaseValidationError:
        parse_ok = False
    assert model_ok == parse_ok


def _nest(depth: int, leaf: Any, kind: str) -> Any:
    value = leaf
    for _ in range(depth):
        value = [value] if kind == "list" else {"a": value}
    return value


@pytest.mark.parametrize("kind", ["list", "dict"])
@pytest.mark.parametrize(
    "where", ["services", "documented", "zzz_extra", "termination_session.attempts"]
)
def test_very_deep_nesting_is_a_validation_error(kind: str, where: str) -> None:
    data: dict[str, Any] = {"case_id": "D-1"}
    _set(data, tuple(where.split(".")), _nest(50_000, 1, kind))
    with pytest.raises(CaseValidationError) as info:
        assess(data, backend="python")
    assert info.value.field.split(".", 1)[0] == where.split(".", 1)[0]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"case_id": "L-1", "documented": ["x"] * 1_000_000}, "documented"),
        (
            {"case_id": "L-2", "termination_session": {"attempts": [{}] * 1_000_000}},
            "termination_session.attempts",
        ),
        ({"case_id": "L-3", **{f"k{i}": i for i in range(100_000)}}, "k0"),
        ({"case_id": "L-4", "k" * 1_000_000: 1}, "k" * 80 + "…(1000000 characters)"),
        ({"case_id": "\ud800"}, "case_id"),
        ({"case_id": "x" * 201}, "case_id"),
        ({"case_id": "L-5", "alternatives": {"providers_offered": 10**400}}, None),
    ],
)
def test_huge_inputs_are_refused_quickly_and_briefly(data: dict[str, Any], field: str) -> None:
    with pytest.raises(CaseValidationError) as info:
        Case.parse(data)
    if field is not None:
        assert info.value.field == field
    assert len(info.value.errors) <= 51
    assert len(str(info.value)) < 400


def test_non_mapping_inputs_are_validation_errors() -> None:
    for data in (None, 1, "case", [], [{"case_id": "x"}], 1.5, math.nan, True):
        with pytest.raises(CaseValidationError) as info:
            assess(data, backend="python")  # type: ignore[arg-type]
        assert info.value.field == "(case)"


# ---------------------------------------------------------------------------------------------
# The same property through durable_rules, in a worker process

_WORKER = r"""
import json, sys
from conduct_rules import assess, CaseValidationError
for line in sys.stdin:
    data = json.loads(line)
    try:
        r = assess(data, backend="durable_rules")
        out = {"ok": json.loads(r.to_json())}
        out["ok"].pop("engine")
    except CaseValidationError as exc:
        out = {"invalid": [f for f, _ in exc.errors]}
    except Exception as exc:  # reported, and the parent fails the example
        out = {"other": type(exc).__name__}
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
"""
_TIMEOUT = float(os.environ.get("CR_FUZZ_WORKER_TIMEOUT", "60"))


class DurableWorker:
    """A child process assessing one JSON case per line through durable_rules."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[str] | None = None
        self.crashes: list[int] = []

    def _start(self) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-c", _WORKER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def ask(self, data: Any) -> dict[str, Any]:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = self._start()
        proc = self.proc
        assert proc.stdin is not None
        assert proc.stdout is not None
        try:
            proc.stdin.write(json.dumps(data) + "\n")
            proc.stdin.flush()
        except BrokenPipeError:
            pass
        ready, _, _ = select.select([proc.stdout], [], [], _TIMEOUT)
        line = proc.stdout.readline() if ready else ""
        if not line:
            if not ready:
                proc.kill()
            code = proc.wait()
            self.proc = None
            self.crashes.append(code)
            pytest.fail(f"durable_rules worker died (exit status {code}) on this case")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def close(self) -> None:
        if self.proc is not None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            self.proc.wait(timeout=30)
            self.proc = None


@pytest.fixture(scope="module")
def durable_worker() -> Iterator[DurableWorker]:
    if not durable_available():
        pytest.skip("durable_rules not importable here")
    worker = DurableWorker()
    yield worker
    worker.close()


@given(data=ANY_INPUT)
def test_durable_backend_survives_any_input_and_agrees(
    durable_worker: DurableWorker, data: Any
) -> None:
    expected = outcome(data)
    note(f"python backend: {next(iter(expected))}")
    got = durable_worker.ask(data)
    assert "other" not in got, got
    assert got == expected


@given(data=VALID_CASES)
def test_durable_backend_agrees_on_valid_cases(durable_worker: DurableWorker, data: Any) -> None:
    assert durable_worker.ask(data) == outcome(data)


def test_worker_reports_a_crash_as_a_failure() -> None:
    """The crash path of the harness can fail: a worker that dies fails the test, no hang."""
    worker = DurableWorker()
    worker.proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import os, signal, sys; sys.stdin.readline(); os.kill(os.getpid(), signal.SIGKILL)",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    with pytest.raises(pytest.fail.Exception, match="exit status"):
        worker.ask({"case_id": "x"})
    assert worker.crashes
    assert worker.crashes[0] != 0
