"""The CRPO Standard 6.3 ruleset: golden examples, its edge cases as properties, three backends.

Golden files (``tests/golden/crpo/``) hold whole assessments from the ``python`` backend, for the
examples of ``examples/crpo/`` and for the practice note's scenarios run through CRPO (one case
file serves both colleges); regenerate with ``UPDATE_GOLDEN=1`` and review the diff. Explicit
assertions say the expected outcome of each example in words, so a carelessly regenerated golden
cannot hide a wrong verdict. The properties are the issue's: a protected ground is always
``not_permitted``; referrals are required exactly when the client is interested; meeting a
safeguard never makes things worse; neither list order nor rule order matters. Adding the CRPO
fields to the case must leave every Ontario answer unchanged.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conduct_rules import Case, assess, assess_many, durable_available, load_ruleset
from conduct_rules.api import get_backend
from conduct_rules_dev import crpo
from conduct_rules_dev.invariants import Context
from conduct_rules_dev.mutation import mutant_ruleset
from support.profiles import examples
from support.strategies import CRPO_FIELDS, cases, with_changes

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "crpo"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
CRPO = load_ruleset("crpo-6.3")
BACKENDS = ["python", "fast", *(["durable_rules"] if durable_available() else [])]
FILES = sorted(
    p.relative_to(EXAMPLES).as_posix()
    for p in [*EXAMPLES.glob("crpo/*.json"), *EXAMPLES.glob("scenario-*/*.json")]
)


def _load(rel: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / rel).read_text(encoding="utf-8"))
    return data


def _golden_path(rel: str) -> Path:
    return GOLDEN / rel.removeprefix("crpo/")


@pytest.mark.parametrize("rel", FILES)
def test_golden(rel: str) -> None:
    got = assess(_load(rel), ruleset="crpo-6.3", backend="python").model_dump(mode="json")
    path = _golden_path(rel)
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    want = json.loads(path.read_text(encoding="utf-8"))
    assert got == want
    for backend in BACKENDS[1:]:
        other = assess(_load(rel), ruleset="crpo-6.3", backend=backend).model_dump(mode="json")
        assert other == {**want, "engine": backend}


def _outstanding(a: Any) -> set[str]:
    return {s.id for s in a.required_safeguards if s.status == "outstanding"}


#: Each example's outcome in words: verdict, outstanding safeguards, findings.
EXPECTED: dict[str, tuple[str, set[str], set[str]]] = {
    "crpo/1-considering-first-steps.json": (
        "conditional",
        {
            "referrals_to_other_providers",
            "reasons_communicated",
            "opportunity_to_arrange_services",
            "discontinuation_documented",
        },
        set(),
    ),
    "crpo/2-considering-ready.json": ("permitted", set(), set()),
    "crpo/3-client-not-interested.json": ("permitted", {"discontinuation_documented"}, set()),
    "crpo/4-protected-ground.json": (
        "not_permitted",
        {"opportunity_to_arrange_services", "discontinuation_documented"},
        set(),
    ),
    "crpo/5-not-in-good-faith.json": (
        "not_permitted",
        {"opportunity_to_arrange_services", "discontinuation_documented"},
        set(),
    ),
    "crpo/6-ended-without-referrals-or-reasons.json": (
        "not_permitted",
        {
            "referrals_to_other_providers",
            "reasons_communicated",
            "opportunity_to_arrange_services",
            "discontinuation_documented",
        },
        {"no_referrals", "reasons_not_communicated"},
    ),
    "crpo/7-ended-well.json": ("permitted", set(), set()),
}


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_examples_say_what_the_reading_says(rel: str) -> None:
    verdict, outstanding, findings = EXPECTED[rel]
    a = assess(_load(rel), ruleset="crpo-6.3")
    assert a.verdict == verdict
    assert _outstanding(a) == outstanding
    assert {f.id for f in a.findings} == findings
    assert a.ruleset.id == "crpo-6.3"


def test_every_example_is_listed() -> None:
    assert sorted(EXPECTED) == [f for f in FILES if f.startswith("crpo/")]


def test_the_scenarios_run_through_crpo() -> None:
    """The note's cases carry no CRPO fields: the reading's defaults (good faith, interested,
    reasons not explained) apply, so before the end every scenario waits on the reasons; after
    an ending without them, CRPO finds a possible breach that Ontario does not look for. A case
    that says the file does not tell (null) leaves the step outstanding, with no finding."""
    s1 = assess(_load("scenario-1/1-before-notice.json"), ruleset="crpo-6.3")
    assert s1.verdict == "conditional"
    assert "reasons_communicated" in _outstanding(s1)
    ended = assess(_load("scenario-2/3-ended-by-final-email.json"), ruleset="crpo-6.3")
    assert ended.verdict == "not_permitted"
    assert {f.id for f in ended.findings} == {"reasons_not_communicated"}
    base = Case.model_validate(_load("scenario-2/3-ended-by-final-email.json"))
    unknown = assess(with_changes(base, **{"client.informed_of_reasons": None}), ruleset=CRPO)
    assert unknown.verdict == "conditional"
    assert unknown.findings == ()
    assert "reasons_communicated" in _outstanding(unknown)
    told = with_changes(base, **{"client.informed_of_reasons": True})
    assert assess(told, ruleset="crpo-6.3").verdict == "permitted"
    not_told = assess(with_changes(base, **{"client.informed_of_reasons": False}), ruleset=CRPO)
    assert not_told.verdict == "not_permitted"
    assert {f.id for f in not_told.findings} == {"reasons_not_communicated"}


@given(case=cases(stage="ended"))
def test_a_silent_file_never_makes_a_reasons_finding(case: Case) -> None:
    """Only an explicit "not explained" is a possible breach of 6.3.4; null never is."""
    silent = with_changes(case, **{"client.informed_of_reasons": None})
    a = assess(silent, ruleset=CRPO)
    assert "reasons_not_communicated" not in {f.id for f in a.findings}
    assert "reasons_communicated" in _outstanding(a)
    said_no = assess(with_changes(case, **{"client.informed_of_reasons": False}), ruleset=CRPO)
    assert "reasons_not_communicated" in {f.id for f in said_no.findings}


@given(case=cases(), value=st.sampled_from([None, True, False]))
def test_ontario_ignores_informed_of_reasons(case: Case, value: bool | None) -> None:
    a = assess(case).model_dump(mode="json")
    b = assess(with_changes(case, **{"client.informed_of_reasons": value})).model_dump(mode="json")
    assert a == b


# ----------------------------------------------------------------------------- properties


@given(case=cases())
def test_protected_ground_is_always_not_permitted(case: Case) -> None:
    c = with_changes(case, **{"member.reason_protected_ground": True})
    a = assess(c, ruleset="crpo-6.3")
    assert a.verdict == "not_permitted"
    assert "end_services" not in {x.id for x in a.permitted_actions}


@given(case=cases(), interested=st.booleans())
def test_referrals_required_exactly_when_the_client_is_interested(
    case: Case, interested: bool
) -> None:
    c = with_changes(case, **{"client.interested_in_further_treatment": interested})
    a = assess(c, ruleset="crpo-6.3")
    ending = c.stage in ("considering", "ended")
    required = {x.id: x.required for x in a.permitted_actions}["refer_client"]
    assert required == (ending and interested)
    has = "referrals_to_other_providers" in {s.id for s in a.required_safeguards}
    assert has == (ending and interested)


@given(case=cases(), min_referrals=st.sampled_from([1, 2, 3]))
def test_meeting_a_safeguard_never_makes_things_worse(case: Case, min_referrals: int) -> None:
    ctx = Context(CRPO).with_parameters({"min_referrals": min_referrals})
    crpo.meeting_a_safeguard_never_worsens(case, ctx)


@given(case=cases())
def test_the_answer_agrees_with_the_reading(case: Case) -> None:
    crpo.agrees_with_reading(case, Context(CRPO))


@settings(max_examples=examples(30))
@given(case=cases())
def test_list_order_does_not_matter(case: Case) -> None:
    crpo.order_free_and_deterministic(case, Context(CRPO))


@pytest.fixture(scope="module")
def reversed_rules(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The same ruleset with its rules written in the opposite order."""
    folder = tmp_path_factory.mktemp("crpo") / "crpo-reversed"
    shutil.copytree(ROOT / "rulesets" / "crpo-6.3", folder)
    data = yaml.safe_load((folder / "rules.yaml").read_text(encoding="utf-8"))
    data["rules"].reverse()
    (folder / "rules.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_ruleset(folder)


@settings(max_examples=examples(40))
@given(case=cases())
def test_rule_order_does_not_matter(reversed_rules: Any, case: Case) -> None:
    a = assess(case, ruleset="crpo-6.3", backend="python").model_dump(exclude={"rules_fired"})
    b = assess(case, ruleset=reversed_rules, backend="python").model_dump(exclude={"rules_fired"})
    for key in ("permitted_actions", "required_safeguards", "missing_documentation", "findings"):
        for item in (*a[key], *b[key]):
            item.pop("rules")
    assert a == b


@given(case=cases(), lang=st.sampled_from(["en", "fr"]))
def test_backends_agree(case: Case, lang: str) -> None:
    dumps = [
        assess(case, ruleset=CRPO, backend=b, lang=lang).model_dump(exclude={"engine"})
        for b in BACKENDS
    ]
    assert all(d == dumps[0] for d in dumps[1:])


def test_every_unit_fires_and_stays_silent() -> None:
    fired: set[str] = set()
    silent: set[str] = set()
    names = {u.name for u in CRPO.units}
    python = get_backend("python")
    for case, params in crpo.corpus(300):
        ev = python.evaluate(CRPO.with_parameters(**params), case)
        fired |= set(ev.fired)
        silent |= names - set(ev.fired)
    always = {"action-refer"}  # referral is always open (condition ``true``)
    assert names - fired == set()
    assert names - silent == always


# ------------------------------------------------------------- the check set can fail


def test_the_check_set_passes_on_the_ruleset() -> None:
    assert crpo.run_suite(CRPO, cases=list(crpo.corpus(120))) == []


@pytest.mark.parametrize(
    ("mutant", "check"),
    [
        ("verdict-barred:negate", None),
        ("safeguard-referrals:drop-conjunct@when.all[1]", None),
        ("referrals-shown:drop-disjunct@when.any[1]", "source"),
        ("safeguard-documented:drop-conjunct@then[0].met_when.all[3]", "source"),
        ("breach-found:add-conjunct@#1", "source"),
    ],
)
def test_the_check_set_kills_mutants(mutant: str, check: str | None) -> None:
    rs = mutant_ruleset(mutant, "crpo-6.3")
    failures = crpo.run_suite(rs, cases=list(crpo.corpus(120)))
    assert failures, mutant
    if check is not None:
        assert failures[0].check == check
        # The oracle alone (a second transcription of the reading) tells it apart as well.
        oracle = crpo.run_suite(rs, families=["oracle"], cases=list(crpo.corpus(120)))
        assert [f.check for f in oracle][:1] == ["agrees_with_reading"]


# ------------------------------------------------------------- Ontario is unchanged


@given(case=cases(), values=st.tuples(*[st.booleans()] * len(CRPO_FIELDS)), docs=st.booleans())
def test_ontario_ignores_the_crpo_fields(case: Case, values: tuple[bool, ...], docs: bool) -> None:
    changed = with_changes(case, **dict(zip(CRPO_FIELDS, values, strict=True)))
    if docs:
        changed = with_changes(changed, documented=[*case.documented, *crpo.CRPO_DOCUMENTATION])
    assert assess(changed).model_dump() == assess(case).model_dump()


@given(case=cases())
def test_ontario_never_reports_crpo_records(case: Case) -> None:
    c = with_changes(case, documented=[*case.documented, *crpo.CRPO_DOCUMENTATION])
    a = assess(c)
    own = set(a.required_documentation) | {d.id for d in a.missing_documentation}
    assert own.isdisjoint(crpo.CRPO_DOCUMENTATION)


def test_ontario_contradiction_warnings_stay_out_of_crpo() -> None:
    """The warnings explain contradictions in terms of O. Reg. 384/00 (2.8 iii: providers named
    without efforts); CRPO counts a named provider as a referral, so it turns them off."""
    case = {"case_id": "W-1", "alternatives": {"providers_offered": 2, "efforts_made": False}}
    assert [w.id for w in assess(case).warnings] == ["referrals_without_efforts"]
    assert assess(case, ruleset="crpo-6.3").warnings == ()
    rows = list(assess_many([case], ruleset="crpo-6.3", backend="python"))
    assert rows[0].warnings == ()
    ontario_rows = list(assess_many([case], backend="python"))
    assert ontario_rows[0].warnings == ("referrals_without_efforts",)
