"""The rejected-records file (``--rejected PATH``): the input records an audit could not assess,
as written, with their row and reason, in the input's own format so they can be fixed and re-run.

Why the reason travels *inside* the file: a fixer works through one file, not two joined by row
number. The annotation is a reserved name the audit readers drop, so the fixed file is re-run as
is:

* JSON Lines: each rejected line keeps its bytes, with ``"_rejected": {"row": N, "reason": ...}``
  spliced in as the object's first key. A line that is not an object at all becomes
  ``{"_rejected": {...}, "_record": "<the line as text>"}``, to be rewritten by hand.
* CSV: the input's header and records, byte for byte in the input's encoding and delimiter, with
  two trailing columns ``_rejected_row`` and ``_rejected_reason`` (formula prefixes neutralised,
  as in the CSV output). A record longer than the readers keep (8 MiB) is written as empty cells.
* Other sources (mappings, DataFrames, Parquet): JSON Lines of the record's fields.

The reason never holds a case value (as everywhere): only fields and the rule broken.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from typing import IO, Any

from conduct_rules.audit.results import AuditRow
from conduct_rules.audit.sources import RecordSource
from conduct_rules.audit.writers import neutralise

__all__ = ["REJECTED_COLUMNS", "REJECTED_KEY", "RejectedWriter"]

#: The key spliced into a rejected JSON Lines record; the readers drop it.
REJECTED_KEY = "_rejected"
#: The columns appended to a rejected CSV record; the readers ignore them.
REJECTED_COLUMNS = ("_rejected_row", "_rejected_reason")


def _reason(r: AuditRow) -> str:
    return r.error or r.error_field or "rejected"


class RejectedWriter:
    """Appends each rejected record to a binary file as rows stream past (``rejected_sink``)."""

    def __init__(self, fh: IO[bytes], source: RecordSource) -> None:
        self._fh = fh
        self._source = source
        self._started = False
        self.count = 0

    # ---- CSV

    def _csv_header(self) -> None:
        info = self._source.info
        enc = info.get("encoding", "utf-8")
        delim = info["dialect"].delimiter
        header = str(info.get("header_text", "")).rstrip("\r\n")
        self._ncols = max(1, len(next(csv.reader([header], delimiter=delim, strict=False), [])))
        line = header + delim + delim.join(REJECTED_COLUMNS) + "\r\n"
        self._fh.write(line.encode(enc, "surrogateescape"))

    def _csv(self, r: AuditRow, text: str | None) -> None:
        info = self._source.info
        delim = info["dialect"].delimiter
        if text is None:
            text = delim * (self._ncols - 1)
        buf = io.StringIO()
        csv.writer(buf, delimiter=delim, lineterminator="").writerow(
            [r.row, neutralise(_reason(r))]
        )
        body = text.rstrip("\r\n")
        line = body + delim + buf.getvalue() + "\r\n"
        self._fh.write(line.encode(info.get("encoding", "utf-8"), "surrogateescape"))

    # ---- JSON Lines

    def _jsonl(self, r: AuditRow, raw: bytes) -> None:
        note = json.dumps({"row": r.row, "reason": _reason(r)}, ensure_ascii=False)
        body = raw.rstrip(b"\r\n")
        stripped = body.lstrip()
        if stripped.startswith(b"{"):
            rest = stripped[1:]
            sep = b"" if rest.lstrip().startswith(b"}") else b","
            line = b'{"' + REJECTED_KEY.encode() + b'":' + note.encode() + sep + rest
        else:
            text = body.decode("utf-8", "surrogateescape")
            wrapped = {REJECTED_KEY: json.loads(note), "_record": text}
            line = json.dumps(wrapped, ensure_ascii=True).encode()
        self._fh.write(line + b"\n")

    def _native(self, r: AuditRow, item: Any) -> None:
        fields = dict(item) if isinstance(item, Mapping) else {"_record": repr(item)}
        line = {REJECTED_KEY: {"row": r.row, "reason": _reason(r)}, **fields}
        self._fh.write(json.dumps(line, ensure_ascii=False, default=str).encode() + b"\n")

    def __call__(self, r: AuditRow, raw: Any) -> None:
        """Write one rejected row's record."""
        fmt = self._source.info.get("format")
        if fmt == "csv":
            if not self._started:
                self._csv_header()
            self._started = True
            self._csv(r, raw if isinstance(raw, str) else None)
        elif isinstance(raw, bytes):
            self._jsonl(r, raw)
        else:
            self._native(r, raw)
        self.count += 1

    def close(self) -> None:
        """A CSV file gets its header even when nothing was rejected (an empty, valid table)."""
        if (
            self._source.info.get("format") == "csv"
            and not self._started
            and ("dialect" in self._source.info)
        ):
            self._csv_header()
            self._started = True
