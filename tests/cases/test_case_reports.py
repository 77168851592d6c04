"""The YAML case collector itself: a failing case must be reported so a legal reader can follow it,
and a malformed file must be refused with a message naming the file, the case and the key.

Runs pytest in a subprocess on a copy of the collector (``conftest.py``) with case files written
here, so what is checked is exactly what a reader of a CI log sees.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


WRONG = """
- name: a wrong expectation
  description: Withdrawal is a basis, so this verdict is wrong on purpose.
  judged_at: 2024-01-15
  input: {case_id: t-wrong, initiated_by: client, client: {withdrew: true}}
  expected:
    verdict: not_permitted
    findings: [discontinued_needed_services]
- name: a right expectation
  description: Passes.
  judged_at: 2024-01-15
  input: {case_id: t-right}
  expected: {verdict: not_permitted}
"""


EARLY = """
- name: judged before the Code's 2nd edition
  description: The rules that fire cite interpretation 3.9 (2008).
  judged_at: 2005-06-01
  input: {case_id: t-early}
  expected: {verdict: not_permitted}
"""

LATE = """
- name: attempt from the future
  description: An attempt dated after the case is judged.
  judged_at: 2024-01-01
  input:
    case_id: t-late
    termination_session: {attempts: [{channel: email, date: 2024-02-01}]}
  expected: {verdict: not_permitted}
"""

TYPO = """
- name: a typo in an id
  description: An unknown finding would make the check vacuous.
  judged_at: 2024-01-01
  input: {case_id: t-typo}
  expected: {findings: [discontinued_needed_service]}
"""

BAD_KEY = """
- name: an unknown key
  description: x
  judged_at: 2024-01-01
  input: {case_id: t-key}
  expected: {verdit: permitted}
"""

NO_DATE = """
- name: no date
  description: x
  input: {case_id: t-date}
  expected: {verdict: permitted}
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    """One pytest run over every case file below (one interpreter start instead of five)."""
    repo = tmp_path_factory.mktemp("repo")
    cases = repo / "tests" / "cases"
    cases.mkdir(parents=True)
    shutil.copy(HERE / "conftest.py", cases / "conftest.py")
    files = {
        "wrong.yaml": WRONG,
        "early.yaml": EARLY,
        "late.yaml": LATE,
        "a.yaml": TYPO,
        "b.yaml": BAD_KEY,
        "c.yaml": NO_DATE,
    }
    for name, text in files.items():
        (cases / name).write_text(text, encoding="utf-8")
    cmd = [sys.executable, "-m", "pytest", str(cases), "-q", "-p", "no:cacheprovider"]
    cmd += ["--continue-on-collection-errors"]
    return subprocess.run(cmd, cwd=repo, capture_output=True, text=True, timeout=300, check=False)


def test_failure_report_names_file_case_expected_actual_and_rules(
    run: subprocess.CompletedProcess[str],
) -> None:
    out = run.stdout
    assert run.returncode == 1, out + run.stderr
    assert "3 failed, 1 passed, 3 errors" in out
    assert "YAML case failed: tests/cases/wrong.yaml :: a wrong expectation" in out
    assert "description: Withdrawal is a basis" in out
    assert "judged at: 2024-01-15" in out
    assert "verdict: expected not_permitted, got conditional" in out
    assert "findings: expected ['discontinued_needed_services'], got []" in out
    assert "rules fired (" in out
    assert "basis-for-ending" in out
    assert "Traceback" not in out


def test_provisions_not_yet_in_force_fail_the_case(run: subprocess.CompletedProcess[str]) -> None:
    assert "provision cesp-3.9 (effective 2008-01-01) is not in force on 2005-06-01" in run.stdout


def test_attempts_after_the_judging_date_are_refused(run: subprocess.CompletedProcess[str]) -> None:
    assert "contact attempts dated after judged_at 2024-01-01" in run.stdout


def test_unknown_ids_and_keys_are_refused_at_collection(
    run: subprocess.CompletedProcess[str],
) -> None:
    out = run.stdout
    assert (
        "a.yaml, case 'a typo in an id': 'expected.findings' names unknown findings: "
        "['discontinued_needed_service']"
    ) in out
    assert "b.yaml, case 'an unknown key': unexpected key(s) in 'expected' ['verdit']" in out
    assert "c.yaml, case 'no date': 'judged_at' is required" in out
