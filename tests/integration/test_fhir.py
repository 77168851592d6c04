"""FHIR in and out: the scenario bundles give the scenario answers; unmappable input is named.

* every bundle of ``examples/fhir/`` gives exactly the assessment of its case file;
* every bundle, the shipped CodeSystem and every GuidanceResponse validate with fhir.resources;
* a case written as a bundle reads back as the same case (hypothesis, on every case the
  strategies make that a bundle can carry);
* what cannot be mapped raises ``MappingError`` naming entry, resource and element, never a value;
* ``POST /v1/fhir/assess`` answers as the library does.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fhir.resources")

from hypothesis import assume, given, settings

from conduct_rules import Case, MappingError, assess
from conduct_rules.fhir import (
    CODE_SYSTEM,
    assessment_to_fhir,
    bundle_from_case,
    case_from_bundle,
    code_system,
    published_code_system,
)
from support.profiles import examples
from support.strategies import cases

ROOT = Path(__file__).resolve().parents[2]
BUNDLES = sorted(ROOT.glob("examples/fhir/scenario-*/*.json"))
SECRET = "ZQXJ-SECRET-7731"


def _read(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _cc(code: str, system: str = CODE_SYSTEM) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}]}


def test_there_is_a_bundle_for_every_scenario_case() -> None:
    cases_ = sorted(ROOT.glob("examples/scenario-*/*.json"))
    assert [p.relative_to(ROOT / "examples" / "fhir") for p in BUNDLES] == [
        p.relative_to(ROOT / "examples") for p in cases_
    ]


@pytest.mark.parametrize("path", BUNDLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_scenario_bundles_give_the_scenario_answers(path: Path, lang: str) -> None:
    case_file = ROOT / "examples" / path.parent.name / path.name
    expected = assess(_read(case_file), lang=lang)  # type: ignore[arg-type]
    case = case_from_bundle(path.read_text(encoding="utf-8"))
    assert case == Case.parse(_read(case_file))
    got = assess(case, lang=lang)  # type: ignore[arg-type]
    assert got.model_dump_json() == expected.model_dump_json()


@pytest.mark.parametrize("path", BUNDLES[:3], ids=lambda p: p.stem)
def test_guidance_response_cites_the_provisions(path: Path) -> None:
    from fhir.resources.R4B.bundle import Bundle
    from fhir.resources.R4B.guidanceresponse import GuidanceResponse

    Bundle.model_validate(_read(path))
    a = assess(case_from_bundle(_read(path)))
    g = assessment_to_fhir(a, subject="Patient/example")
    GuidanceResponse.model_validate(g)
    assert g["reasonCode"][0]["coding"][0]["code"] == a.verdict.replace("_", "-")
    assert g["moduleUri"].endswith(f"{a.ruleset.id}:{a.ruleset.version}")
    params = g["contained"][0]["parameter"]
    cited = {
        p["valueString"] for item in params for p in item.get("part", []) if p["name"] == "citation"
    }
    expected = {
        c
        for group in (a.permitted_actions, a.required_safeguards, a.missing_documentation)
        for item in group
        for c in item.citations
    } | {c for f in a.findings for c in f.citations}
    assert cited == expected
    assert expected  # the check reads something


def test_the_published_code_system_is_the_table() -> None:
    from fhir.resources.R4B.codesystem import CodeSystem

    assert published_code_system() == code_system()
    CodeSystem.model_validate(published_code_system())
    codes = [c["code"] for c in code_system()["concept"]]
    assert len(codes) == len(set(codes))


def test_the_docs_table_names_every_code() -> None:
    page = (ROOT / "docs" / "calling-from-another-system.md").read_text(encoding="utf-8")
    missing = [c["code"] for c in code_system()["concept"] if f"`{c['code']}`" not in page]
    assert not missing, f"codes the mapping table of the docs does not name: {missing}"


CRPO_RECORDS = {
    "discontinuation_reasons",
    "client_condition",
    "discharge_plan",
    "discontinuation_conversation",
}


@pytest.mark.parametrize("informed", [True, False, None])
def test_crpo_facts_travel_in_a_bundle(informed: bool | None) -> None:
    """The CRPO Standard 6.3 facts have codes (issue 15): a case departing from every default
    reads back the same, and the psychotherapists' answer is the same from the bundle; "the
    file does not tell" (null) travels as a Communication whose status is ``unknown``."""
    case = Case(
        case_id="f-crpo",
        stage="ended",
        member={"good_faith": False, "reason_protected_ground": True},
        client={"interested_in_further_treatment": False, "informed_of_reasons": informed},
        documented=tuple(sorted(CRPO_RECORDS)),
    )
    bundle = bundle_from_case(case)
    back = case_from_bundle(bundle)
    assert back == case
    assert assess(back, ruleset="crpo-6.3") == assess(case, ruleset="crpo-6.3")
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert "Flag" in kinds
    assert "DocumentReference" in kinds
    told = [
        e["resource"]["status"]
        for e in bundle["entry"]
        if "reasons-explained" in json.dumps(e["resource"].get("category", []))
    ]
    assert told == ({True: ["completed"], False: ["not-done"], None: ["unknown"]}[informed])


