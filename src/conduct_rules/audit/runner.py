"""How a batch runs: records to rows, in this process or in worker processes, in input order.

Why a row is computed from the evaluation's facts and not from a full ``Assessment``: building the
assessment (texts, citations, pydantic models) costs more than evaluating the rules, and an audit
row needs only ids. The ids are read from the same facts ``build_assessment`` reads, in the same
catalogue order, and ``tests/integration/test_batch.py`` checks that rows agree with ``assess``.
With the fast backend they come from ``FastBackend.summarizer`` (the same facts, read by the
generated code without building the facts dict; ``tests/properties/test_backends_agree.py`` checks
it against them).

Why processes and chunks: the engines are CPU-bound Python, so only processes use several cores.
Chunks of ``CHUNK_ROWS`` raw records go to the workers, at most three per worker in flight, so the
memory in use does not grow with the input; results are taken in submission order, so rows come
back in input order.
"""

from __future__ import annotations

import gc
import itertools
import os
import re
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from conduct_rules.api import get_backend
from conduct_rules.assemble.contradictions import CHECKS
from conduct_rules.audit.fastjson import FastRows, fast_cases
from conduct_rules.audit.results import AuditRow
from conduct_rules.audit.sources import Chunk, RecordSource, decode, lines_of
from conduct_rules.audit.stop import check_stop
from conduct_rules.audit.tally import Tally
from conduct_rules.engines import Backend
from conduct_rules.errors import CaseValidationError, ConductRulesError, EngineUnavailableError
from conduct_rules.model.case import Case
from conduct_rules.rules.facts import (
    DOCUMENT_MISSING,
    FINDING,
    SAFEGUARD_OUTSTANDING,
    TERMINATION_REQUIRED,
    VERDICT,
)
from conduct_rules.rules.ruleset import Ruleset

if TYPE_CHECKING:
    from concurrent.futures import Future
    from multiprocessing.context import BaseContext

__all__ = [
    "POOL_MIN_ROWS",
    "AuditRow",
    "Rendered",
    "RowAssessor",
    "render_chunk",
    "resolve_backend",
    "run_chunks",
    "run_rendered",
]

T = TypeVar("T")

#: Below this many rows (when ``workers`` is not given) a batch runs in the calling process:
#: starting worker processes costs more than it saves.
POOL_MIN_ROWS = 10_000
_MAX_LISTED_ERRORS = 5


def resolve_backend(name: str) -> Backend:
    """The backend for batches: ``auto`` is ``fast``, as for one case (``default_backend``)."""
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


_KEY = re.compile(rb'"([^"\\]*)"\s*:')


def _keys_unique(line: bytes | str) -> bool:
    """True when no key can appear twice in the line's JSON objects.

    Why: pydantic's JSON mode keeps the last of two equal keys, where the audit refuses the row
    (``model.strict_json.loads``). Without a backslash, every ``"...":`` in valid JSON is a key, so
    equal keys anywhere (even in different objects, such as two attempts) send the line the strict
    way.
    """
    if isinstance(line, str):  # a Dask column of JSON strings
        line = line.encode("utf-8", "surrogatepass")
    if b"\\" in line:
        return False
    keys = _KEY.findall(line)
    return len(keys) == len(set(keys))


