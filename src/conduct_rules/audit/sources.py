"""Where batch records come from: mappings, JSON Lines, CSV files and DataFrames, read in chunks.

Why chunks of *raw* items: for a large file, decoding (JSON parsing, CSV cell conversion) is a
large share of the work. The reading process only splits the input into lines or cells and numbers
them; decoding happens where the case is assessed, in a worker process when there are several.
Every raw item carries its 1-based row number, so every input row can be accounted for:

* JSON Lines: the line number in the file (blank lines are not records and are skipped);
* CSV: the data record number, the header not counted (spreadsheet line = row + 1);
* mappings and DataFrames: the position in the input, from 1.

A source that can be read again (a file, a DataFrame, a list) says so, so that a result too large
to keep in memory can be computed a second time instead of being held.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from conduct_rules.audit.lines import line_spans, split_lines, whole_lines
from conduct_rules.errors import ConductRulesError, InputError
from conduct_rules.model.strict_json import DuplicateKeyError
from conduct_rules.model.strict_json import loads as strict_loads
from conduct_rules.rules.flat import FlatColumns, Unreadable
from conduct_rules.rules.vocabulary import FieldType

__all__ = [
    "SPAN_BYTES",
    "Chunk",
    "RecordSource",
    "lines_of",
    "records_from_csv",
    "records_from_dataframe",
    "records_from_jsonl",
    "records_from_mappings",
]

ChunkKind = Literal["mapping", "jsonl", "csv", "frame"]
#: Rows per chunk sent to a worker: large enough that inter-process overhead is small per row,
#: small enough that a few chunks in flight per worker keep memory flat.
CHUNK_ROWS = 1_000
#: The annotation key of the rejected-records file (``conduct_rules.audit.rejected``).
_REJECTED_KEY = "_rejected"


@dataclass(frozen=True)
class Chunk:
    """Raw items with their row numbers, and how to decode them."""

    kind: ChunkKind
    rows: tuple[int, ...]
    items: list[Any]
    columns: FlatColumns | None = None  # CSV and DataFrame chunks
    progress: int = 0  # progress units (bytes or rows) this chunk completes
    #: Each record's text as written (CSV with ``keep_text``), for the rejected-records file;
    #: kept in the reading process, never sent to a worker.
    texts: list[str | None] | None = None
    #: Lines still to be read, where they are assessed (``lines_of``): the file, the offset and
    #: length of whole lines, and the numbers of the lines before and at their end. ``rows`` and
    #: ``items`` are then empty.
    span: tuple[str, int, int, int, int] | None = None

    @property
    def lines(self) -> int:
        """How many input lines (or records) the chunk stands for."""
        return len(self.rows) if self.span is None else self.span[4] - self.span[3]


class RecordSource:
    """An input split into chunks; ``reusable`` when it can be read more than once."""

    def __init__(
        self,
        label: str,
        chunks: Callable[[], Iterator[Chunk]],
        *,
        total: int | None,
        unit: str,
        reusable: bool,
    ) -> None:
        self.label = label
        self._chunks = chunks
        self.total = total
        self.unit = unit
        self.reusable = reusable
        self._used = False
        #: What reading found out: format, encoding, CSV dialect and header (filled as read).
        self.info: dict[str, Any] = {}
        #: The same chunks as spans of a file that the assessing process reads itself
        #: (``Chunk.span``), when the input allows it (an uncompressed JSON Lines file).
        self.spans: Callable[[], Iterator[Chunk]] | None = None

    def chunks(self) -> Iterator[Chunk]:
        """The chunks, in input order; a one-shot source refuses a second reading."""
        if self._used and not self.reusable:
            raise ConductRulesError(f"{self.label} can be read only once")
        self._used = True
        return self._chunks()

    def span_chunks(self) -> Iterator[Chunk] | None:
        """The chunks as spans (``Chunk.span``) when the input offers them, else ``None``."""
        if self.spans is None:
            return None
        self._used = True
        return self.spans()

    def __repr__(self) -> str:
        return f"RecordSource({self.label})"


def _batched(
    kind: ChunkKind, pairs: Iterable[tuple[int, Any]], columns: FlatColumns | None = None
) -> Iterator[Chunk]:
    rows: list[int] = []
    items: list[Any] = []
    for row, item in pairs:
        rows.append(row)
        items.append(item)
        if len(items) >= CHUNK_ROWS:
            yield Chunk(kind, tuple(rows), items, columns, len(items))
            rows, items = [], []
    if items:
        yield Chunk(kind, tuple(rows), items, columns, len(items))


def records_from_mappings(records: Iterable[Mapping[str, Any]]) -> RecordSource:
    """Mappings in the contract's JSON shape (any iterable; a one-shot iterator is read once)."""
    one_shot = iter(records) is records
    total = len(records) if isinstance(records, Sequence) else None
    return RecordSource(
        "mappings",
        lambda: _batched("mapping", enumerate(records, 1)),
        total=total,
        unit="rows",
        reusable=not one_shot,
    )


