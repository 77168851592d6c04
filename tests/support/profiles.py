"""Example counts that follow the hypothesis profile (``tests/conftest.py``).

Why: a test that asks for its own count (``@settings(max_examples=300)``) would keep it in the
quick run, where every profile count is cut. ``examples(n)`` is ``n`` under the ``ci`` profile
(what CI runs) and the same share of the current profile's count elsewhere.
"""

from __future__ import annotations

from hypothesis import settings

__all__ = ["CI_EXAMPLES", "examples"]

#: The ``ci`` profile's count: the reference the counts in the tests are written against.
CI_EXAMPLES = 200


def examples(n: int) -> int:
    """``n`` examples under ``ci``; scaled by the loaded profile's count otherwise (at least 5)."""
    return max(5, n * settings.default.max_examples // CI_EXAMPLES)
