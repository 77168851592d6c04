"""The hand-written source expectations (``tests/source_cases/``) and the citation table: loading,
and comparing an assessment with them item by item.

Why here and not in ``tests/``: the pytest collector (``tests/source_cases/conftest.py``), the
citation-table properties (``tests/properties/test_citation_table.py``), the oracle check and the
mutation tool's ``source`` and ``citations`` families all read the same files, and the mutation tool
runs in process; one typed implementation serves them all. Nothing here computes an expectation:
every expected value comes from the YAML files, written by hand from the practice note and the
provisions, never from the code. The only logic is choosing a branch of the citation table from the
case's own fields, with the two predicates the table names (which exceptions of 2.8 hold; whether
serious risk holds). The files sit beside the package in a source checkout.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from conduct_rules.model.assessment import Assessment
from conduct_rules.model.case import Case

__all__ = [
    "CASE_FILES",
    "CRPO_CASE_FILES",
    "CRPO_HERE",
    "HERE",
    "SourceCase",
    "bases_holding",
    "citation_table",
    "compare",
    "load_cases",
    "table_citations",
    "wrong_citations",
]

#: The repository root in a source checkout (``input_file`` paths are relative to it).
ROOT = Path(__file__).resolve().parents[2]
#: Where the hand-written files are.
HERE = ROOT / "tests" / "source_cases"
CASE_FILES = ("scenarios.yaml", "rows.yaml")
#: The CRPO Standard 6.3 cases and citation table (issue 15), in a folder of their own.
CRPO_HERE = HERE / "crpo"
CRPO_CASE_FILES = ("cases.yaml",)
_KINDS = ("safeguards", "actions", "documentation", "findings")
_EXPECTED_KEYS = {
    "verdict",
    "termination_required",
    "safeguards",
    "missing_documentation",
    "findings",
    "actions",
}
#: Optional in ``expected``, two ways of pinning derived facts (the ruleset's ``derived`` in
#: ``ruleset.yaml``; the assessment's JSON ``derived_facts``, so a rule that derives one wrongly
#: changes what a program reads even when every list stays the same):
#: ``derived`` gives all of them with their truth value (the CRPO cases: why the verdict is what it
#: is); ``derived_facts`` pins the ones a case names, one by one (the Ontario rows, §4.2).
_OPTIONAL_KEYS = frozenset({"derived", "derived_facts"})


@dataclass(frozen=True)
class SourceCase:
    """One hand-written case: where it is, what it says it comes from, its input and expectation."""

    file: str
    name: str
    source: str
    data: dict[str, Any]
    parameters: dict[str, int]
    expected: dict[str, Any]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _check(spec: Mapping[str, Any], where: str) -> None:
    """A malformed case would make a check vacuous: refuse it, naming the key."""
    allowed = {"name", "source", "input", "input_file", "parameters", "expected"}
    unknown = set(spec) - allowed
    if unknown:
        raise ValueError(f"{where}: unexpected keys {sorted(unknown)}")
    if not str(spec.get("source", "")).strip():
        raise ValueError(f"{where}: 'source' is required")
    if ("input" in spec) == ("input_file" in spec):
        raise ValueError(f"{where}: give exactly one of 'input' and 'input_file'")
    exp = spec.get("expected")
    allowed_expected = _EXPECTED_KEYS | _OPTIONAL_KEYS
    if not isinstance(exp, dict) or not _EXPECTED_KEYS <= set(exp) <= allowed_expected:
        raise ValueError(
            f"{where}: 'expected' must give exactly {sorted(_EXPECTED_KEYS)}"
            f" (and optionally {sorted(_OPTIONAL_KEYS)})"
        )
    for key in sorted(_OPTIONAL_KEYS):
        facts = exp.get(key, {})
        if not isinstance(facts, dict) or not all(
            isinstance(k, str) and isinstance(v, bool) for k, v in facts.items()
        ):
            raise ValueError(f"{where}: '{key}' must map fact names to true or false")


@functools.lru_cache(maxsize=4)
def load_cases(folder: Path = HERE, files: tuple[str, ...] = CASE_FILES) -> tuple[SourceCase, ...]:
    """Every hand-written case of ``folder`` (default: Ontario's), in file order."""
    out: list[SourceCase] = []
    for name in files:
        raw = yaml.safe_load((folder / name).read_text(encoding="utf-8"))
        for spec in raw["cases"]:
            where = f"{name} :: {spec.get('name')}"
            _check(spec, where)
            if "input" in spec:
                data = _jsonable(spec["input"])
            else:
                data = json.loads((ROOT / spec["input_file"]).read_text(encoding="utf-8"))
            out.append(
                SourceCase(
                    file=name,
                    name=str(spec["name"]),
                    source=" ".join(str(spec["source"]).split()),
                    data=data,
                    parameters=dict(spec.get("parameters") or {}),
                    expected=spec["expected"],
                )
            )
    names = [c.name for c in out]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"two source cases share a name: {dupes}")
    return tuple(out)


@functools.lru_cache(maxsize=4)
def citation_table(folder: Path = HERE) -> dict[str, dict[str, Any]]:
    """The hand-written citation table of ``folder`` (``tests/source_cases/citations.yaml``)."""
    raw: dict[str, dict[str, Any]] = yaml.safe_load(
        (folder / "citations.yaml").read_text(encoding="utf-8")
    )
    return raw


