"""The fast backend: generated code that cannot reach anything, caches that cannot go stale.

The differential tests (``test_backends_agree.py``) show the fast backend *agrees*; these show
the properties its design rests on: the generated source only names its own locals and three
builtins, a literal or field name outside the grammar is refused, a ruleset reloaded from an
edited folder (same fingerprint) is recompiled and its new texts are used, the compile cache is
bounded, and the 8-rule benchmark ruleset (``benchmarks/rulesets/bench8``) means what its page
says.
"""

from __future__ import annotations

import ast
import random
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from conduct_rules import Case, assess, durable_available, load_ruleset
from conduct_rules.api import get_backend
from conduct_rules.engines import fast
from conduct_rules.engines.fast import FastBackend, generate_source
from conduct_rules.engines.fast import program as fast_program
from conduct_rules.engines.fast import writer as fast_writer
from conduct_rules.engines.fast.writer import attr, literal
from conduct_rules.errors import EvaluationError
from support.bench8_page import FLAGS, page

ROOT = Path(__file__).resolve().parents[2]
BENCH8 = ROOT / "benchmarks" / "rulesets" / "bench8"
ALLOWED_GLOBALS = {
    "_lazy", "_SOURCE", "_Summary", "_tnew", "_vars", "len", "bool", "tuple",
    *(f"_N{i}" for i in range(200)),  # the name caches (``fast.program._Names``)
}  # fmt: skip


@pytest.mark.parametrize("access", ["vars", "attr"])
@pytest.mark.parametrize("folder", [ROOT / "rulesets" / "ontario", BENCH8])
def test_generated_source_names_only_its_locals(folder: Path, access: str) -> None:
    """Every name read is a local it assigned, ``case``, or one of the allowed globals."""
    source = fast_writer.Writer(load_ruleset(folder), access=access).build()  # type: ignore[arg-type]
    assert ("_vars(" in source) is (access == "vars")
    tree = ast.parse(source)
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    assert [f.name for f in functions] == ["evaluate", "facts", "summarize", "fired"]
    assert all(isinstance(n, ast.FunctionDef) for n in tree.body)
    for fn in functions:
        assigned = {"case", "flags", "x"} | {
            t.id for n in ast.walk(fn) if isinstance(n, ast.Assign) for target in n.targets
            for t in ast.walk(target) if isinstance(t, ast.Name)
        }  # fmt: skip
        for node in ast.walk(fn):
            assert not isinstance(node, ast.Import | ast.ImportFrom | ast.Lambda | ast.Global)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                assert node.id in assigned | ALLOWED_GLOBALS, node.id
            if isinstance(node, ast.Attribute):
                assert not node.attr.startswith("_"), node.attr
            if isinstance(node, ast.Call):
                assert isinstance(node.func, ast.Name)
                assert node.func.id in ALLOWED_GLOBALS - {"_SOURCE"}, node.func.id


@pytest.mark.parametrize("ruleset_id", ["ontario", "crpo-6.3"])
def test_summarize_by_attribute_agrees_with_summarize_by_vars(ruleset_id: str) -> None:
    """The version for objects without ``__dict__`` (the audit's structs) reads the same."""
    from conduct_rules.api import get_ruleset
    from conduct_rules.audit.sample import sample_cases

    rs = get_ruleset(ruleset_id)
    backend = get_backend("fast")
    by_vars = backend.summarizer(rs)
    by_attr = backend.summarizer(rs, access="attr")  # type: ignore[call-arg]
    assert by_attr is not by_vars
    for record in sample_cases(600, seed=5):
        case = Case.parse(record)
        assert by_attr(case) == by_vars(case)


@pytest.mark.parametrize("folder", [ROOT / "rulesets" / "ontario", BENCH8])
def test_evaluate_and_summarize_compute_only_what_they_return(folder: Path) -> None:
    """No local is computed unread (``_live``), and a feature read once is read in place
    (``_inline_once``), where ``and`` / ``or`` can skip it."""
    tree = ast.parse(generate_source(load_ruleset(folder)))
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    for name in ("evaluate", "summarize"):
        fn = functions[name]
        loads = Counter(
            n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
        )
        for stmt in fn.body[:-1]:
            assert isinstance(stmt, ast.Assign)
            target = stmt.targets[0]
            assert isinstance(target, ast.Name)
            assert loads[target.id] >= (2 if target.id.startswith("f") else 1), target.id


def test_compiled_functions_have_no_other_builtins() -> None:
    program = FastBackend().program(load_ruleset("ontario"))
    assert set(program.__globals__["__builtins__"]) == {"len", "bool", "tuple"}


