"""pytest collector for OpenFisca-style YAML test cases: ``tests/cases/*.yaml``.

Why YAML cases: a lawyer or a practice adviser can read and write them without Python — a name, a
description, the date the case is judged at, the case, and what the ruleset should conclude. Each
file holds a list of cases; each case becomes one pytest item, evaluated on every backend that
loads here. A failure report names the file and the case, shows each expected value beside the
actual one, and lists the rules that fired, so the reader can follow the reasoning back to the
ruleset (``docs/rulesets/ontario.md``).

A case::

    - name: threats alone make serious risk available
      description: Scenario 3 after the threats (2.8 v).
      judged_at: 2024-05-10              # required: the date the case is judged at
      input: {case_id: t-1, member: {threats_received: true}}
      # or: input_file: examples/scenario-3/2-after-threats.json   (relative to the repository)
      parameters: {min_attempts: 3}      # optional overrides of the ruleset's parameters
      ruleset: ontario                   # optional, default ontario
      expected:                          # every key optional; ids are checked against the ruleset
        verdict: permitted
        termination_required: false
        actions: [...]                   # the exact set of permitted actions
        actions_include: [...]           # ... or some that must be there
        actions_exclude: [...]           # ... and some that must not
        required_actions: [...]          # exact set of actions marked required
        safeguards_outstanding: [...]    # exact set
        safeguards_met: [...]            # exact set
        safeguards_absent: [...]         # safeguards that must not be required at all
        missing_documentation: [...]     # exact set
        findings: [...]                  # exact set
        derived: {risk: true}            # derived facts, by name
        rules_fired_include: [...]       # rules that must have fired

Time: the ruleset carries no dated versions yet, so ``judged_at`` is checked against what does
carry dates: every provision cited by a rule that fired must be in force on that date (its
``effective`` year or date, where the registry gives one), and no contact attempt may be dated
after it.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from conduct_rules import Assessment, assess, durable_available, load_ruleset
from conduct_rules.api import BACKENDS as API_BACKENDS
from conduct_rules.errors import ConductRulesError
from conduct_rules.rules.ruleset import Ruleset
from conduct_rules.rules.yaml_reader import read_yaml

ROOT = Path(__file__).resolve().parents[2]
#: Every backend that loads here: they must all agree, so every case runs on each.
BACKENDS = tuple(
    b for b in API_BACKENDS if b != "auto" and (b != "durable_rules" or durable_available())
)

_CASE_KEYS = {
    "name",
    "description",
    "judged_at",
    "input",
    "input_file",
    "parameters",
    "ruleset",
    "expected",
}
# expected key -> which catalogue of the ruleset its ids belong to
_SET_KEYS = {
    "actions": "actions",
    "actions_include": "actions",
    "actions_exclude": "actions",
    "required_actions": "actions",
    "safeguards_outstanding": "safeguards",
    "safeguards_met": "safeguards",
    "safeguards_absent": "safeguards",
    "missing_documentation": "documentation",
    "findings": "findings",
    "rules_fired_include": "rules",
}
_EXPECTED_KEYS = {"verdict", "termination_required", "derived", "summary_contains", *_SET_KEYS}


class CaseFileError(Exception):
    """A YAML case file does not follow the format; the message names file, case and key."""


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    """Collect ``*.yaml`` files in this folder as case files."""
    if file_path.suffix == ".yaml" and file_path.parent == Path(__file__).parent:
        return CaseFile.from_parent(parent, path=file_path)
    return None


class CaseFile(pytest.File):
    """One YAML file: a list of cases."""

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str:
        """A malformed case file is reported in one line, not as a traceback into this plugin."""
        if isinstance(excinfo.value, CaseFileError):
            return f"malformed case file: {excinfo.value}"
        return str(super().repr_failure(excinfo, style=style))

    def collect(self) -> Iterator[pytest.Item]:
        label = self.path.name
        try:
            raw = read_yaml(self.path, label)
        except ConductRulesError as exc:
            raise CaseFileError(str(exc)) from None
        if not isinstance(raw, list) or not raw:
            raise CaseFileError(f"{label}: expected a non-empty list of cases")
        seen: set[str] = set()
        for i, spec in enumerate(raw):
            if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
                raise CaseFileError(f"{label}: case #{i + 1} needs a 'name'")
            name = spec["name"]
            if name in seen:
                raise CaseFileError(f"{label}: two cases are named '{name}'")
            seen.add(name)
            yield CaseItem.from_parent(self, name=name, spec=_check_spec(spec, label))


def _fail(label: str, name: str, message: str) -> CaseFileError:
    return CaseFileError(f"{label}, case '{name}': {message}")


def _check_spec(spec: dict[str, Any], label: str) -> dict[str, Any]:
    name = spec["name"]
    unknown = set(spec) - _CASE_KEYS
    if unknown:
        raise _fail(
            label,
            name,
            f"unexpected key(s) {sorted(unknown)}; allowed keys are {sorted(_CASE_KEYS)}",
        )
    for key in ("description", "judged_at", "expected"):
        if key not in spec:
            raise _fail(label, name, f"'{key}' is required")
    if not isinstance(spec["judged_at"], dt.date) or isinstance(spec["judged_at"], dt.datetime):
        raise _fail(label, name, "'judged_at' must be a date (YYYY-MM-DD)")
    if ("input" in spec) == ("input_file" in spec):
        raise _fail(label, name, "give exactly one of 'input' and 'input_file'")
    expected = spec["expected"]
    if not isinstance(expected, dict) or not expected:
        raise _fail(label, name, "'expected' must be a non-empty mapping")
    unknown = set(expected) - _EXPECTED_KEYS
    if unknown:
        raise _fail(
            label,
            name,
            f"unexpected key(s) in 'expected' {sorted(unknown)}; "
            f"allowed keys are {sorted(_EXPECTED_KEYS)}",
        )
    try:
        ruleset = _ruleset(str(spec.get("ruleset", "ontario")))
    except ConductRulesError as exc:
        raise _fail(label, name, str(exc)) from None
    _check_ids(expected, ruleset, label, name)
    return spec


def _check_ids(expected: Mapping[str, Any], rs: Ruleset, label: str, name: str) -> None:
    """Unknown ids would make a check vacuous (an absent typo is always absent): reject them."""
    catalogues: dict[str, set[str]] = {
        "actions": set(rs.outputs.actions),
        "safeguards": set(rs.outputs.safeguards),
        "documentation": set(rs.outputs.documentation),
        "findings": set(rs.outputs.findings),
        "rules": {r.id for r in rs.rules},
    }
    if "verdict" in expected and expected["verdict"] not in rs.outputs.verdicts:
        raise _fail(label, name, f"unknown verdict; one of {sorted(rs.outputs.verdicts)}")
    for key, catalogue in _SET_KEYS.items():
        if key not in expected:
            continue
        ids = expected[key]
        if not isinstance(ids, list) or not all(isinstance(x, str) for x in ids):
            raise _fail(label, name, f"'expected.{key}' must be a list of ids")
        bad = sorted(set(ids) - catalogues[catalogue])
        if bad:
            raise _fail(label, name, f"'expected.{key}' names unknown {catalogue}: {bad}")
    derived = expected.get("derived", {})
    if not isinstance(derived, dict) or not all(isinstance(v, bool) for v in derived.values()):
        raise _fail(label, name, "'expected.derived' maps fact names to true/false")
    bad = sorted(set(derived) - set(rs.derived))
    if bad:
        raise _fail(label, name, f"'expected.derived' names unknown facts: {bad}")


@functools.lru_cache(maxsize=8)
def _ruleset(name: str) -> Ruleset:
    """Each ruleset is loaded once per test run, not once per case."""
    return load_ruleset(name)


def _effective_date(text: str | None) -> dt.date | None:
    """The start date a registry's ``effective`` text gives, when it gives one (year or date)."""
    if text is None:
        return None
    m = re.fullmatch(r"\s*(\d{4})(?:-(\d{2})-(\d{2}))?\s*", text)
    if m is None:
        return None
    year, month, day = m.groups()
    return dt.date(int(year), int(month or 1), int(day or 1))


