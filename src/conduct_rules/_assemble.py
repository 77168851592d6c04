"""Build the ``Assessment`` from what a backend concluded — one function for every backend.

Why one function: the backends must only be able to differ in which units fired. Texts, ordering,
citations and the verdict check all happen here, in the ruleset's catalogue order, so the JSON is
stable byte for byte.
"""

from __future__ import annotations

from collections.abc import Sequence

from conduct_rules.assessment import (
    Action,
    Assessment,
    Documentation,
    Finding,
    RulesetRef,
    Safeguard,
    Warning_,
)
from conduct_rules.case import Case
from conduct_rules.engines import Evaluation
from conduct_rules.errors import EvaluationError
from conduct_rules.ruleset import Ruleset

__all__ = ["build_assessment"]


def _sources(ruleset: Ruleset, fired_rules: Sequence[str]) -> dict[tuple[str, str], list[str]]:
    by_id = {r.id: r for r in ruleset.rules}
    out: dict[tuple[str, str], list[str]] = {}
    for rid in fired_rules:
        for c in by_id[rid].then:
            out.setdefault((c.kind, c.target), []).append(rid)
    return out


def _citations(ruleset: Ruleset, rules: Sequence[str]) -> tuple[str, ...]:
    by_id = {r.id: r for r in ruleset.rules}
    seen: dict[str, None] = {}
    for rid in rules:
        for cite in by_id[rid].cites:
            seen.setdefault(cite, None)
    return tuple(seen)


def build_assessment(
    ruleset: Ruleset,
    case: Case,
    ev: Evaluation,
    *,
    lang: str,
    engine: str,
    warnings: Sequence[Warning_] = (),
) -> Assessment:
    """Turn an evaluation into an assessment; raise ``EvaluationError`` on an ambiguous verdict."""
    facts = ev.facts
    fired_rules = tuple(dict.fromkeys(n.split("#", 1)[0] for n in ev.fired))
    main_fired = tuple(n for n in ev.fired if "#" not in n)
    sources = _sources(ruleset, main_fired)
    out = ruleset.outputs
    fr = lang == "fr"

    verdicts = [v for v in out.verdicts if facts.get(f"verdict.{v}")]
    if len(verdicts) != 1:
        rules = [r for v in verdicts for r in sources.get(("verdict", v), [])]
        what = "no verdict" if not verdicts else "opposite verdicts " + ", ".join(verdicts)
        raise EvaluationError(
            f"ruleset {ruleset.id} {ruleset.version} concluded {what} for case "
            f"'{case.case_id}' (rules: {', '.join(rules) or 'none'})"
        )
    verdict = verdicts[0]

    def common(kind: str, item_id: str, spec: object) -> dict[str, object]:
        rules = sources.get((kind, item_id), [])
        return {
            "id": item_id,
            "label": spec.label["fr" if fr else "en"],  # type: ignore[attr-defined]
            "explanation": spec.fr if fr else spec.en,  # type: ignore[attr-defined]
            "citations": _citations(ruleset, rules),
            "force": spec.force,  # type: ignore[attr-defined]
            "rules": tuple(rules),
        }

    actions = tuple(
        Action(**common("permit", a, spec), required=bool(facts.get(f"action.{a}.required")))  # type: ignore[arg-type]
        for a, spec in out.actions.items()
        if facts.get(f"action.{a}")
    )
    safeguards = tuple(
        Safeguard(
            **common("safeguard", sid, spec),  # type: ignore[arg-type]
            status="outstanding" if facts.get(f"safeguard.{sid}.outstanding") else "met",
            blocking=spec.blocking,
        )
        for sid, spec in out.safeguards.items()
        if facts.get(f"safeguard.{sid}.required")
    )
    missing = tuple(
        Documentation(**common("document", d, spec))  # type: ignore[arg-type]
        for d, spec in out.documentation.items()
        if facts.get(f"documentation.{d}.missing")
    )
    required_docs = tuple(d for d in out.documentation if facts.get(f"documentation.{d}.required"))
    findings = tuple(
        Finding(**common("finding", f, spec))  # type: ignore[arg-type]
        for f, spec in out.findings.items()
        if facts.get(f"finding.{f}")
    )
    vspec = out.verdicts[verdict]
    return Assessment(
        case_id=case.case_id,
        lang="fr" if fr else "en",
        verdict=verdict,  # type: ignore[arg-type]
        verdict_explanation=vspec.fr if fr else vspec.en,
        termination_required=bool(facts.get("termination_required", False)),
        permitted_actions=actions,
        required_safeguards=safeguards,
        missing_documentation=missing,
        required_documentation=required_docs,
        findings=findings,
        derived_facts={k: bool(facts.get(k, False)) for k in ruleset.header.derived},
        rules_fired=fired_rules,
        ruleset=RulesetRef(
            id=ruleset.id, version=ruleset.version, parameters=dict(ruleset.parameter_values)
        ),
        engine=engine,  # type: ignore[arg-type]
        warnings=tuple(warnings),
    )
