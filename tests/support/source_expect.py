"""Test-side name for ``conduct_rules_dev.source``: the source cases and the citation table.

One implementation (in ``conduct_rules_dev``, typed and shared with the mutation tool); the suites
import it from here as ``support.source_expect``.
"""

from __future__ import annotations

from conduct_rules_dev.source import (
    CASE_FILES,
    SourceCase,
    bases_holding,
    citation_table,
    compare,
    load_cases,
    table_citations,
    wrong_citations,
)

__all__ = [
    "CASE_FILES",
    "SourceCase",
    "bases_holding",
    "citation_table",
    "compare",
    "load_cases",
    "table_citations",
    "wrong_citations",
]
