"""The audit's one-pass JSON validation changes no row.

For JSON Lines of the standard case, a line pydantic's JSON mode accepts is validated in one pass
(``RowAssessor._run_json``); every other line goes the usual way (``json.loads``, then the
contract). Row for row, rejections and their messages included, the audit is the same either
way, over generated records with every kind of bad input (``strategies.hostile_lines``: wrong
types and bounds, unknown keys, near-dates, duplicate keys, NaN, bytes that are not UTF-8, lone
surrogates, non-objects, full and sparse records): a few thousand in the quick run, 300,000 in
the slow one.
"""

from __future__ import annotations

from typing import Any

import pytest

from conduct_rules.api import get_ruleset
from conduct_rules.audit.runner import RowAssessor
from conduct_rules.audit.sources import Chunk
from support.strategies import hostile_lines


def _rows(assessor: RowAssessor, lines: list[bytes]) -> list[Any]:
    out = []
    for start in range(0, len(lines), 1_000):
        part = lines[start : start + 1_000]
        rows = tuple(range(start + 1, start + 1 + len(part)))
        out += assessor.run(Chunk("jsonl", rows, part))
    return out


def _differential(n: int, seed: int) -> None:
    lines = hostile_lines(n, seed)
    rs = get_ruleset(None)
    one_pass = RowAssessor(rs, "auto")
    assert one_pass._validate_json is not None  # on by default for the standard case
    one_pass.fast_rows = None  # the C reader has its own test (test_audit_fastjson.py)
    usual = RowAssessor(rs, "auto")
    usual._validate_json = None
    usual.fast_rows = None
    got, want = _rows(one_pass, lines), _rows(usual, lines)
    assert len(got) == len(want) == n
    for g, w in zip(got, want, strict=True):
        assert g == w, (g.row, lines[g.row - 1][:200])
    rejected = sum(r.status == "rejected" for r in want)
    assert 0.2 * n < rejected < 0.6 * n  # the input really is hostile, and mostly assessable


def test_one_pass_json_gives_identical_rows_quick() -> None:
    _differential(5_000, seed=7)


@pytest.mark.slow
def test_one_pass_json_gives_identical_rows_300k() -> None:
    _differential(300_000, seed=8)
