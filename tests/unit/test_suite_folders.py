"""The test suite keeps its shape: suites in folders by kind, helpers in ``support``, no suite
importing another (docs/testing.md, "The folders").

Why a test: a suite added at ``tests/`` or a helper imported from another suite works on the day
it is written (pytest puts the suite's folder on ``sys.path``) and breaks the day either moves;
a newcomer also finds a test by its kind only if every test sits in its kind's folder.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
KINDS = ("unit", "properties", "integration", "stress")
#: Data folders whose own collectors or tools read them where they are.
DATA = ("golden", "cases", "source_cases", "bad_rulesets")


def _suites() -> list[Path]:
    return sorted(TESTS.rglob("test_*.py"))


def test_every_suite_is_in_a_kind_folder() -> None:
    suites = _suites()
    assert len(suites) > 50  # the glob sees the suite
    misplaced = [
        str(p.relative_to(TESTS))
        for p in suites
        if p.relative_to(TESTS).parts[0] not in KINDS + DATA
    ]
    assert misplaced == [], f"move these into tests/{{{','.join(KINDS)}}}/: {misplaced}"
    assert [p.name for p in TESTS.glob("*.py")] == ["conftest.py"]


def _suite_imports(source: str, names: set[str]) -> list[str]:
    """The modules among ``names`` that ``source`` imports."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module in names:
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name in names]
    return found


def test_no_suite_imports_another() -> None:
    names = {p.stem for p in _suites()}
    offenders = {
        str(path.relative_to(TESTS)): found
        for path in [*_suites(), *(TESTS / "support").glob("*.py")]
        if (found := _suite_imports(path.read_text("utf-8"), names))
    }
    assert offenders == {}, f"move what they share into tests/support: {offenders}"


def test_the_import_check_can_fail() -> None:
    names = {"test_privacy", "test_counterfactual"}
    source = "import os\nfrom test_privacy import SENTINEL\nimport test_counterfactual\n"
    assert _suite_imports(source, names) == ["test_privacy", "test_counterfactual"]
    assert _suite_imports("from support.privacy import SENTINEL\n", names) == []