def _jsonable(value: Any) -> Any:
    """YAML reads unquoted dates as dates; the case contract wants ISO strings (as in JSON)."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class CaseMismatchError(AssertionError):
    """A case's expectations differ from what the ruleset concluded."""

    def __init__(self, lines: list[str], assessment: Assessment | None) -> None:
        self.lines = lines
        self.assessment = assessment
        super().__init__("\n".join(lines))


class CaseItem(pytest.Item):
    """One YAML case, assessed on every backend available here."""

    def __init__(self, *, spec: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = spec

    def _input(self) -> dict[str, Any]:
        if "input" in self.spec:
            data: dict[str, Any] = _jsonable(self.spec["input"])
            return data
        path = ROOT / str(self.spec["input_file"])
        loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return loaded

    def runtest(self) -> None:
        judged_at: dt.date = self.spec["judged_at"]
        data = self._input()
        attempts = (data.get("termination_session") or {}).get("attempts") or []
        late = [a.get("date") for a in attempts if str(a.get("date", "")) > judged_at.isoformat()]
        if late:
            raise CaseMismatchError(
                [f"contact attempts dated after judged_at {judged_at}: {late}"], None
            )
        for backend in BACKENDS:
            result = assess(
                data,
                ruleset=self.spec.get("ruleset"),
                backend=backend,
                parameters=self.spec.get("parameters"),
            )
            problems = self._compare(result)
            problems += self._in_force(result, judged_at)
            if problems:
                raise CaseMismatchError([f"backend {backend}:", *problems], result)

    def _in_force(self, a: Assessment, judged_at: dt.date) -> list[str]:
        rs = _ruleset(str(self.spec.get("ruleset", "ontario")))
        by_id = {r.id: r for r in rs.rules}
        out = []
        for pid in sorted({c for rid in a.rules_fired for c in by_id[rid].cites}):
            start = _effective_date(rs.provisions[pid].effective)
            if start is not None and start > judged_at:
                out.append(f"provision {pid} (effective {start}) is not in force on {judged_at}")
        return out

    def _compare(self, a: Assessment) -> list[str]:
        exp = self.spec["expected"]
        actual_sets: dict[str, set[str]] = {
            "actions": {x.id for x in a.permitted_actions},
            "required_actions": {x.id for x in a.permitted_actions if x.required},
            "safeguards_outstanding": {s.id for s in a.outstanding_safeguards},
            "safeguards_met": {s.id for s in a.required_safeguards if s.status == "met"},
            "missing_documentation": {d.id for d in a.missing_documentation},
            "findings": {f.id for f in a.findings},
        }
        required_safeguards = {s.id for s in a.required_safeguards}
        fired = set(a.rules_fired)
        out: list[str] = []
        if "verdict" in exp and exp["verdict"] != a.verdict:
            out.append(f"verdict: expected {exp['verdict']}, got {a.verdict}")
        if "termination_required" in exp and exp["termination_required"] != a.termination_required:
            out.append(
                f"termination_required: expected {exp['termination_required']}, "
                f"got {a.termination_required}"
            )
        for key, actual in actual_sets.items():
            if key in exp and set(exp[key]) != actual:
                want = set(exp[key])
                out.append(
                    f"{key}: expected {sorted(want)}, got {sorted(actual)}"
                    f" (missing {sorted(want - actual)}, unexpected {sorted(actual - want)})"
                )
        checks = (
            ("actions_include", actual_sets["actions"], True),
            ("actions_exclude", actual_sets["actions"], False),
            ("safeguards_absent", required_safeguards, False),
            ("rules_fired_include", fired, True),
        )
        for key, actual, present in checks:
            wrong = sorted(x for x in exp.get(key, []) if (x in actual) != present)
            if wrong:
                how = "expected present, absent" if present else "expected absent, present"
                out.append(f"{key}: {how}: {wrong}")
        for text in exp.get("summary_contains", []):
            if text not in a.summary:
                out.append(f"summary: expected it to contain {text!r}, got {a.summary!r}")
        for fact, value in exp.get("derived", {}).items():
            if a.derived_facts.get(fact) != value:
                out.append(f"derived {fact}: expected {value}, got {a.derived_facts.get(fact)}")
        return out

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str:
        """A report a legal reader can follow: where, what was expected, what came, which rules."""
        if not isinstance(excinfo.value, CaseMismatchError):
            return str(super().repr_failure(excinfo, style=style))
        exc = excinfo.value
        where = (
            self.path.relative_to(ROOT).as_posix() if self.path.is_relative_to(ROOT) else self.path
        )
        lines = [
            f"YAML case failed: {where} :: {self.name}",
            f"  description: {' '.join(str(self.spec['description']).split())}",
            f"  judged at: {self.spec['judged_at']}",
        ]
        if self.spec.get("parameters"):
            lines.append(f"  parameters: {self.spec['parameters']}")
        lines += [f"  {line}" for line in exc.lines]
        if exc.assessment is not None:
            a = exc.assessment
            lines.append(f"  ruleset: {a.ruleset.id} {a.ruleset.version}")
            lines.append(f"  rules fired ({len(a.rules_fired)}): {', '.join(a.rules_fired)}")
        return "\n".join(lines)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{self.path.name} :: {self.name}"
