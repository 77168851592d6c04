"""Mutation strength: every non-equivalent mutant of the Ontario ruleset is killed.

The full run (every operator, every rule: about 270 mutants) takes under a minute of CPU, so it
runs here whole; the quick subset (each rule removed, each condition negated) is what issue 2 asks
of every rule, and is asserted rule by rule. ``docs/testing.md`` must quote the figure this run
prints, so the documentation cannot drift from the tool.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conduct_rules._dev.mutants import OPERATORS
from conduct_rules._dev.mutation import (
    DEFAULT_EQUIVALENTS,
    Report,
    load_equivalents,
    run_mutation,
)
from conduct_rules.api import get_ruleset
from conduct_rules.ruleset import _builtin_dir

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def report() -> Report:
    return run_mutation(
        _builtin_dir() / "ontario",
        operators=OPERATORS,
        equivalents=load_equivalents(DEFAULT_EQUIVALENTS),
    )


def _status(report: Report) -> dict[str, str]:
    return {o.mutant.id: o.status for o in report.outcomes}


def test_each_rule_is_missed_when_removed_or_negated(report: Report) -> None:
    """Issue 2: for every rule, a test fails if it is removed or its condition negated. A removal
    the loader rejects must also be caught by the tests in its ``disable`` form."""
    status = _status(report)
    for rule in get_ruleset().rules:
        removed = status[f"{rule.id}:remove"]
        assert removed in ("killed", "loader"), f"{rule.id}: removal {removed}"
        if removed == "loader":
            assert status[f"{rule.id}:disable"] == "killed", f"{rule.id}: disabling survives"
        assert status[f"{rule.id}:negate"] == "killed", f"{rule.id}: negation survives"


def test_no_non_equivalent_mutant_survives(report: Report) -> None:
    """Every survivor is listed as equivalent, with a reason; no listed equivalent is killed."""
    survivors = [f"{o.mutant.id} ({o.detail})" for o in report.outcomes if o.status == "survived"]
    wrongly = [o.mutant.id for o in report.outcomes if o.status == "wrongly-equivalent"]
    assert survivors == []
    assert wrongly == []


def test_equivalents_file_names_real_mutants(report: Report) -> None:
    """A stale entry in tests/mutation_equivalents.yaml would hide nothing but mislead readers."""
    made = {o.mutant.id for o in report.outcomes}
    assert set(load_equivalents(DEFAULT_EQUIVALENTS)) <= made


def test_docs_quote_the_printed_figure(report: Report) -> None:
    """docs/testing.md states the latest kill rate exactly as the tool prints it."""
    text = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    assert report.figure in text
    quoted = re.findall(r"[\d.]+ % of non-equivalent mutants killed", text)
    assert quoted, "docs/testing.md quotes no figure"
    assert set(quoted) == {report.figure}


def test_every_operator_made_mutants(report: Report) -> None:
    """Each operator applies somewhere, except ``drop-conclusion`` (no Ontario rule has two
    conclusions today); a silent operator would make the figure look better than it is."""
    made = {o.mutant.operator for o in report.outcomes}
    assert set(OPERATORS) - made == {"drop-conclusion"}
