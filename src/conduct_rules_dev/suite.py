"""The fast, in-process check suite: what a ruleset (or a mutant of it) must pass.

Why not pytest per mutant: a pytest start-up costs more than the whole suite on one ruleset. The
suite runs every check family over a seeded corpus with the python backend and stops at the first
failure, so a killed mutant costs milliseconds and only survivors pay for the full corpus.

Families: ``scenarios`` (the practice note's three scenarios, domain.md §2), ``source`` (the
hand-written source expectations, ``tests/source_cases/``: the evidence), ``citations`` (every item
cites exactly what the hand-written citation table gives it), ``edge`` (§3, one check per edge
case), ``output`` (citations exist, JSON round trip, verdict against lists), ``thresholds``
(monotonicity in the "reasonable efforts" parameters), ``oracle`` (agreement with the in-repo
second transcription of §4). ``INDEPENDENT`` is every family but the oracle: the documented subset
whose strength is reported "without the oracle".
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from conduct_rules.model.case import Case
from conduct_rules.rules.ruleset import Ruleset

from .cases import CHANNELS, corpus, with_changes
from .invariants import (
    EDGE_CASES,
    OUTPUT_CHECKS,
    VERDICT_RANK,
    Check,
    CheckFailed,
    Context,
    expect,
)
from .oracle import expected, observed
from .source import compare as compare_with_source
from .source import load_cases as load_source_cases
from .source import wrong_citations

__all__ = [
    "FAMILIES",
    "INDEPENDENT",
    "SCENARIOS",
    "THRESHOLD_CHECKS",
    "Failure",
    "agrees_with_decision_table",
    "checks_for",
    "cites_the_table",
    "more_attempts_never_unmeet",
    "raising_threshold_never_meets",
    "run_suite",
    "scenario_expectations_hold",
    "source_case_holds",
]


# ------------------------------------------------------------------------------ thresholds


def _outstanding(a: Any) -> set[str]:
    return {s.id for s in a.required_safeguards if s.status == "outstanding"}


def raising_threshold_never_meets(case: Case, ctx: Context) -> None:
    """Raising min_attempts, min_channels or min_referrals never meets an outstanding safeguard.

    Why: these parameters turn "reasonable efforts" (O. Reg. 384/00 s. 2 para. 8; scenario 2) into
    numbers; asking more can only leave more to do. Requirements do not depend on them at all.
    """
    base = ctx.run(case)
    for name, value in ctx.thresholds.items():
        spec = ctx.ruleset.parameters[name]
        if value + 1 > spec.maximum:
            continue
        raised = ctx.run(case, {name: value + 1})
        expect(
            {s.id for s in raised.required_safeguards} == {s.id for s in base.required_safeguards},
            f"{case.case_id}: raising {name} changed which safeguards are required",
        )
        gained = _outstanding(base) - _outstanding(raised)
        expect(not gained, f"{case.case_id}: raising {name} met {sorted(gained)}")
        expect(
            VERDICT_RANK[raised.verdict] <= VERDICT_RANK[base.verdict],
            f"{case.case_id}: raising {name} improved the verdict",
        )


def more_attempts_never_unmeet(case: Case, ctx: Context) -> None:
    """One more contact attempt (on a new or a used channel) never un-meets a safeguard.

    The one exception is ``document_process`` when the *first* attempt is listed: listing attempts
    makes ``contact_attempts`` a record to keep (§4 documentation table), which may be missing.
    """
    base = ctx.run(case)
    attempts = [a.model_dump(mode="json") for a in case.termination_session.attempts]
    used = {a["channel"] for a in attempts}
    fresh = next((ch for ch in CHANNELS if ch not in used), CHANNELS[0])
    for channel in {fresh, attempts[0]["channel"] if attempts else "email"}:
        more = [*attempts, {"channel": channel, "date": "2025-06-01"}]
        c = with_changes(case, **{"termination_session.attempts": more})
        after = ctx.run(c)
        lost = _outstanding(after) - _outstanding(base)
        if not attempts and "contact_attempts" not in case.documented:
            lost -= {"document_process"}
        expect(not lost, f"{case.case_id}: another attempt by {channel} un-met {sorted(lost)}")
        expect(
            VERDICT_RANK[after.verdict] >= VERDICT_RANK[base.verdict],
            f"{case.case_id}: another attempt worsened the verdict",
        )


THRESHOLD_CHECKS: dict[str, Check] = {
    f.__name__: f for f in (raising_threshold_never_meets, more_attempts_never_unmeet)
}


def agrees_with_decision_table(case: Case, ctx: Context) -> None:
    """The assessment says what domain.md §4 says, row by row (``oracle.expected``).

    The thresholds are the oracle's own defaults (domain.md §1: 2, 2, 2) plus the case's
    overrides, never the ruleset's: a wrong default in ``ruleset.yaml`` must show.
    """
    diff = expected(case, ctx.parameters).differences(observed(ctx.run(case)))
    expect(not diff, f"{case.case_id}: differs from §4: " + "; ".join(diff))


def cites_the_table(case: Case, ctx: Context) -> None:
    """Every item cites exactly what the hand-written citation table gives it (never from rules)."""
    wrong = wrong_citations(case, ctx.run(case))
    expect(not wrong, f"{case.case_id}: citations differ from the table: " + "; ".join(wrong))


def source_case_holds(
    data: Mapping[str, Any], params: Mapping[str, int], want: Any, ctx: Context
) -> None:
    """One hand-written source case gives exactly its expected answer (every item, citations)."""
    a = ctx.run(Case.model_validate(data), params)
    diff = compare_with_source(want, a)
    expect(not diff, "differs from the source: " + "; ".join(diff))


# ------------------------------------------------------------------------------- scenarios


def _scenario(case_id: str, **dotted: Any) -> Case:
    return with_changes(Case(case_id=case_id), **dotted)


_S1 = {
    "services.likely_to_benefit": False,
    "consultation.supervision": True,
    "transfer.summary_to_new_provider": True,
}
_S2 = {
    "initiated_by": "client",
    "client.withdrew": True,
    "court_order.applies": True,
    "alternatives.providers_offered": 3,
}
_S3 = {
    "member.objectivity_impaired": True,
    "member.feels_unsafe": True,
    "consultation.supervision": True,
    "alternatives.efforts_made": True,
}
_TWO_CHANNELS = [
    {"channel": "email", "date": "2024-03-04"},
    {"channel": "phone", "date": "2024-03-11"},
]

#: (case, expectations) drawn from the practice note's scenarios (domain.md §2). Expectations:
#: verdict; actions permitted (id -> required) or absent (None); safeguard statuses or absent.
SCENARIOS: tuple[tuple[Case, Mapping[str, Any]], ...] = (
    (
        _scenario("scenario-1/before-notice", **_S1),
        {
            "verdict": "not_permitted",
            "termination_required": True,
            "actions": {"continue_services": None, "refer_client": True},
            "safeguards": {
                "client_consent_for_transfer": "outstanding",
                "supervision_or_consultation": "met",
                "termination_session_efforts": "outstanding",
            },
            "missing": {"decision_rationale", "consultations", "client_consent"},
        },
    ),
    (
        _scenario(
            "scenario-1/after-notice",
            **_S1,
            **{"alternatives.opportunity_given": True, "alternatives.efforts_made": True},
            **{"alternatives.notice_days": 30},
        ),
        {
            "verdict": "conditional",
            "actions": {"end_services": False, "continue_services": None},
            "safeguards": {
                "termination_session_efforts": "outstanding",
                "arrange_alternative_services": "met",
                "reasonable_opportunity": "met",
            },
        },
    ),
    (
        _scenario(
            "scenario-1/after-session",
            **_S1,
            **{"alternatives.opportunity_given": True, "alternatives.efforts_made": True},
            **{"termination_session.status": "held", "termination_session.modality": "in_person"},
            **{"transfer.client_consent": True},
        ),
        {
            "verdict": "permitted",
            "safeguards": {"termination_session_efforts": "met"},
            "actions": {"termination_session_in_person": False, "end_by_written_notice": None},
        },
    ),
    (
        _scenario("scenario-2/before-legal-advice", **_S2),
        {
            "verdict": "conditional",
            "actions": {"seek_court_direction": False, "end_by_written_notice": None},
            "safeguards": {
                "legal_advice": "outstanding",
                "court_direction": "outstanding",
                "termination_session_efforts": "outstanding",
                "several_referrals": "met",
                "arrange_alternative_services": None,
            },
        },
    ),
    (
        _scenario(
            "scenario-2/ended-without-attempts",
            **_S2,
            stage="ended",
            **{"court_order.legal_advice_obtained": True},
            **{"termination_session.status": "attempted", "termination_session.attempts": []},
        ),
        {
            # v2 (§4.3 rule 1): a past ending with a 2.8 finding was not permitted.
            "verdict": "not_permitted",
            "findings": {"no_termination_session_efforts"},
        },
    ),
    (
        _scenario(
            "scenario-2/ended-after-attempts",
            **_S2,
            stage="ended",
            **{"court_order.legal_advice_obtained": True},
            **{"termination_session.status": "attempted"},
            **{"termination_session.attempts": _TWO_CHANNELS},
        ),
        {
            "verdict": "permitted",
            "actions": {"end_by_written_notice": False},
            "safeguards": {"termination_session_efforts": "met", "legal_advice": "met"},
            "findings": set(),
            # v2 (§4.6): the written notice record is asked for member-initiated endings only;
            # here the parent withdrew (2.8 ii).
            "missing": {"decision_rationale", "alternatives_and_referrals", "legal_advice"}
            | {"contact_attempts"},
        },
    ),
    (
        _scenario("scenario-3/before-threats", **_S3),
        {
            "verdict": "conditional",
            "termination_required": True,
            "actions": {
                "refer_client": True,
                "termination_session_in_person": None,
                "termination_session_remote": False,
                "continue_services": None,
            },
            "safeguards": {
                "termination_session_efforts": "outstanding",
                "remote_session_for_safety": "met",
                "reasonable_opportunity": "outstanding",
            },
        },
    ),
    (
        _scenario("scenario-3/after-threats", **_S3, **{"member.threats_received": True}),
        {
            "verdict": "permitted",
            "actions": {"end_by_written_notice": False, "termination_session_in_person": None},
            "safeguards": {"termination_session_efforts": None, "reasonable_opportunity": None},
            "missing": {"decision_rationale", "consultations", "alternatives_and_referrals"}
            | {"safety_concerns"},
        },
    ),
)


def scenario_expectations_hold(case: Case, ctx: Context, want: Mapping[str, Any]) -> None:
    """One scenario's expected outcome (domain.md §2) holds."""
    a = ctx.run(case)
    cid = case.case_id
    expect(a.verdict == want["verdict"], f"{cid}: verdict {a.verdict}, expected {want['verdict']}")
    if "termination_required" in want:
        expect(a.termination_required == want["termination_required"], f"{cid}: termination")
    actions = {x.id: x.required for x in a.permitted_actions}
    for aid, req in want.get("actions", {}).items():
        expect(actions.get(aid) == req, f"{cid}: action '{aid}' is {actions.get(aid)}, not {req}")
    statuses = {s.id: s.status for s in a.required_safeguards}
    for sid, status in want.get("safeguards", {}).items():
        got = statuses.get(sid)
        expect(got == status, f"{cid}: safeguard '{sid}' is {got}, expected {status}")
    if "findings" in want:
        got_f = {f.id for f in a.findings}
        expect(got_f == want["findings"], f"{cid}: findings {sorted(got_f)}")
    if "missing" in want:
        got_m = {d.id for d in a.missing_documentation}
        expect(got_m == want["missing"], f"{cid}: missing {sorted(got_m)}")


