"""The JSON Lines reader reads blocks, yet numbers and keeps lines exactly as line by line did.

The reference is the line-by-line reader the audit used before (kept here): the same row numbers
(physical lines, blank ones counted and skipped, a lone CR ending a line), the same items (the
line's bytes with its LF, or without its line break where a CR ended it), the byte order mark
of line 1 dropped, and every byte counted for the progress bar. Spans (``Chunk.span``, read by
the worker) give the same lines again.
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from conduct_rules.audit import sources
from conduct_rules.audit.sources import CHUNK_ROWS, Chunk, lines_of, records_from_jsonl

_PIECES = (
    b'{"case_id":"a"}',
    b"",
    b"  ",
    b"\t",
    b"\r",
    b"\r\n",
    b"\n",
    b"x\ry",
    b'\xef\xbb\xbf{"a":1}',
    b"\x0b",
    b"\x0c{}",
    b' {"b":2}',
    b"\x1c",
    b"\x85",
)


def _line_by_line(fh: io.BufferedIOBase) -> Iterator[Chunk]:
    rows: list[int] = []
    items: list[bytes] = []
    size = 0
    lineno = 0
    for physical in fh:
        size += len(physical)
        for line in physical.splitlines() if b"\r" in physical else (physical,):
            lineno += 1
            if lineno == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]  # noqa: PLW2901
            if not line.strip():
                continue
            rows.append(lineno)
            items.append(line)
        if len(items) >= CHUNK_ROWS:
            yield Chunk("jsonl", tuple(rows), items, None, size)
            rows, items, size = [], [], 0
    if items or size:
        yield Chunk("jsonl", tuple(rows), items, None, size)


def _inputs(seed: int, count: int) -> Iterator[bytes]:
    rng = random.Random(seed)
    for trial in range(count):
        n = rng.randint(0, 2_500 if trial % 50 == 0 else 30)
        parts = [
            rng.choice(_PIECES) if rng.random() < 0.5 else b'{"case_id":"c%d"}' % i
            for i in range(n)
        ]
        bom = b"\xef\xbb\xbf" if rng.random() < 0.2 else b""
        yield bom + b"\n".join(parts) + (b"\n" if rng.random() < 0.5 else b"")


def _flat(chunks: list[Chunk]) -> tuple[list[int], list[bytes], int]:
    return (
        [r for c in chunks for r in c.rows],
        [i for c in chunks for i in c.items],
        sum(c.progress for c in chunks),
    )


@pytest.mark.parametrize("block", [1, 7, 64, 1 << 22])
def test_block_reader_reads_as_line_by_line(monkeypatch: pytest.MonkeyPatch, block: int) -> None:
    monkeypatch.setattr(sources, "_BLOCK", block)
    for data in _inputs(block, 400):
        want = _flat(list(_line_by_line(io.BytesIO(data))))
        got = _flat(list(records_from_jsonl(io.BufferedReader(io.BytesIO(data))).chunks()))
        assert got == want
        assert got[2] == len(data)


@pytest.mark.parametrize("span", [1, 16, 1 << 20])
def test_spans_read_where_assessed_give_the_same_lines(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, span: int
) -> None:
    monkeypatch.setattr(sources, "SPAN_BYTES", span)
    path = tmp_path / "in.jsonl"
    for data in _inputs(span, 150):
        path.write_bytes(data)
        source = records_from_jsonl(path)
        spans = source.span_chunks()
        assert spans is not None
        got = _flat([lines_of(c) for c in spans])
        assert got[:2] == _flat(list(source.chunks()))[:2]
        assert got[2] == len(data)


def test_no_spans_for_compressed_input(tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "in.jsonl.gz"
    path.write_bytes(gzip.compress(b'{"case_id": "a"}\n'))
    assert records_from_jsonl(path).span_chunks() is None


def test_a_span_of_a_file_that_changed_is_refused(tmp_path: Path) -> None:
    from conduct_rules.errors import InputError

    path = tmp_path / "in.jsonl"
    path.write_bytes(b'{"case_id": "a"}\n' * 10)
    spans = records_from_jsonl(path).span_chunks()
    assert spans is not None
    chunk = next(iter(spans))
    path.write_bytes(b"{}\n")
    with pytest.raises(InputError, match="changed"):
        lines_of(chunk)
