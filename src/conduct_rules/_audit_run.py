"""How a batch runs: records to rows, in this process or in worker processes, in input order.

Why a row is computed from the evaluation's facts and not from a full ``Assessment``: building the
assessment (texts, citations, pydantic models) costs more than evaluating the rules, and an audit
row needs only ids. The ids are read from the same facts ``build_assessment`` reads, in the same
catalogue order, and ``tests/test_batch.py`` checks that rows agree with ``assess``. With the fast
backend they come from ``FastBackend.summarizer`` (the same facts, read by the generated code
without building the facts dict; ``tests/test_backends_agree.py`` checks it against them).

Why processes and chunks: the engines are CPU-bound Python, so only processes use several cores.
Chunks of ``CHUNK_ROWS`` raw records go to the workers, at most three per worker in flight, so the
memory in use does not grow with the input; results are taken in submission order, so rows come
back in input order.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from conduct_rules._contradictions import CHECKS
from conduct_rules._records import Chunk, RecordSource, decode
from conduct_rules.api import get_backend
from conduct_rules.case import Case
from conduct_rules.engines import Backend
from conduct_rules.errors import CaseValidationError, ConductRulesError, EngineUnavailableError
from conduct_rules.ruleset import Ruleset

if TYPE_CHECKING:
    from concurrent.futures import Future
    from multiprocessing.context import BaseContext

__all__ = ["POOL_MIN_ROWS", "AuditRow", "RowAssessor", "resolve_backend", "run_chunks"]

#: Below this many rows (when ``workers`` is not given) a batch runs in the calling process:
#: starting worker processes costs more than it saves.
POOL_MIN_ROWS = 10_000
_MAX_LISTED_ERRORS = 5


class AuditRow(NamedTuple):
    """One input row's outcome: an assessment summary, or a rejection with its field error.

    ``row`` is 1-based: the line of a JSON Lines file, the data record of a CSV file, the position
    in a list or DataFrame. The id tuples are in the ruleset's catalogue order, as in
    ``Assessment``. A rejected row has ``error_field`` and ``error`` (never a case value) and the
    ``case_id`` only when that identifier was itself valid.
    """

    row: int
    case_id: str | None
    status: Literal["assessed", "rejected"]
    verdict: str | None = None
    termination_required: bool | None = None
    outstanding_safeguards: tuple[str, ...] = ()
    missing_documentation: tuple[str, ...] = ()
    findings: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    error_field: str | None = None
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: lists for the id tuples."""
        d = self._asdict()
        for key in ("outstanding_safeguards", "missing_documentation", "findings", "warnings"):
            d[key] = list(d[key])
        return d


def resolve_backend(name: str) -> Backend:
    """The backend for batches: ``auto`` is ``fast`` where it exists, else ``python``."""
    if name == "auto":
        try:
            return get_backend("fast")
        except ImportError:
            return get_backend("python")
    try:
        return get_backend(name)
    except ImportError:
        raise EngineUnavailableError(f"the '{name}' backend is not available here") from None


def _error_text(errors: Sequence[tuple[str, str]]) -> str:
    text = "; ".join(f"{f}: {m}" for f, m in errors[:_MAX_LISTED_ERRORS])
    more = len(errors) - _MAX_LISTED_ERRORS
    return text + (f" (and {more} more)" if more > 0 else "")


def _case_id_of(data: Any, errors: Sequence[tuple[str, str]]) -> str | None:
    """The row's case_id when it is itself valid (identifiers may be shown; values may not)."""
    if not isinstance(data, Mapping) or any(f == "case_id" for f, _ in errors):
        return None
    cid = data.get("case_id")
    if isinstance(cid, str) and cid.strip() and len(cid) <= 200 and cid.isprintable():
        return cid
    return None


