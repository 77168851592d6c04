"""Assess many cases at once, for audits: every input row accounted for, in input order.

Why rows and not assessments: an audit of a million past cases needs, per case, what an auditor
filters on — the verdict, the outstanding safeguards, the missing records, the findings — not the
explanations, which are the same for every case that has the item and are shown once, with their
citations, in the summary and the HTML report. A row is computed from the same evaluation as
``assess`` (same ruleset, same backends) and agrees with it; the tests compare them.

Why streaming: rows are produced lazily, chunk by chunk, and a batch never holds its input; a
result keeps its rows for replay only up to ``keep_rows``. Large batches run in worker processes,
each with its own engine (and durable_rules host), and come back in input order (``audit.runner``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

from conduct_rules import api as _api
from conduct_rules.api import get_ruleset
from conduct_rules.audit.inputs import records_from_file
from conduct_rules.audit.results import AuditRow, AuditSummary
from conduct_rules.audit.runner import RowAssessor, run_chunks, run_rendered
from conduct_rules.audit.sources import (
    Chunk,
    RecordSource,
    records_from_csv,
    records_from_dataframe,
    records_from_jsonl,
    records_from_mappings,
)
from conduct_rules.audit.tally import Tally
from conduct_rules.errors import ConductRulesError, check_lang
from conduct_rules.rules.ruleset import DEFAULT_RULESET, Ruleset

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = [
    "Assessor",
    "AuditResult",
    "AuditRow",
    "AuditSummary",
    "assess_many",
    "prepare",
    "records_from_csv",
    "records_from_dataframe",
    "records_from_file",
    "records_from_jsonl",
]

#: Rows a result keeps for replay (``to_dataframe`` after iterating, ``_repr_html_``...).
KEEP_ROWS = 100_000


# --------------------------------------------------------------------------------------------
# Results


class AuditResult:
    """The rows of a batch, produced lazily in input order, and their summary.

    Iterating runs the batch (``progress`` shows a bar on stderr). The first full run keeps up to
    ``keep_rows`` rows so that a notebook can look at them again; beyond that a file, DataFrame or
    list input is simply assessed again, and a one-shot iterator cannot be replayed (write the
    rows while iterating, e.g. with ``to_jsonl``). ``summary`` runs the batch if needed.
    """

    def __init__(
        self,
        source: RecordSource,
        *,
        ruleset: Ruleset,
        backend: str,
        lang: Literal["en", "fr"],
        workers: int | None,
        progress: bool,
        keep_rows: int,
    ) -> None:
        self.source = source
        self.ruleset = ruleset
        self.lang = lang
        self._backend = backend
        self._assessor = RowAssessor(ruleset, backend)  # fails now if the backend cannot load
        self.engine: str = self._assessor.backend.name
        self._workers = workers
        self._progress = progress
        self._keep = keep_rows
        self._rows: list[AuditRow] | None = None
        self._summary: AuditSummary | None = None
        #: Called with each rejected row and its input record as read (a JSON Lines line's
        #: bytes, a CSV record's text when the source keeps it, a mapping): the CLI's
        #: rejected-records file.
        self.rejected_sink: Callable[[AuditRow, Any], None] | None = None

    def needs_attention(self, r: AuditRow) -> bool:
        """Not permitted, a finding, or a blocking safeguard outstanding."""
        return self._assessor.needs_attention(r)

    @property
    def renders(self) -> bool:
        """True when ``to_jsonl`` / ``to_csv`` render text where rows are assessed.

        That is when no row is to be kept (``keep_rows=0``, as the CLI runs) and none was: the
        reading process then only writes text and adds counts, instead of formatting every row.
        """
        return self._keep == 0 and self._rows is None

    def render(self, fmt: str) -> Iterator[str]:
        """The rows as ``jsonl`` or ``csv`` text blocks, in input order (runs the batch)."""
        if self._summary is not None and not self.source.reusable:
            raise ConductRulesError(f"{self.source.label} can be read only once")
        tally = Tally()
        bar = self._bar()
        sink = self.rejected_sink
        try:
            for rendered, chunk in run_rendered(
                self.source, self.ruleset, self._backend, self._assessor, self._workers, fmt
            ):
                tally.merge(rendered.tally)
                if sink is not None:
                    raws = rendered.raws
                    for k, (i, r) in enumerate(rendered.rejected):
                        sink(r, _raw(chunk, i) if raws is None else raws[k])
                if bar is not None:
                    if self.source.unit != "rows":
                        bar.set_postfix_str(f"{tally.total:,} rows", refresh=False)
                    bar.update(chunk.progress)
                yield rendered.text
        finally:
            if bar is not None:
                bar.close()
        self._summary = tally.finish(self.ruleset)

    def __iter__(self) -> Iterator[AuditRow]:
        if self._rows is not None:
            return iter(self._rows)
        if self._summary is not None and not self.source.reusable:
            raise ConductRulesError(
                f"the rows of this batch were not kept (more than {self._keep}) and its input "
                "(a one-shot iterator or stream) cannot be read again; write them while "
                "iterating, e.g. with to_jsonl(), or pass a list, file or DataFrame"
            )
        return self._generate()

    def _bar(self) -> Any:
        if not self._progress:
            return None
        from tqdm import tqdm  # type: ignore[import-untyped,unused-ignore]

        class _Bar(tqdm):  # type: ignore[misc,unused-ignore]
            # No monitor thread: a thread here would make worker processes spawn, not fork.
            monitor_interval = 0

        return _Bar(
            total=self.source.total, unit=self.source.unit, unit_scale=True, dynamic_ncols=True
        )

    def _generate(self) -> Iterator[AuditRow]:
        tally = Tally()
        kept: list[AuditRow] | None = [] if self._keep > 0 else None
        bar = self._bar()
        attention = self.needs_attention
        try:
            sink = self.rejected_sink
            for rows, chunk in run_chunks(
                self.source, self.ruleset, self._backend, self._assessor, self._workers
            ):
                progress = chunk.progress
                for i, r in enumerate(rows):
                    tally.add(r, attention(r))
                    if sink is not None and r.status == "rejected":
                        sink(r, _raw(chunk, i))
                if kept is not None:
                    kept.extend(rows)
                    if len(kept) > self._keep:
                        kept = None
                if bar is not None:
                    if self.source.unit != "rows":  # a file's bar counts bytes: show rows too
                        bar.set_postfix_str(f"{tally.total:,} rows", refresh=False)
                    bar.update(progress)
                yield from rows
        finally:
            if bar is not None:
                bar.close()
        self._summary = tally.finish(self.ruleset)
        self._rows = kept

    @property
    def summary(self) -> AuditSummary:
        """Counts per verdict, finding, outstanding safeguard, missing record and rejection."""
        if self._summary is None:
            for _ in self._generate():
                pass
        assert self._summary is not None
        return self._summary

    # ---- outputs (the writers live in audit.writers; the HTML and the chart in render.html and
    # render.chart, reached through model.views because they sit in a higher layer)

    def to_jsonl(self, dest: str | Path | IO[str] | None = None) -> str | None:
        """One JSON object per input row, in input order; returns the text when ``dest`` is None."""
        from conduct_rules.audit.writers import write_jsonl

        return write_jsonl(self, dest)

    def to_csv(self, dest: str | Path | IO[str] | None = None) -> str | None:
        """One CSV line per input row (lists joined by ``;``); text when ``dest`` is None."""
        from conduct_rules.audit.writers import write_csv

        return write_csv(self, dest)

    def to_dataframe(self) -> pd.DataFrame:
        """The rows as a pandas DataFrame (needs pandas)."""
        from conduct_rules.audit.writers import to_dataframe

        return to_dataframe(self)

    def summary_table(self) -> pd.DataFrame:
        """The summary as a DataFrame: kind, id, label, count, percent, citations."""
        from conduct_rules.audit.writers import summary_table

        return summary_table(self)

    def plot(self) -> Figure:
        """Bar charts: findings, outstanding safeguards, missing records (needs matplotlib)."""
        from conduct_rules.audit.writers import catalogue
        from conduct_rules.model.views import view

        labels = {key: item.label for key, item in catalogue(self.ruleset, self.lang).items()}
        figure: Figure = view("audit.figure")(self.summary, self.lang, labels)
        return figure

    def to_html(self, dest: str | Path | None = None, *, max_cases: int = 1_000) -> str | None:
        """A self-contained HTML report: summary, chart, cases needing attention, citations."""
        from conduct_rules.model.views import view

        text: str = view("audit.html")(self, max_cases=max_cases)
        if dest is None:
            return text
        Path(dest).write_text(text, encoding="utf-8")
        return None

    def _repr_html_(self) -> str:
        from conduct_rules.model.views import view

        html: str = view("audit.summary_html")(self)
        return html

    def __repr__(self) -> str:
        state = "not run" if self._summary is None else f"{self._summary.total} rows"
        return f"<AuditResult {self.source.label}: {state}, engine {self.engine}>"


def _raw(chunk: Chunk, i: int) -> Any:
    """Record ``i`` of a chunk as read: its text, its line, its mapping (a table row by column)."""
    if chunk.texts is not None:
        return chunk.texts[i]
    item = chunk.items[i]
    if chunk.kind == "frame" and chunk.columns is not None:
        return dict(zip(chunk.columns.names, item, strict=False))
    return item


def _source_of(records: Any) -> RecordSource:
    if isinstance(records, RecordSource):
        return records
    if type(records).__module__.startswith("pandas") and hasattr(records, "itertuples"):
        return records_from_dataframe(records)
    if isinstance(records, str | bytes | Path | Mapping):
        raise ConductRulesError(
            "assess_many takes an iterable of case mappings, a DataFrame or a record source; "
            "for a file use records_from_file(path)"
        )
    return records_from_mappings(records)


def assess_many(
    records: Iterable[Mapping[str, Any]] | RecordSource | pd.DataFrame,
    *,
    ruleset: str | Path | Ruleset | None = None,
    lang: Literal["en", "fr"] = "en",
    backend: str = "auto",
    parameters: Mapping[str, int] | None = None,
    workers: int | None = None,
    progress: bool = False,
    keep_rows: int = KEEP_ROWS,
) -> AuditResult:
    """Assess every record; returns an ``AuditResult`` that runs lazily when read.

    ``records``: an iterable of mappings in the contract's shape, a pandas DataFrame with dotted
    columns, or a source from ``records_from_jsonl`` / ``records_from_csv`` /
    ``records_from_file``. ``backend``: ``auto`` (that is ``fast``),
    ``fast``, ``python`` or ``durable_rules``. ``workers``: processes to use; ``None`` uses every
    core for batches of ``POOL_MIN_ROWS`` rows or more and this process below that, ``1`` always
    this process. A row that cannot be read or validated becomes a rejected row; it never aborts
    the batch.
    """
    check_lang(lang)
    if workers is not None and workers < 1:
        raise ConductRulesError("workers must be at least 1")
    return AuditResult(
        _source_of(records),
        ruleset=get_ruleset(ruleset, parameters),
        backend=backend,
        lang=lang,
        workers=workers,
        progress=progress,
        keep_rows=keep_rows,
    )


class Assessor(_api.Assessor):
    """One ruleset, language and backend, prepared once for many cases: ``.assess(case)`` and
    ``.assess_many(records)`` (what ``prepare`` returns).

    Why here and not in ``api.py``: ``assess_many`` is this module's, which builds on ``api``;
    the one-case part (``api.Assessor``, also what ``assess`` keeps in its registry) stays below,
    so the layers go one way (docs/architecture.md).
    """

    def assess_many(
        self,
        records: Iterable[Mapping[str, Any]] | RecordSource | pd.DataFrame,
        *,
        workers: int | None = None,
        progress: bool = False,
        keep_rows: int | None = None,
    ) -> AuditResult:
        """Assess every record, as ``assess_many(records, ...)`` with these settings would."""
        return assess_many(
            records,
            ruleset=self.ruleset,
            lang=self.lang,
            backend=self.backend,
            workers=workers,
            progress=progress,
            keep_rows=KEEP_ROWS if keep_rows is None else keep_rows,
        )


def prepare(
    ruleset: str | Path | Ruleset | None = DEFAULT_RULESET,
    *,
    lang: Literal["en", "fr"] = "en",
    parameters: Mapping[str, int] | None = None,
    backend: str = "auto",
) -> Assessor:
    """An ``Assessor`` for these settings, ready to assess many cases.

    Everything that does not depend on the case is done now (and its errors raised now: an unknown
    ruleset, parameter, language or backend, or a backend that cannot load here), so each
    ``.assess(case)`` only parses, evaluates and assembles. The Assessor is the caller's: keep it as
    long as it is useful.
    """
    check_lang(lang)
    return Assessor(get_ruleset(ruleset, parameters), lang=lang, backend=backend)