def _enum(case: Any, name: str) -> str | None:
    value = getattr(case, name, None)
    return value if isinstance(value, str) else None


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
        on = vocab.is_case and ruleset.metadata.contradiction_warnings  # off for CRPO (issue 15)
        self._checks = CHECKS if on else ()
        #: One-pass JSON validation for the standard case (``_run_json``); None to turn it off.
        self._validate_json: Callable[[Any], Any] | None = (
            Case.model_validate_json if vocab.is_case else None
        )
        # The few id tuples recur across rows: one object each, so pickling rows to the
        # reading process sends each once per chunk (pickle's memo) instead of once per row.
        self._interned: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._fields = None if vocab.is_case else vocab.fields
        out = ruleset.outputs
        self._verdicts = tuple((v, VERDICT.format(v)) for v in out.verdicts)
        self._safeguards = tuple((s, SAFEGUARD_OUTSTANDING.format(s)) for s in out.safeguards)
        self._missing = tuple((d, DOCUMENT_MISSING.format(d)) for d in out.documentation)
        self._findings = tuple((f, FINDING.format(f)) for f in out.findings)
        self._blocking = frozenset(s for s, v in out.safeguards.items() if v.blocking)
        #: JSON Lines rows through ``audit.fastjson`` (msgspec), when it can give the same rows.
        self.fast_rows: FastRows | None = None
        cases = fast_cases() if vocab.is_case and self.backend.name == "fast" else None
        if cases is not None and callable(summarizer):
            from conduct_rules.audit.writers import _encode_str, ending_head, ending_tail, json_line

            self.fast_rows = FastRows(
                cases,
                summarizer(ruleset, access="attr"),
                self._checks,
                ending_head,
                ending_tail,
                _encode_str,
                json_line,
            )

    def needs_attention(self, r: AuditRow) -> bool:
        """Not permitted, a finding, or a blocking safeguard outstanding."""
        return r.status == "assessed" and self.outcome_needs_attention(
            r.verdict, r.findings, r.outstanding_safeguards
        )

    def outcome_needs_attention(
        self, verdict: str | None, findings: tuple[str, ...], outstanding: tuple[str, ...]
    ) -> bool:
        """``needs_attention`` for an assessed row's verdict, findings and outstanding ids."""
        return (
            verdict == "not_permitted"
            or bool(findings)
            or any(s in self._blocking for s in outstanding)
        )

    def _intern(self, ids: tuple[str, ...], same: tuple[str, ...]) -> tuple[str, ...]:
        """One object per distinct id tuple (bounded), for smaller pickles; ``same`` is ``ids``."""
        known = self._interned.get(ids)
        if known is not None:
            return known
        if len(self._interned) < 4_096:
            self._interned[ids] = same
        return same

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
        return self.assess_case(row, data, case)

    def assess_case(self, row: int, data: Any, case: Any) -> AuditRow:
        """The row of a validated case (``data``: what it was read from, for a rejection)."""
        try:
            if self._summarize is not None:
                verdicts, termination, outstanding, missing, findings = self._summarize(case)
            else:
                facts = self.backend.evaluate(self.ruleset, case).facts
                verdicts = tuple(v for v, key in self._verdicts if facts.get(key))
                termination = bool(facts.get(TERMINATION_REQUIRED, False))
                outstanding = tuple(s for s, key in self._safeguards if facts.get(key))
                missing = tuple(d for d, key in self._missing if facts.get(key))
                findings = tuple(f for f, key in self._findings if facts.get(key))
            if len(verdicts) != 1:
                what = "no verdict" if not verdicts else "opposite verdicts"
                return self.reject(row, data, [("(ruleset)", f"the ruleset concluded {what}")])
            intern = self._intern
            return AuditRow(
                row,
                case.case_id,
                "assessed",
                verdicts[0],
                termination,
                intern(outstanding, outstanding),
                intern(missing, missing),
                intern(findings, findings),
                # ``contradictions``' ids
                intern(warns := tuple(c.id for c in self._checks if c.applies(case)), warns),
                None,
                None,
                _enum(case, "stage"),
                _enum(case, "initiated_by"),
            )
        except ConductRulesError as exc:  # our messages carry no case values
            return self.reject(row, data, [("(engine)", str(exc))])
        except Exception as exc:  # noqa: BLE001 - one row's failure must not abort the batch
            return self.reject(row, data, [("(engine)", f"internal error ({type(exc).__name__})")])

    def run(self, chunk: Chunk) -> list[AuditRow]:
        chunk = lines_of(chunk)
        if chunk.kind == "jsonl" and self.fast_rows is not None:
            return self.fast_rows.rows(chunk.rows, chunk.items, self.json_row, AuditRow)
        if chunk.kind == "jsonl" and self._validate_json is not None:
            return self._run_json(chunk)
        rows = decode(chunk, self._fields)
        return [self.assess(row, data, errs) for row, data, errs in rows]

    def json_row(self, row: int, line: Any) -> AuditRow:
        """One JSON Lines line's row, the usual way, for a line ``audit.fastjson`` gave up on.

        A line with a backslash is most often a valid case with an escaped id: the one-pass
        validation (``_run_json``) is tried first. Any other line was refused by the C reader, or
        may repeat a key: the strict reader and the contract decide at once (the one-pass
        attempt gives the same row, ``tests/integration/test_audit_fastpath.py``, only slower).
        """
        chunk = Chunk("jsonl", (row,), [line])
        if type(line) is bytes and b"\\" not in line:
            ((r, data, errs),) = decode(chunk, None)
            return self.assess(r, data, errs)
        return self._run_json(chunk)[0]

    def _run_json(self, chunk: Chunk) -> list[AuditRow]:
        """JSON Lines for the standard ``Case``: each line decoded and validated in one pass.

        Why: pydantic's JSON mode parses and validates in one step, about a third cheaper than
        ``json.loads`` followed by validation. Only a line it accepts takes this way; any other line
        goes the usual way (``decode`` then ``assess``), so every rejection and its message are
        unchanged (``tests/integration/test_audit_fastpath.py`` compares both ways over hostile
        input).
        """
        validate = self._validate_json
        assert validate is not None
        out: list[AuditRow] = []
        for row, line in zip(chunk.rows, chunk.items, strict=True):
            try:
                if not _keys_unique(line):
                    raise ValueError  # perhaps a repeated key: the strict reader decides
                case = validate(line)
            except Exception:  # noqa: BLE001 - any doubt: the usual path decides, and says why
                for r, data, errs in decode(Chunk("jsonl", (row,), [line]), None):
                    out.append(self.assess(r, data, errs))
                continue
            # A rejection after validation shows only the (valid) case_id of what was read.
            out.append(self.assess_case(row, {"case_id": case.case_id}, case))
        return out


