"""The HTTP service in process: same JSON as the library, problems naming fields, limits, keys.

Every route is called through Starlette's test client (no socket). The privacy checks plant the
sentinels of ``support.privacy`` in every field of a request and read every answer and every log
record at DEBUG; the same JSON test compares the service's bytes with the library's.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

import warnings

from click.testing import CliRunner

with warnings.catch_warnings():  # Starlette's notice that it prefers another HTTP client
    warnings.simplefilter("ignore", DeprecationWarning)
    from starlette.testclient import TestClient
from conduct_rules import (
    Case,
    assess,
    assess_many,
    compare,
    explain,
    what_would_permit,
    why_not,
)
from conduct_rules.cli.main import main
from conduct_rules.service import Limits, create_app
from conduct_rules.service import guard as guard_module
from support.privacy import (
    PLANTINGS,
    SENTINELS,
    VALID_VALUES,
    VALID_WITH_VALUES,
    Capture,
    assert_clean,
    captured,
)

__all__ = ["captured"]  # the fixture, imported so that pytest finds it here

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

EXAMPLES = sorted(Path(__file__).parents[2].glob("examples/scenario-*/*.json"))
PROBLEM = "application/problem+json"


def _case(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(limits=Limits(batch_rows=50))) as c:
        yield c


# ------------------------------------------------------------------------------ same answers


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_assess_returns_the_librarys_json(client: TestClient, path: Path, lang: str) -> None:
    case = _case(path)
    r = client.post("/v1/assess", json={"case": case, "lang": lang})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.text == assess(case, lang=lang).model_dump_json()  # type: ignore[arg-type]


def test_parameters_reach_the_ruleset(client: TestClient) -> None:
    case = _case(EXAMPLES[0])
    r = client.post("/v1/assess", json={"case": case, "parameters": {"min_attempts": 5}})
    assert r.status_code == 200
    assert r.json()["ruleset"]["parameters"]["min_attempts"] == 5
    assert r.text == assess(case, parameters={"min_attempts": 5}).model_dump_json()


def test_explain_why_not_and_what_if_are_the_librarys(client: TestClient) -> None:
    case = _case(EXAMPLES[0])
    r = client.post("/v1/explain", json={"case": case, "lang": "fr"})
    assert r.status_code == 200
    assert r.text == explain(case, lang="fr").model_dump_json()
    r = client.post("/v1/why-not", json={"case": case, "item": "permitted"})
    assert r.status_code == 200
    assert r.text == why_not(case, "permitted").model_dump_json()
    r = client.post("/v1/what-if", json={"case": case, "max_changes": 2, "limit": 3})
    assert r.status_code == 200
    expected = what_would_permit(case, max_changes=2, limit=3)
    assert r.json() == [json.loads(c.model_dump_json()) for c in expected]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_compare_is_the_librarys(client: TestClient, path: Path) -> None:
    """Dual registrants: the same JSON as ``compare`` (both colleges by default), in French too."""
    case = _case(path)
    r = client.post("/v1/compare", json={"case": case, "lang": "fr"})
    assert r.status_code == 200
    assert r.text == compare(case, lang="fr").model_dump_json()
    r = client.post("/v1/compare", json={"case": case, "rulesets": ["ontario", "nope"]})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "ruleset"


def test_a_repeated_key_is_refused_naming_it(client: TestClient) -> None:
    """Issue 11: a key given twice is never read as the last one (json.loads would), on every
    JSON route: the single case as well as the batch."""
    body = '{"case": {"case_id": "d-1", "stage": "ended", "stage": "considering"}}'
    for route in ("/v1/assess", "/v1/explain", "/v1/compare"):
        r = client.post(route, content=body, headers={"content-type": "application/json"})
        assert r.status_code == 422, route
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["errors"] == [{"field": "stage", "message": "duplicate key"}]
        assert "considering" not in r.text
    ok = '{"case": {"case_id": "d-2", "stage": "ended"}}'
    r = client.post("/v1/assess", content=ok, headers={"content-type": "application/json"})
    assert r.status_code == 200


def test_batch_rows_are_the_audit_rows(client: TestClient) -> None:
    cases: list[Any] = [_case(p) for p in EXAMPLES]
    cases += [{"case_id": "bad", "stage": "later"}, 7]
    expected = assess_many(cases, workers=1).to_jsonl()
    r = client.post("/v1/assess/batch", json=cases)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/x-ndjson")
    assert r.text == expected
    lines = "\n".join(json.dumps(c) for c in cases) + "\n"
    r = client.post(
        "/v1/assess/batch?lang=fr&parameter=min_attempts=3",
        content=lines.encode(),
        headers={"content-type": "application/x-ndjson"},
    )
    assert r.status_code == 200
    expected = assess_many(cases, workers=1, lang="fr", parameters={"min_attempts": 3}).to_jsonl()
    assert r.text == expected
    rows = [json.loads(line) for line in r.text.splitlines()]
    assert [row["row"] for row in rows] == list(range(1, len(cases) + 1))
    assert rows[-2]["status"] == "rejected"
    assert rows[-2]["error_field"] == "stage"


def test_batch_limits_and_media_types(client: TestClient) -> None:
    r = client.post("/v1/assess/batch", json=[{"case_id": "x"}] * 51)
    assert (r.status_code, r.headers["content-type"]) == (413, PROBLEM)
    jsonl = b'{"case_id": "x"}\n' * 51
    r = client.post(
        "/v1/assess/batch", content=jsonl, headers={"content-type": "application/x-ndjson"}
    )
    assert r.status_code == 413
    r = client.post("/v1/assess/batch", content=b"a,b\n", headers={"content-type": "text/csv"})
    assert r.status_code == 415
    r = client.post("/v1/assess/batch", json={"case_id": "x"})
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "(body)", "message": "expected a list"}]
    r = client.post("/v1/assess/batch?parameter=nope=3", json=[])
    assert r.status_code == 422
    r = client.post("/v1/assess/batch?ruleset=elsewhere", json=[])
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "ruleset"


def test_rulesets_and_provisions(client: TestClient) -> None:
    r = client.get("/v1/rulesets")
    assert r.status_code == 200
    infos = {i["name"]: i for i in r.json()}
    assert set(infos) == {"ontario", "crpo-6.3"}  # the built-in rulesets that read a case
    info = infos["ontario"]
    assert "min_attempts" in info["parameters"]
    pid = info["provisions"][0]
    r = client.get(f"/v1/rulesets/ontario/provisions/{pid}")
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == pid
    assert body["en"]
    assert body["fr"]
    assert body["source"]
    assert client.get("/v1/rulesets/ontario/provisions/nope").status_code == 404
    assert client.get(f"/v1/rulesets/nope/provisions/{pid}").status_code == 404
    assert client.get("/healthz").json()["status"] == "ok"


def test_openapi_is_built_from_the_library_models(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    schemas = doc["components"]["schemas"]
    assert set(schemas["Case"]["properties"]) == set(Case.model_fields)
    assert "HTTPValidationError" not in schemas
    assess_op = doc["paths"]["/v1/assess"]["post"]
    assert assess_op["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Assessment"
    }
    assert PROBLEM in assess_op["responses"]["422"]["content"]


# ------------------------------------------------------------------------------ problems


def test_a_bad_field_is_named_in_a_problem_document(client: TestClient) -> None:
    case = {"case_id": "x", "services": {"needed": "yes"}}
    r = client.post("/v1/assess", json={"case": case})
    assert (r.status_code, r.headers["content-type"]) == (422, PROBLEM)
    body = r.json()
    assert body["status"] == 422
    assert body["type"].startswith("urn:conduct-rules:problem:")
    assert {"field": "case.services.needed", "message": "expected true or false"} in body["errors"]
    r = client.post("/v1/assess", content=b"{nope", headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "(body)"
    r = client.post("/v1/assess", json={"case": {"case_id": "x"}, "parameters": {"nope": 1}})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "parameters"
    r = client.post("/v1/assess", json={"case": {"case_id": "x"}, "ruleset": "../etc"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "ruleset"
    r = client.post("/v1/why-not", json={"case": {"case_id": "x"}, "item": "nothing_such"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "item"
    assert client.get("/v1/assess").status_code == 405


def test_request_size_is_limited(client: TestClient) -> None:
    big = b'{"case": {"case_id": "' + b"x" * 2_000_000 + b'"}}'
    r = client.post("/v1/assess", content=big, headers={"content-type": "application/json"})
    assert (r.status_code, r.headers["content-type"]) == (413, PROBLEM)


def _planted_requests() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for label, case in PLANTINGS:
        out.append((f"/v1/assess {label}", {"case": case}))
    return out


def test_no_answer_or_log_echoes_a_value(client: TestClient, captured: Capture) -> None:
    logging.getLogger("uvicorn").setLevel(logging.DEBUG)
    logging.getLogger("fastapi").setLevel(logging.DEBUG)
    for label, body in _planted_requests():
        r = client.post("/v1/assess", json=body)
        assert r.status_code == 422, label
        assert_clean(r.text, f"answer to {label}")
    cases = [case for _, case in PLANTINGS[:40]]
    r = client.post("/v1/assess/batch", json=cases)
    assert r.status_code == 200
    assert_clean(r.text, "batch rows")
    for route in ("/v1/explain", "/v1/what-if"):
        r = client.post(route, json={"case": PLANTINGS[0][1]})
        assert_clean(r.text, route)
    # A valid case with values: answered, and none of its values in any log record.
    r = client.post("/v1/assess", json={"case": VALID_WITH_VALUES})
    assert r.status_code == 200
    assert captured.texts, "the capture must see the service's records (it is not blind)"
    for text in captured.texts:
        assert_clean(text, "a log record", (*SENTINELS, *VALID_VALUES))


def test_a_defect_is_a_500_problem_without_its_message(
    monkeypatch: pytest.MonkeyPatch, captured: Capture
) -> None:
    from conduct_rules.service import app as app_module

    def broken(*args: Any, **kwargs: Any) -> None:
        raise KeyError(SENTINELS[0])

    monkeypatch.setattr(app_module, "assess", broken)
    with TestClient(create_app(), raise_server_exceptions=False) as c:
        r = c.post("/v1/assess", json={"case": {"case_id": "x"}})
    assert (r.status_code, r.headers["content-type"]) == (500, PROBLEM)
    assert_clean(r.text, "the 500 answer")
    assert any("internal error" in t for t in captured.texts)
    for text in captured.texts:
        assert_clean(text, "a log record")


# ------------------------------------------------------------------------------ keys, CORS, CLI

KEY = "k" * 20 + "-0123456789"


def test_api_key_is_required_when_set(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = guard_module.hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(guard_module.hmac, "compare_digest", spy)
    body = {"case": {"case_id": "x"}}
    with TestClient(create_app(api_key=KEY)) as c:
        assert c.post("/v1/assess", json=body).status_code == 401
        r = c.post("/v1/assess", json=body, headers={"Authorization": "Bearer wrong"})
        assert (r.status_code, r.headers["content-type"]) == (401, PROBLEM)
        assert r.headers["www-authenticate"] == "Bearer"
        ok = c.post("/v1/assess", json=body, headers={"Authorization": f"Bearer {KEY}"})
        assert ok.status_code == 200
        assert c.post("/v1/assess", json=body, headers={"X-API-Key": KEY}).status_code == 200
        assert c.get("/healthz").status_code == 200
        assert c.get("/openapi.json").status_code == 200
        assert c.get("/v1/rulesets").status_code == 401
    assert (KEY.encode(), KEY.encode()) in compared  # the constant-time comparison decided


def test_no_cors_headers_unless_configured() -> None:
    headers = {"Origin": "https://ehr.example", "Access-Control-Request-Method": "POST"}
    with TestClient(create_app()) as c:
        r = c.options("/v1/assess", headers=headers)
        assert "access-control-allow-origin" not in r.headers
        r = c.get("/healthz", headers={"Origin": "https://ehr.example"})
        assert "access-control-allow-origin" not in r.headers
    with TestClient(create_app(cors_origins=("https://ehr.example",))) as c:
        r = c.get("/healthz", headers={"Origin": "https://ehr.example"})
        assert r.headers["access-control-allow-origin"] == "https://ehr.example"


def test_serve_refuses_a_public_address_without_a_key(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0"])
    assert r.exit_code == 2
    assert "without --api-key-file" in r.output
    short = tmp_path / "key"
    short.write_text("short\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--api-key-file", str(short)])
    assert r.exit_code == 2
    assert "at least 16" in r.output
    assert "short" not in r.output.replace(str(short), "")
    r = CliRunner().invoke(main, ["serve", "--api-key-file", str(tmp_path / "missing")])
    assert r.exit_code == 2
    assert "no such file" in r.output
