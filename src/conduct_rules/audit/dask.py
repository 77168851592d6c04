"""Audits past one machine: a Dask DataFrame of case records in, a Dask DataFrame of audit rows out.

Why Dask: an agency-wide or province-wide audit outgrows one machine's cores, and the data then
already lives in Parquet on object storage, read by Dask partition by partition. Each partition
is assessed where it lives, by the same ``RowAssessor`` the CLI and ``assess_many`` use (one per
worker process, built on first use), so the rows are the same rows — same columns, same order,
same rejections — as ``assess_many(...).to_dataframe()`` on the same data.

Why a first pass for the row numbers: a row's number is its 1-based position in the whole input,
and a partition does not know how many rows came before it. ``assess_dask`` counts each
partition's rows first (cheap: no rule runs) and gives each partition its offset.

Input: flat columns as in CSV (``case_id``, ``services.needed``, ... with native values, as
``records_from_dataframe`` reads them), or one column of JSON strings (``json_column=``), one
case object each, as in a JSON Lines file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from conduct_rules.api import get_ruleset
from conduct_rules.audit.runner import RowAssessor
from conduct_rules.audit.sources import Chunk
from conduct_rules.audit.writers import COLUMNS
from conduct_rules.errors import ConductRulesError, InputError, check_lang
from conduct_rules.rules.flat import FlatColumns
from conduct_rules.rules.ruleset import Ruleset

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["assess_dask", "audit_meta"]

_ASSESSORS: dict[tuple[str, str], RowAssessor] = {}


def _dask() -> Any:
    try:
        import dask.dataframe as dd
    except ImportError:  # pragma: no cover - depends on the environment
        raise ConductRulesError("this needs Dask: pip install 'conduct-rules[dask]'") from None
    return dd


def audit_meta() -> pd.DataFrame:
    """The empty frame describing the output: the audit's columns and their dtypes."""
    import pandas as pd

    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    return frame.astype({"row": "int64"})


def _assessor(ruleset: Ruleset, backend: str) -> RowAssessor:
    """One assessor per (ruleset, backend) in each worker process, kept between partitions."""
    key = (ruleset.fingerprint, backend)  # each task unpickles its own copy: key by content
    found = _ASSESSORS.get(key)
    if found is None:
        found = RowAssessor(ruleset, backend)
        _ASSESSORS.clear()  # a new ruleset replaces the old: memory stays bounded
        _ASSESSORS[key] = found
    return found


def _assess_partition(
    part: pd.DataFrame,
    offsets: tuple[int, ...],
    ruleset: Ruleset,
    backend: str,
    json_column: str | None,
    partition_info: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    import pandas as pd

    number = int(partition_info["number"]) if partition_info else 0
    start = offsets[number] if number < len(offsets) else 0
    rows = tuple(range(start + 1, start + 1 + len(part)))
    if json_column is not None:
        chunk = Chunk("jsonl", rows, list(part[json_column]))
    else:
        columns = FlatColumns.from_header([str(c) for c in part.columns], native=True)
        chunk = Chunk("frame", rows, list(part.itertuples(index=False, name=None)), columns)
    out = _assessor(ruleset, backend).run(chunk)
    frame = pd.DataFrame.from_records(out, columns=list(COLUMNS))
    return frame.astype({c: object for c in COLUMNS if c != "row"}).astype({"row": "int64"})


def assess_dask(
    ddf: Any,
    *,
    ruleset: str | Path | Ruleset | None = None,
    lang: Literal["en", "fr"] = "en",
    parameters: Mapping[str, int] | None = None,
    backend: str = "auto",
    json_column: str | None = None,
) -> Any:
    """One audit row per input row, as a lazy Dask DataFrame in input order.

    ``ddf``: a Dask DataFrame of case records, flat columns (as ``records_from_dataframe``) or
    one column of JSON strings named by ``json_column``. ``ruleset``, ``parameters`` and
    ``backend`` are as for ``assess_many``; ``lang`` is checked and kept for the reports built
    from the rows (rows hold ids, in no language). The columns are ``conduct_rules.batch``'s
    ``COLUMNS``; id lists are tuples, as in ``AuditResult.to_dataframe()``. Counting each
    partition's rows (for the row numbers) runs at once; the audit runs when computed.
    """
    check_lang(lang)
    dd = _dask()
    if not isinstance(ddf, dd.DataFrame):
        raise InputError("assess_dask takes a Dask DataFrame (dask.dataframe)")
    if json_column is not None and json_column not in ddf.columns:
        raise InputError(f"no column '{json_column}' in the DataFrame")
    rs = get_ruleset(ruleset, parameters)
    RowAssessor(rs, backend)  # fails here, not on a worker, if the backend cannot load
    lengths = ddf.map_partitions(len).compute()
    offsets: list[int] = []
    total = 0
    for n in lengths:
        offsets.append(total)
        total += int(n)
    return ddf.map_partitions(
        _assess_partition,
        tuple(offsets),
        rs,
        backend,
        json_column,
        meta=audit_meta(),
        align_dataframes=False,
    )
