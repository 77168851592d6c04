"""JSON Lines as whole-line blocks: where records are, how they are numbered.

Why a module of its own: the reading process and the worker processes both split blocks of a
JSON Lines input into records (``audit.sources``: the reader splits a stream, a worker splits the
span of a file it was given), and they must number and keep lines exactly alike. The rules are
those of the line-by-line reader the audit had first (``tests/unit/test_jsonl_reader.py`` keeps
it as the reference): a record's row is its physical line number, blank lines are counted and
skipped, a lone CR ends a line, and the byte order mark of line 1 is not data.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

__all__ = ["line_spans", "split_lines", "whole_lines"]

_BOM = b"\xef\xbb\xbf"


def line_spans(fh: IO[bytes], size: int) -> Iterator[tuple[int, int, int, bool]]:
    """``(offset, length, lines, has CR)`` of blocks of about ``size`` bytes of whole lines (the
    last may not end with a line end), found without copying the blocks. ``lines`` counts LF line
    ends (and a last line without one); with a CR in the block, ``split_lines`` counts exactly.

    Why not ``whole_lines``: the reading process of a file audit only needs where lines end and
    how many there are (the workers read the lines themselves); a block read into one reused
    buffer and counted in place costs a fraction of slicing it into new bytes objects.
    """
    buf = bytearray(max(size, 1))
    offset = 0  # the file offset of buf[0]
    filled = 0
    while True:
        with memoryview(buf) as view:
            n = fh.readinto(view[filled:])  # type: ignore[attr-defined]
        if not n:
            break
        filled += n
        cut = buf.rfind(b"\n", 0, filled) + 1
        if cut == 0:  # no line ends yet (a line longer than the buffer): read on
            if filled == len(buf):
                buf.extend(bytes(len(buf)))
            continue
        yield offset, cut, buf.count(b"\n", 0, cut), buf.find(b"\r", 0, cut) >= 0
        rest = filled - cut
        buf[:rest] = buf[cut:filled]
        offset += cut
        filled = rest
    if filled:  # the last line, without a line end
        yield offset, filled, buf.count(b"\n", 0, filled) + 1, buf.find(b"\r", 0, filled) >= 0


def whole_lines(fh: IO[bytes], size: int) -> Iterator[tuple[int, bytes]]:
    """``(offset, block)``: the stream in blocks of about ``size`` bytes that end at a line end
    (the last one may not, at the end of the input); a line longer than ``size`` is read whole."""
    read = getattr(fh, "read1", fh.read)  # what a stream has now, up to a block
    offset = 0
    rest = b""
    while True:
        data = read(size)
        if not data:
            break
        if rest:
            data = rest + data
        cut = data.rfind(b"\n") + 1
        if cut == 0:  # no line ends here yet (a very long line): read on
            rest = data
            continue
        block, rest = (data[:cut], data[cut:]) if cut < len(data) else (data, b"")
        yield offset, block
        offset += cut
    if rest:
        yield offset, rest


def split_lines(block: bytes, lineno: int) -> tuple[list[int], list[bytes], list[int], int]:
    """``block``'s record lines (whole lines): their numbers, bytes and sizes read, and the
    number of the block's last line.

    A line ends at LF; a lone CR ends a line too (old Mac files): a JSON text never holds a raw
    CR, so splitting there can only separate records, never cut one. Such lines lose their line
    break; others keep it. The byte order mark of line 1 is not data; blank lines are skipped
    (their bytes are counted with the next record, or the last).
    """
    bom = 3 if lineno == 0 and block.startswith(_BOM) else 0
    if bom:
        block = block[3:]
    lines = block.splitlines(keepends=True) if b"\r" not in block else []
    if lines and min(lines)[:1] > b" ":
        # The usual file: no CR, and no line starts with a space, a control character or its
        # end, so none is blank and every line is a record, numbered in turn.
        sizes = list(map(len, lines))
        sizes[0] += bom
        last = lineno + len(lines)
        return list(range(lineno + 1, last + 1)), lines, sizes, last
    rows: list[int] = []
    items: list[bytes] = []
    sizes = []
    pending = bom  # bytes read since the last record (blank lines, the byte order mark)
    pieces = block.split(b"\n")
    tail = pieces.pop()  # empty when the block ends with a line break
    physicals = [p + b"\n" for p in pieces] + ([tail] if tail else [])
    for physical in physicals:
        pending += len(physical)
        for line in physical.splitlines() if b"\r" in physical else (physical,):
            lineno += 1
            if not line.strip():
                continue
            rows.append(lineno)
            items.append(line)
            sizes.append(pending)
            pending = 0
    if pending and sizes:
        sizes[-1] += pending
    elif pending:
        sizes.append(pending)  # a block of blank lines only: its bytes, for the progress bar
    return rows, items, sizes, lineno
