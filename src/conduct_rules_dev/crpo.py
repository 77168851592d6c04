"""Checks for the CRPO Standard 6.3 ruleset: corpus, oracle and invariants, for mutation runs.

Why a module of its own: the Ontario suite (``suite.py``, ``invariants.py``, ``oracle.py``)
speaks of O. Reg. 384/00 and the practice note, and another ruleset must not bend it. This module
gives the CRPO ruleset the same three layers — a seeded corpus biased to the fields Standard 6.3
reads, an oracle written independently of ``rules.yaml`` from the product's reading (the
decision table of the CRPO domain page), and the edge-case invariants the issue names (protected
ground always ``not_permitted``; referrals required exactly when the client is interested;
monotonicity; order independence) — with ``run_suite``'s signature, so the mutation tool can
use it unchanged (``python -m conduct_rules_dev.mutation --ruleset crpo-6.3``).
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Iterator, Mapping, Sequence

from conduct_rules.model.case import Case
from conduct_rules.rules.ruleset import Ruleset

from .cases import CRPO_DOCUMENTATION, random_case, with_changes
from .invariants import (
    VERDICT_RANK,
    Check,
    CheckFailed,
    Context,
    citations_exist,
    expect,
    json_round_trips,
    one_rule_decides_the_verdict,
)
from .oracle import Expected, observed
from .source import CRPO_CASE_FILES, CRPO_HERE, load_cases, wrong_citations
from .suite import Failure, raising_threshold_never_meets, source_case_holds

__all__ = [
    "CRPO_CHECKS",
    "CRPO_DOCUMENTATION",
    "CRPO_FAMILIES",
    "DEFAULT_PARAMETERS",
    "SATISFY",
    "corpus",
    "expected",
    "random_crpo_case",
    "run_suite",
]

#: The reading's threshold: one provider named counts as reasonable efforts to refer (6.3.3).
DEFAULT_PARAMETERS: Mapping[str, int] = {"min_referrals": 1}
_BLOCKING = frozenset({"referrals_to_other_providers", "reasons_communicated"})


def random_crpo_case(rng: random.Random, case_id: str = "P-0") -> Case:
    """A case over the whole contract, with the CRPO fields drawn and biased to matter."""
    base = random_case(rng, case_id).model_dump(mode="json")
    b = rng.random
    base["member"]["good_faith"] = b() < 0.8
    base["member"]["reason_protected_ground"] = b() < 0.15
    base["client"]["interested_in_further_treatment"] = b() < 0.7
    base["client"]["informed_of_reasons"] = rng.choice([True, True, False, False, None])
    base["alternatives"]["providers_offered"] = rng.choice([0, 0, 0, 1, 1, 2, 3])
    base["alternatives"]["efforts_made"] = b() < 0.3
    docs = [d for d in base["documented"] if d not in CRPO_DOCUMENTATION]
    if b() < 0.3:
        docs += list(CRPO_DOCUMENTATION)
    else:
        docs += [d for d in CRPO_DOCUMENTATION if b() < 0.5]
    base["documented"] = docs
    return Case.model_validate(base)


def corpus(size: int = 300, seed: int = 20261130) -> Iterator[tuple[Case, dict[str, int]]]:
    """``size`` cases with ``min_referrals`` overrides now and then, the same for a seed."""
    rng = random.Random(seed)
    for i in range(size):
        case = random_crpo_case(rng, f"P-{i}")
        params = {} if rng.random() < 0.6 else {"min_referrals": rng.choice([1, 2, 3])}
        yield case, params


def expected(case: Case, parameters: Mapping[str, int] | None = None) -> Expected:
    """What the reading says for ``case``, computed without the ruleset."""
    p = {**DEFAULT_PARAMETERS, **(parameters or {})}
    m, cl, alt = case.member, case.client, case.alternatives
    ending = case.stage in ("considering", "ended")
    ended = case.stage == "ended"
    barred = m.reason_protected_ground or not m.good_faith
    referrals = alt.providers_offered >= p["min_referrals"] or alt.efforts_made
    interested = cl.interested_in_further_treatment
    safeguards: dict[str, tuple[str, bool]] = {}
    if ending:
        if interested:
            safeguards["referrals_to_other_providers"] = (
                "met" if referrals else "outstanding",
                True,
            )
        safeguards["reasons_communicated"] = (
            "met" if cl.informed_of_reasons is True else "outstanding",
            True,
        )
        if interested:
            safeguards["opportunity_to_arrange_services"] = (
                "met" if alt.opportunity_given else "outstanding",
                False,
            )
        all_docs = set(CRPO_DOCUMENTATION) <= set(case.documented)
        safeguards["discontinuation_documented"] = ("met" if all_docs else "outstanding", False)
    required = frozenset(CRPO_DOCUMENTATION) if ending else frozenset()
    findings: set[str] = set()
    if ended:
        if m.reason_protected_ground:
            findings.add("protected_ground_discontinuation")
        if not m.good_faith:
            findings.add("not_in_good_faith")
        if interested and not referrals:
            findings.add("no_referrals")
        if cl.informed_of_reasons is False:  # a silent file (None) is no evidence of a breach
            findings.add("reasons_not_communicated")
    blocking = any(s == "outstanding" and blk for s, blk in safeguards.values())
    if barred or findings:
        verdict = "not_permitted"
    elif blocking:
        verdict = "conditional"
    else:
        verdict = "permitted"
    actions = {"refer_client": ending and interested}
    if verdict != "not_permitted":
        actions = {"end_services": False, **actions}
    return Expected(
        verdict=verdict,
        termination_required=False,
        actions=actions,
        safeguards=safeguards,
        required_documentation=required,
        missing_documentation=required - set(case.documented),
        findings=frozenset(findings),
        derived={
            "ending": ending,
            "barred": barred,
            "referrals_made": referrals,
            "breach_found": bool(findings),
            "blocking_outstanding": blocking,
        },
        parameters=p,
    )


# ---------------------------------------------------------------------------------- checks


def agrees_with_reading(case: Case, ctx: Context) -> None:
    """The assessment says what the reading says (thresholds: the reading's, plus overrides)."""
    diff = expected(case, ctx.parameters).differences(observed(ctx.run(case)))
    expect(not diff, f"{case.case_id}: differs from the reading: " + "; ".join(diff))


def protected_ground_always_not_permitted(case: Case, ctx: Context) -> None:
    """6.3.2: whatever else holds, a reason on a protected ground is never permitted."""
    for stage in ("considering", "ended", "continued"):
        c = with_changes(case, stage=stage, **{"member.reason_protected_ground": True})
        a = ctx.run(c)
        expect(a.verdict == "not_permitted", f"{case.case_id}: protected ground, {stage}")
        expect(
            all(x.id != "end_services" for x in a.permitted_actions),
            f"{case.case_id}: protected ground yet ending allowed",
        )


def referrals_required_exactly_when_interested(case: Case, ctx: Context) -> None:
    """6.3.3: when services end, referral is required iff the client wants further treatment."""
    for interested in (True, False):
        c = with_changes(case, **{"client.interested_in_further_treatment": interested})
        a = ctx.run(c)
        refer = {x.id: x.required for x in a.permitted_actions}.get("refer_client")
        ending = c.stage in ("considering", "ended")
        expect(refer is not None, f"{case.case_id}: referral not offered")
        expect(refer == (ending and interested), f"{case.case_id}: referral required={refer}")
        has = any(s.id == "referrals_to_other_providers" for s in a.required_safeguards)
        expect(has == (ending and interested), f"{case.case_id}: referral safeguard={has}")


def nothing_owed_without_an_ending(case: Case, ctx: Context) -> None:
    """Standard 6.3 governs discontinuing: while services continue it asks nothing.

    No safeguard, no record required (whatever the file holds), no finding, referral open but
    not required; the reason itself (6.3.2, good faith) still decides the verdict.
    """
    c = with_changes(case, stage="continued")
    a = ctx.run(c)
    cid = case.case_id
    expect(not a.required_safeguards, f"{cid}: a safeguard owed while services continue")
    expect(not a.required_documentation, f"{cid}: a record required while services continue")
    expect(not a.findings, f"{cid}: a finding while services continue")
    expect(
        all(not x.required for x in a.permitted_actions),
        f"{cid}: an action required while services continue",
    )


def _all_documented(case: Case, params: Mapping[str, int]) -> Case:
    del params
    return with_changes(case, documented=[*case.documented, *CRPO_DOCUMENTATION])


#: For each CRPO safeguard, the smallest change a registrant could make to meet it.
SATISFY: dict[str, Callable[[Case, Mapping[str, int]], Case]] = {
    "referrals_to_other_providers": lambda c, p: with_changes(
        c,
        **{
            "alternatives.providers_offered": max(
                c.alternatives.providers_offered, p["min_referrals"]
            )
        },
    ),
    "reasons_communicated": lambda c, p: with_changes(c, **{"client.informed_of_reasons": True}),
    "opportunity_to_arrange_services": lambda c, p: with_changes(
        c, **{"alternatives.opportunity_given": True}
    ),
    "discontinuation_documented": _all_documented,
}


def meeting_a_safeguard_never_worsens(case: Case, ctx: Context) -> None:
    """Monotonicity: meeting an outstanding safeguard, or documenting, never makes things worse.

    The verdict never drops, no safeguard becomes outstanding, no record goes missing and no
    finding appears.
    """
    base = ctx.run(case)
    thresholds = {**DEFAULT_PARAMETERS, **ctx.thresholds}
    for s in base.required_safeguards:
        if s.status != "outstanding":
            continue
        after = ctx.run(SATISFY[s.id](case, thresholds))
        expect(
            VERDICT_RANK[after.verdict] >= VERDICT_RANK[base.verdict],
            f"{case.case_id}: meeting '{s.id}' worsened the verdict",
        )
        out_before = {x.id for x in base.required_safeguards if x.status == "outstanding"}
        out_after = {x.id for x in after.required_safeguards if x.status == "outstanding"}
        expect(s.id not in out_after, f"{case.case_id}: '{s.id}' still outstanding once met")
        expect(out_after <= out_before, f"{case.case_id}: meeting '{s.id}' un-met another")
        expect(
            {f.id for f in after.findings} <= {f.id for f in base.findings},
            f"{case.case_id}: meeting '{s.id}' added a finding",
        )
        missing_after = {d.id for d in after.missing_documentation}
        expect(
            missing_after <= {d.id for d in base.missing_documentation},
            f"{case.case_id}: meeting '{s.id}' added a missing record",
        )


def order_free_and_deterministic(case: Case, ctx: Context) -> None:
    """List order never matters and the same case gives byte-identical JSON."""
    first = ctx.run(case).to_json()
    expect(ctx.run(case).to_json() == first, f"{case.case_id}: two runs differ")
    data = case.model_dump(mode="json")
    data["documented"] = list(reversed(data["documented"])) + data["documented"][:1]
    data["termination_session"]["attempts"].reverse()
    shuffled = ctx.run(Case.model_validate(data)).to_json()
    expect(shuffled == first, f"{case.case_id}: result depends on list order")


def cites_the_crpo_table(case: Case, ctx: Context) -> None:
    """Every item cites exactly what the hand-written CRPO citation table gives it."""
    wrong = wrong_citations(case, ctx.run(case), CRPO_HERE)
    expect(not wrong, f"{case.case_id}: citations differ from the table: " + "; ".join(wrong))


def verdict_agrees_with_crpo_lists(case: Case, ctx: Context) -> None:
    """The verdict and the lists tell one story, as the reading's verdict line and table say.

    Only referrals (6.3.3) and explained reasons (6.3.4) come before the ending (the blocking
    column); ``not_permitted`` exactly when a protected ground, bad faith or a finding holds;
    ``conditional`` exactly when, besides, a blocking safeguard is outstanding; findings only
    after the ending; ending offered exactly when not ``not_permitted``.
    """
    a = ctx.run(case)
    cid = case.case_id
    for s in a.required_safeguards:
        expect(s.blocking == (s.id in _BLOCKING), f"{cid}: '{s.id}' blocking={s.blocking}")
    blocking_out = any(s.blocking and s.status == "outstanding" for s in a.required_safeguards)
    barred = case.member.reason_protected_ground or not case.member.good_faith
    expect(not a.findings or case.stage == "ended", f"{cid}: a finding before the ending")
    if barred or a.findings:
        want = "not_permitted"
    else:
        want = "conditional" if blocking_out else "permitted"
    expect(a.verdict == want, f"{cid}: verdict {a.verdict} where the lists say {want}")
    ending = any(x.id == "end_services" for x in a.permitted_actions)
    expect(ending == (a.verdict != "not_permitted"), f"{cid}: ending offered={ending}")


#: The CRPO check families, named like the Ontario ones (``suite.FAMILIES``) so that the
#: mutation tool's ``--checks`` applies: ``source`` (the hand-written cases of
#: ``tests/source_cases/crpo/``), ``citations`` (its citation table), ``edge`` (the invariants the
#: issue names), ``output`` (consistency of the output), ``thresholds`` (min_referrals) and
#: ``oracle`` (the second transcription of the reading, ``expected`` above).
CRPO_FAMILIES: dict[str, dict[str, Check]] = {
    "source": {},
    "citations": {"cites_the_crpo_table": cites_the_crpo_table},
    "edge": {
        f.__name__: f
        for f in (
            protected_ground_always_not_permitted,
            referrals_required_exactly_when_interested,
            nothing_owed_without_an_ending,
            meeting_a_safeguard_never_worsens,
            order_free_and_deterministic,
        )
    },
    "output": {
        f.__name__: f
        for f in (
            citations_exist,
            json_round_trips,
            verdict_agrees_with_crpo_lists,
            one_rule_decides_the_verdict,
        )
    },
    "thresholds": {"raising_threshold_never_meets": raising_threshold_never_meets},
    "oracle": {"agrees_with_reading": agrees_with_reading},
}

#: Every per-case CRPO check, the oracle included.
CRPO_CHECKS: dict[str, Check] = {
    name: check for family in CRPO_FAMILIES.values() for name, check in family.items()
}


def run_suite(
    ruleset: Ruleset,
    *,
    families: Sequence[str] = tuple(CRPO_FAMILIES),
    cases: Sequence[tuple[Case, Mapping[str, int]]] | None = None,
    backend: str = "python",
    stop_at_first: bool = True,
    known: Mapping[tuple[str, str], str] | None = None,
    limits: Mapping[str, int] | None = None,
) -> list[Failure]:
    """Run the chosen CRPO check families over ``cases`` (default: the seeded corpus).

    Called like ``suite.run_suite``: a family name the CRPO checks do not have (``scenarios``:
    the practice note's scenarios are Ontario's) is ignored; ``known`` and ``limits`` mean what
    they mean there. Any exception a check raises counts as a failure.
    """
    failures: list[Failure] = []
    known = known or {}

    def attempt(name: str, case_id: str, run: Callable[[], None]) -> bool:
        message: str | None = None
        try:
            run()
        except CheckFailed as exc:
            message = str(exc)
        except Exception as exc:  # noqa: BLE001 - any error is a failing check
            message = f"{type(exc).__name__}: {exc}"
        if message == known.get((name, case_id)):
            return True
        if message is None:
            message = "passes where the unmutated ruleset fails: a pinned answer changed"
        failures.append(Failure(name, case_id, message))
        return not stop_at_first

    ctx = Context(ruleset, backend)
    if "source" in families:
        for sc in load_cases(CRPO_HERE, CRPO_CASE_FILES):
            run = functools.partial(source_case_holds, sc.data, sc.parameters, sc.expected, ctx)
            if not attempt("source", sc.name, run):
                return failures
    chosen = list(cases) if cases is not None else list(corpus())
    # The oracle first when asked: it is the sharpest; then the cheap families.
    for family in ("oracle", "citations", "output", "thresholds", "edge"):
        if family not in families:
            continue
        for case, params in chosen[: (limits or {}).get(family, len(chosen))]:
            cctx = ctx.with_parameters(params)
            for name, check in CRPO_FAMILIES[family].items():
                if not attempt(name, case.case_id, functools.partial(check, case, cctx)):
                    return failures
    return failures