# --------------------------------------------------------------------------------------------
# Files


_GZIP_MAGIC = b"\x1f\x8b"


def is_gzip(fh: IO[bytes]) -> bool:
    """True when a buffered binary stream starts with the gzip signature (peeked, not read)."""
    peek = getattr(fh, "peek", None)
    return callable(peek) and bytes(peek(2))[:2] == _GZIP_MAGIC


def gunzip_stream(fh: IO[bytes]) -> IO[bytes]:
    """The decompressed stream of a gzip stream, else the stream itself."""
    if is_gzip(fh):
        import gzip

        return gzip.GzipFile(fileobj=fh, mode="rb")  # type: ignore[return-value]
    return fh


def _open_binary(path: str | Path) -> IO[bytes]:
    """The file's bytes, decompressed when it is gzip (told by its first bytes, not its name)."""
    try:
        fh: IO[bytes] = open(path, "rb")  # noqa: SIM115 - returned open
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({type(exc).__name__})") from None
    if is_gzip(fh):
        import gzip

        fh.close()
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return fh


def _is_special(path: str | Path) -> bool:
    """True for a path that can be read only once: a FIFO, a character device (``/dev/stdin``).

    Such a path is opened once and read as a stream: opening it to check it first, or once per
    span, would take (or wait for) data that the reading proper never sees.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False  # the opening reports it
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def _file_size(path: str | Path) -> int | None:
    """The size progress is measured against; None for compressed files (bytes read differ) and
    for paths read once (``_is_special``)."""
    if _is_special(path):
        return None
    try:
        with open(path, "rb") as fh:
            if fh.read(2) == _GZIP_MAGIC:
                return None
        return Path(path).stat().st_size
    except OSError:
        return None


def _damaged(label: str) -> InputError:
    return InputError(f"{label}: the compressed data is damaged or cut short")


def _source_of(
    label: str, target: str | Path | IO[bytes], gen: Callable[[IO[bytes]], Iterator[Chunk]]
) -> RecordSource:
    import zlib

    if isinstance(target, str | Path) and _is_special(target):
        once = _open_binary(target)

        def once_chunks() -> Iterator[Chunk]:
            with once:
                try:
                    yield from gen(once)
                except (EOFError, zlib.error):
                    raise _damaged(str(target)) from None

        return RecordSource(
            f"{label} {target}", once_chunks, total=None, unit="B", reusable=False
        )
    if isinstance(target, str | Path):
        path = target
        _open_binary(path).close()  # fail now, not on first iteration

        def chunks() -> Iterator[Chunk]:
            with _open_binary(path) as fh:
                try:
                    yield from gen(fh)
                except (EOFError, zlib.error):
                    raise _damaged(str(path)) from None
                except OSError as exc:
                    if type(exc).__name__ == "BadGzipFile":
                        raise _damaged(str(path)) from None
                    raise

        return RecordSource(
            f"{label} {path}", chunks, total=_file_size(path), unit="B", reusable=True
        )
    stream = target

    def stream_chunks() -> Iterator[Chunk]:
        try:
            yield from gen(stream)
        except (EOFError, zlib.error):
            raise _damaged("stdin") from None

    return RecordSource(
        f"{label} stream", stream_chunks, total=None, unit="B", reusable=False
    )


def records_from_jsonl(path: str | Path | IO[bytes]) -> RecordSource:
    """A JSON Lines file (or binary stream): one case object per line, UTF-8.

    A line that is not valid JSON or not an object becomes a rejected row; blank lines are skipped.
    """

    def gen(fh: IO[bytes]) -> Iterator[Chunk]:
        lineno = 0
        for _, block in whole_lines(fh, _BLOCK):
            lineno = yield from _line_chunks(block, lineno)

    source = _source_of("JSON Lines", path, gen)
    source.info = {"format": "jsonl", "encoding": "utf-8"}
    if isinstance(path, str | Path) and _file_size(path) is not None:  # a regular file, no gzip
        file = str(path)
        source.spans = lambda: _spans(file)
    return source


#: Bytes read at a time from a JSON Lines input.
_BLOCK = 1 << 22
#: Bytes of whole lines per span (``Chunk.span``): about 1,800 full records, 5,400 sparse ones.
SPAN_BYTES = 1 << 21


def _spans(path: str) -> Iterator[Chunk]:
    """An uncompressed JSON Lines file as spans of whole lines, for the workers to read.

    Why: reading, splitting and sending a million lines made the reading process the busiest of
    an audit; now it only finds where lines end and counts them (for the row numbers), and the
    worker reads its span from the file.
    """
    with open(path, "rb") as fh:  # uncompressed: ``records_from_jsonl`` checked
        lineno = 0
        for offset, length, lines, has_cr in line_spans(fh, SPAN_BYTES):
            if has_cr:  # a lone CR ends a line too: count as the reader would
                last = split_lines(os.pread(fh.fileno(), length, offset), lineno)[3]
            else:
                last = lineno + lines
            span = (path, offset, length, lineno, last)
            yield Chunk("jsonl", (), [], None, length, span=span)
            lineno = last


def lines_of(chunk: Chunk) -> Chunk:
    """A span's lines (``Chunk.span``), read from its file: the chunk ``records_from_jsonl``
    would have made of them."""
    if chunk.span is None:
        return chunk
    path, offset, length, first, _ = chunk.span
    with open(path, "rb") as fh:
        fh.seek(offset)
        block = fh.read(length)
    if len(block) != length:
        raise InputError(f"{path}: the file changed while it was read")
    rows, items, _, _ = split_lines(block, first)
    return Chunk("jsonl", tuple(rows), items, None, chunk.progress)


def _line_chunks(block: bytes, lineno: int) -> Generator[Chunk, None, int]:
    """``block``'s records in chunks of ``CHUNK_ROWS``; returns the last line number read."""
    rows, items, sizes, last = split_lines(block, lineno)
    read: int = sum(sizes)
    if not items and read:
        yield Chunk("jsonl", (), [], None, read)
    for i in range(0, len(items), CHUNK_ROWS):
        yield Chunk(
            "jsonl",
            tuple(rows[i : i + CHUNK_ROWS]),
            items[i : i + CHUNK_ROWS],
            None,
            sum(sizes[i : i + CHUNK_ROWS]),
        )
    return last


