"""Audits against several rulesets: one combined row per input row (issue 15).

Why a thin layer over ``assess_many``: the batch machinery (sources, workers, the fast backend,
rejected rows) is the same for every ruleset, so each ruleset runs its own ``AuditResult`` over
the same reusable source, and the rows — in input order, one per input row in every result — are
zipped into one row with the stricter verdict and a column set per ruleset. Nothing in the audit
code changes; a one-shot input (standard input, an iterator) cannot be read once per ruleset and
is refused.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any, Literal

from conduct_rules.audit.results import AuditRow
from conduct_rules.audit.sources import RecordSource
from conduct_rules.batch import assess_many
from conduct_rules.errors import ConductRulesError
from conduct_rules.model.version import SCHEMA_VERSION

__all__ = ["STRICTNESS", "audit_compared", "combined_columns", "write_combined"]

#: How strict each verdict is (as in ``compare``): the combined verdict is the strictest.
STRICTNESS: dict[str, int] = {"permitted": 0, "conditional": 1, "not_permitted": 2}
_PER = ("verdict", "outstanding_safeguards", "missing_documentation", "findings")


def combined_columns(names: Sequence[str]) -> list[str]:
    """The columns of a combined row: shared ones, then ``<ruleset>.<column>`` per ruleset."""
    return [
        "row",
        "case_id",
        "status",
        "verdict",
        "verdict_from",
        "error_field",
        "error",
        *(f"{n}.{c}" for n in names for c in _PER),
    ]


def _combine(names: Sequence[str], rows: Sequence[AuditRow]) -> dict[str, Any]:
    first = rows[0]
    if len({r.row for r in rows}) != 1:  # pragma: no cover - every result has one row per input
        raise ConductRulesError("the per-ruleset audits lost step with each other")
    out: dict[str, Any] = dict.fromkeys(combined_columns(names))
    out.update(row=first.row, case_id=first.case_id, status=first.status)
    if first.status == "rejected":
        out.update(error_field=first.error_field, error=first.error)
        return out
    worst = max(STRICTNESS.get(r.verdict or "", 0) for r in rows)
    out["verdict"] = next(r.verdict for r in rows if STRICTNESS.get(r.verdict or "", 0) == worst)
    pairs = list(zip(names, rows, strict=True))
    out["verdict_from"] = [n for n, r in pairs if r.verdict == out["verdict"]]
    for n, r in pairs:
        out[f"{n}.verdict"] = r.verdict
        out[f"{n}.outstanding_safeguards"] = list(r.outstanding_safeguards)
        out[f"{n}.missing_documentation"] = list(r.missing_documentation)
        out[f"{n}.findings"] = list(r.findings)
    return out


def audit_compared(
    source: RecordSource,
    rulesets: Sequence[str],
    *,
    lang: Literal["en", "fr"] = "en",
    backend: str = "auto",
    workers: int | None = None,
) -> Iterator[dict[str, Any]]:
    """One combined row per input row of ``source``, assessed against every ruleset.

    ``source`` must be reusable (a file, a list, a DataFrame). A row the case format refuses is
    refused by every ruleset alike (they all read the standard case) and stays one rejected row.
    """
    if not rulesets:
        raise ConductRulesError("give at least one ruleset")
    if len(set(rulesets)) != len(rulesets):
        raise ConductRulesError("a ruleset is listed twice")
    if len(rulesets) > 1 and not source.reusable:
        raise ConductRulesError(
            "an audit against several rulesets reads its input once per ruleset: give a file, "
            "not standard input"
        )
    results = [
        assess_many(source, ruleset=n, lang=lang, backend=backend, workers=workers, keep_rows=0)
        for n in rulesets
    ]
    for rs in results:
        if not rs.ruleset.vocabulary.is_case:
            raise ConductRulesError("every ruleset must read the standard case")
    for rows in zip(*results, strict=True):
        yield _combine(rulesets, rows)


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return " ".join(value)
    return "" if value is None else value


def write_combined(
    rows: Iterable[dict[str, Any]], names: Sequence[str], fmt: str, fh: IO[str]
) -> dict[str, int]:
    """Write combined rows as JSON Lines or CSV; return counts (rows, rejected, by verdict)."""
    counts: dict[str, int] = {"rows": 0, "rejected": 0}
    columns = combined_columns(names)
    writer = csv.writer(fh, lineterminator="\n") if fmt == "csv" else None
    if writer is not None:
        writer.writerow(columns)
    for row in rows:
        counts["rows"] += 1
        if row["status"] == "rejected":
            counts["rejected"] += 1
        else:
            counts[row["verdict"]] = counts.get(row["verdict"], 0) + 1
        if writer is not None:
            writer.writerow([_cell(row[c]) for c in columns])
        else:
            line = {**row, "schema_version": SCHEMA_VERSION}  # as every JSON output (issue 13)
            fh.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")
    return counts
