"""Counterfactuals: the properties of issue 6, then pinned examples.

Properties (any case): applying a returned change set gives ``permitted`` (checked with the
default backend, not the python backend the search uses); every set is minimal; no set touches a
field outside ``actionable``; sets come smallest first and no smaller set of levers works; a case
already permitted gives the empty change set.
"""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given

from conduct_rules import RulesetError, assess, load_ruleset
from conduct_rules.api import get_ruleset
from conduct_rules.cli.main import main
from conduct_rules.model.case import Case
from conduct_rules.teach.counterfactual import (
    Change,
    ChangeSet,
    _levers,
    apply_changes,
    what_would_permit,
)
from conduct_rules.teach.what_if import WhatIf
from support.strategies import fact_cases

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
RS = get_ruleset()
ACTIONABLE = set(RS.actionable)

cases = fact_cases()


def _flat(data: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted paths to leaf values; lists are compared whole (they are one field)."""
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for k, v in data.items():
            out.update(_flat(v, f"{prefix}{k}."))
        return out
    return {prefix[:-1]: data}


def _verdict(case: Case | dict[str, Any], backend: str = "auto") -> str:
    return assess(case, backend=backend).verdict


@given(cases)
def test_every_returned_set_permits_is_minimal_and_actionable(data: dict[str, Any]) -> None:
    sets = what_would_permit(data)
    before = Case.parse(data)
    if _verdict(data) == "permitted":
        assert sets == [ChangeSet()]
        return
    sizes = [s.size for s in sets]
    assert sizes == sorted(sizes), "smallest first"
    for cs in sets:
        assert cs.changes, "only a permitted case gets the empty change set"
        after = apply_changes(before, cs)
        assert _verdict(after) == "permitted"
        old, new = _flat(before.model_dump(mode="json")), _flat(after.model_dump(mode="json"))
        touched = {k for k in old if old[k] != new[k]}
        assert touched <= ACTIONABLE, touched - ACTIONABLE
        assert {c.field for c in cs.changes} <= ACTIONABLE
        for i in range(cs.size):
            fewer = cs.changes[:i] + cs.changes[i + 1 :]
            assert _verdict(apply_changes(before, fewer), "python") != "permitted", (
                f"dropping {cs.changes[i].lever} still permits: not minimal"
            )
    for a, b in itertools.permutations(sets, 2):
        assert not {c.lever for c in a.changes} <= {c.lever for c in b.changes}


@given(cases)
def test_no_smaller_set_of_levers_works(data: dict[str, Any]) -> None:
    """Brute force over every lever combination smaller than the first answer (up to 2)."""
    sets = what_would_permit(data)
    if not sets or not sets[0].changes:
        return
    levers = _levers(RS, "en")
    changes = [
        Change(
            lever=lv.id,
            field=lv.field,
            operation=lv.operation,
            value=lv.value,
            text="",
            citations=(),
            rules=(),
        )
        for lv in levers
    ]
    for size in range(1, min(sets[0].size, 3)):
        for combo in itertools.combinations(changes, size):
            if len({c.field for c in combo if c.operation != "add"}) < sum(
                c.operation != "add" for c in combo
            ):
                continue
            case = apply_changes(data, combo)
            assert _verdict(case, "python") != "permitted", [c.lever for c in combo]


@given(cases)
def test_same_case_same_answer(data: dict[str, Any]) -> None:
    first = what_would_permit(data, lang="fr")
    assert first == what_would_permit(data, lang="fr")
    assert [s.size for s in first] == [s.size for s in what_would_permit(data, lang="en")]


def test_already_permitted_gives_the_empty_change_set() -> None:
    case = json.loads((EXAMPLES / "scenario-1" / "3-after-termination-session.json").read_text())
    assert _verdict(case) == "permitted"
    assert what_would_permit(case) == [ChangeSet(changes=(), verdict_before="permitted")]


def test_not_permitted_needs_a_basis_the_member_can_create() -> None:
    """2.8 iii/iv: with no basis, every answer arranges alternatives or gives an opportunity."""
    sets = what_would_permit({"case_id": "no-basis"})
    assert sets
    assert sets[0].verdict_before == "not_permitted"
    for cs in sets:
        levers = {c.lever for c in cs.changes}
        assert levers & {"arrange-alternatives", "give-opportunity"}
    assert {c.lever for c in sets[0].changes} == {"arrange-alternatives", "hold-session"}
    assert sets[0].changes[0].citations[0] == "oreg384-2.8.iii"
    assert "basis-for-ending" in sets[0].changes[0].rules


def test_never_proposes_what_is_outside_the_members_control() -> None:
    outside = ("services.", "client.", "member.", "court_order.applies", "stage", "initiated_by")
    for lv in _levers(RS, "en"):
        assert not lv.field.startswith(outside)
        assert lv.value != "declined_by_client"
    case = {"case_id": "c", "court_order": {"applies": True}, "client": {"withdrew": True}}
    for cs in what_would_permit(case):
        for c in cs.changes:
            assert c.field in ACTIONABLE
            assert c.value != "declined_by_client"


def test_court_order_answers_include_legal_advice() -> None:
    case = json.loads((EXAMPLES / "scenario-2" / "1-before-legal-advice.json").read_text())
    sets = what_would_permit(case)
    assert [s.size for s in sets][:2] == [2, 2]
    for cs in sets:
        assert {c.lever for c in cs.changes} & {"obtain-legal-advice", "consult-lawyer"}


def test_added_attempts_are_dated_after_the_last_one_and_replay_exactly() -> None:
    case = {
        "case_id": "a",
        "client": {"withdrew": True},
        "termination_session": {
            "status": "attempted",
            "attempts": [{"channel": "email", "date": "2024-03-04"}],
        },
    }
    sets = what_would_permit(case)
    phone = next(cs for cs in sets if [c.lever for c in cs.changes] == ["attempt-by-phone"])
    assert phone.changes[0].value == {"channel": "phone", "date": "2024-03-05"}
    after = apply_changes(case, phone)
    assert [a.channel for a in after.termination_session.attempts] == ["email", "phone"]
    assert _verdict(after) == "permitted"


def test_max_changes_bounds_the_search() -> None:
    assert what_would_permit({"case_id": "x"}, max_changes=1) == []
    assert what_would_permit({"case_id": "x"}, max_changes=2, limit=1)[0].size == 2


def test_french_texts_and_json_round_trip() -> None:
    sets = what_would_permit({"case_id": "x"}, lang="fr")
    assert sets[0].changes[0].text.startswith("Faire des efforts raisonnables")
    again = ChangeSet.model_validate_json(sets[0].model_dump_json())
    assert again == sets[0]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_cli_what_if(lang: str, tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps({"case_id": "cli", "court_order": {"applies": True}}))
    runner = CliRunner()
    text = runner.invoke(main, ["what-if", str(path), "--lang", lang])
    assert text.exit_code == 0, text.output
    assert "  1. " in text.output  # numbered steps
    short = RS.provisions["oreg384-2.8.iii"].short
    assert short is not None
    assert f"({short[lang]}" in " ".join(text.output.split())  # cited inline, short form
    out = runner.invoke(main, ["what-if", str(path), "--format", "json"])
    assert out.exit_code == 0
    answer = WhatIf.model_validate_json(out.output)
    assert list(answer.change_sets) == what_would_permit(json.loads(path.read_text()))
    assert answer.case_id == "cli"
    permitted = runner.invoke(
        main, ["what-if", str(EXAMPLES / "scenario-3" / "2-after-threats.json"), "--lang", lang]
    )
    assert ("déjà permise" if lang == "fr" else "already permitted") in permitted.output
    assert "empty change set" not in permitted.output


def test_cli_what_if_rejects_a_bad_case(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"case_id": "bad", "services": {"needed": "yes"}}))
    result = CliRunner().invoke(main, ["what-if", str(path)])
    assert result.exit_code == 2
    assert "services.needed" in result.output


_GOOD_LEVER = {
    "id": "x",
    "set": True,
    "cites": ["note-scenario-2"],
    "en": "Do it.",
    "fr": "Le faire.",
}


@pytest.mark.parametrize(
    ("field", "change", "message"),
    [
        ("member.threats_received", {}, "must be listed in 'actionable'"),
        ("consultation.legal", {"set": "held"}, "does not fit"),
        ("termination_session.status", {"set": "sometimes"}, "does not fit"),
        ("termination_session.attempts", {"set": None, "add": {"channel": "fax"}}, "does not fit"),
        ("alternatives.providers_offered", {"set": None, "at_least": {"param": "nope"}}, "fit"),
        ("consultation.legal", {"at_least": 2}, "exactly one of set, at_least, add"),
        ("consultation.legal", {"cites": ["no-such-provision"]}, "unknown provision"),
    ],
)
def test_the_loader_checks_levers(
    field: str, change: dict[str, Any], message: str, tmp_path: Path
) -> None:
    folder = tmp_path / "ontario"
    shutil.copytree(Path(__file__).resolve().parents[2] / "rulesets" / "ontario", folder)
    header = yaml.safe_load((folder / "ruleset.yaml").read_text(encoding="utf-8"))
    lever = {k: v for k, v in {**_GOOD_LEVER, **change}.items() if v is not None}
    header["levers"] = {field: [lever]}
    (folder / "ruleset.yaml").write_text(yaml.safe_dump(header, allow_unicode=True), "utf-8")
    with pytest.raises(RulesetError, match=message) as info:
        load_ruleset(folder)
    assert info.value.field is not None
    assert info.value.field.startswith(f"levers.{field}")
    del header["levers"]
    (folder / "ruleset.yaml").write_text(yaml.safe_dump(header, allow_unicode=True), "utf-8")
    plain = load_ruleset(folder)  # levers are optional: without them, no options at all
    assert what_would_permit({"case_id": "x"}, ruleset=plain) == []