def _known_columns() -> frozenset[str]:
    from conduct_rules.rules.flat import CSV_COLUMNS

    return frozenset(CSV_COLUMNS)


def records_from_csv(
    path: str | Path | IO[bytes],
    *,
    encoding: str = "utf-8",
    delimiter: str | None = None,
    known_columns: Iterable[str] | None = None,
    keep_text: bool = False,
) -> RecordSource:
    """A CSV file (or binary stream) with a header of dotted column names.

    The delimiter (comma, semicolon or tab) is sniffed from the header unless given; a number
    may use the decimal mark that goes with it (``14,0`` in a semicolon file) when its fraction
    is zero. ``encoding``: any ASCII-compatible codec (``utf-8``, the default, with or without a
    byte order mark; ``cp1252``). Cell rules (booleans, whole numbers, empty cells, JSON lists)
    are those of ``rules.flat``. A bad header (empty, duplicate names) makes the whole input
    unusable:
    ``InputError``. ``known_columns``: the column names the sniffer looks for (default: the
    standard case's). ``keep_text``: keep each record's text (for the rejected-records file).
    """
    from conduct_rules.audit.csvread import CsvReader, check_encoding

    encoding = check_encoding(encoding)
    known = frozenset(known_columns) if known_columns is not None else _known_columns()
    info: dict[str, Any] = {"format": "csv", "encoding": encoding}

    def gen(fh: IO[bytes]) -> Iterator[Chunk]:
        reader = CsvReader(
            fh, encoding=encoding, delimiter=delimiter, known=known, keep_text=keep_text
        )
        info["dialect"] = reader.dialect
        info["header_text"] = reader.header_text
        if reader.header is None:
            return
        columns = FlatColumns.from_header(reader.header, decimal=reader.dialect.decimal)
        rows: list[int] = []
        items: list[list[str] | Unreadable] = []
        texts: list[str | None] = []
        done = 0
        for row, (cells, error, text) in enumerate(reader, 1):
            rows.append(row)
            items.append(cells if cells is not None else Unreadable(error or "unreadable"))
            texts.append(text)
            if len(items) >= CHUNK_ROWS:
                yield Chunk(
                    "csv", tuple(rows), items, columns, reader.size - done,
                    texts if keep_text else None,
                )
                done = reader.size
                rows, items, texts = [], [], []
        yield Chunk(
            "csv", tuple(rows), items, columns, reader.size - done, texts if keep_text else None
        )

    if isinstance(path, str | Path) and not _is_special(path):
        with _open_binary(path) as fh:  # a bad header fails now, before any output is written
            try:
                header = CsvReader(
                    fh, encoding=encoding, delimiter=delimiter, known=known
                ).header
            except InputError as exc:
                raise InputError(f"{path}: {exc}") from None
            if header is not None:
                FlatColumns.from_header(header)
    source = _source_of("CSV", path, gen)
    source.info = info
    return source


