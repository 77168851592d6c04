"""Explanations and "why not": they must agree with ``assess`` and with the conditions they show."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given

from conduct_rules import assess
from conduct_rules.api import get_ruleset
from conduct_rules.cli.main import main
from conduct_rules.errors import ConductRulesError
from conduct_rules.teach.explain import Explanation, Missing, WhyNot, explain, why_not
from support.strategies import fact_cases

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
RS = get_ruleset()
SCENARIO_2 = EXAMPLES / "scenario-2" / "1-before-legal-advice.json"


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _leaves(items: tuple[Missing, ...]) -> list[Missing]:
    out: list[Missing] = []
    for m in items:
        out += _leaves(m.any_of) + _leaves(m.all_of) + _leaves(m.because)
        if m.fact is not None:
            out.append(m)
    return out


@given(fact_cases())
def test_explanation_agrees_with_assess(data: dict[str, Any]) -> None:
    result = assess(data)
    e = explain(data, max_changes=0)  # the derivation only: the option search has its own tests
    assert e.verdict == result.verdict
    assert tuple(s.rule for s in e.steps) == result.rules_fired
    by_id = {r.id: r for r in RS.rules}
    for step in e.steps:
        assert tuple(p.id for p in step.provisions) == by_id[step.rule].cites
        # The facts shown are those that made the rule fire: each has the value it needs.
        for check in step.because:
            assert check.holds == check.expected, (step.rule, check.fact)
        for c in step.concluded:
            if c.second is not None:
                assert c.second_because or c.second_holds is not None


@given(fact_cases())
def test_why_not_lists_only_conditions_that_are_not_yet_so(data: dict[str, Any]) -> None:
    result = assess(data)
    outstanding = [s.id for s in result.outstanding_safeguards]
    items = [*outstanding, *(v for v in RS.outputs.verdicts if v != result.verdict)]
    for item in items:
        answer = why_not(data, item, max_changes=0)
        assert not answer.holds
        assert answer.routes, item
        for route in answer.routes:
            assert route.missing, (item, route.rule)
            for leaf in _leaves(route.missing):
                if isinstance(leaf.now, bool):
                    assert leaf.now != leaf.needed, (item, leaf.fact)
    assert why_not(data, result.verdict, max_changes=0).holds
    assert why_not(data, result.verdict, max_changes=0).routes == ()


def test_why_not_legal_advice_names_both_ways_to_meet_it() -> None:
    answer = why_not(_load(SCENARIO_2), "legal_advice")
    assert answer.kind == "safeguard"
    assert answer.question == "safeguard.legal_advice.met"
    (route,) = answer.routes
    assert route.rule == "safeguard-legal-advice"
    assert [p.id for p in route.provisions] == ["note-scenario-2"]
    (group,) = route.missing
    assert {m.fact for m in group.any_of} == {
        "court_order.legal_advice_obtained",
        "consultation.legal",
    }


def test_why_not_permitted_without_a_basis_expands_the_exceptions() -> None:
    answer = why_not({"case_id": "x"}, "permitted")
    routes = {r.rule: r for r in answer.routes}
    assert set(routes) == {"verdict-safeguards-met"}
    facts = {m.fact for m in _leaves(routes["verdict-safeguards-met"].missing)}
    assert {"basis", "client.requested_termination", "alternatives.opportunity_given"} <= facts
    assert "member.threats_received" in facts  # through the derived fact ``risk`` (2.8 v)


def test_why_not_resolves_shared_ids_and_rejects_unknown_ones() -> None:
    case = _load(SCENARIO_2)
    assert why_not(case, "legal_advice").kind == "safeguard"
    assert why_not(case, "documentation:legal_advice").kind == "documentation"
    assert why_not(case, "end_services").holds
    with pytest.raises(ConductRulesError, match="unknown item"):
        why_not(case, "no_such_thing")
    with pytest.raises(ConductRulesError):
        why_not(case, "permitted", lang="de")  # type: ignore[arg-type]


def test_french_explanation_uses_french_labels_and_paraphrases() -> None:
    e = explain(_load(SCENARIO_2), lang="fr")
    step = next(s for s in e.steps if s.rule == "safeguard-legal-advice")
    assert step.because[0].text == "une ordonnance du tribunal s'applique"
    assert step.concluded[0].text.startswith("mesure requise")
    assert step.provisions[0].text == RS.provisions["note-scenario-2"].fr
    assert e.verdict_label == RS.outputs.verdicts[e.verdict].label["fr"]


def test_explanation_is_json_ready() -> None:
    e = explain(_load(SCENARIO_2))
    assert Explanation.model_validate_json(e.model_dump_json()) == e
    w = why_not(_load(SCENARIO_2), "permitted")
    assert WhyNot.model_validate_json(w.model_dump_json()) == w


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_cli_explain_text(lang: str) -> None:
    result = CliRunner().invoke(main, ["explain", str(SCENARIO_2), "--lang", lang, "--rules"])
    assert result.exit_code == 0, result.output
    assert "safeguard-legal-advice  [note-scenario-2]" in result.output
    heading = "Dispositions citées" if lang == "fr" else "Provisions cited"
    assert heading in result.output
    assert RS.provisions["oreg384-2.8.ii"].source in result.output


def test_cli_explain_json_and_why_not() -> None:
    runner = CliRunner()
    out = runner.invoke(main, ["explain", str(SCENARIO_2), "--format", "json"])
    assert Explanation.model_validate_json(out.output) == explain(_load(SCENARIO_2))
    args = ["explain", str(SCENARIO_2), "--why-not", "permitted", "--rules"]
    text = runner.invoke(main, args)
    assert text.exit_code == 0
    assert "verdict-safeguards-met" in text.output
    assert "✗ legal advice on the court order obtained (now: no)" in text.output
    bad = runner.invoke(main, ["explain", str(SCENARIO_2), "--why-not", "nope"])
    assert bad.exit_code == 2
    assert "unknown id 'nope'" in bad.output


def test_rule_notes_follow_the_language() -> None:
    """Every note has its French text (the loader requires it), and explanations show it."""
    from conduct_rules import load_ruleset

    rs = load_ruleset("ontario")
    assert all((r.note is None) == (r.note_fr is None) for r in rs.rules)
    case = {"case_id": "N-1", "stage": "ended", "member": {"threats_received": True}}
    notes = {
        lang: {s.rule: s.note for s in explain(case, lang=lang).steps if s.note}  # type: ignore[arg-type]
        for lang in ("en", "fr")
    }
    assert notes["en"]["risk-of-harm"].startswith("Threats make serious risk")
    assert notes["fr"]["risk-of-harm"].startswith("Des menaces rendent le risque grave")
    assert set(notes["en"]) == set(notes["fr"])