class Rendered(NamedTuple):
    """A chunk's output text, its counts, and its rejected rows with their index in the chunk.

    ``raws``: the rejected rows' input lines, when the chunk was a span read where it was
    assessed (the reading process never saw its lines); else ``None``.
    """

    text: str
    tally: Tally
    rejected: list[tuple[int, AuditRow]]
    raws: list[Any] | None = None


def render_chunk(assessor: RowAssessor, chunk: Chunk, fmt: str) -> Rendered:
    """Assess a chunk and render its rows as ``jsonl`` or ``csv`` text, counting them.

    Why here: formatting a million rows in the reading process made it the busiest process of
    the run; rendered where the chunk is assessed, the reading process only writes text.
    """
    from conduct_rules.audit.writers import csv_text, json_line

    if chunk.span is not None:
        lines = lines_of(chunk)
        done = render_chunk(assessor, lines, fmt)
        return done._replace(raws=[lines.items[i] for i, _ in done.rejected])
    fast = assessor.fast_rows
    if fast is not None and fmt == "jsonl" and chunk.kind == "jsonl":
        return _render_fast(assessor, fast, chunk)
    rows = assessor.run(chunk)
    tally = Tally()
    attention = assessor.needs_attention
    rejected: list[tuple[int, AuditRow]] = []
    for i, r in enumerate(rows):
        tally.add(r, attention(r))
        if r.status == "rejected":
            rejected.append((i, r))
    text = "".join(json_line(r) + "\n" for r in rows) if fmt == "jsonl" else csv_text(rows)
    return Rendered(text, tally, rejected)


def _render_fast(assessor: RowAssessor, fast: FastRows, chunk: Chunk) -> Rendered:
    """``render_chunk`` for JSON Lines through ``audit.fastjson``: the same text and counts."""
    gc_was_on = gc.isenabled()
    gc.disable()  # no cycles are made here; a collection per few hundred lines would cost more
    try:
        texts, keys = fast.render(chunk.rows, chunk.items, assessor.json_row)
    finally:
        if gc_was_on:
            gc.enable()
    tally = Tally()
    tally.add_outcomes(keys, assessor.outcome_needs_attention)
    rejected: list[tuple[int, AuditRow]] = [
        (i, k) for i, k in enumerate(keys) if type(k) is not tuple and k.status == "rejected"
    ]
    return Rendered("".join(texts), tally, rejected)


_WORKER: RowAssessor | None = None


def _init_worker(ruleset: Ruleset, backend: str) -> None:
    global _WORKER  # noqa: PLW0603 - one assessor per worker process, built once
    from conduct_rules.audit.stop import reset_in_worker

    reset_in_worker()
    _WORKER = RowAssessor(ruleset, backend)


