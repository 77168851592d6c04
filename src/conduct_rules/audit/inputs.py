"""Opening an audit's input as it arrives: a file or stdin, plain or gzip, JSON Lines or CSV.

Why detect stdin's format from its first bytes: a pipe has no file name, and treating CSV as JSON
Lines (the old default) rejected every row and exited 0. A stream starting with ``{`` is JSON
Lines; a first line that splits into known column names (or at least two cells) on a comma,
semicolon or tab is CSV; anything else is refused on the spot with what to pass. gzip is told by
its signature, for files and streams alike, whatever the name. A named file's format is told by
its extension (``records_from_file``); this module sits above the readers (``sources``,
``csvread``, ``parquet``) so that the dispatcher imports them all and none imports it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Literal

from conduct_rules.audit.csvread import DELIMITERS, sniff_delimiter
from conduct_rules.audit.parquet import records_from_parquet
from conduct_rules.audit.sources import (
    RecordSource,
    gunzip_stream,
    records_from_csv,
    records_from_jsonl,
)
from conduct_rules.errors import InputError

__all__ = ["detect_format", "guess_format", "open_stream", "records_from_file", "stream_source"]

_HEAD_BYTES = 65_536


class _Prepend(io.RawIOBase):
    """A raw stream that gives ``head`` first, then the rest of ``rest``."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        super().__init__()
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        if self._head:
            n = min(len(view), len(self._head))
            view[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        read1 = getattr(self._rest, "read1", self._rest.read)
        data = read1(len(view))
        view[: len(data)] = data
        return len(data)


def _head(fh: IO[bytes]) -> tuple[bytes, IO[bytes]]:
    """Up to the first line end (at most 64 KiB) of ``fh``, and a stream giving all of it again."""
    parts: list[bytes] = []
    size = 0
    read1 = getattr(fh, "read1", fh.read)
    while size < _HEAD_BYTES:
        data = read1(_HEAD_BYTES - size)
        if not data:
            break
        parts.append(data)
        size += len(data)
        if b"\n" in data:
            break
    head = b"".join(parts)
    return head, io.BufferedReader(_Prepend(head, fh))


def detect_format(head: bytes, known: frozenset[str]) -> str | None:
    """``jsonl`` or ``csv`` from a stream's first bytes, or None when neither fits."""
    text = head.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")
    stripped = text.lstrip()
    if stripped.startswith("{"):
        return "jsonl"
    first = stripped.splitlines()[0] if stripped else ""
    if not first:
        return None
    delim = sniff_delimiter(first, known)
    cells = [c.strip().strip('"') for c in first.split(delim)]
    if any(c in known for c in cells) or (len(cells) >= 2 and delim in DELIMITERS):
        return "csv"
    return None


def open_stream(fh: IO[bytes]) -> tuple[bytes, IO[bytes]]:
    """The (decompressed) stream and its first bytes, without losing any."""
    head, whole = _head(fh)
    if head[:2] == b"\x1f\x8b":
        head, whole = _head(gunzip_stream(whole))
    return head, whole


def stream_source(
    fh: IO[bytes],
    input_format: str,
    *,
    known: frozenset[str],
    encoding: str = "utf-8",
    delimiter: str | None = None,
    keep_text: bool = False,
) -> RecordSource:
    """A record source for stdin: gzip undone, the format detected unless given."""
    head, whole = open_stream(fh)
    fmt = input_format if input_format != "auto" else detect_format(head, known)
    if fmt is None:
        if not head.strip():
            fmt = "jsonl"  # an empty stream: no records, whatever the format
        else:
            raise InputError(
                "stdin: cannot tell the format from the first line (not a JSON object, not a "
                "CSV header); pass --input-format jsonl or --input-format csv"
            )
    if fmt == "csv":
        return records_from_csv(
            whole, encoding=encoding, delimiter=delimiter, known_columns=known, keep_text=keep_text
        )
    if fmt == "jsonl":
        return records_from_jsonl(whole)
    raise InputError(f"stdin: the {fmt} format cannot be read from a stream; give a file")


def guess_format(path: str | Path) -> Literal["jsonl", "csv", "parquet"]:
    """The input format from a file name: ``.jsonl``/``.ndjson``, ``.csv`` or ``.parquet``
    (a ``.gz`` ending is looked through: ``cases.csv.gz`` is CSV)."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".gz":
        suffix = Path(p.stem).suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".jsonlines"):
        return "jsonl"
    if suffix in (".csv", ".tsv"):
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise InputError(
        f"{path}: cannot tell the input format from the file name; "
        "name it .jsonl, .csv or .parquet, or give the format (jsonl, csv or parquet)"
    )


def records_from_file(
    path: str | Path,
    input_format: str = "auto",
    *,
    encoding: str = "utf-8",
    delimiter: str | None = None,
    known_columns: Iterable[str] | None = None,
    keep_text: bool = False,
) -> RecordSource:
    """A JSON Lines, CSV or Parquet file; ``auto`` decides by the file name's extension.

    gzip-compressed files are read as they are (told by their first bytes). ``encoding``,
    ``delimiter``, ``known_columns`` and ``keep_text`` are for CSV (see ``records_from_csv``).
    """
    fmt = guess_format(path) if input_format == "auto" else input_format
    if fmt == "jsonl":
        return records_from_jsonl(path)
    if fmt == "csv":
        return records_from_csv(
            path,
            encoding=encoding,
            delimiter=delimiter,
            known_columns=known_columns,
            keep_text=keep_text,
        )
    if fmt == "parquet":
        return records_from_parquet(path)
    raise InputError(f"unknown input format '{input_format}'; choose auto, jsonl, csv or parquet")
