"""Explanations as reasoning: paragraphs a supervisor would write, options grouped as plans.

Properties: the grouped options expand back to exactly the minimal change sets of the search
(nothing promised that does not work, nothing lost); the texts never show machine words. Pinned:
the scenarios' options, the "why not" answers that can and cannot be acted on, and the CLI.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings

from conduct_rules import explain, what_would_permit, why_not
from conduct_rules.api import get_ruleset
from conduct_rules.cli.main import main
from conduct_rules.teach.options import Option, factor_options
from conduct_rules.teach.what_if import WhatIf, what_if
from support.profiles import examples
from support.strategies import fact_cases

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FILES = sorted(EXAMPLES.glob("scenario-*/*.json"))
RS = get_ruleset()
S1 = EXAMPLES / "scenario-1" / "1-before-notice.json"
S2 = EXAMPLES / "scenario-2" / "1-before-legal-advice.json"
S3 = EXAMPLES / "scenario-3" / "1-before-threats.json"
#: Words of the machine that a reader must never see.
MACHINE = (
    "empty change set",
    "one of (",
    "matters through",
    "not: ",
    "non : ",
    "session_owed",
    "session-basis",
    "domain.md",
    "would need",
)


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _expand(option: Option) -> set[frozenset[str]]:
    """Every set of levers the option stands for."""
    per_step = []
    for step in option.steps:
        ways: list[frozenset[str]] = []
        for alt in step.alternatives:
            levers = [c.lever for c in alt.changes]
            if alt.choose is None:
                ways.append(frozenset(levers))
            else:
                ways += [frozenset(x) for x in itertools.combinations(levers, alt.choose)]
        per_step.append(ways)
    return {frozenset().union(*combo) for combo in itertools.product(*per_step)}


@settings(max_examples=examples(20))
@given(fact_cases())
def test_options_stand_for_exactly_the_minimal_change_sets(data: dict[str, Any]) -> None:
    sets = what_would_permit(data, max_changes=4)
    options = factor_options(sets)
    expected = {frozenset(c.lever for c in cs.changes) for cs in sets if cs.changes}
    got: set[frozenset[str]] = set()
    for option in options:
        got |= _expand(option)
    assert got == expected


def test_scenario_1_reads_as_one_plan_with_choices() -> None:
    e = explain(_load(S1))
    (option,) = e.reasoning.options
    bases, session, consent = option.steps
    assert [a.changes[0].lever for a in bases.alternatives] == [
        "arrange-alternatives",
        "give-opportunity",
    ]
    hold, attempts = session.alternatives
    assert [c.lever for c in hold.changes] == ["hold-session"]
    assert attempts.choose == 2
    assert len(attempts.changes) == 3
    assert [c.lever for c in consent.alternatives[0].changes] == ["obtain-consent"]
    text = e.reasoning.next_steps
    assert "either make reasonable efforts to arrange alternative" in text
    assert "any two of these" in text
    assert "(2.8 iii; 2.8 iv; scenario 1; scenario 2)" in text  # short forms, registry order
    assert e.reasoning.deciding_provisions == ("oreg384-2.8",)


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_explanations_have_no_machine_words(path: Path, lang: str) -> None:
    e = explain(_load(path), lang=lang)  # type: ignore[arg-type]
    text = "\n".join(e.reasoning.paragraphs)
    assert e.reasoning.decision
    assert e.reasoning.next_steps
    for word in MACHINE:
        assert word not in text, word
    for rule in RS.rules:
        assert f" {rule.id} " not in text


def test_why_not_says_plainly_when_nothing_can_change_it() -> None:
    answer = why_not(_load(S3), "legal_advice")
    assert not answer.holds
    assert not answer.actionable
    assert answer.options == ()
    assert answer.outside_control == ("a court order applies (now: no)",)
    assert "Nothing the member can do changes this" in answer.text
    fr = why_not(_load(S3), "legal_advice", lang="fr")
    assert "Rien de ce que le membre peut faire" in fr.text
    assert "\u00a0: " in fr.text  # French spacing before the colon


def test_why_not_lists_only_steps_open_to_the_member() -> None:
    answer = why_not(_load(S2), "legal_advice")
    assert answer.actionable
    levers = {
        c.lever for o in answer.options for s in o.steps for a in s.alternatives for c in a.changes
    }
    assert levers == {"obtain-legal-advice", "consult-lawyer"}
    assert answer.text.startswith("“Legal advice about the court order” does not hold yet.")
    assert "either obtain legal advice" in answer.text
    for word in MACHINE:
        assert word not in answer.text


def test_what_if_carries_case_verdict_and_target() -> None:
    answer = what_if(_load(S1))
    assert (answer.case_id, answer.verdict, answer.verdict_after) == (
        "scenario-1/1-before-notice",
        "not_permitted",
        "permitted",
    )
    assert answer.reachable
    assert not answer.already
    assert len(answer.change_sets) == 8
    assert WhatIf.model_validate_json(answer.model_dump_json()) == answer
    done = what_if(_load(EXAMPLES / "scenario-3" / "2-after-threats.json"))
    assert done.already
    assert done.options == ()
    assert done.change_sets == ()
    assert done.text == "Ending is already permitted: nothing needs to change."


def test_cli_what_if_text_json_output_and_parameters(tmp_path: Path) -> None:
    runner = CliRunner()
    out = runner.invoke(main, ["what-if", str(S2)])
    assert out.exit_code == 0, out.output
    assert "1. Either hold the termination session" in out.output
    assert "any two of these" in out.output
    three = runner.invoke(main, ["what-if", str(S2), "--parameters", "min_attempts=3"])
    assert "any three of these" in three.output
    target = tmp_path / "w.json"
    res = runner.invoke(main, ["what-if", str(S2), "--format", "json", "-o", str(target)])
    assert res.exit_code == 0
    assert res.output == ""
    data = json.loads(target.read_text())
    assert data["schema_version"]
    assert data["case_id"] == "scenario-2/1-before-legal-advice"
    bad = runner.invoke(main, ["what-if", str(S2), "--parameters", "min_atempts=3"])
    assert bad.exit_code == 2
    assert "Error" not in bad.output
    assert "Traceback" not in bad.output


def test_cli_why_not_suggests_a_near_id() -> None:
    res = CliRunner().invoke(main, ["explain", str(S2), "--why-not", "legal_advise"])
    assert res.exit_code == 2
    assert "did you mean 'legal_advice'?" in res.output


def test_cli_explain_text_is_paragraphs_without_the_derivation() -> None:
    res = CliRunner().invoke(main, ["explain", str(S1), "--lang", "fr"])
    assert res.exit_code == 0
    assert "parce que :" not in res.output
    assert "conclut :" not in res.output
    assert "Pour que la cessation soit permise\u00a0: soit faire" in res.output.replace("\n", " ")
