"""Parquet in and out (pyarrow, in the ``audit`` extra).

Why Parquet: warehouse exports and Dask pipelines hand over Parquet, and typed columns spare the
text rules of CSV. Input columns are the dotted case fields (as ``pandas.json_normalize`` names
them) or nested struct columns (``services`` holding ``{"needed": ...}``); values are native, read
by the same rules as a DataFrame's (``records_from_dataframe``). Rows are numbered from 1 in file
order, read batch by batch so memory does not grow with the file. The output has the audit's
columns with native types: the id lists are lists of strings, ``termination_required`` a boolean.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from conduct_rules.audit.sources import CHUNK_ROWS, Chunk, RecordSource
from conduct_rules.audit.writers import COLUMNS
from conduct_rules.errors import ConductRulesError, InputError
from conduct_rules.model.version import SCHEMA_VERSION
from conduct_rules.rules.flat import FlatColumns

if TYPE_CHECKING:
    from conduct_rules.audit.results import AuditOutput

__all__ = ["records_from_parquet", "write_parquet"]

_BATCH_ROWS = 10_000


def _pyarrow() -> Any:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - depends on the environment
        raise ConductRulesError(
            "Parquet needs pyarrow: pip install 'conduct-rules[audit]'"
        ) from None
    return pa, pq


def records_from_parquet(path: str | Path) -> RecordSource:
    """A Parquet file of case records, read in batches (see the module's docstring)."""
    _, pq = _pyarrow()
    try:
        meta = pq.ParquetFile(path)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except Exception:  # noqa: BLE001 - pyarrow raises several types for a file it cannot read
        raise InputError(f"{path}: not a readable Parquet file") from None
    names = [str(n) for n in meta.schema_arrow.names]
    columns = FlatColumns.from_header(names, native=True)
    total = meta.metadata.num_rows

    def chunks() -> Iterator[Chunk]:
        row = 0
        for batch in pq.ParquetFile(path).iter_batches(batch_size=CHUNK_ROWS):
            data = batch.to_pydict()
            cols = [data[n] for n in names]
            items = list(zip(*cols, strict=True)) if cols else [()] * batch.num_rows
            rows = tuple(range(row + 1, row + 1 + len(items)))
            row += len(items)
            yield Chunk("frame", rows, items, columns, len(items))

    source = RecordSource(f"Parquet {path}", chunks, total=total, unit="rows", reusable=True)
    source.info = {"format": "parquet"}
    return source


def _schema(pa: Any) -> Any:
    text, ids = pa.string(), pa.list_(pa.string())
    types = {
        "row": pa.int64(),
        "termination_required": pa.bool_(),
        "outstanding_safeguards": ids,
        "missing_documentation": ids,
        "findings": ids,
        "warnings": ids,
    }
    # The version of the row shape (``audit-row``) is file metadata, as Parquet readers expect,
    # not a column: the columns stay those of the CSV output.
    fields = [(c, types.get(c, text)) for c in COLUMNS]
    return pa.schema(fields, metadata={"schema_version": SCHEMA_VERSION})


def write_parquet(result: AuditOutput, dest: str | Path | IO[bytes]) -> None:
    """Write the rows as Parquet, one row per input row, in batches."""
    pa, pq = _pyarrow()
    schema = _schema(pa)
    with pq.ParquetWriter(dest, schema) as writer:
        batch: list[Any] = []

        def flush() -> None:
            cols = list(zip(*batch, strict=True))
            arrays = [
                pa.array([list(v) for v in col] if isinstance(col[0], tuple) else col, t)
                for col, t in zip(cols, schema.types, strict=True)
            ]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
            batch.clear()

        for r in result:
            batch.append(r)
            if len(batch) >= _BATCH_ROWS:
                flush()
        if batch:
            flush()