def bases_holding(case: Case) -> list[str]:
    """The exceptions of 2.8 that hold (i..v), read from the case's own fields.

    Threats count as serious risk (v), as the tables say (scenario 3).
    """
    risk = case.member.serious_risk_of_harm or case.member.threats_received
    flags = {
        "i": case.client.requested_termination,
        "ii": case.client.withdrew,
        "iii": case.alternatives.efforts_made,
        "iv": case.alternatives.opportunity_given,
        "v": risk,
    }
    return [k for k, v in flags.items() if v]


def table_citations(kind: str, item_id: str, case: Case, folder: Path = HERE) -> frozenset[str]:
    """The citations the table gives ``item_id`` of ``kind`` for ``case`` (branch chosen here)."""
    entry = citation_table(folder)[kind][item_id]
    if isinstance(entry, list):
        return frozenset(entry)
    if item_id == "end_services":
        bases = bases_holding(case)
        if not bases:
            return frozenset(entry["no_basis"])
        return frozenset(c for b in bases for c in entry["by_basis"][b])
    if item_id == "end_by_written_notice":
        risk = "v" in bases_holding(case)
        return frozenset(entry["risk" if risk else "session"])
    raise KeyError(f"no branch rule for {kind}.{item_id}")


def _items(a: Assessment) -> dict[str, dict[str, Any]]:
    """The assessment reduced to what the source cases pin, item by item."""
    return {
        "safeguards": {
            s.id: {"status": s.status, "cites": frozenset(s.citations)}
            for s in a.required_safeguards
        },
        "missing_documentation": {d.id: frozenset(d.citations) for d in a.missing_documentation},
        "findings": {f.id: frozenset(f.citations) for f in a.findings},
        "actions": {
            x.id: {"required": x.required, "cites": frozenset(x.citations)}
            for x in a.permitted_actions
        },
    }


def _want(expected: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        "safeguards": {
            k: {"status": v["status"], "cites": frozenset(v["cites"])}
            for k, v in (expected["safeguards"] or {}).items()
        },
        "missing_documentation": {
            k: frozenset(v) for k, v in (expected["missing_documentation"] or {}).items()
        },
        "findings": {k: frozenset(v) for k, v in (expected["findings"] or {}).items()},
        "actions": {
            k: {"required": bool(v.get("required", False)), "cites": frozenset(v["cites"])}
            for k, v in (expected["actions"] or {}).items()
        },
    }


def _show(value: Any) -> str:
    if isinstance(value, frozenset):
        return "[" + ", ".join(sorted(value)) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    return str(value)


def compare(expected: Mapping[str, Any], a: Assessment) -> list[str]:
    """Every difference between a hand-written expectation and an assessment, one line each.

    Exhaustive in both directions: an item the assessment lists that the expectation does not is
    reported ("unexpected"), as is one it lacks ("missing") and any differing status, required
    flag or citation set. Derived facts are compared only where the case pins them (a fact the
    assessment does not list reads as false).
    """
    out: list[str] = []
    if expected["verdict"] != a.verdict:
        out.append(f"verdict: expected {expected['verdict']}, got {a.verdict}")
    if bool(expected["termination_required"]) != a.termination_required:
        out.append(
            f"termination_required: expected {expected['termination_required']}, "
            f"got {a.termination_required}"
        )
    if "derived" in expected and dict(expected["derived"]) != dict(a.derived_facts):
        w, g = dict(expected["derived"]), dict(a.derived_facts)
        diff = sorted(k for k in set(w) | set(g) if w.get(k) != g.get(k))
        out.append(f"derived facts differ: {', '.join(diff)}")
    for fact, value in sorted((expected.get("derived_facts") or {}).items()):
        if a.derived_facts.get(fact, False) != value:
            out.append(f"derived_facts.{fact}: expected {value}, got {not value}")
    want, got = _want(expected), _items(a)
    for section in ("safeguards", "missing_documentation", "findings", "actions"):
        w, g = want[section], got[section]
        for item in sorted(set(w) - set(g)):
            out.append(f"{section}.{item}: missing (expected {_show(w[item])})")
        for item in sorted(set(g) - set(w)):
            out.append(f"{section}.{item}: unexpected (got {_show(g[item])})")
        for item in sorted(set(w) & set(g)):
            if w[item] != g[item]:
                out.append(f"{section}.{item}: expected {_show(w[item])}, got {_show(g[item])}")
    return out


_SECTIONS = {
    "required_safeguards": "safeguards",
    "permitted_actions": "actions",
    "missing_documentation": "documentation",
    "findings": "findings",
}


def wrong_citations(case: Case, a: Assessment, folder: Path = HERE) -> list[str]:
    """Items of ``a`` whose citations differ from the table's for ``case`` (ids only, no values).

    An item the table does not list at all is reported too (a mutant could conclude a new one).
    """
    out = []
    table = citation_table(folder)
    for section, kind in _SECTIONS.items():
        for item in getattr(a, section):
            if item.id not in table.get(kind, {}):
                out.append(f"{kind}.{item.id}: not in the citation table")
                continue
            want = table_citations(kind, item.id, case, folder)
            got = frozenset(item.citations)
            if got != want:
                out.append(
                    f"{kind}.{item.id}: expected {sorted(want)}, got {sorted(got)}"
                    f" (extra {sorted(got - want)}, missing {sorted(want - got)})"
                )
    return out