@pytest.mark.parametrize("value", [1.5, [1], {"a": 1}, object(), (1, 2), ("a", 1)])
def test_literals_outside_the_grammar_are_refused(value: Any) -> None:
    with pytest.raises(EvaluationError):
        literal(value)


@pytest.mark.parametrize("name", ["__class__", "_private", "import", "a-b", "a.b", ""])
def test_field_names_must_be_plain_identifiers(name: str) -> None:
    with pytest.raises(EvaluationError):
        attr(name)


def test_reloaded_ruleset_is_recompiled_and_its_texts_used(tmp_path: Path) -> None:
    """Same folder, same id, version and parameters (same fingerprint), edited data."""
    folder = tmp_path / "ontario"
    shutil.copytree(ROOT / "rulesets" / "ontario", folder)
    case = Case(case_id="R-1", stage="ended", services={"needed": False})  # type: ignore[arg-type]
    before = assess(case, ruleset=load_ruleset(folder), backend="fast")
    assert before.verdict == "permitted"
    outputs = folder / "outputs.yaml"
    old = before.verdict_explanation.split(";")[0]
    outputs.write_text(outputs.read_text("utf-8").replace(old, "EDITED TEXT", 1), "utf-8")
    rules = folder / "rules.yaml"
    text = rules.read_text("utf-8")
    # verdict-safeguards-met now needs unneeded services to be still requested: this case's are
    # not, so no verdict rule fires once the edit is seen.
    edited = text.replace(
        "        - {any: [{not: services.needed}, basis]}\n        - {not: blocking_outstanding}",
        "        - {any: [{all: [{not: services.needed}, services.requested]}, basis]}\n"
        "        - {not: blocking_outstanding}",
    )
    assert edited != text
    rules.write_text(edited, "utf-8")
    reloaded = load_ruleset(folder)
    after = assess(case, ruleset=reloaded, backend="fast")
    assert after.verdict_explanation.startswith("EDITED TEXT")
    unrequested = case.model_copy(update={"services": case.services.model_copy(
        update={"requested": False})})  # fmt: skip
    with pytest.raises(EvaluationError, match="no verdict"):
        assess(unrequested, ruleset=reloaded, backend="fast")
    with pytest.raises(EvaluationError, match="no verdict"):
        assess(unrequested, ruleset=reloaded, backend="python")


def test_compile_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fast, "MAX_COMPILED", 2)
    backend = FastBackend()
    base = load_ruleset("ontario")
    case = Case(case_id="B-1")
    for n in (1, 2, 3, 4):
        rs = base.with_parameters(min_attempts=n)
        assert backend.evaluate(rs, case) == get_backend("python").evaluate(rs, case)
    assert len(backend._programs) == 2


# --------------------------------------------------------------------------------------------
# The 8-rule benchmark ruleset means what shared/benchmark-ruleset.md says


def _as_case(r: dict[str, Any]) -> Case:
    """The mapping documented in bench8/rules.yaml (and benchmarks/run.py ``to_case``)."""
    n = r["session_attempts"]
    return Case.model_validate(
        {
            "case_id": "b",
            "stage": "ended" if r["terminating"] else "continued",
            "services": {"needed": r["needed"]},
            "client": {"requested_termination": r["client_requested"],
                       "withdrew": r["client_withdrew"]},
            "alternatives": {"efforts_made": r["alt_efforts"],
                             "opportunity_given": r["opportunity"]},
            "member": {"serious_risk_of_harm": r["serious_risk"], "threats_received": r["threats"]},
            "court_order": {"applies": r["court_ordered"],
                            "legal_advice_obtained": r["legal_advice"]},
            "termination_session": {
                "status": "held" if r["session_held"] else "not_attempted",
                "attempts": [{"channel": "email", "date": f"2026-02-1{i}"} for i in range(n)],
            },
            "documented": [d for d, f in (("decision_rationale", "documented_rationale"),
                                          ("contact_attempts", "documented_attempts")) if r[f]],
        }
    )  # fmt: skip


def test_bench8_ruleset_means_what_the_page_says() -> None:
    rs = load_ruleset(BENCH8)
    rng = random.Random(8)
    backends = ["fast", "python", *(["durable_rules"] if durable_available() else [])]
    seen: set[str] = set()
    for _ in range(400):
        r: dict[str, Any] = {f: rng.random() < 0.5 for f in FLAGS}
        r["session_attempts"] = rng.randint(0, 4)
        want = page(r)
        seen |= want
        case = _as_case(r)
        for name in backends:
            ev = get_backend(name).evaluate(rs, case)
            got = {k[8:] for k, v in ev.facts.items() if k.startswith("finding.") and v}
            assert got == want, (name, r)
        summary = FastBackend().summarize(rs, case)
        assert set(summary.findings) == want
        assert summary.outstanding_safeguards == summary.missing_documentation == ()
    assert len(seen) == 8  # every conclusion was reached


