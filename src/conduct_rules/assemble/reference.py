"""The reference build of an ``Assessment``: every part built and validated by pydantic.

Why apart: it is the meaning of an assessment, and the cached paths (``assemble.build.Plan``,
``assemble.lazy.ByFlags``) only reuse what it built; ``tests/properties/test_backends_agree.py`` and
``tests/unit/test_assemble_memo.py`` compare them with it byte for byte. Each builder reads facts
for their truth only (the cache keys rely on it), and the rules that concluded each item
(``_sources_of``) for its citations.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, get_args

from conduct_rules.assemble.summary import Summarizer
from conduct_rules.engines import Evaluation
from conduct_rules.errors import EvaluationError
from conduct_rules.model.assessment import (
    Action,
    Assessment,
    Documentation,
    Finding,
    Item,
    RulesetRef,
    Safeguard,
    Warning_,
)
from conduct_rules.model.version import SCHEMA_VERSION
from conduct_rules.rules.editions import edition_refs
from conduct_rules.rules.facts import (
    ACTION,
    ACTION_REQUIRED,
    DOCUMENT_MISSING,
    DOCUMENT_REQUIRED,
    FINDING,
    SAFEGUARD_OUTSTANDING,
    SAFEGUARD_REQUIRED,
    TERMINATION_REQUIRED,
    VERDICT,
    keys_of,
)
from conduct_rules.rules.ruleset import Ruleset

if TYPE_CHECKING:
    pass

__all__ = ["Make", "PartBuilder", "Sources"]

_FIELD_ORDER = (
    "case_id", "lang", "verdict", "verdict_explanation", "summary", "termination_required",
    "permitted_actions", "required_safeguards", "missing_documentation",
    "required_documentation", "findings", "derived_facts", "rules_fired", "ruleset", "engine",
    "warnings", "schema_version",
)  # fmt: skip
#: The assembled path is used only while the model still has exactly these fields.
_ASSEMBLY_OK = tuple(Assessment.model_fields) == _FIELD_ORDER
_ENGINES = frozenset(get_args(Assessment.model_fields["engine"].annotation))
_VERDICTS = frozenset(get_args(Assessment.model_fields["verdict"].annotation))
_FIELDS = frozenset(Assessment.model_fields)

Sources = dict[tuple[str, str], list[str]]


def _rules_by_id(ruleset: Ruleset) -> dict[str, Any]:
    """The rules by id (a few dozen: built where needed, on the reference path only)."""
    return {r.id: r for r in ruleset.rules}


def _sources_of(ruleset: Ruleset, ev: Evaluation) -> Sources:
    """(kind, target) -> the fired rules that concluded it, in the order they fired."""
    by_id = _rules_by_id(ruleset)
    out: Sources = {}
    for rid in ev.fired:
        if "#" not in rid:  # a rule's second-condition units conclude nothing more
            for c in by_id[rid].then:
                out.setdefault((c.kind, c.target), []).append(rid)
    return out


def _citations(ruleset: Ruleset, rules: Sequence[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    if rules:
        by_id = _rules_by_id(ruleset)
        for rid in rules:
            for cite in by_id[rid].cites:
                seen.setdefault(cite, None)
    return tuple(seen)


# --------------------------------------------------------------------------------------------
# The reference code: each part built and validated by pydantic


def _common(
    ruleset: Ruleset, sources: Sources, fr: bool, kind: str, item_id: str, spec: Any
) -> dict[str, Any]:
    rules = sources.get((kind, item_id), [])
    return {
        "id": item_id,
        "label": spec.label["fr" if fr else "en"],
        "explanation": spec.fr if fr else spec.en,
        "citations": _citations(ruleset, rules),
        "force": spec.force,
        "rules": tuple(rules),
    }


_I = TypeVar("_I", bound=Item)


class Make(Protocol):
    """How a part builder gets one item: validated now (``_validate``) or memoised (``_Plan``)."""

    def __call__(
        self,
        cls: type[_I],
        ruleset: Ruleset,
        sources: Sources,
        fr: bool,
        kind: str,
        item_id: str,
        spec: Any,
        **extra: Any,
    ) -> _I: ...


def _validate(
    cls: type[_I],
    ruleset: Ruleset,
    sources: Sources,
    fr: bool,
    kind: str,
    item_id: str,
    spec: Any,
    **extra: Any,
) -> _I:
    """One item, built and validated by pydantic: the reference."""
    return cls(**_common(ruleset, sources, fr, kind, item_id, spec), **extra)


def _validated_actions(
    ruleset: Ruleset,
    facts: Mapping[str, Any],
    sources: Sources,
    fr: bool,
    make: Make = _validate,
) -> tuple[Action, ...]:
    return tuple(
        make(
            Action, ruleset, sources, fr, "permit", a, spec,
            required=bool(facts.get(ACTION_REQUIRED.format(a))),
        )
        for a, spec in ruleset.outputs.actions.items()
        if facts.get(ACTION.format(a))
    )  # fmt: skip


def _validated_safeguards(
    ruleset: Ruleset,
    facts: Mapping[str, Any],
    sources: Sources,
    fr: bool,
    make: Make = _validate,
) -> tuple[Safeguard, ...]:
    return tuple(
        make(
            Safeguard, ruleset, sources, fr, "safeguard", sid, spec,
            status="outstanding" if facts.get(SAFEGUARD_OUTSTANDING.format(sid)) else "met",
            blocking=spec.blocking,
        )
        for sid, spec in ruleset.outputs.safeguards.items()
        if facts.get(SAFEGUARD_REQUIRED.format(sid))
    )  # fmt: skip


def _validated_missing(
    ruleset: Ruleset,
    facts: Mapping[str, Any],
    sources: Sources,
    fr: bool,
    make: Make = _validate,
) -> tuple[Documentation, ...]:
    return tuple(
        make(Documentation, ruleset, sources, fr, "document", d, spec)
        for d, spec in ruleset.outputs.documentation.items()
        if facts.get(DOCUMENT_MISSING.format(d))
    )


def _validated_findings(
    ruleset: Ruleset,
    facts: Mapping[str, Any],
    sources: Sources,
    fr: bool,
    make: Make = _validate,
) -> tuple[Finding, ...]:
    return tuple(
        make(Finding, ruleset, sources, fr, "finding", f, spec)
        for f, spec in ruleset.outputs.findings.items()
        if facts.get(FINDING.format(f))
    )


def _verdict(ruleset: Ruleset, facts: Mapping[str, Any], case_id: str, ev: Evaluation) -> str:
    verdicts = [v for v in ruleset.outputs.verdicts if facts.get(VERDICT.format(v))]
    if len(verdicts) != 1:
        sources = _sources_of(ruleset, ev)
        rules = [r for v in verdicts for r in sources.get(("verdict", v), [])]
        what = "no verdict" if not verdicts else "opposite verdicts " + ", ".join(verdicts)
        raise EvaluationError(
            f"ruleset {ruleset.id} {ruleset.version} concluded {what} for case "
            f"'{case_id}' (rules: {', '.join(rules) or 'none'})"
        )
    return verdicts[0]


def _validated(
    ruleset: Ruleset,
    case_id: str,
    ev: Evaluation,
    *,
    lang: str,
    engine: str,
    warnings: Sequence[Warning_] = (),
) -> Assessment:
    """The reference build: every value validated by pydantic."""
    facts = ev.facts
    fr = lang == "fr"
    verdict = _verdict(ruleset, facts, case_id, ev)
    sources = _sources_of(ruleset, ev)
    out = ruleset.outputs
    vspec = out.verdicts[verdict]
    termination_required = bool(facts.get(TERMINATION_REQUIRED, False))
    safeguards = _validated_safeguards(ruleset, facts, sources, fr)
    findings = _validated_findings(ruleset, facts, sources, fr)
    derived = {k: bool(facts.get(k, False)) for k in ruleset.header.derived}
    rules_fired = tuple(dict.fromkeys(n.split("#", 1)[0] for n in ev.fired))
    summary = Summarizer(ruleset, lang).summary(
        verdict, termination_required, derived, rules_fired, safeguards, findings
    )
    return Assessment(
        case_id=case_id,
        lang="fr" if fr else "en",
        verdict=verdict,  # type: ignore[arg-type]
        verdict_explanation=vspec.fr if fr else vspec.en,
        summary=summary,
        termination_required=termination_required,
        permitted_actions=_validated_actions(ruleset, facts, sources, fr),
        required_safeguards=safeguards,
        missing_documentation=_validated_missing(ruleset, facts, sources, fr),
        required_documentation=tuple(
            d for d in out.documentation if facts.get(DOCUMENT_REQUIRED.format(d))
        ),
        findings=findings,
        derived_facts=derived,
        rules_fired=rules_fired,
        ruleset=RulesetRef(
            id=ruleset.id,
            version=ruleset.version,
            parameters=dict(ruleset.parameter_values),
            editions=edition_refs(ruleset.header, lang),
        ),
        engine=engine,  # type: ignore[arg-type]
        warnings=tuple(warnings),
        schema_version=SCHEMA_VERSION,
    )


class _Fallback(Exception):  # noqa: N818 - a control-flow signal, not an error
    """This evaluation takes the reference build (unknown unit, ambiguous verdict, ...)."""


#: What concludes an item of each part (``then`` kinds), in the order of ``_part_keys``.
_PART_KINDS = ("permit", "safeguard", "document", "finding")


def _part_keys(out: Any) -> tuple[list[str], ...]:
    """The facts each part's reference builder reads: actions, safeguards, missing, findings."""
    return (
        [k for a in out.actions for k in (ACTION.format(a), ACTION_REQUIRED.format(a))],
        [
            k
            for s in out.safeguards
            for k in (SAFEGUARD_REQUIRED.format(s), SAFEGUARD_OUTSTANDING.format(s))
        ],
        keys_of(DOCUMENT_MISSING, out.documentation),
        keys_of(FINDING, out.findings),
    )


PartBuilder = Callable[[Ruleset, Mapping[str, Any], Sources, bool, Make], tuple[Item, ...]]
