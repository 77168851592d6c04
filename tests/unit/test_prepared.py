"""A prepared ``Assessor`` (``prepare``) answers exactly as ``assess``; ``assess`` keeps its
prepared Assessors in one bounded registry; "auto" is the fast backend there too (issue 12)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path
from typing import Any

import pytest

from conduct_rules import (
    Assessor,
    EditionError,
    OptionError,
    ParameterError,
    RulesetError,
    api,
    assess,
    assess_many,
    prepare,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(ROOT.glob("examples/scenario-*/*.json"))
CASES: list[dict[str, Any]] = [json.loads(p.read_text(encoding="utf-8")) for p in EXAMPLES]


def test_there_are_cases() -> None:
    assert len(CASES) >= 5


@pytest.mark.parametrize("ruleset", ["ontario", "crpo-6.3"])
@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("backend", ["auto", "python"])
def test_a_prepared_assessor_answers_as_assess(ruleset: str, lang: str, backend: str) -> None:
    assessor = prepare(ruleset, lang=lang, backend=backend)  # type: ignore[arg-type]
    for case in CASES:
        got = assessor.assess(case)
        want = assess(case, ruleset=ruleset, lang=lang, backend=backend)  # type: ignore[arg-type]
        assert got.model_dump_json() == want.model_dump_json()
        assert got.engine == ("fast" if backend == "auto" else backend)


def test_parameters_are_applied_once_and_reported() -> None:
    assessor = prepare(parameters={"min_attempts": 3})
    assert assessor.ruleset.parameter_values["min_attempts"] == 3
    for case in CASES:
        got = assessor.assess(case)
        assert got.ruleset.parameters["min_attempts"] == 3
        assert got == assess(case, parameters={"min_attempts": 3})


def test_settings_are_checked_when_prepared() -> None:
    with pytest.raises(OptionError):
        prepare(backend="no-such-backend")
    with pytest.raises(ParameterError):
        prepare(parameters={"no_such_parameter": 1})
    with pytest.raises(RulesetError):
        prepare("no-such-ruleset")
    with pytest.raises(ValueError, match="lang"):
        prepare(lang="de")  # type: ignore[arg-type]


def test_as_of_is_checked_per_case() -> None:
    assessor = prepare()
    with pytest.raises(EditionError):
        assessor.assess(CASES[0], as_of=dt.date(1990, 1, 1))
    assert assessor.assess(CASES[0], as_of=dt.date.today()) == assess(CASES[0])


def test_one_assessor_serves_many_threads() -> None:
    assessor = prepare(lang="fr")
    want = [assess(c, lang="fr").model_dump_json() for c in CASES]
    failures: list[str] = []

    def work() -> None:
        for _ in range(20):
            got = [assessor.assess(c).model_dump_json() for c in CASES]
            if got != want:
                failures.append("differs")

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not failures
    assert not any(t.is_alive() for t in threads)


def test_assess_many_through_an_assessor_equals_assess_many() -> None:
    assessor = prepare("ontario", lang="fr")
    rows = list(assessor.assess_many(CASES, workers=1))
    assert rows == list(assess_many(CASES, lang="fr", workers=1))
    assert assessor.assess_many(CASES).engine == "fast"


def test_the_registry_is_bounded_and_reuses_its_assessors(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = api._Registry()
    monkeypatch.setattr(registry, "MAX_ASSESSORS", 3)
    monkeypatch.setattr(registry, "MAX_RULESETS", 4)
    monkeypatch.setattr(api, "_REGISTRY", registry)
    for n in range(1, 9):  # eight parameter sets: each a ruleset and an Assessor
        a = assess(CASES[0], parameters={"min_attempts": n})
        assert a.ruleset.parameters["min_attempts"] == n
        assert len(registry._assessors) <= 3
        assert len(registry._rulesets) <= 4
    rs = api.get_ruleset("ontario", {"min_attempts": 8})
    first = registry.assessor(rs, "en", "auto")
    again = registry.assessor(rs.with_parameters(min_attempts=8), "en", "auto")
    assert again is first  # an equal copy (same fingerprint, same loaded data) reuses it
    assert isinstance(first, api.Assessor)  # the one-case part; prepare() gives the subclass
    # one backend instance (one cache of compiled rulesets) per engine, whatever its alias
    assert api.get_backend("auto") is api.get_backend("fast")
    assert api.get_backend("durable") is api.get_backend("durable_rules")


def test_an_edited_folder_gets_a_new_assessor(tmp_path: Path) -> None:
    """A folder given by path is loaded once, and again (a new Assessor) once a file changed."""
    import shutil

    from conduct_rules import Case

    folder = tmp_path / "ontario"
    shutil.copytree(ROOT / "rulesets" / "ontario", folder)
    case = Case(case_id="R-1", stage="ended", services={"needed": False})  # type: ignore[arg-type]
    before = assess(case, ruleset=str(folder))
    assert before.verdict == "permitted"
    assert api.get_ruleset(str(folder)) is api.get_ruleset(str(folder))  # loaded once
    outputs = folder / "outputs.yaml"
    old = before.verdict_explanation.split(";")[0]
    outputs.write_text(outputs.read_text("utf-8").replace(old, "EDITED TEXT", 1), "utf-8")
    after = assess(case, ruleset=str(folder))
    assert after.verdict_explanation.startswith("EDITED TEXT")
    assert assess(case, ruleset=str(folder)).verdict_explanation.startswith("EDITED TEXT")


def test_prepare_gives_the_public_assessor_with_assess_many() -> None:
    """``prepare`` returns ``conduct_rules.Assessor`` (batch layer): one case and many, the
    same answers as ``assess`` and ``assess_many``."""
    prepared = prepare("ontario", lang="fr")
    assert isinstance(prepared, Assessor)
    result = prepared.assess_many(CASES[:3])
    assert [r.verdict for r in result] == [assess(c, lang="fr").verdict for c in CASES[:3]]
