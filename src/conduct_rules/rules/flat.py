"""Flat tables of cases: dotted column names, what a cell may hold, and the way back to cells.

Why strict cells: an audit built on a silently guessed value is worse than a rejected row, and the
``Case`` contract itself does not coerce (``"false"`` is not ``False``). The CSV rules, in full:

* columns: ``case_id`` and every dotted case field (``services.needed``,
  ``alternatives.notice_days``, ...); names are exact (letter case and spaces count). A column the
  contract does not have rejects every row that has a value in it, naming the column — it is never
  ignored silently. A group name (``services``) is not a column. A repeated name makes the header
  unusable.
* an empty cell: the field's default, as if the column were absent;
* yes/no fields: ``true`` or ``false`` in any letter case (``TRUE``, ``False``), nothing else —
  not ``1``/``0``, ``yes``/``no`` or a blank-padded word;
* whole-number fields: ASCII digits with an optional sign (the contract then rejects negatives); no
  decimals, spaces or thousands separators;
* text and choice fields (``case_id``, ``stage``, ``termination_session.status``, ...): the cell as
  written, checked by the contract;
* list fields (``termination_session.attempts``, ``documented``): JSON text, e.g.
  ``["decision_rationale"]`` or ``[{"channel": "email", "date": "2024-03-01"}]``.

DataFrame cells are native values instead (see ``records_from_dataframe``). Error messages name the
column and the rule broken, never the cell's content (privacy).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from conduct_rules.errors import InputError
from conduct_rules.model.strict_json import loads as strict_loads
from conduct_rules.rules.vocabulary import FieldType, case_fields

__all__ = ["CSV_COLUMNS", "FlatColumns", "Unreadable", "flatten_case"]

_BOOL, _INT, _TEXT, _ID, _JSON, _GROUP, _UNKNOWN, _IGNORED = range(8)
#: Columns the rejected-records file adds (``conduct_rules.audit.rejected``): read and ignored,
#: so a fixed file of rejected records is re-run as it is.
_ANNOTATIONS = frozenset({"_rejected_row", "_rejected_reason"})

_KIND_OF = {"bool": _BOOL, "int": _INT, "enum": _TEXT, "list_enum": _JSON, "list_obj": _JSON}


def _leaves_of(fields: Mapping[str, FieldType]) -> dict[str, int]:
    return {"case_id": _ID} | {path: _KIND_OF[t.kind] for path, t in fields.items()}


_LEAVES: dict[str, int] = _leaves_of(case_fields())
_GROUPS = {p.rsplit(".", 1)[0] for p in _LEAVES if "." in p}
#: Every column a flat case may have, in the contract's order.
CSV_COLUMNS: tuple[str, ...] = tuple(_LEAVES)

_INT_RE = re.compile(r"[+-]?[0-9]{1,12}")
_DECIMAL_RE = {
    ".": re.compile(r"([+-]?[0-9]{1,12})\.0+"),
    ",": re.compile(r"([+-]?[0-9]{1,12}),0+"),
}
_Errors = list[tuple[str, str]]


def _shown(name: str) -> str:
    """A column name fit for a message: printable, bounded."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in name)
    return (clean[:80] + "…") if len(clean) > 80 else (clean or "(unnamed column)")


def _is_missing(value: Any) -> bool:
    """A native value meaning "not given": None, NaN, pandas' NA and NaT."""
    if value is None:
        return True
    if isinstance(value, str | bool | int | list | tuple | Mapping):
        return False
    if isinstance(value, float):
        return math.isnan(value)
    if type(value).__module__.startswith("pandas"):
        import pandas as pd

        try:
            return bool(pd.isna(value))
        except (TypeError, ValueError):
            return False
    return False


class Unreadable(NamedTuple):
    """A record that could not be split into cells, and why (in place of its cells)."""

    reason: str


def _csv_cell(kind: int, cell: str, decimal: str = "") -> tuple[Any, str | None]:
    if not cell.isascii():
        try:
            cell.encode("utf-8")
        except UnicodeEncodeError:
            return None, "not valid UTF-8 text"
    if kind == _BOOL:
        low = cell.lower()
        if low == "true":
            return True, None
        if low == "false":
            return False, None
        return None, "expected true or false"
    if kind == _INT:
        if _INT_RE.fullmatch(cell):
            return int(cell), None
        whole = _DECIMAL_RE[decimal].fullmatch(cell) if decimal else None
        if whole:  # ``14,0`` from a spreadsheet: a whole number written with its decimal mark
            return int(whole.group(1)), None
        return None, "expected a whole number"
    if kind == _JSON:
        try:
            value = strict_loads(cell)
        except (ValueError, RecursionError):  # a duplicate key too (``model.strict_json``)
            value = None
        if not isinstance(value, list):
            return None, 'expected a JSON list, e.g. [] or ["decision_rationale"]'
        return value, None
    return cell, None


