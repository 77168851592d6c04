"""CSV records as they arrive: delimiter sniffed, encoding chosen, every record accounted for.

Why our own record boundaries instead of ``csv.reader`` over the whole file: when a quoted cell
is longer than the csv module's field-size limit, the reader raises in the middle of that cell and
then resumes *inside* it, so the rest of the cell is read as records and the quote parity flips —
the valid records that follow vanish. Here a record's extent is found first, by the same grammar
the csv module follows (``strict=False``: a quote opens a quoted cell only at the start of a cell,
``""`` inside it is a quote, a quote closing early is followed by literal text), and only then is
the record handed to ``csv.reader``. A record longer than ``MAX_RECORD_CHARS`` is one rejected row
(an over-long cell, or a quote never closed) and reading resumes after it.

Why sniffing only between comma, semicolon and tab: those are what spreadsheets export (a French
or German Excel writes semicolons and a decimal comma); the header is split each way and the
split naming the most known columns wins, so a guess never depends on the data rows. A line end
is ``\\n``, ``\\r\\n`` or a lone ``\\r`` (old Mac exports), as in the csv module.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from conduct_rules.errors import InputError

__all__ = [
    "DELIMITERS",
    "MAX_RECORD_CHARS",
    "CsvDialect",
    "CsvReader",
    "check_encoding",
    "sniff_delimiter",
]

#: Delimiters tried by the sniffer, in order of preference on a tie.
DELIMITERS = (",", ";", "\t")
#: A record (all its cells and separators) longer than this is rejected, never parsed. It equals
#: the csv module's default field-size limit, so no cell can reach that limit.
MAX_RECORD_CHARS = 131_072
#: The text of a rejected record kept for the rejected-records file, at most.
MAX_KEPT_CHARS = 8 * 1024 * 1024
_QUOTE = '"'
_FIELD_START, _UNQUOTED, _QUOTED, _END = range(4)
_LONE_CR = re.compile(r"(?<=\r)(?!\n)")
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV file is written: its delimiter, and the decimal mark its numbers would use."""

    delimiter: str

    @property
    def decimal(self) -> str:
        """``,`` where the delimiter frees the comma for numbers (semicolon, tab), else none.

        Why none for comma files: their contract has always been digits only, and a ``3.0``
        there more often means a column typed as decimal by mistake than a whole number.
        """
        return "" if self.delimiter == "," else ","

    @property
    def name(self) -> str:
        """For messages and the summary: comma, semicolon or tab."""
        return {",": "comma", ";": "semicolon", "\t": "tab"}.get(self.delimiter, "custom")


def check_encoding(name: str) -> str:
    """The codec's canonical name; ``InputError`` for an unknown or non-ASCII-compatible one.

    Why ASCII-compatible only: lines are split on the byte ``\\n`` before decoding, which is only
    right when the delimiters, quotes and line ends are the ASCII bytes (UTF-8, cp1252, latin-1).
    """
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise InputError(f"unknown encoding '{name[:40]}'") from None
    probe = '\n\r,;\t"{}[]:0aZ'
    try:
        ok = probe.encode(info.name) == probe.encode("ascii")
    except (UnicodeError, LookupError):
        ok = False
    if not ok:
        raise InputError(
            f"encoding '{info.name}' is not supported: choose utf-8, cp1252 or latin-1"
        )
    return info.name


def sniff_delimiter(first_line: str, known: frozenset[str]) -> str:
    """The delimiter splitting the header into the most known column names (then most columns)."""
    best = (-1, -1, 0)
    choice = ","
    for rank, delim in enumerate(DELIMITERS):
        try:
            names = next(csv.reader([first_line], delimiter=delim, strict=False), [])
        except csv.Error:
            continue
        score = (sum(n.strip() in known for n in names), len(names), -rank)
        if score > best:
            best, choice = score, delim
    return choice


