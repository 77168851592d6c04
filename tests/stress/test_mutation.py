"""Mutation strength: the independent checks (without the oracle) kill every non-equivalent mutant.

The full run (every operator: removal, negation, quantifier swaps, comparator and value changes,
added conjuncts and disjuncts, parameter shifts, citation drops and swaps, blocking flags; about
800 mutants) is slow, so it is marked ``slow``. What it measures is the documented subset of the
suite (``conduct_rules_dev.suite``: the hand-written source cases, the citation table, the
scenarios, the §3 edge properties, the output and threshold checks), with the in-repo oracle as a
separable check. ``docs/testing.md`` must quote both figures this run prints.

The quick tests at the end check the counting rules on small reports: a loader rejection is never
a kill, and each removal is counted once.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conduct_rules.api import get_ruleset
from conduct_rules.rules.ruleset import _builtin_dir
from conduct_rules.rules.yaml_reader import read_yaml
from conduct_rules_dev.mutants import OPERATORS, Mutant, make_mutants
from conduct_rules_dev.mutation import (
    DEFAULT_EQUIVALENTS,
    Outcome,
    Report,
    load_equivalents,
    run_mutation,
)

ROOT = Path(__file__).resolve().parents[2]
ONTARIO = _builtin_dir() / "ontario"


@pytest.fixture(scope="module")
def report() -> Report:
    return run_mutation(
        ONTARIO, operators=OPERATORS, equivalents=load_equivalents(DEFAULT_EQUIVALENTS)
    )


def _status(report: Report) -> dict[str, str]:
    return {o.mutant.id: o.status for o in report.outcomes}


@pytest.mark.slow
def test_each_rule_is_missed_when_removed_or_negated(report: Report) -> None:
    """For every rule, an independent check fails if it is removed (or, where the loader rejects
    the removal, disabled) or its condition negated."""
    status = _status(report)
    for rule in get_ruleset().rules:
        removed = status[f"{rule.id}:remove"]
        if removed == "loader":
            removed = status[f"{rule.id}:disable"]
        assert removed == "killed", f"{rule.id}: removal {removed}"
        assert status[f"{rule.id}:negate"] == "killed", f"{rule.id}: negation survives"


@pytest.mark.slow
def test_independent_checks_kill_every_non_equivalent_mutant(report: Report) -> None:
    """Without the oracle every non-equivalent mutant is killed (issue 17): a mutant the source
    cases, the citation table and the properties all miss is a gap to close with a new source case,
    or, if no case can tell it apart, an entry of tests/mutation_equivalents.yaml with its
    reason."""
    missed = sorted(o.mutant.id for o in report.outcomes if o.status in ("survived", "oracle-only"))
    wrongly = [o.mutant.id for o in report.outcomes if o.status == "wrongly-equivalent"]
    assert missed == [], missed
    assert report.percent_without_oracle == 100.0, report.figure_without_oracle
    assert wrongly == []
    assert report.skipped == (), "the unmutated ruleset fails some checks"


@pytest.mark.slow
def test_equivalents_file_names_real_mutants(report: Report) -> None:
    """A stale entry in tests/mutation_equivalents.yaml would hide nothing but mislead readers."""
    made = {o.mutant.id for o in report.outcomes}
    assert set(load_equivalents(DEFAULT_EQUIVALENTS)) <= made


@pytest.mark.slow
def test_docs_quote_the_printed_figures(report: Report) -> None:
    """docs/testing.md states both latest kill rates exactly as the tool prints them."""
    text = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    assert report.figure in text
    assert report.figure_without_oracle in text
    quoted = re.findall(r"with(?:out)? the oracle: [\d.]+ % of non-equivalent mutants killed", text)
    assert len(set(quoted)) == 2, quoted


@pytest.mark.slow
def test_every_operator_made_mutants(report: Report) -> None:
    """Each operator applies somewhere, except ``drop-conclusion`` (no Ontario rule has two
    conclusions today); a silent operator would make the figure look better than it is."""
    made = {o.mutant.operator for o in report.outcomes}
    assert set(OPERATORS) - made == {"drop-conclusion"}


# ------------------------------------------------------------------------- counting (quick)


def _mutant(mid: str, operator: str) -> Mutant:
    return Mutant(mid, mid.split(":", maxsplit=1)[0], operator, "", {}, {})


def test_a_loader_rejection_is_never_a_kill() -> None:
    outcomes = (
        Outcome(_mutant("r1:remove", "remove"), "loader", "coverage"),
        Outcome(_mutant("r1:disable", "disable"), "killed", "x"),
        Outcome(_mutant("r2:negate", "negate"), "survived", "y"),
        Outcome(_mutant("r3:negate", "negate"), "oracle-only", "agrees_with_decision_table"),
    )
    r = Report(outcomes, 0.0)
    # the rejected removal is out of both figures; its disable twin counts once
    assert r.non_equivalent == 3
    assert r.killed_without_oracle == 1
    assert r.killed == 2
    assert r.figure_without_oracle.endswith("(1 of 3)")
    assert r.figure.endswith("(2 of 3)")


def test_the_new_operators_make_mutants_once_each() -> None:
    rules = read_yaml(ONTARIO / "rules.yaml", "rules.yaml")
    header = read_yaml(ONTARIO / "ruleset.yaml", "ruleset.yaml")
    outputs = read_yaml(ONTARIO / "outputs.yaml", "outputs.yaml")
    provisions = list(read_yaml(ONTARIO / "provisions.yaml", "provisions.yaml")["provisions"])
    ms = make_mutants(rules, header, provisions=provisions, outputs_data=outputs)
    ops = {m.operator for m in ms}
    assert set(OPERATORS) - ops == {"drop-conclusion"}
    ids = [m.id for m in ms]
    assert len(ids) == len(set(ids))
    # every declared parameter is shifted both ways, once
    for name in header["parameters"]:
        shifted = [m for m in ms if m.operator == "shift-param" and m.location.startswith(name)]
        assert {m.location for m in shifted} == {f"{name}+1", f"{name}-1"}
    # blocking flips touch outputs.yaml only, labels kept
    flips = [m for m in ms if m.operator == "flip-blocking"]
    assert len(flips) == len(outputs["safeguards"])
    for m in flips:
        assert m.outputs is not None
        spec = m.outputs["safeguards"][m.location]
        assert spec["label"] == outputs["safeguards"][m.location]["label"]
        assert bool(spec.get("blocking")) != bool(outputs["safeguards"][m.location].get("blocking"))
