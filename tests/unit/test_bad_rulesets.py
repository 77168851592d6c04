"""Broken rulesets: each gives a ``RulesetError`` naming file, rule and field; none runs code.

Each folder under ``tests/bad_rulesets/`` (but ``_valid``) holds the file(s) it breaks and an
``expected.yaml``; the test copies a valid ruleset (``_valid``, a minimal one, or the shipped
Ontario one when ``base: ontario``), lays the broken files over it and loads it. ``@MARKER@`` in a
file is replaced by a path that a YAML tag would create if it ran code: the file must not exist
afterwards. ``stage: durable`` means the ruleset loads (the python backend runs it) and the
durable_rules backend must refuse it with the same kind of error instead of a C error.

Why a folder per case rather than strings in the test: a reader sees a broken file exactly as a
ruleset author would write it, and the YAML is parsed from disk like a real ruleset.
"""

from __future__ import annotations

import shutil
import traceback
from pathlib import Path
from typing import Any

import pytest
import yaml

from conduct_rules import RulesetError, assess, durable_available, load_ruleset
from conduct_rules.rules.yaml_reader import MAX_BYTES

HERE = Path(__file__).resolve().parents[1] / "bad_rulesets"
VALID = HERE / "_valid"
ONTARIO = Path(__file__).resolve().parents[2] / "rulesets" / "ontario"
#: A ruleset with its own flat record (``record:`` in ruleset.yaml), for the record checks.
BENCH8_FLAT = Path(__file__).resolve().parents[2] / "benchmarks" / "rulesets" / "bench8-flat"
BASES = {"ontario": ONTARIO, "bench8-flat": BENCH8_FLAT}
CASES = sorted(p.name for p in HERE.iterdir() if p.is_dir() and not p.name.startswith("_"))
# Words that would mean a dependency's own message or a traceback reached the user.
FOREIGN = (
    "Traceback",
    "pydantic",
    "errors.pydantic.dev",
    "Input should be",
    "yaml.",
    "durable_rules_engine",
    "error code",
    "For further information",
)


def _expected(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((HERE / name / "expected.yaml").read_text("utf-8"))
    return data


def _build(name: str, dest: Path, marker: Path) -> Path:
    exp = _expected(name)
    base = BASES.get(exp.get("base", "valid"), VALID)
    folder = dest / name
    shutil.copytree(base, folder)
    for f in (HERE / name).iterdir():
        if f.name == "expected.yaml":
            continue
        data = f.read_bytes()
        if b"@DELETE@" in data:
            (folder / f.name).unlink()
            continue
        (folder / f.name).write_bytes(data.replace(b"@MARKER@", str(marker).encode()))
    return folder


def _raised_by_us(exc: BaseException) -> None:
    """The error is ours, raised from our code, with no dependency exception chained to it."""
    assert exc.__cause__ is None
    assert exc.__suppress_context__ or exc.__context__ is None
    frames = traceback.extract_tb(exc.__traceback__)
    assert "conduct_rules" in frames[-1].filename, frames[-1].filename
    text = str(exc)
    for word in FOREIGN:
        assert word not in text, f"{word!r} in {text!r}"
    assert "\n" not in text
    assert len(text) < 500


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 25


def test_the_base_ruleset_is_valid() -> None:
    """Otherwise every case below could fail for the wrong reason."""
    rs = load_ruleset(VALID)
    assert assess({"case_id": "B-1", "stage": "ended"}, ruleset=rs, backend="python").findings


@pytest.mark.parametrize("name", CASES)
def test_bad_ruleset_names_file_rule_and_field(name: str, tmp_path: Path) -> None:
    exp = _expected(name)
    marker = tmp_path / "code-ran"
    folder = _build(name, tmp_path, marker)
    if exp.get("stage") == "durable":
        rs = load_ruleset(folder)  # loads: the grammar allows it
        if not durable_available():
            pytest.skip("durable_rules not importable here")
        with pytest.raises(RulesetError) as info:
            assess({"case_id": "B-2"}, ruleset=rs, backend="durable_rules")
    else:
        with pytest.raises(RulesetError) as info:
            load_ruleset(folder)
    err = info.value
    assert not marker.exists(), "a YAML tag ran code"
    assert err.file.endswith("/" + exp["file"]), err.file
    assert err.rule == exp["rule"], str(err)
    assert err.field == exp["field"], str(err)
    assert exp["message"] in str(err), str(err)
    assert exp["file"] in str(err)
    if exp["rule"] is not None:
        assert f"rule '{exp['rule']}'" in str(err)
    _raised_by_us(err)


def test_very_large_file_is_refused_before_parsing(tmp_path: Path) -> None:
    folder = tmp_path / "huge"
    shutil.copytree(VALID, folder)
    rules = (VALID / "rules.yaml").read_text("utf-8")
    filler = "# " + "x" * 98 + "\n"
    with (folder / "rules.yaml").open("w", encoding="utf-8") as fh:
        fh.write(rules)
        for _ in range(MAX_BYTES // len(filler) + 10):
            fh.write(filler)
    with pytest.raises(RulesetError) as info:
        load_ruleset(folder)
    assert info.value.file.endswith("/rules.yaml")
    assert "file too large" in str(info.value)
    _raised_by_us(info.value)


def test_many_rules_just_under_the_size_limit_still_load(tmp_path: Path) -> None:
    """The size limit is about the bytes, not about a count of rules: a big valid file loads."""
    folder = tmp_path / "big"
    shutil.copytree(VALID, folder)
    rules = (VALID / "rules.yaml").read_text("utf-8")
    extra = "".join(
        f"  - id: r-extra-{i}\n    cites: [p-root]\n    when: services.needed\n"
        "    then: {document: decision_rationale}\n"
        for i in range(2_000)
    )
    (folder / "rules.yaml").write_text(rules + "\n" + extra, encoding="utf-8")
    rs = load_ruleset(folder)
    assert len(rs.rules) == 2_007


def test_python_tag_would_have_run_code_with_an_unsafe_loader(tmp_path: Path) -> None:
    """The marker check above can fail: with PyYAML's unsafe loader the same file runs code."""
    marker = tmp_path / "code-ran"
    folder = _build("python_object_apply_tag", tmp_path, marker)
    yaml.unsafe_load((folder / "rules.yaml").read_text("utf-8"))
    assert marker.exists()


def test_billion_laughs_is_refused_fast(tmp_path: Path) -> None:
    """The alias case is refused while composing: nothing is ever expanded."""
    folder = _build("alias_billion_laughs", tmp_path, tmp_path / "m")
    with pytest.raises(RulesetError, match="aliases"):
        load_ruleset(folder)