def _work(chunk: Chunk) -> list[AuditRow]:
    assert _WORKER is not None, "worker not initialised"
    return _WORKER.run(chunk)


def _work_rendered(chunk: Chunk, fmt: str) -> Rendered:
    assert _WORKER is not None, "worker not initialised"
    return render_chunk(_WORKER, chunk, fmt)


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _in_process(chunks: Iterable[Chunk], local: Callable[[Chunk], T]) -> Iterator[tuple[T, Chunk]]:
    for chunk in chunks:
        check_stop()
        yield local(chunk), chunk


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


def _result(fut: Future[T]) -> T:
    from concurrent.futures.process import BrokenProcessPool

    try:
        return fut.result()
    except BrokenProcessPool:
        check_stop()  # the workers were signalled too: a stop, not a failure
        raise ConductRulesError("a worker process ended unexpectedly") from None


def _in_pool(
    chunks: Iterable[Chunk],
    ruleset: Ruleset,
    backend: str,
    workers: int,
    remote: Callable[[Chunk], T],
) -> Iterator[tuple[T, Chunk]]:
    from concurrent.futures import ProcessPoolExecutor

    executor = ProcessPoolExecutor(
        workers,
        mp_context=_mp_context(),
        initializer=_init_worker,
        initargs=(ruleset, backend),
    )
    pending: deque[tuple[Future[T], Chunk]] = deque()
    window = 3 * workers  # chunks in flight: enough to keep every worker busy, memory flat
    try:
        for chunk in chunks:
            check_stop()
            # A record's text (kept for the rejected file) stays here: workers need the items.
            sent = chunk if chunk.texts is None else replace(chunk, texts=None)
            pending.append((executor.submit(remote, sent), chunk))
            if len(pending) >= window:
                fut, done = pending.popleft()
                yield _result(fut), done
        while pending:
            check_stop()
            fut, done = pending.popleft()
            yield _result(fut), done
    finally:
        # Stopped or not, workers finish the chunk they hold and end: none is left behind.
        executor.shutdown(wait=True, cancel_futures=True)


def _dispatch(
    source: RecordSource,
    ruleset: Ruleset,
    backend: str,
    workers: int | None,
    local: Callable[[Chunk], T],
    remote: Callable[[Chunk], T],
    *,
    spans: bool = False,
) -> Iterator[tuple[T, Chunk]]:
    """``spans``: the caller takes spans (``Chunk.span``) when the source offers them."""
    chunks = (source.span_chunks() if spans else None) or source.chunks()
    if workers == 1 or (workers is None and _cpu_count() < 2):
        yield from _in_process(chunks, local)
        return
    if workers is None:
        first: list[Chunk] = []
        buffered = 0
        for chunk in chunks:
            first.append(chunk)
            buffered += chunk.lines
            if buffered >= POOL_MIN_ROWS:
                break
        else:
            yield from _in_process(first, local)
            return
        chunks = itertools.chain(first, chunks)
        workers = _cpu_count()
    yield from _in_pool(chunks, ruleset, backend, workers, remote)


def run_chunks(
    source: RecordSource, ruleset: Ruleset, backend: str, assessor: RowAssessor, workers: int | None
) -> Iterator[tuple[list[AuditRow], Chunk]]:
    """Rows per chunk, in input order, with the chunk they come from (its texts, its progress).

    Raises ``AuditStoppedError`` between chunks once a stop is requested
    (``conduct_rules.audit.stop``).
    """
    yield from _dispatch(source, ruleset, backend, workers, assessor.run, _work)


def run_rendered(
    source: RecordSource,
    ruleset: Ruleset,
    backend: str,
    assessor: RowAssessor,
    workers: int | None,
    fmt: str,
) -> Iterator[tuple[Rendered, Chunk]]:
    """As ``run_chunks``, but each chunk comes back rendered as ``fmt`` text with its counts."""
    local = partial(render_chunk, assessor, fmt=fmt)
    remote = partial(_work_rendered, fmt=fmt)
    yield from _dispatch(source, ruleset, backend, workers, local, remote, spans=True)
