"""Smoke tests of the public API; the thorough suites live beside it."""

from __future__ import annotations

import pytest

from conduct_rules import Assessment, Case, CaseValidationError, assess, durable_available


def test_minimal_case_assesses() -> None:
    result = assess({"case_id": "C-1"})
    assert isinstance(result, Assessment)
    assert result.verdict == "not_permitted"
    assert result.case_id == "C-1"


def test_unknown_field_is_rejected_naming_it() -> None:
    with pytest.raises(CaseValidationError) as info:
        Case.parse({"case_id": "C-1", "services": {"neded": True}})
    assert info.value.field == "services.neded"


@pytest.mark.skipif(not durable_available(), reason="durable_rules not importable here")
def test_backends_agree_on_a_simple_case() -> None:
    case = {"case_id": "C-2", "client": {"withdrew": True}, "court_order": {"applies": True}}
    a = assess(case, backend="durable_rules").model_dump(exclude={"engine"})
    b = assess(case, backend="python").model_dump(exclude={"engine"})
    assert a == b
