"""The one table of fact kinds (``rules.facts``): every fact an engine holds is spelled by it, and
"outstanding = required and not met" means the same in Python and in generated code."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest

from conduct_rules import Case, load_ruleset
from conduct_rules.api import get_backend
from conduct_rules.rules.compiled import KINDS
from conduct_rules.rules.facts import (
    ANY_MISSING,
    FACT_KINDS,
    UNMET_SOURCE,
    add_auto_facts,
    auto_facts,
    auto_keys,
    main_key,
    unmet,
    unmet_from,
)

ROOT = Path(__file__).resolve().parents[2]
RULESETS = ["ontario", "crpo-6.3", ROOT / "benchmarks" / "rulesets" / "bench8"]
VALUES: list[Any] = [None, False, True, 0, 1, "", "x"]


def test_generated_unmet_is_unmet() -> None:
    for required, met in itertools.product(VALUES, VALUES):
        source = UNMET_SOURCE.format(required="r", met="m")
        got = eval(source, {"__builtins__": {}}, {"r": required, "m": met})
        assert got is unmet(required, met), (required, met)


def _pattern(template: str) -> re.Pattern[str]:
    return re.compile(re.escape(template).replace(r"\{\}", r"[^.]+") + "$")


@pytest.mark.parametrize("name", RULESETS)
def test_every_concluded_or_automatic_fact_has_a_kind(name: str | Path) -> None:
    """Every fact a backend holds is a feature of the case, a derived fact, or a key of the
    table; the automatic ones are exactly ``auto_keys``."""
    rs = load_ruleset(name)
    patterns = [_pattern(k.template) for k in FACT_KINDS]
    derived = set(rs.header.derived)
    features = set(rs.feature_keys)
    paths = sorted(ROOT.glob("examples/scenario-*/*.json"))
    assert paths
    for path in paths:
        case = Case.model_validate_json(path.read_bytes())
        facts = get_backend("python").evaluate(rs, case).facts
        for key in facts:
            if key in features or key in derived:
                continue
            assert any(p.match(key) for p in patterns), key
        engine_made = {k for k in facts if unmet_from(k) is not None} | {ANY_MISSING}
        assert engine_made == auto_keys(rs)


def test_auto_facts_follow_the_definition() -> None:
    rs = load_ruleset("ontario")
    facts: dict[str, Any] = {}
    for i, a in enumerate(auto_facts(rs)):
        facts[a.required] = i % 2 == 0
        facts[a.met] = i % 3 == 0
    add_auto_facts(rs, facts)
    for a in auto_facts(rs):
        assert facts[a.key] is unmet(facts[a.required], facts[a.met])
        assert unmet_from(a.key) == (a.required, a.met)
    missing = [a.key for a in auto_facts(rs) if a.key.startswith("documentation.")]
    assert facts[ANY_MISSING] is any(facts[k] for k in missing)


def test_main_keys_cover_every_conclusion_kind() -> None:
    assert {main_key(k, "x") for k in KINDS} == {
        "x", "verdict.x", "action.x", "safeguard.x.required", "documentation.x.required",
        "finding.x",
    }  # fmt: skip
    assert unmet_from("documentation.any_missing") is None
    assert unmet_from("missing") is None
