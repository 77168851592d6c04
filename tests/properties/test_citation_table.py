"""Every item of every assessment carries exactly the citations the hand-written table gives it.

The table (``tests/source_cases/citations.yaml``) is written from the product's decision tables
and the provision registry, never from the rules. A rule that cites the wrong provision, an extra
one, or one too few fails here on some generated case, on every backend: checking only that a
citation exists would let ``no_termination_session_efforts`` cite 3.9 instead of 2.8's session
clause unnoticed.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from hypothesis import given

from conduct_rules import Case, assess, durable_available, load_ruleset
from conduct_rules.api import BACKENDS as API_BACKENDS
from conduct_rules_dev.cases import corpus
from support.source_expect import citation_table, load_cases, table_citations, wrong_citations
from support.strategies import cases, parameters

BACKENDS = [
    b for b in API_BACKENDS if b != "auto" and (b != "durable_rules" or durable_available())
]


def test_the_table_names_every_output_of_the_ruleset_and_only_those() -> None:
    rs = load_ruleset("ontario")
    table = citation_table()
    catalogues: Mapping[str, set[str]] = {
        "safeguards": set(rs.outputs.safeguards),
        "actions": set(rs.outputs.actions),
        "documentation": set(rs.outputs.documentation),
        "findings": set(rs.outputs.findings),
    }
    assert set(table) == set(catalogues)
    for kind, ids in catalogues.items():
        assert set(table[kind]) == ids, kind


def test_every_cited_provision_is_in_the_registry() -> None:
    provisions = set(load_ruleset("ontario").provisions)
    cited: set[str] = set()
    for entries in citation_table().values():
        for entry in entries.values():
            if isinstance(entry, list):
                cited |= set(entry)
            else:
                for branch in entry.values():
                    if isinstance(branch, dict):
                        cited |= {c for cs in branch.values() for c in cs}
                    else:
                        cited |= set(branch)
    assert cited - provisions == set()


def test_the_hand_written_cases_agree_with_the_table() -> None:
    # Two hand-written artefacts checked against each other: a slip in either shows here.
    problems = []
    for sc in load_cases():
        case = Case.model_validate(sc.data)
        exp = sc.expected
        stated = [
            *(("safeguards", k, v["cites"]) for k, v in (exp["safeguards"] or {}).items()),
            *(("actions", k, v["cites"]) for k, v in (exp["actions"] or {}).items()),
            *(("documentation", k, v) for k, v in (exp["missing_documentation"] or {}).items()),
            *(("findings", k, v) for k, v in (exp["findings"] or {}).items()),
        ]
        for kind, item, cites in stated:
            if frozenset(cites) != table_citations(kind, item, case):
                problems.append(f"{sc.name}: {kind}.{item}")
    assert problems == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_fixed_corpus_cites_exactly_the_table(backend: str) -> None:
    # 300 varied cases with parameter overrides, the same on every run.
    problems: list[str] = []
    for case, params in corpus(300):
        a = assess(case, backend=backend, parameters=params or None)
        problems += [f"{case.case_id}: {p}" for p in wrong_citations(case, a)]
    assert problems[:20] == []


@pytest.mark.parametrize("backend", BACKENDS)
@given(case=cases(), params=parameters())
def test_generated_cases_cite_exactly_the_table(
    backend: str, case: Case, params: dict[str, int]
) -> None:
    a = assess(case, backend=backend, parameters=params or None)
    assert wrong_citations(case, a) == []
