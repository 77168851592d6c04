"""``POST /v1/assess/batch``: a JSON array or JSON Lines in, one JSON Lines row per case out.

Why through ``assess_many``: the rows are the library's audit rows (``AuditRow``, written by
``audit.writers.json_line``), so a batch over HTTP and ``conduct-rules audit`` give the same row for
the same case, rejected rows included, and there is one implementation of row logic to keep right.
The body is read whole (it is bounded by the service's batch limit); rows are streamed back as
they are assessed, in this process (the server's workers are the parallelism).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Literal

from pydantic import BaseModel
from starlette.responses import Response

from conduct_rules.audit.sources import RecordSource, records_from_jsonl, records_from_mappings
from conduct_rules.audit.writers import json_line
from conduct_rules.batch import assess_many
from conduct_rules.model.strict_json import DuplicateKeyError
from conduct_rules.model.strict_json import loads as strict_loads
from conduct_rules.rules.ruleset import Ruleset
from conduct_rules.service.problems import problem

__all__ = ["BATCH_MEDIA", "BatchRowModel", "batch_rows", "read_batch"]

#: Media types read as JSON Lines (one case per line); ``application/json`` is an array.
BATCH_MEDIA = frozenset(
    {"application/x-ndjson", "application/jsonl", "application/json-lines", "application/jsonlines"}
)


#: Rows written to the socket at once.
LINES_PER_SEND = 200


class BatchRowModel(BaseModel):
    """One row of a batch answer (the library's ``AuditRow`` as JSON), for the OpenAPI document."""

    row: int
    case_id: str | None
    status: Literal["assessed", "rejected"]
    verdict: str | None
    termination_required: bool | None
    outstanding_safeguards: list[str]
    missing_documentation: list[str]
    findings: list[str]
    warnings: list[str]
    error_field: str | None
    error: str | None


def read_batch(body: bytes, content_type: str, max_rows: int) -> RecordSource | Response:
    """The records of a batch body, or the problem answer saying why it cannot be read."""
    media = content_type.split(";", 1)[0].strip().lower()
    too_many = f"a batch holds at most {max_rows} cases"
    if media in BATCH_MEDIA:
        lines = sum(1 for line in body.splitlines() if line.strip())
        if lines > max_rows:
            return problem(413, "too-large", too_many, [("(body)", too_many)])
        return records_from_jsonl(io.BytesIO(body))
    if media == "application/json":
        failed = False
        duplicate = ""
        try:
            data = strict_loads(body)
        except DuplicateKeyError as exc:  # a repeated key is refused, never last-wins
            duplicate = exc.field
        except (ValueError, RecursionError):
            failed = True
        if duplicate:
            detail = "a key appears twice in one object"
            return problem(422, "invalid-request", detail, [(duplicate, "duplicate key")])
        if failed:  # answered outside the ``except``: the decoder's error holds the text
            return problem(
                422, "invalid-request", "the body is not valid JSON", [("(body)", "not valid JSON")]
            )
        if not isinstance(data, list):
            return problem(
                422,
                "invalid-request",
                "expected a JSON array of cases",
                [("(body)", "expected a list")],
            )
        if len(data) > max_rows:
            return problem(413, "too-large", too_many, [("(body)", too_many)])
        return records_from_mappings(data)
    detail = "send a JSON array (application/json) or JSON Lines (application/x-ndjson)"
    return problem(415, "unsupported-media-type", detail, [("content-type", detail)])


def batch_rows(
    source: RecordSource, ruleset: Ruleset, lang: Literal["en", "fr"], overrides: dict[str, int]
) -> Iterator[str]:
    """Rows as JSON Lines text, one per input case, in input order.

    ``assess_many`` is called here, before the first row, so that a bad parameter is an error
    answer rather than a broken stream.
    """
    result = assess_many(
        source, ruleset=ruleset, lang=lang, parameters=overrides or None, workers=1, keep_rows=0
    )

    def lines() -> Iterator[str]:
        # Sent in pieces of ``LINES_PER_SEND`` rows: one write per row would cost more than the row.
        buffer: list[str] = []
        for r in result:
            buffer.append(json_line(r) + "\n")
            if len(buffer) >= LINES_PER_SEND:
                yield "".join(buffer)
                buffer = []
        if buffer:
            yield "".join(buffer)

    return lines()