def test_reasons_explained_once_wins_over_not_done() -> None:
    """Explained at some point is explained: a completed Communication beats a 'not-done' one."""
    case = Case(case_id="r", client={"informed_of_reasons": True})
    bundle = bundle_from_case(case)
    done = next(e for e in bundle["entry"] if e["resource"]["resourceType"] == "Communication")
    not_done = copy.deepcopy(done["resource"])
    not_done["status"] = "not-done"
    del not_done["sent"]
    not_done["id"] = "communication-99"
    bundle["entry"].append({"resource": not_done})
    assert case_from_bundle(bundle).client.informed_of_reasons is True
    bundle["entry"].remove(done)
    assert case_from_bundle(bundle).client.informed_of_reasons is False


@settings(max_examples=examples(50))  # each example builds, validates and maps a whole bundle
@given(cases())
def test_a_case_written_as_a_bundle_reads_back(case: Case) -> None:
    # One resource per provider offered: a handful says as much as ten thousand, much faster.
    alternatives = case.alternatives.model_copy(
        update={"providers_offered": min(case.alternatives.providers_offered, 4)}
    )
    case = case.model_copy(update={"alternatives": alternatives})
    # The CRPO Standard 6.3 facts (good faith, protected ground, interest, reasons explained or
    # not or unknown, the four records) are drawn like any other and must read back too.
    try:
        bundle = bundle_from_case(case)
    except MappingError:
        assume(False)  # facts no bundle can carry (docs): refused, by name
    assert case_from_bundle(bundle) == case


# --------------------------------------------------------------------------------- errors


def _base() -> dict[str, Any]:
    return copy.deepcopy(_read(BUNDLES[0]))


def _add(bundle: dict[str, Any], resource: dict[str, Any]) -> dict[str, Any]:
    bundle["entry"].append({"resource": resource})
    return bundle


def _attempt(**fields: Any) -> dict[str, Any]:
    return {
        "resourceType": "Communication",
        "status": "completed",
        "category": [_cc("termination-session-attempt")],
        **fields,
    }


def _error(bundle: Any) -> MappingError:
    with pytest.raises(MappingError) as info:
        case_from_bundle(bundle)
    exc = info.value
    text = f"{exc} {exc.errors!r} {exc.__context__!r} {exc.__cause__!r}"
    assert SECRET not in text
    assert exc.__context__ is None  # raised outside any ``except``: nothing chained
    return exc


