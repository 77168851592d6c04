"""Audits on Dask give the rows of the in-process audit: same columns, order, numbers, rejections.

The quick tests run Dask's synchronous scheduler; one test (slow: a cluster takes 20-45 s to
start on a shared machine) starts a ``distributed.LocalCluster`` with two worker processes (bound
to 127.0.0.1, closed at the end) as a real deployment would.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from conduct_rules import assess_many, records_from_jsonl
from conduct_rules.audit.sample import sample_cases
from conduct_rules.audit.writers import COLUMNS
from conduct_rules.errors import InputError

dd = pytest.importorskip("dask.dataframe")
pd = pytest.importorskip("pandas")
dask = pytest.importorskip("dask")

from conduct_rules.audit.dask import assess_dask  # noqa: E402 - after the skip


def _cases(n: int) -> list[dict[str, Any]]:
    return list(sample_cases(n, seed=52, invalid_share=0.1))


@pytest.fixture(autouse=True)
def _object_columns() -> Any:
    # Dask turns object columns into strings by default, and a list in a cell into its repr;
    # list fields must reach the audit as lists (or JSON text), as Parquet gives them.
    with dask.config.set({"dataframe.convert-string": False}):
        yield


def _records(frame: Any) -> list[tuple[Any, ...]]:
    """Rows as tuples, pandas' missing values (NaN for an all-empty column) as None."""
    plain = frame.astype(object)
    plain = plain.where(plain.notna(), None)
    return [tuple(r) for r in plain.itertuples(index=False, name=None)]


def test_flat_columns_give_the_in_process_rows() -> None:
    frame = pd.json_normalize(_cases(700))
    expected = assess_many(frame, workers=1).to_dataframe()
    with dask.config.set(scheduler="synchronous"):
        out = assess_dask(dd.from_pandas(frame, npartitions=3)).compute()
    assert list(out.columns) == list(COLUMNS)
    assert list(out["row"]) == list(range(1, 701))
    assert _records(out) == _records(expected)
    assert (out["status"] == "rejected").sum() > 0


def test_json_column_gives_the_jsonl_rows() -> None:
    lines = [json.dumps(c) for c in _cases(300)] + ['{"case_id": "cut"', "[1]"]
    expected = assess_many(
        records_from_jsonl(io.BytesIO("\n".join(lines).encode())), workers=1
    ).to_dataframe()
    ddf = dd.from_pandas(pd.DataFrame({"case": lines}), npartitions=4)
    with dask.config.set(scheduler="synchronous"):
        out = assess_dask(ddf, json_column="case", parameters={"min_referrals": 4}).compute()
        assert _records(out) != _records(expected)  # parameters reach the workers
        out = assess_dask(ddf, json_column="case").compute()
    assert _records(out) == _records(expected)


def test_bad_arguments() -> None:
    frame = dd.from_pandas(pd.DataFrame({"case_id": ["A"]}), npartitions=1)
    with pytest.raises(InputError):
        assess_dask(frame, json_column="nope")
    with pytest.raises(InputError):
        assess_dask(pd.DataFrame({"case_id": ["A"]}))
    with pytest.raises(ValueError, match="lang"):
        assess_dask(frame, lang="de")  # type: ignore[arg-type]


@pytest.mark.slow  # starting a cluster takes 20-45 s on a shared 2-core machine
def test_local_cluster_with_two_worker_processes() -> None:
    distributed = pytest.importorskip("distributed")
    frame = pd.json_normalize(_cases(2_000))
    expected = assess_many(frame, workers=1).to_dataframe()
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        out = assess_dask(dd.from_pandas(frame, npartitions=6)).compute()
        assert len(client.scheduler_info()["workers"]) == 2
    assert _records(out) == _records(expected)
