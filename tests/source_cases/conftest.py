"""pytest collector for the source-written expectations (``scenarios.yaml``, ``rows.yaml`` here).

These cases are the suite's evidence that the Ontario rules are right: each was written by hand
from the practice note and the provisions it cites (the product's decision tables, version 2),
carries a paraphrase of the sentence it comes from, and pins the whole answer: verdict, whether
the service must stop, every safeguard with its status, missing records, findings and permitted
actions, each with its exact citations. They are never regenerated from the code: when a case
fails, the rules and the reading disagree, and the source decides (the lead fixes whichever is
wrong). Each case runs on every backend that loads here (python, fast, durable_rules).

``citations.yaml`` in this folder is the citation table, checked by
``tests/properties/test_citation_table.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conduct_rules import assess, durable_available
from conduct_rules.api import BACKENDS as API_BACKENDS
from support.source_expect import CASE_FILES, SourceCase, compare, load_cases

#: Every backend that loads here: a wrong rule must fail on each.
BACKENDS = tuple(
    b for b in API_BACKENDS if b != "auto" and (b != "durable_rules" or durable_available())
)


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    """Collect the case files of this folder (not the citation table)."""
    if file_path.parent == Path(__file__).parent and file_path.name in CASE_FILES:
        return SourceFile.from_parent(parent, path=file_path)
    return None


class SourceFile(pytest.File):
    """One file of hand-written cases."""

    def collect(self) -> Iterator[pytest.Item]:
        for case in load_cases():
            if case.file == self.path.name:
                yield SourceItem.from_parent(self, name=case.name, case=case)


class SourceMismatchError(AssertionError):
    """The ruleset's answer differs from the hand-written expectation."""


class SourceItem(pytest.Item):
    """One hand-written case, assessed on every backend."""

    def __init__(self, *, case: SourceCase, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        lines: list[str] = []
        for backend in BACKENDS:
            a = assess(self.case.data, backend=backend, parameters=self.case.parameters or None)
            problems = compare(self.case.expected, a)
            if problems:
                lines += [f"backend {backend}:", *(f"  {p}" for p in problems)]
        if lines:
            raise SourceMismatchError("\n".join(lines))

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str:
        """What a legal reader needs: the case, the sentence it rests on, each difference."""
        if not isinstance(excinfo.value, SourceMismatchError):
            return str(super().repr_failure(excinfo, style=style))
        return "\n".join(
            [
                f"source case failed: {self.case.file} :: {self.case.name}",
                f"  source: {self.case.source}",
                *(f"  {line}" for line in str(excinfo.value).splitlines()),
            ]
        )

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{self.path.name} :: {self.name}"