class RowAssessor:
    """Turns decoded records into rows; one per process, built once per batch."""

    def __init__(self, ruleset: Ruleset, backend: str) -> None:
        self.ruleset = ruleset
        self.backend = resolve_backend(backend)
        # The fast backend reports a row's content without building the facts dict.
        summarizer = getattr(self.backend, "summarizer", None)
        self._summarize: Callable[[Case], Any] | None = (
            summarizer(ruleset) if callable(summarizer) else None
        )
        vocab = ruleset.vocabulary
        # The contradiction checks speak of the standard ``Case``; a flat record has none.
        self._parse = vocab.parse
        on = vocab.is_case and ruleset.header.contradiction_warnings  # off for CRPO (issue 15)
        self._checks = CHECKS if on else ()
        self._fields = None if vocab.is_case else vocab.fields
        out = ruleset.outputs
        self._verdicts = tuple((v, f"verdict.{v}") for v in out.verdicts)
        self._safeguards = tuple((s, f"safeguard.{s}.outstanding") for s in out.safeguards)
        self._missing = tuple((d, f"documentation.{d}.missing") for d in out.documentation)
        self._findings = tuple((f, f"finding.{f}") for f in out.findings)

    def reject(self, row: int, data: Any, errors: Sequence[tuple[str, str]]) -> AuditRow:
        return AuditRow(
            row,
            _case_id_of(data, errors),
            "rejected",
            error_field=errors[0][0],
            error=_error_text(errors),
        )

    def assess(self, row: int, data: Any, errors: Sequence[tuple[str, str]] = ()) -> AuditRow:
        if errors:
            return self.reject(row, data, errors)
        try:
            case = self._parse(data)
        except CaseValidationError as exc:
            return self.reject(row, data, exc.errors)
        try:
            if self._summarize is not None:
                verdicts, termination, outstanding, missing, findings = self._summarize(case)
            else:
                facts = self.backend.evaluate(self.ruleset, case).facts
                verdicts = tuple(v for v, key in self._verdicts if facts.get(key))
                termination = bool(facts.get("termination_required", False))
                outstanding = tuple(s for s, key in self._safeguards if facts.get(key))
                missing = tuple(d for d, key in self._missing if facts.get(key))
                findings = tuple(f for f, key in self._findings if facts.get(key))
            if len(verdicts) != 1:
                what = "no verdict" if not verdicts else "opposite verdicts"
                return self.reject(row, data, [("(ruleset)", f"the ruleset concluded {what}")])
            return AuditRow(
                row,
                case.case_id,
                "assessed",
                verdicts[0],
                termination,
                outstanding,
                missing,
                findings,
                tuple(c.id for c in self._checks if c.applies(case)),  # ``contradictions``' ids
            )
        except ConductRulesError as exc:  # our messages carry no case values
            return self.reject(row, data, [("(engine)", str(exc))])
        except Exception as exc:  # noqa: BLE001 - one row's failure must not abort the batch
            return self.reject(row, data, [("(engine)", f"internal error ({type(exc).__name__})")])

    def run(self, chunk: Chunk) -> list[AuditRow]:
        rows = decode(chunk, self._fields)
        return [self.assess(row, data, errs) for row, data, errs in rows]


_WORKER: RowAssessor | None = None


def _init_worker(ruleset: Ruleset, backend: str) -> None:
    global _WORKER  # noqa: PLW0603 - one assessor per worker process, built once
    _WORKER = RowAssessor(ruleset, backend)


def _work(chunk: Chunk) -> list[AuditRow]:
    assert _WORKER is not None, "worker not initialised"
    return _WORKER.run(chunk)


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _in_process(
    chunks: Iterable[Chunk], assessor: RowAssessor
) -> Iterator[tuple[list[AuditRow], int]]:
    for chunk in chunks:
        yield assessor.run(chunk), chunk.progress


def _mp_context() -> BaseContext:
    """``fork`` when this process has one thread, else ``spawn``.

    Why: ``fork`` starts workers at once and needs no ``if __name__ == "__main__"`` guard in a
    user's script, but forking a process with other threads (a Jupyter kernel, a progress bar's
    monitor) can deadlock a child on a lock held by a thread that does not exist in it. ``spawn``
    is always safe there, and notebooks (no ``__main__`` file to re-import) need no guard.
    """
    import multiprocessing  # imported here: most batches never start a process

    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _in_pool(
    chunks: Iterable[Chunk], ruleset: Ruleset, backend: str, workers: int
) -> Iterator[tuple[list[AuditRow], int]]:
    from concurrent.futures import ProcessPoolExecutor

    executor = ProcessPoolExecutor(
        workers,
        mp_context=_mp_context(),
        initializer=_init_worker,
        initargs=(ruleset, backend),
    )
    pending: deque[tuple[Future[list[AuditRow]], int]] = deque()
    window = 3 * workers  # chunks in flight: enough to keep every worker busy, memory flat
    try:
        for chunk in chunks:
            pending.append((executor.submit(_work, chunk), chunk.progress))
            if len(pending) >= window:
                fut, progress = pending.popleft()
                yield fut.result(), progress
        while pending:
            fut, progress = pending.popleft()
            yield fut.result(), progress
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def run_chunks(
    source: RecordSource, ruleset: Ruleset, backend: str, assessor: RowAssessor, workers: int | None
) -> Iterator[tuple[list[AuditRow], int]]:
    chunks = source.chunks()
    if workers == 1 or (workers is None and _cpu_count() < 2):
        yield from _in_process(chunks, assessor)
        return
    if workers is None:
        first: list[Chunk] = []
        buffered = 0
        for chunk in chunks:
            first.append(chunk)
            buffered += len(chunk.rows)
            if buffered >= POOL_MIN_ROWS:
                break
        else:
            yield from _in_process(first, assessor)
            return
        chunks = itertools.chain(first, chunks)
        workers = _cpu_count()
    yield from _in_pool(chunks, ruleset, backend, workers)
