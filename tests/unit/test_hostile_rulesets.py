"""Hostile ruleset folders and ruleset arguments (issue 11, items 2, 6 and 9).

* A folder of the working directory named like a built-in (``ontario``) never replaces it:
  names resolve to built-ins only, paths are paths, an empty name is an error (item 2).
* A ruleset folder edited in place is seen by every backend in the same process (item 6).
* Whatever a ruleset folder holds, loading ends in a one-line ``RulesetError`` naming the file, or
  in a ruleset: a huge integer, a chain of 1,100 derived facts, a 5,000-character name, a link
  to ``/dev/zero``, a FIFO, a link to a file outside the folder (item 9).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conduct_rules import RulesetError, assess, durable_available, load_ruleset
from conduct_rules.api import get_ruleset

HERE = Path(__file__).resolve().parents[1]  # tests/
VALID = HERE / "bad_rulesets" / "_valid"
ONTARIO = HERE.parent / "rulesets" / "ontario"
BACKENDS = ["python", "fast", *(["durable_rules"] if durable_available() else [])]
CLI = [sys.executable, "-c", "from conduct_rules.cli.main import main; main()"]
CASE = {"case_id": "H-1", "stage": "ended"}


def _one_line_error(exc: RulesetError, file: str) -> None:
    text = str(exc)
    assert "\n" not in text
    assert len(text) < 400
    assert exc.file.endswith(file), exc.file
    assert exc.__cause__ is None
    assert exc.__suppress_context__ or exc.__context__ is None


# ---- item 2: names are built-ins, paths are paths ------------------------------------------


def _shadow(tmp_path: Path) -> Path:
    """A folder named ``ontario`` in ``tmp_path`` holding *other* rules (the minimal ruleset)."""
    shutil.copytree(VALID, tmp_path / "ontario")
    return tmp_path / "ontario"


def test_folder_in_cwd_does_not_shadow_builtin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _shadow(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert load_ruleset("ontario").id == "ontario-sw-ending"
    assert load_ruleset().id == "ontario-sw-ending"
    assert assess(CASE, ruleset="ontario", backend="python").ruleset.id == "ontario-sw-ending"
    # A path is a path: the same folder given explicitly is the folder's own ruleset.
    assert load_ruleset("./ontario").id == "minimal-test"
    assert load_ruleset(Path("ontario")).id == "minimal-test"
    assert get_ruleset(Path("ontario")).id == "minimal-test"


def test_cli_in_a_directory_with_a_shadowing_folder(tmp_path: Path) -> None:
    _shadow(tmp_path)
    case = tmp_path / "case.json"
    case.write_text('{"case_id": "H-2", "stage": "ended"}', encoding="utf-8")
    proc = subprocess.run(
        [*CLI, "assess", "case.json", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert '"ontario-sw-ending"' in proc.stdout
    assert "minimal" not in proc.stdout


@pytest.mark.parametrize("name", ["", "   ", "x" * 5000, "atlantis", "ontario\x00"])
def test_bad_names_are_one_line_errors(name: str) -> None:
    with pytest.raises(RulesetError) as info:
        get_ruleset(name)
    assert "\n" not in str(info.value)
    assert len(str(info.value)) < 400
    assert "x" * 100 not in str(info.value)


def test_a_long_path_is_a_one_line_error() -> None:
    with pytest.raises(RulesetError, match="not found"):
        get_ruleset("./" + "x" * 5000)


# ---- item 6: an edited folder is seen by every backend ------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_edit_in_place_is_seen_by_every_backend(tmp_path: Path, backend: str) -> None:
    folder = tmp_path / "rs"
    shutil.copytree(VALID, folder)
    case = {"case_id": "E-1", "stage": "ended", "services": {"needed": True}}
    before = assess(case, ruleset=str(folder), backend=backend)
    assert [f.id for f in before.findings] == ["discontinued_needed_services"]
    rules = folder / "rules.yaml"
    text = rules.read_text("utf-8")
    # Same size, same modification time: only the content (and ctime) changes.
    edited = text.replace(
        "then: {finding: discontinued_needed_services}",
        "then: {finding: discontinued_needed_servicez}",
    )
    assert len(edited) == len(text)
    st = rules.stat()
    # The finding must exist in outputs.yaml too: rename it there as well, same length.
    outputs = folder / "outputs.yaml"
    out_text = outputs.read_text("utf-8").replace(
        "discontinued_needed_services", "discontinued_needed_servicez"
    )
    out_st = outputs.stat()
    rules.write_text(edited, encoding="utf-8")
    outputs.write_text(out_text, encoding="utf-8")
    os.utime(rules, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.utime(outputs, ns=(out_st.st_atime_ns, out_st.st_mtime_ns))
    after = assess(case, ruleset=str(folder), backend=backend)
    assert [f.id for f in after.findings] == ["discontinued_needed_servicez"]
    assert after.findings != before.findings


@pytest.mark.parametrize("backend", BACKENDS)
def test_edit_seen_through_reloaded_ruleset_objects(tmp_path: Path, backend: str) -> None:
    """Two ``Ruleset`` objects of one folder, loaded before and after an edit, differ."""
    folder = tmp_path / "rs"
    shutil.copytree(VALID, folder)
    old = load_ruleset(folder)
    header = folder / "ruleset.yaml"
    header.write_text(header.read_text("utf-8").replace("default: 2", "default: 3"), "utf-8")
    new = load_ruleset(folder)
    assert old.fingerprint != new.fingerprint
    case = {"case_id": "E-2", "stage": "considering", "alternatives": {"providers_offered": 2}}
    assert not assess(case, ruleset=old, backend=backend).outstanding_safeguards
    assert assess(case, ruleset=new, backend=backend).outstanding_safeguards


# ---- item 9: whatever the folder holds, one line ------------------------------------------


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "rs"
    shutil.copytree(VALID, folder)
    return folder


def test_integer_of_4301_digits(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    header = folder / "ruleset.yaml"
    header.write_text(header.read_text("utf-8").replace("default: 2", "default: " + "9" * 4301))
    with pytest.raises(RulesetError) as info:
        load_ruleset(folder)
    _one_line_error(info.value, "ruleset.yaml")
    assert "number too long" in str(info.value)
    assert "9" * 20 not in str(info.value)


def test_chain_of_1100_derived_facts(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    n = 1100
    header = folder / "ruleset.yaml"
    derived = "".join(f"  d{i}:\n    en: Step {i}.\n    fr: Étape {i}.\n" for i in range(n))
    header.write_text(header.read_text("utf-8").replace("derived:\n", "derived:\n" + derived))
    rules = folder / "rules.yaml"
    chain = "".join(
        f"  - id: r-d{i}\n    cites: [p-root]\n"
        f"    when: {'member.threats_received' if i == 0 else f'd{i - 1}'}\n"
        f"    then: {{derive: d{i}}}\n"
        for i in reversed(range(n))  # the last first: a recursive walk would go n deep
    )
    text = rules.read_text("utf-8").replace(
        "when: {any: [member.serious_risk_of_harm, member.threats_received]}",
        f"when: {{any: [member.serious_risk_of_harm, d{n - 1}]}}",
    )
    rules.write_text(text.replace("rules:\n", "rules:\n" + chain), encoding="utf-8")
    t0 = time.process_time()
    rs = load_ruleset(folder)  # loads: a long chain is a valid ruleset
    assert rs.strata > n
    assert time.process_time() - t0 < 30
    case = {"case_id": "C-1", "stage": "ended", "member": {"threats_received": True}}
    assert assess(case, ruleset=rs, backend="python").verdict == "permitted"


def test_link_to_dev_zero(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "provisions.yaml").unlink()
    (folder / "provisions.yaml").symlink_to("/dev/zero")
    with pytest.raises(RulesetError) as info:
        load_ruleset(folder)
    _one_line_error(info.value, "provisions.yaml")


def test_fifo_is_refused_without_opening(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "outputs.yaml").unlink()
    os.mkfifo(folder / "outputs.yaml")
    # In a child with a time limit: before the fix, opening the FIFO blocks forever.
    code = (
        "import sys\nfrom conduct_rules import load_ruleset, RulesetError\n"
        f"try:\n    load_ruleset({str(folder)!r})\nexcept RulesetError as e:\n"
        "    print(e); sys.exit(3)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 3, proc.stderr[-300:]
    assert "outputs.yaml" in proc.stdout
    assert "regular file" in proc.stdout


def test_link_to_a_file_outside_the_folder(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    outside = tmp_path / "elsewhere.yaml"
    shutil.copy(folder / "rules.yaml", outside)
    (folder / "rules.yaml").unlink()
    (folder / "rules.yaml").symlink_to(outside)
    with pytest.raises(RulesetError) as info:
        load_ruleset(folder)
    _one_line_error(info.value, "rules.yaml")
    assert "outside the ruleset folder" in str(info.value)


def test_link_inside_the_folder_is_read(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "rules.yaml").rename(folder / "rules-v2.yaml")
    (folder / "rules.yaml").symlink_to("rules-v2.yaml")
    assert load_ruleset(folder).id == "minimal-test"


def test_folder_in_place_of_a_file(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "rules.yaml").unlink()
    (folder / "rules.yaml").mkdir()
    with pytest.raises(RulesetError) as info:
        load_ruleset(folder)
    _one_line_error(info.value, "rules.yaml")


def test_cli_exit_2_for_a_hostile_ruleset(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "provisions.yaml").unlink()
    (folder / "provisions.yaml").symlink_to("/dev/zero")
    case = tmp_path / "case.json"
    case.write_text('{"case_id": "H-3"}', encoding="utf-8")
    proc = subprocess.run(
        [*CLI, "assess", str(case), "--ruleset", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert "provisions.yaml" in proc.stderr
    assert "Traceback" not in proc.stderr