BENCH8_FLAT = ROOT / "benchmarks" / "rulesets" / "bench8-flat"


def _flat_records(n: int, seed: int) -> list[Any]:
    rs = load_ruleset(BENCH8_FLAT)
    rng = random.Random(seed)
    out = []
    for i in range(n):
        r: dict[str, Any] = {f: rng.random() < 0.5 for f in FLAGS}
        out.append(rs.vocabulary.parse({"case_id": f"F-{i}", **r, "session_attempts": i % 5}))
    return out


def test_small_ruleset_names_are_eager_and_equal_to_the_reference() -> None:
    """``EAGER_FIRED_MAX_UNITS``: the names come with the flags; they equal the python backend's,
    and the lazy facts still behave as an eager evaluation's."""
    import copy
    import pickle

    from conduct_rules.engines import Evaluation

    rs = load_ruleset(BENCH8_FLAT)
    assert len(rs.units) <= fast_writer.EAGER_FIRED_MAX_UNITS
    for record in _flat_records(200, 5):
        lazy = FastBackend().evaluate(rs, record)
        eager = get_backend("python").evaluate(rs, record)
        assert "fired" in vars(lazy)  # computed with the flags
        assert lazy.fired == eager.fired
        assert lazy == eager
        assert dict(lazy.facts) == dict(eager.facts)
    for copied in (copy.copy(lazy), pickle.loads(pickle.dumps(lazy))):
        assert type(copied) is Evaluation
        assert copied == eager
        assert copied.flags is None
    assert repr(lazy) == repr(Evaluation(lazy.fired, dict(lazy.facts)))


def test_name_memos_are_bounded_and_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    """``_Names`` keeps at most ``MAX_NAME_SETS`` combinations; beyond, names are still exact."""
    monkeypatch.setattr(fast_program, "MAX_NAME_SETS", 2)
    rs = load_ruleset(BENCH8_FLAT)
    backend = FastBackend()
    python = get_backend("python")
    summarize = backend.summarizer(rs)
    for record in _flat_records(300, 6):
        ev = python.evaluate(rs, record)
        assert backend.evaluate(rs, record).fired == ev.fired
        findings = tuple(f for f in rs.outputs.findings if ev.facts.get(f"finding.{f}"))
        assert summarize(record).findings == findings
    memos = [
        v for v in backend.summarizer(rs).__globals__.values() if isinstance(v, fast_program._Names)
    ]
    assert memos
    assert all(len(m) <= 2 for m in memos)


# --------------------------------------------------------------------------------------------
# "auto" is the fast backend (issue 12): it must agree with the engine of record everywhere


def _outcome(case: Any, rs: Any, backend: str, lang: str) -> Any:
    """The assessment without ``engine``, or the error (bench8 may conclude no verdict)."""
    try:
        return assess(case, ruleset=rs, backend=backend, lang=lang).model_dump(exclude={"engine"})
    except EvaluationError as exc:
        return str(exc)


@pytest.mark.parametrize("folder", [BENCH8, BENCH8_FLAT])
def test_every_backend_agrees_on_the_benchmark_rulesets(folder: Path) -> None:
    """fast ≡ durable_rules ≡ python on the benchmark rulesets: units fired, every fact, and the
    assessment in both languages (Ontario and CRPO 6.3 have their own differential tests)."""
    rs = load_ruleset(folder)
    rng = random.Random(12)
    backends = ["fast", "python", *(["durable_rules"] if durable_available() else [])]
    fired: set[str] = set()
    for i in range(400):
        r: dict[str, Any] = {f: rng.random() < 0.5 for f in FLAGS}
        r["session_attempts"] = rng.randint(0, 4)
        if folder == BENCH8:
            case: Any = _as_case(r)
        else:
            case = rs.vocabulary.parse({"case_id": f"F-{i}", **r})
        reference = get_backend("python").evaluate(rs, case)
        fired |= set(reference.fired)
        for name in backends[:1] + backends[2:]:
            ev = get_backend(name).evaluate(rs, case)
            assert ev.fired == reference.fired, name
            assert dict(ev.facts) == dict(reference.facts), name
        for lang in ("en", "fr") if i < 40 else ():  # the assembly is shared: a sample
            dumps = [_outcome(case, rs, b, lang) for b in backends]
            assert all(d == dumps[0] for d in dumps[1:]), lang
    assert fired == {u.name for u in rs.units}  # a unit never reached proves nothing
