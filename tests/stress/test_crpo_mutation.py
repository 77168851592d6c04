"""Mutation strength of the CRPO check set: every non-equivalent mutant of ``rulesets/crpo-6.3``,
made by every operator of the mutation tool, is killed — and killed without the oracle (issue 15).

The independent checks are the hand-written CRPO source cases and citation table
(``tests/source_cases/crpo/``), the invariants the issue names and the output checks; the oracle
(a second transcription of the reading) must add nothing. Survivors no case can tell apart are
listed with their reasons in ``tests/mutation_equivalents_crpo.yaml``.

About 320 mutants, some 40 s of CPU: marked slow; the quick run checks the check set on the
ruleset and on chosen mutants (``tests/properties/test_crpo.py``,
``tests/properties/test_crpo_source.py``)."""

from __future__ import annotations

import pytest

from conduct_rules.rules.ruleset import _builtin_dir
from conduct_rules_dev.mutants import OPERATORS
from conduct_rules_dev.mutation import equivalents_for, load_equivalents, run_mutation


@pytest.mark.slow
def test_no_non_equivalent_crpo_mutant_survives() -> None:
    source = _builtin_dir() / "crpo-6.3"
    report = run_mutation(
        source, operators=OPERATORS, equivalents=load_equivalents(equivalents_for(source))
    )
    survivors = [f"{o.mutant.id} ({o.detail})" for o in report.outcomes if o.status == "survived"]
    oracle_only = [o.mutant.id for o in report.outcomes if o.status == "oracle-only"]
    assert survivors == []
    assert oracle_only == []
    assert report.count("wrongly-equivalent") == 0
    assert report.percent == 100.0
    assert report.percent_without_oracle == 100.0
    assert {o.mutant.operator for o in report.outcomes} >= set(OPERATORS) - {"drop-conclusion"}
    assert len(report.outcomes) > 300