def test_unmappable_bundles_name_the_element() -> None:
    exc = _error(_add(_base(), _attempt(sent="2024-01-02T10:00:00Z")))
    assert exc.errors[-1][0].endswith("(Communication).medium")
    medium = [_cc("PHONE", "http://terminology.hl7.org/CodeSystem/v3-ParticipationMode")]
    exc = _error(_add(_base(), _attempt(medium=medium)))
    assert exc.errors[-1][0].endswith("(Communication).sent")
    flag = {"resourceType": "Flag", "status": "active", "code": _cc(SECRET)}
    flag["subject"] = {"reference": "Patient/example"}
    exc = _error(_add(_base(), flag))
    assert exc.errors[-1][0].endswith("(Flag).code")
    no_episode = _base()
    no_episode["entry"] = no_episode["entry"][1:]
    assert "EpisodeOfCare" in str(_error(no_episode))
    two = _base()
    two["entry"].append(copy.deepcopy(two["entry"][0]))
    assert "found 2" in str(_error(two))
    session = {
        "resourceType": "Encounter",
        "status": "finished",
        "class": {"system": "urn:other", "code": SECRET},
        "type": [_cc("termination-session")],
    }
    exc = _error(_add(_base(), session))
    assert exc.errors[-1][0].endswith("(Encounter).class")


def _bundle_of(*resources: dict[str, Any], **fields: Any) -> str:
    entries = [{"resource": r} for r in resources]
    return json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries, **fields})


@pytest.mark.parametrize(
    "bundle",
    [
        "{not json",
        json.dumps({"resourceType": "Patient", "id": SECRET}),
        _bundle_of({"resourceType": SECRET}),
        _bundle_of(type=SECRET, entry=5),
        _bundle_of({"resourceType": "Flag", "status": ["x", SECRET]}),
        [SECRET],
        json.dumps({"resourceType": "Bundle", "type": "", "entry": [SECRET]}),
    ],
    ids=[
        "not-json",
        "not-a-bundle",
        "unknown-type",
        "bad-entry",
        "bad-element",
        "a-list",
        "entry-not-an-object",  # found by schemathesis: a 500 before the fix
    ],
)
def test_invalid_fhir_is_refused_without_its_values(bundle: Any) -> None:
    _error(bundle)


def test_resources_that_do_not_count_are_ignored() -> None:
    base = case_from_bundle(_base())
    flag = {"resourceType": "Flag", "status": "entered-in-error", "code": _cc("court-order")}
    flag["subject"] = {"reference": "Patient/example"}
    other = {
        "resourceType": "Flag",
        "status": "active",
        "code": _cc("123", "http://snomed.info/sct"),
    }
    other["subject"] = {"reference": "Patient/example"}
    assert case_from_bundle(_add(_add(_base(), flag), other)) == base
    flag["status"] = "active"
    assert case_from_bundle(_add(_base(), flag)).court_order.applies is True


# --------------------------------------------------------------------------------- service


def test_the_service_assesses_a_bundle() -> None:
    pytest.importorskip("fastapi")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from starlette.testclient import TestClient

    from conduct_rules.service import create_app

    path = BUNDLES[-1]
    expected = assess(_read(ROOT / "examples" / path.parent.name / path.name), lang="fr")
    with TestClient(create_app()) as client:
        body = path.read_bytes()
        headers = {"content-type": "application/fhir+json"}
        r = client.post("/v1/fhir/assess?lang=fr&answer=assessment", content=body, headers=headers)
        assert r.status_code == 200
        assert r.text == expected.model_dump_json()
        r = client.post("/v1/fhir/assess?lang=fr", content=body, headers=headers)
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/fhir+json"
        assert r.json() == assessment_to_fhir(expected)
        bad = _add(_base(), _attempt(sent=f"{SECRET}"))
        r = client.post("/v1/fhir/assess", json=bad)
        assert r.status_code == 422
        assert r.headers["content-type"] == "application/problem+json"
        assert SECRET not in r.text
        assert r.json()["errors"][-1]["field"] == "Bundle.entry[5] (Communication).sent"


def test_a_bundle_silent_on_the_reasons_gives_the_readings_default() -> None:
    """No ``reasons-explained`` Communication at all: the CRPO reading's default (false) holds,
    as for a case file that does not mention it; only ``unknown`` says "the file does not tell"."""
    case = Case(case_id="f-silent", stage="ended", client={"informed_of_reasons": None})
    bundle = bundle_from_case(case)
    bundle["entry"] = [
        e
        for e in bundle["entry"]
        if "reasons-explained" not in json.dumps(e["resource"].get("category", []))
    ]
    assert case_from_bundle(bundle).client.informed_of_reasons is False