def _native_cell(kind: int, value: Any) -> tuple[Any, str | None]:
    if hasattr(value, "tolist") and not isinstance(value, str):
        value = value.tolist()  # numpy scalars and arrays to plain Python
    if kind == _INT and isinstance(value, float) and value.is_integer():
        return int(value), None  # pandas stores an integer column with gaps as floats
    if kind == _ID and isinstance(value, int) and not isinstance(value, bool):
        return str(value), None  # numeric identifiers, as pandas reads them
    if kind == _JSON:
        if isinstance(value, str):
            return _csv_cell(_JSON, value)
        if isinstance(value, tuple):
            return list(value), None
    return value, None


def _put(target: dict[str, Any], path: tuple[str, ...], value: Any) -> bool:
    """Set ``value`` at ``path``, merging objects; False when it clashes with a value set."""
    node = target
    for part in path[:-1]:
        nxt = node.setdefault(part, {})
        if not isinstance(nxt, dict):
            return False
        node = nxt
    last = path[-1]
    if last in node:
        if isinstance(node[last], dict) and isinstance(value, Mapping):
            return all(_put(node[last], (str(k),), v) for k, v in value.items())
        return False
    node[last] = dict(value) if isinstance(value, Mapping) else value
    return True


@dataclass(frozen=True)
class FlatColumns:
    """A header, classified once: each column's kind and path into the nested case."""

    names: tuple[str, ...]
    kinds: tuple[int, ...]
    paths: tuple[tuple[str, ...], ...]
    native: bool = False
    decimal: str = ""  # the decimal mark a whole number may be written with (``14,0``)

    @classmethod
    def from_header(
        cls, header: Sequence[str], *, native: bool = False, decimal: str = ""
    ) -> FlatColumns:
        """Classify the columns; a repeated name or an empty header raises ``InputError``."""
        if not header:
            raise InputError("the header names no columns")
        seen: set[str] = set()
        for name in header:
            if name in seen:
                raise InputError(f"the header repeats the column '{_shown(name)}'")
            seen.add(name)
        kinds = tuple(
            _IGNORED
            if n in _ANNOTATIONS
            else _LEAVES.get(n, _GROUP if n in _GROUPS else _UNKNOWN)
            for n in header
        )
        paths = tuple(tuple(n.split(".")) for n in header)
        return cls(tuple(header), kinds, paths, native, decimal)

    def for_fields(self, fields: Mapping[str, FieldType]) -> FlatColumns:
        """The same header classified for another case vocabulary (a ruleset's flat record).

        Why here and not when the file is opened: a source does not know which ruleset will
        read it, so columns are first classified for the standard ``Case`` and, for a ruleset
        with its own record, again where the rows are assessed.
        """
        leaves = _leaves_of(fields)
        kinds = tuple(
            _IGNORED if n in _ANNOTATIONS else leaves.get(n, _UNKNOWN) for n in self.names
        )
        paths = tuple((n,) for n in self.names)
        return FlatColumns(self.names, kinds, paths, self.native, self.decimal)

    def to_mapping(self, cells: Sequence[Any] | None) -> tuple[dict[str, Any], _Errors]:
        """The nested case mapping for one row and its errors as ``(column, message)`` pairs.

        With errors, the mapping holds the cells that could be read (to show a valid case_id).
        """
        if cells is None:
            return {}, [("(row)", "cannot be read as CSV")]
        if isinstance(cells, Unreadable):
            return {}, [("(row)", cells.reason)]
        if len(cells) != len(self.names):
            return {}, [("(row)", f"has {len(cells)} cells; the header has {len(self.names)}")]
        out: dict[str, Any] = {}
        errors: _Errors = []
        native = self.native
        for name, kind, path, cell in zip(self.names, self.kinds, self.paths, cells, strict=True):
            if (cell is None or cell == "") if not native else _is_missing(cell):
                continue
            if kind == _UNKNOWN:
                errors.append((_shown(name), "unknown column"))
                continue
            if kind == _IGNORED:
                continue
            if kind == _GROUP and not (native and isinstance(cell, Mapping)):
                hint = "a group of fields, not a column; use dotted columns such as"
                errors.append((name, f"{hint} {name}.<field>"))
                continue
            value, err = (
                _native_cell(kind, cell) if native else _csv_cell(kind, cell, self.decimal)
            )
            if err is not None:
                errors.append((name, err))
            elif not _put(out, path, value):
                errors.append((name, "clashes with another column for the same field"))
        return out, errors


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return json.dumps(list(value), ensure_ascii=False, default=str)
    return str(value)


def flatten_case(case: Mapping[str, Any]) -> dict[str, str]:
    """The CSV cells of a case mapping, keyed by dotted column (absent fields omitted)."""
    out: dict[str, str] = {}

    def walk(node: Mapping[str, Any], prefix: str) -> None:
        for key, value in node.items():
            path = prefix + key
            if isinstance(value, Mapping) and path in _GROUPS:
                walk(value, path + ".")
            else:
                out[path] = _cell(value)

    walk(case, "")
    return out