def _scan(piece: str, state: int, delim: str) -> int:
    """The grammar state after ``piece`` (a physical line with its end): ``_END`` or ``_QUOTED``."""
    i = 0
    n = len(piece)
    while True:
        if state == _QUOTED:
            j = piece.find(_QUOTE, i)
            if j < 0:
                return _QUOTED
            nxt = piece[j + 1 : j + 2]
            if nxt == _QUOTE:  # an escaped quote
                i = j + 2
            elif nxt == delim:
                i, state = j + 2, _FIELD_START
            elif nxt in ("", "\n", "\r"):
                return _END
            else:  # text after the closing quote is literal (strict=False)
                i, state = j + 1, _UNQUOTED
            continue
        if state == _FIELD_START:
            if i < n and piece[i] == _QUOTE:
                i, state = i + 1, _QUOTED
                continue
            state = _UNQUOTED
        j = piece.find(delim, i)
        if j < 0:
            return _END  # the rest of the line is this cell; the line end ends the record
        i, state = j + 1, _FIELD_START


def _pieces(lines: Iterable[str]) -> Iterator[str]:
    """Physical lines, a lone ``\\r`` counting as a line end."""
    for line in lines:
        if "\r" in line:
            yield from (p for p in _LONE_CR.split(line) if p)
        else:
            yield line


class CsvReader:
    """Records of a binary CSV stream: ``(cells, error, text)`` each, header first.

    ``cells`` is the record's cells, or None with ``error`` saying why it cannot be read; ``text``
    is the record as written (decoded) when ``keep_text``, for the rejected-records file. Blank
    records are skipped. ``size`` counts the bytes read so far (for progress).
    """

    def __init__(
        self,
        fh: IO[bytes],
        *,
        encoding: str = "utf-8",
        delimiter: str | None = None,
        known: frozenset[str] = frozenset(),
        keep_text: bool = False,
    ) -> None:
        self._fh = fh
        self._encoding = check_encoding(encoding)
        self._keep = keep_text
        self.size = 0
        self._lines = self._decoded()
        first = next(self._lines, None)
        self._first = first
        self.dialect = CsvDialect(
            delimiter or (sniff_delimiter(first, known) if first is not None else ",")
        )
        self.header_text = ""
        self.header: list[str] | None = None
        self._rows = self._split()
        head = next(self._rows, None)
        if head is not None:
            cells, _, text = head
            if cells is None:
                raise InputError("the CSV header cannot be read")
            self.header, self.header_text = cells, text or ""

    def _decoded(self) -> Iterator[str]:
        enc = self._encoding
        first = True
        for raw in self._fh:
            self.size += len(raw)
            if first:
                first = False
                if raw.startswith(_BOM) and enc.replace("_", "-") in ("utf-8", "utf-8-sig"):
                    raw = raw[3:]  # noqa: PLW2901 - Excel's byte order mark is not data
            # Undecodable bytes survive as lone surrogates; the cell converter rejects the row.
            yield raw.decode(enc, "surrogateescape")

    def _split(self) -> Iterator[tuple[list[str] | None, str | None, str | None]]:
        delim = self.dialect.delimiter
        lines = self._lines if self._first is None else _chain(self._first, self._lines)
        pieces: list[str] = []
        length = 0
        state = _FIELD_START
        for piece in _pieces(lines):
            length += len(piece)
            if length <= MAX_RECORD_CHARS or (self._keep and length <= MAX_KEPT_CHARS):
                pieces.append(piece)
            state = _scan(piece, state, delim)
            if state != _END:
                continue
            yield self._parse(pieces, length, delim)
            pieces, length, state = [], 0, _FIELD_START
        if length:
            yield self._parse(pieces, length, delim)

    def _parse(
        self, pieces: list[str], length: int, delim: str
    ) -> tuple[list[str] | None, str | None, str | None]:
        text = "".join(pieces) if self._keep and length <= MAX_KEPT_CHARS else None
        if length > MAX_RECORD_CHARS:
            return (
                None,
                (
                    f"longer than {MAX_RECORD_CHARS:,} characters "
                    "(an over-long cell, or a quote never closed)"
                ),
                text,
            )
        try:
            cells = next(csv.reader(pieces, delimiter=delim, strict=False), [])
        except csv.Error:
            return None, "cannot be read as CSV", text
        return cells, None, text

    def __iter__(self) -> Iterator[tuple[list[str] | None, str | None, str | None]]:
        for cells, error, text in self._rows:
            if cells == []:
                continue  # a blank line is not a record
            yield cells, error, text


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest
