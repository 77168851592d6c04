"""Counts kept while rows stream past, so a summary never needs the rows kept.

Why a module of its own: a chunk's rows are counted where they are assessed when the output is
rendered in the worker processes (``run_rendered``), and the reading process only adds tallies;
both places use this class, so the summary is the same either way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from conduct_rules.audit.results import AuditRow, AuditSummary
from conduct_rules.rules.ruleset import Ruleset

__all__ = ["Tally"]


class Tally:
    """Counts kept while rows stream past, so a summary never needs the rows kept."""

    def __init__(self) -> None:
        self.total = self.rejected = self.attention = self.termination = 0
        self.verdicts: Counter[str] = Counter()
        self.findings: Counter[str] = Counter()
        self.safeguards: Counter[str] = Counter()
        self.missing: Counter[str] = Counter()
        self.warnings: Counter[str] = Counter()
        self.fields: Counter[str] = Counter()
        self.by_stage: Counter[tuple[str, str]] = Counter()
        self.by_initiator: Counter[tuple[str, str]] = Counter()

    def add(self, r: AuditRow, attention: bool, n: int = 1) -> None:
        """Count ``r`` (``n`` times: rows alike but for their number and ``case_id``).

        Adding one row ``n`` times at its first place gives the counters the same order as
        adding each row where it comes (``most_common`` breaks ties by that order): every id in
        the later rows first appeared in the first of them.
        """
        self.total += n
        if r.status == "rejected":
            self.rejected += n
            self.fields[r.error_field or "?"] += n
            return
        verdict = r.verdict or "?"
        self.verdicts[verdict] += n
        if r.stage is not None:
            self.by_stage[r.stage, verdict] += n
        if r.initiated_by is not None:
            self.by_initiator[r.initiated_by, verdict] += n
        self.termination += n * bool(r.termination_required)
        self.attention += n * attention
        for counter, ids in (
            (self.findings, r.findings),
            (self.safeguards, r.outstanding_safeguards),
            (self.missing, r.missing_documentation),
            (self.warnings, r.warnings),
        ):
            for i in ids:
                counter[i] += n

    def add_outcomes(
        self,
        keys: Sequence[Any],
        attention: Callable[[str, tuple[str, ...], tuple[str, ...]], bool],
    ) -> None:
        """Count a chunk given as outcomes (``audit.fastjson.Outcome``) or rows, in row order.

        The same counts, in the same order, as ``add`` on each row: each counter is filled from
        the distinct values of one column, in the order they first appear, ``n`` times each (see
        ``add``). ``attention(verdict, findings, outstanding)``: ``RowAssessor``'s rule.
        """
        outcomes: list[Any] = []
        for k in keys:
            if type(k) is tuple:
                outcomes.append(k)
            elif k.status == "rejected":
                self.total += 1
                self.rejected += 1
                self.fields[k.error_field or "?"] += 1
            else:
                outcomes.append(
                    (k.verdict or "?", k.termination_required, k.outstanding_safeguards,
                     k.missing_documentation, k.findings, k.warnings, k.stage, k.initiated_by)
                )
        if not outcomes:
            return
        self.total += len(outcomes)
        verdict, termination, outstanding, missing, findings, warns, stage, initiated = zip(
            *outcomes, strict=True
        )
        self.verdicts.update(verdict)
        for cross, groups in ((self.by_stage, stage), (self.by_initiator, initiated)):
            counted = Counter(zip(groups, verdict, strict=True))
            for (g, v), n in counted.items():
                if g is not None:
                    cross[g, v] += n
        self.termination += sum(map(bool, termination))
        for (v, f, o), n in Counter(zip(verdict, findings, outstanding, strict=True)).items():
            self.attention += n * attention(v, f, o)
        for counter, column in (
            (self.findings, findings),
            (self.safeguards, outstanding),
            (self.missing, missing),
            (self.warnings, warns),
        ):
            for ids, n in Counter(column).items():
                for i in ids:
                    counter[i] += n

    def merge(self, other: Tally) -> None:
        """Add another tally's counts (a chunk's, counted where it was assessed)."""
        self.total += other.total
        self.rejected += other.rejected
        self.attention += other.attention
        self.termination += other.termination
        for mine, theirs in (
            (self.verdicts, other.verdicts),
            (self.findings, other.findings),
            (self.safeguards, other.safeguards),
            (self.missing, other.missing),
            (self.warnings, other.warnings),
            (self.fields, other.fields),
        ):
            mine.update(theirs)
        self.by_stage.update(other.by_stage)
        self.by_initiator.update(other.by_initiator)

    def finish(self, ruleset: Ruleset) -> AuditSummary:
        out = ruleset.outputs

        def ordered(ids: Iterable[str], counts: Counter[str]) -> dict[str, int]:
            return {i: counts[i] for i in ids} | dict(counts)

        return AuditSummary(
            total=self.total,
            assessed=self.total - self.rejected,
            rejected=self.rejected,
            needs_attention=self.attention,
            termination_required=self.termination,
            verdicts=ordered(out.verdicts, self.verdicts),
            findings=ordered(out.findings, self.findings),
            outstanding_safeguards=ordered(out.safeguards, self.safeguards),
            missing_documentation=ordered(out.documentation, self.missing),
            warnings=dict(self.warnings.most_common()),
            rejected_fields=dict(self.fields.most_common()),
            verdicts_by_stage=_cross(self.by_stage, out.verdicts),
            verdicts_by_initiator=_cross(self.by_initiator, out.verdicts),
        )


def _cross(counts: Counter[tuple[str, str]], verdicts: Iterable[str]) -> dict[str, dict[str, int]]:
    """``{group: {verdict: n}}``, groups sorted by name, verdicts in catalogue
    order with zeros."""
    groups = sorted({g for g, _ in counts})
    order = list(verdicts)
    return {
        g: {v: counts[g, v] for v in order}
        | {v: n for (gg, v), n in counts.items() if gg == g and v not in order}
        for g in groups
    }