def records_from_dataframe(frame: Any) -> RecordSource:
    """A pandas DataFrame with dotted columns (as ``pandas.json_normalize`` makes them).

    Values are native: booleans, whole numbers (a float with no fraction counts, as pandas turns
    integer columns with gaps into floats), strings; missing values (NaN, None, NA) mean the
    default; list fields may hold lists or JSON text; a group column (``services``) may hold
    objects. Rows are numbered by position, from 1.
    """
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - depends on the environment
        raise ConductRulesError(
            "reading a DataFrame needs pandas: pip install 'conduct-rules[audit]'"
        ) from None
    if not isinstance(frame, pd.DataFrame):
        raise InputError("expected a pandas DataFrame")
    columns = FlatColumns.from_header([str(c) for c in frame.columns], native=True)

    def chunks() -> Iterator[Chunk]:
        pairs = enumerate(frame.itertuples(index=False, name=None), 1)
        yield from _batched("frame", pairs, columns)

    return RecordSource("DataFrame", chunks, total=len(frame), unit="rows", reusable=True)


# --------------------------------------------------------------------------------------------
# Decoding (runs where the case is assessed)


def decode(
    chunk: Chunk, fields: Mapping[str, FieldType] | None = None
) -> Iterator[tuple[int, Any, list[tuple[str, str]]]]:
    """``(row, data, errors)`` per item: the decoded mapping, and why it cannot be read, if so.

    ``data`` may be partial when there are errors (it is used only to show a valid ``case_id``).
    ``fields``: the flat record a ruleset declares, if any (CSV and DataFrame columns are then
    read as its fields instead of the standard case's dotted paths).
    """
    if chunk.kind == "mapping":
        for row, item in zip(chunk.rows, chunk.items, strict=True):
            yield row, item, []
    elif chunk.kind == "jsonl":
        for row, line in zip(chunk.rows, chunk.items, strict=True):
            try:
                data = strict_loads(line)
                if type(data) is dict and _REJECTED_KEY in data:
                    del data[_REJECTED_KEY]  # a re-run of the rejected-records file
                yield row, data, []
            except DuplicateKeyError as exc:
                yield row, None, [(exc.field, "duplicate key (each field may appear once)")]
            except (ValueError, RecursionError):
                yield row, None, [("(line)", "not valid JSON (one UTF-8 JSON object per line)")]
    else:
        assert chunk.columns is not None
        columns = chunk.columns if fields is None else chunk.columns.for_fields(fields)
        convert = columns.to_mapping
        for row, cells in zip(chunk.rows, chunk.items, strict=True):
            data, errors = convert(cells)
            yield row, data, errors
