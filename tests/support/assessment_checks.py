"""One comparison of two assessments, for the tests of the assembled build paths.

Why here: every suite that compares an assembled assessment with the reference build must mean
the same thing by "the same" (``tests/properties/test_backends_agree.py`` does today).
"""

from __future__ import annotations

from typing import Any

__all__ = ["same"]


def same(a: Any, b: Any) -> None:
    """Byte-identical JSON, equal models, same fields set, and no mutable dict shared."""
    assert a.model_dump_json() == b.model_dump_json()
    assert a == b
    assert a.__pydantic_fields_set__ == b.__pydantic_fields_set__
    assert a.ruleset.__pydantic_fields_set__ == b.ruleset.__pydantic_fields_set__
    assert a.derived_facts is not b.derived_facts  # no mutable object shared between results
    assert a.ruleset.parameters is not b.ruleset.parameters