# ------------------------------------------------------------------------------- the suite

FAMILIES: tuple[str, ...] = (
    "scenarios",
    "source",
    "citations",
    "edge",
    "output",
    "thresholds",
    "oracle",
)
#: The documented subset measured "without the oracle": independent of the in-repo transcription.
INDEPENDENT: tuple[str, ...] = tuple(f for f in FAMILIES if f != "oracle")
_ONCE = ("scenarios", "source")
_ORDER = ("oracle", "citations", "output", "thresholds", "edge")


def checks_for(families: Iterable[str]) -> dict[str, Check]:
    """The per-case checks of the named families (``scenarios`` has none: it runs once)."""
    chosen = set(families)
    unknown = chosen - set(FAMILIES)
    if unknown:
        raise ValueError(f"unknown check families {sorted(unknown)}; known: {', '.join(FAMILIES)}")
    out: dict[str, Check] = {}
    if "citations" in chosen:
        out["cites_the_table"] = cites_the_table
    if "edge" in chosen:
        out |= EDGE_CASES
    if "output" in chosen:
        out |= OUTPUT_CHECKS
    if "thresholds" in chosen:
        out |= THRESHOLD_CHECKS
    if "oracle" in chosen:
        out["agrees_with_decision_table"] = agrees_with_decision_table
    return out


