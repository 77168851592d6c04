"""What an audit result is written as: JSON Lines, CSV, DataFrames, and the item catalogue.

Why a fixed set of columns in every format: an auditor's next step is a filter or a join in a
spreadsheet or pandas, so a rejected row has the same columns as an assessed one (empty where they
do not apply), and every output has exactly one record per input row, in input order.

The catalogue gives, per item id, its label, explanation and the provisions the rules that can
conclude it cite. A row lists ids only; the catalogue is how reports show what they mean.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from conduct_rules.model.version import SCHEMA_VERSION
from conduct_rules.rules.ruleset import Ruleset

if TYPE_CHECKING:
    import pandas as pd

    from conduct_rules.audit.results import AuditOutput, AuditRow

__all__ = [
    "COLUMNS",
    "FORMULA_PREFIXES",
    "ItemInfo",
    "catalogue",
    "csv_line",
    "csv_text",
    "json_line",
    "neutralise",
    "summary_table",
    "to_dataframe",
    "write_csv",
    "write_jsonl",
]

#: Output columns, in order (the fields of ``AuditRow``).
COLUMNS = (
    "row",
    "case_id",
    "status",
    "verdict",
    "termination_required",
    "outstanding_safeguards",
    "missing_documentation",
    "findings",
    "warnings",
    "error_field",
    "error",
    "stage",
    "initiated_by",
)
_LISTS = frozenset({"outstanding_safeguards", "missing_documentation", "findings", "warnings"})
_KIND_OF_CONCLUSION = {
    "verdict": "verdict",
    "safeguard": "safeguard",
    "document": "documentation",
    "finding": "finding",
}


@dataclass(frozen=True)
class ItemInfo:
    """What an id means: label and explanation in one language, citations, and blocking."""

    label: str
    explanation: str
    citations: tuple[str, ...]
    blocking: bool = False


def catalogue(ruleset: Ruleset, lang: str) -> dict[tuple[str, str], ItemInfo]:
    """``(kind, id) -> ItemInfo`` for verdicts, safeguards, documentation and findings."""
    cites: dict[tuple[str, str], dict[str, None]] = {}
    for rule in ruleset.rules:
        for c in rule.then:
            kind = _KIND_OF_CONCLUSION.get(c.kind)
            if kind:
                seen = cites.setdefault((kind, c.target), {})
                seen.update(dict.fromkeys(rule.cites))
    out = ruleset.outputs
    specs: dict[str, dict[str, Any]] = {
        "verdict": dict(out.verdicts),
        "safeguard": dict(out.safeguards),
        "documentation": dict(out.documentation),
        "finding": dict(out.findings),
    }
    fr = lang == "fr"
    return {
        (kind, item_id): ItemInfo(
            label=spec.label["fr" if fr else "en"],
            explanation=spec.fr if fr else spec.en,
            citations=tuple(cites.get((kind, item_id), {})),
            blocking=bool(getattr(spec, "blocking", False)),
        )
        for kind, items in specs.items()
        for item_id, spec in items.items()
    }


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
#: What ``_encode`` does with a ``str``, called directly (C): the encoder's ``encode`` is a Python
#: method that checks the type first, and a million-row audit calls it three times per row.
_encode_str: Any = getattr(json.encoder, "c_encode_basestring", None) or _encode
_LIST_TEXT: dict[tuple[str, ...], str] = {}


def _text(value: str | None) -> str:
    """A JSON string, or ``null``."""
    return "null" if value is None else str(_encode_str(value))


def _list_text(ids: tuple[str, ...]) -> str:
    # The same few id tuples recur across millions of rows: encode each once.
    text = _LIST_TEXT.get(ids)
    if text is None:
        text = _encode(list(ids))
        if len(_LIST_TEXT) < 65_536:
            _LIST_TEXT[ids] = text
    return text


#: The last key of every JSON Lines row: a constant, so the version costs one string per row.
_VERSION = f',"schema_version":"{SCHEMA_VERSION}"'


def json_line(r: AuditRow) -> str:
    """One row as a JSON object on one line (non-ASCII kept as UTF-8).

    Written by hand rather than with ``json.dumps(r.as_dict())`` because the main process writes
    every row of a million-row audit; the keys are fixed, so only the values need encoding.
    """
    return (
        f'{{"row":{r.row:d},"case_id":{_text(r.case_id)}'
        + ending_head(r.status, r.verdict, r.termination_required, r.outstanding_safeguards)
        + ending_tail(
            r.missing_documentation,
            r.findings,
            r.warnings,
            r.error_field,
            r.error,
            r.stage,
            r.initiated_by,
        )
    )


def ending_head(
    status: str,
    verdict: str | None,
    termination_required: bool | None,
    outstanding: tuple[str, ...],
) -> str:
    """A JSON Lines row after its ``case_id``, first half: status, verdict, termination,
    outstanding safeguards.

    Why apart: ``audit.fastjson`` writes a row as its number, its ``case_id`` and the two halves
    (this and ``ending_tail``), each made once for all rows that share it; ``json_line`` uses the
    same two functions, so there is one format.
    """
    tr = "null" if termination_required is None else ("true" if termination_required else "false")
    return (
        f',"status":"{status}","verdict":{_text(verdict)},"termination_required":{tr},'
        f'"outstanding_safeguards":{_list_text(outstanding)}'
    )


def ending_tail(
    missing: tuple[str, ...],
    findings: tuple[str, ...],
    warnings: tuple[str, ...],
    error_field: str | None,
    error: str | None,
    stage: str | None,
    initiated_by: str | None,
) -> str:
    """The second half (``ending_head``): records, findings, warnings, error, stage, initiator."""
    return (
        f',"missing_documentation":{_list_text(missing)},'
        f'"findings":{_list_text(findings)},"warnings":{_list_text(warnings)},'
        f'"error_field":{_text(error_field)},"error":{_text(error)},'
        f'"stage":{_text(stage)},"initiated_by":{_text(initiated_by)}{_VERSION}}}'
    )


#: What makes a spreadsheet read a cell as a formula (OWASP's list for CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """A text cell a spreadsheet shows as text: a leading ``'`` before a formula prefix.

    Why every text cell and not only ``case_id``: error texts name columns, and a column name
    comes from the input file; any cell an attacker can shape could otherwise run as a formula.
    The JSON Lines output is not touched: it is read by programs, and must stay exact.
    """
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _cell(name: str, value: Any) -> Any:
    if value is None:
        return ""
    if name in _LISTS:
        return neutralise(";".join(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return neutralise(value)
    return value


def csv_line(r: AuditRow) -> list[Any]:
    """One row as CSV cells: lists joined by ``;``, booleans ``true``/``false``, None empty,
    formula prefixes neutralised (``neutralise``)."""
    return [_cell(name, value) for name, value in zip(COLUMNS, r, strict=True)]


def _rows(result: AuditOutput) -> Iterator[AuditRow]:
    return iter(result)


def csv_text(rows: Iterable[AuditRow]) -> str:
    """CSV records (no header) for rows, as ``write_csv`` writes them."""
    buf = io.StringIO()
    _csv_writer(buf).writerows(csv_line(r) for r in rows)
    return buf.getvalue()


def _csv_writer(fh: IO[str]) -> Any:
    # RFC 4180 line ends: the csv module quotes a cell holding any character of the line
    # terminator, so with "\r\n" a lone CR in a cell is quoted and cannot split the row.
    return csv.writer(fh, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)


def _emit(dest: str | Path | IO[str] | None, write: Any) -> str | None:
    if dest is None:
        buf = io.StringIO()
        write(buf)
        return buf.getvalue()
    if isinstance(dest, str | Path):
        with Path(dest).open("w", encoding="utf-8", newline="") as fh:
            write(fh)
        return None
    write(dest)
    return None


def write_jsonl(result: AuditOutput, dest: str | Path | IO[str] | None) -> str | None:
    """Write one JSON line per input row."""

    def write(fh: IO[str]) -> None:
        if result.renders:
            for text in result.render("jsonl"):
                fh.write(text)
            return
        lines: list[str] = []
        for r in _rows(result):
            lines.append(json_line(r))
            if len(lines) >= 1_000:
                fh.write("\n".join(lines) + "\n")
                lines.clear()
        if lines:
            fh.write("\n".join(lines) + "\n")

    return _emit(dest, write)


def write_csv(result: AuditOutput, dest: str | Path | IO[str] | None) -> str | None:
    """Write a header and one CSV record per input row."""

    def write(fh: IO[str]) -> None:
        w = _csv_writer(fh)
        w.writerow(COLUMNS)
        if result.renders:
            for text in result.render("csv"):
                fh.write(text)
            return
        w.writerows(csv_line(r) for r in _rows(result))

    return _emit(dest, write)


def _pandas() -> Any:
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - depends on the environment
        from conduct_rules.errors import ConductRulesError

        raise ConductRulesError("this needs pandas: pip install 'conduct-rules[audit]'") from None
    return pd


def to_dataframe(result: AuditOutput) -> pd.DataFrame:
    """All rows as a DataFrame, one column per output column (id lists as tuples)."""
    frame: pd.DataFrame = _pandas().DataFrame.from_records(list(result), columns=list(COLUMNS))
    return frame


def summary_table(result: AuditOutput) -> pd.DataFrame:
    """The summary, one line per counted item, with labels and citations."""
    s = result.summary
    info = catalogue(result.ruleset, result.lang)
    lines: list[dict[str, Any]] = []

    def add(kind: str, item_id: str, count: int, of: int, item: ItemInfo | None) -> None:
        lines.append(
            {
                "kind": kind,
                "id": item_id,
                "label": item.label if item else item_id,
                "count": count,
                "percent": round(100.0 * count / of, 2) if of else 0.0,
                "citations": ", ".join(item.citations) if item else "",
            }
        )

    add("rows", "total", s.total, s.total, None)
    add("rows", "assessed", s.assessed, s.total, None)
    add("rows", "rejected", s.rejected, s.total, None)
    add("rows", "needs_attention", s.needs_attention, s.assessed, None)
    add("rows", "termination_required", s.termination_required, s.assessed, None)
    for kind, cat, counts in (
        ("verdict", "verdict", s.verdicts),
        ("finding", "finding", s.findings),
        ("outstanding_safeguard", "safeguard", s.outstanding_safeguards),
        ("missing_documentation", "documentation", s.missing_documentation),
    ):
        for item_id, n in counts.items():
            add(kind, item_id, n, s.assessed, info.get((cat, item_id)))
    for item_id, n in s.warnings.items():
        add("warning", item_id, n, s.assessed, None)
    for field, n in s.rejected_fields.items():
        add("rejected_field", field, n, s.total, None)
    frame: pd.DataFrame = _pandas().DataFrame(
        lines, columns=["kind", "id", "label", "count", "percent", "citations"]
    )
    return frame
