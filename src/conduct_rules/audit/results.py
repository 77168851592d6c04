"""What an audit produces: one ``AuditRow`` per input row, the ``AuditSummary`` of a batch, and
``AuditOutput``, what the writers and the report read from a batch's result.

Why a module of their own: the runner makes rows, the tally makes the summary, the writers and the
report read both, and ``conduct_rules.batch`` (the public front, which re-exports these names)
drives them all. With the shapes here, below all of them, none of those modules needs to import
its caller: the writers take any ``AuditOutput`` (``batch.AuditResult`` is one) rather than the
result class itself.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple, Protocol

from conduct_rules.model.version import SCHEMA_VERSION
from conduct_rules.rules.ruleset import Ruleset

__all__ = ["AuditOutput", "AuditRow", "AuditSummary"]


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
    #: The case's stage and who initiated the ending (enumerated values, for breakdowns);
    #: None for a rejected row or a ruleset whose record has no such field. Added last so that
    #: positional readers of the earlier columns are unaffected.
    stage: str | None = None
    initiated_by: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: lists for the id tuples, and the ``schema_version`` of the JSON Lines row
        (``audit-row``), so that this is exactly what ``to_jsonl`` writes."""
        d = self._asdict()
        for key in ("outstanding_safeguards", "missing_documentation", "findings", "warnings"):
            d[key] = list(d[key])
        d["schema_version"] = SCHEMA_VERSION
        return d


@dataclass(frozen=True)
class AuditSummary:
    """Counts over a whole batch; every id of the ruleset is listed, in its catalogue order."""

    total: int
    assessed: int
    rejected: int
    needs_attention: int
    termination_required: int
    verdicts: Mapping[str, int]
    findings: Mapping[str, int]
    outstanding_safeguards: Mapping[str, int]
    missing_documentation: Mapping[str, int]
    warnings: Mapping[str, int]
    rejected_fields: Mapping[str, int]
    #: Verdict counts per stage and per who initiated the ending (``{stage: {verdict: n}}``),
    #: for the report's breakdowns; rows without the field are not counted here.
    verdicts_by_stage: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    verdicts_by_initiator: Mapping[str, Mapping[str, int]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with the ``schema_version`` of its published schema (``audit-summary``)."""

        def plain(v: Any) -> Any:
            return {k: plain(x) for k, x in v.items()} if isinstance(v, Mapping) else v

        out = {k: plain(v) for k, v in self.__dict__.items()}
        return {**out, "schema_version": SCHEMA_VERSION}


class AuditOutput(Protocol):
    """What the writers, the report and the views read from a batch's result.

    ``batch.AuditResult`` satisfies it; a test double may too. ``renders``/``render`` let the
    writers take pre-rendered text blocks when the batch keeps no rows (the CLI's case).
    """

    @property
    def ruleset(self) -> Ruleset: ...

    @property
    def lang(self) -> Literal["en", "fr"]: ...

    @property
    def summary(self) -> AuditSummary: ...

    @property
    def renders(self) -> bool: ...

    def render(self, fmt: str) -> Iterator[str]: ...

    def __iter__(self) -> Iterator[AuditRow]: ...