@dataclass(frozen=True)
class Failure:
    """A check that failed: its name, the case id, and the message (ids and fields only)."""

    check: str
    case_id: str
    message: str


def run_suite(
    ruleset: Ruleset,
    *,
    families: Sequence[str] = FAMILIES,
    cases: Sequence[tuple[Case, Mapping[str, int]]] | None = None,
    backend: str = "python",
    stop_at_first: bool = True,
    known: Mapping[tuple[str, str], str] | None = None,
    limits: Mapping[str, int] | None = None,
) -> list[Failure]:
    """Run the chosen check families against ``ruleset``; return the failures (empty: passed).

    Any exception a check raises counts as a failure (a ruleset concluding two verdicts raises
    ``EvaluationError``, which a test would report too). ``known`` maps (check, case id) to the
    message the unmutated ruleset already fails with: such a check still tells a mutant apart when
    its message changes (a pinned item changed), or when it passes. ``limits`` caps the number of
    corpus cases a family runs over (the edge properties assess each case many times).
    """
    failures: list[Failure] = []
    known = known or {}

    def attempt(name: str, case_id: str, run: Any) -> bool:
        message: str | None = None
        try:
            run()
        except CheckFailed as exc:
            message = str(exc)
        except Exception as exc:  # noqa: BLE001 - any error is a failing test; report its type
            message = f"{type(exc).__name__}: {exc}"
        before = known.get((name, case_id))
        if message == before:
            return True
        if message is None:
            message = "passes where the unmutated ruleset fails: a pinned answer changed"
        failures.append(Failure(name, case_id, message))
        return not stop_at_first

    ctx = Context(ruleset, backend)
    if "source" in families:
        for sc in load_source_cases():
            run = functools.partial(source_case_holds, sc.data, sc.parameters, sc.expected, ctx)
            if not attempt("source", sc.name, run):
                return failures
    if "scenarios" in families:
        for case, want in SCENARIOS:
            run = functools.partial(scenario_expectations_hold, case, ctx, want)
            if not attempt("scenarios", case.case_id, run):
                return failures
    # Cheap, sharp families first: most mutants die in the oracle within a few cases.
    for family in sorted((f for f in families if f not in _ONCE), key=_ORDER.index):
        checks = checks_for([family])
        chosen = cases if cases is not None else list(corpus())
        for case, params in chosen[: (limits or {}).get(family, len(chosen))]:
            cctx = ctx.with_parameters(params)
            for name, check in checks.items():
                if not attempt(name, case.case_id, functools.partial(check, case, cctx)):
                    return failures
    return failures
