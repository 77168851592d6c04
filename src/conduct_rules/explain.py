"""Explanations: which rules fired for a case, on which facts, applying which provisions.

Why a derivation and not only the assessment: a trainer asks "why is this safeguard owed?", an
auditor "which provision does this rest on?", a practitioner "what is still missing?". The
answers come from the same compiled units the engines run (``Ruleset.units``), evaluated by the
python backend, so an explanation can never disagree with ``assess``. Each condition is taken
apart into its *leaves* (a yes/no fact, or a comparison), rendered with readable labels.

``explain(case)`` lists every rule that fired, in evaluation order, with the leaves that made it
fire and the provisions it applies. ``why_not(case, item_id)`` answers the opposite question: for
an item that does not hold (a verdict, an action, a safeguard not met, a record not made), the
leaves still false in each rule that would conclude it, expanded through derived facts.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from conduct_rules._labels import Lang, Scalar, colon, fact_label, value_text
from conduct_rules._schema import OutputSpec
from conduct_rules.api import get_ruleset
from conduct_rules.case import Case
from conduct_rules.conditions import All, Any_, Cmp, Condition, Const, Not, Ref, bind, evaluate
from conduct_rules.engines import Evaluation
from conduct_rules.engines.python import PythonBackend
from conduct_rules.errors import OptionError, check_lang
from conduct_rules.ruleset import Ruleset, Unit

__all__ = [
    "Check",
    "Concluded",
    "Explanation",
    "FiredRule",
    "Missing",
    "ProvisionRef",
    "Route",
    "WhyNot",
    "check_text",
    "evaluate_case",
    "explain",
    "missing_text",
    "why_not",
]

_SYM = {"eq": "=", "ne": "≠", "gt": ">", "gte": "≥", "lt": "<", "lte": "≤"}
_IN = {"en": "is one of", "fr": "est l'un de"}
#: How deep ``why_not`` follows derived facts into the rules that conclude them.
MAX_DEPTH = 6


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProvisionRef(_Model):
    """A provision a rule applies: its id, where it comes from, and a paraphrase."""

    id: str
    source: str
    text: str


class Check(_Model):
    """One leaf of a condition, evaluated on the case: what it reads and what it found."""

    fact: str
    text: str  # the leaf as a statement: "number of attempts … ≥ 2"
    label: str  # the fact's name alone: "number of attempts …"
    kind: Literal["flag", "choice", "compare"]  # yes/no; equal to / one of; more or less than
    value: Scalar
    holds: bool
    expected: bool = True  # False for a leaf under a ``not``: the rule needs it false


class Concluded(_Model):
    """One conclusion of a fired rule, with its second condition (met / recorded / required)."""

    kind: str
    id: str
    text: str
    second: str | None = None
    second_holds: bool | None = None
    second_because: tuple[Check, ...] = ()


class FiredRule(_Model):
    """A rule that fired: the leaves that made it fire, what it concluded, what it applies."""

    rule: str
    stratum: int
    note: str | None
    because: tuple[Check, ...]
    concluded: tuple[Concluded, ...]
    provisions: tuple[ProvisionRef, ...]


class Explanation(_Model):
    """The derivation for one case, in evaluation order; JSON-ready with ``model_dump``."""

    case_id: str
    lang: Lang
    verdict: str
    verdict_label: str
    verdict_text: str
    steps: tuple[FiredRule, ...]
    ruleset: str
    ruleset_version: str
    parameters: dict[str, int]


class Missing(_Model):
    """A condition still to be fulfilled: a leaf that must become true (or false), or a group.

    ``any_of`` holds alternatives (one suffices); ``all_of`` a group that must hold together;
    ``because`` what would make a derived fact so, following the rules that conclude it.
    """

    text: str
    fact: str | None = None
    now: Scalar = None
    needed: bool = True
    any_of: tuple[Missing, ...] = ()
    all_of: tuple[Missing, ...] = ()
    because: tuple[Missing, ...] = ()


class Route(_Model):
    """One rule that would conclude the item, and what it still lacks."""

    rule: str
    provisions: tuple[ProvisionRef, ...]
    missing: tuple[Missing, ...]


class WhyNot(_Model):
    """Why an item does not hold for this case, and what each route to it still lacks."""

    case_id: str
    lang: Lang
    item: str
    kind: str
    label: str
    question: str  # the fact asked about, e.g. ``safeguard.legal_advice.met``
    question_text: str
    holds: bool
    routes: tuple[Route, ...]


# ------------------------------------------------------------------------------------ evaluate


def evaluate_case(
    case: Case | Mapping[str, Any],
    ruleset: str | Path | Ruleset | None = None,
    parameters: Mapping[str, int] | None = None,
) -> tuple[Case, Ruleset, Evaluation]:
    """Parse the case, resolve the ruleset and evaluate with the python backend."""
    rs = get_ruleset(ruleset, parameters)
    c = rs.vocabulary.parse(case)
    return c, rs, PythonBackend().evaluate(rs, c)


def _provisions(rs: Ruleset, cites: tuple[str, ...], lang: Lang) -> tuple[ProvisionRef, ...]:
    out = []
    for pid in cites:
        p = rs.provisions[pid]
        out.append(ProvisionRef(id=pid, source=p.source, text=p.fr if lang == "fr" else p.en))
    return tuple(out)


def leaf_text(rs: Ruleset, leaf: Ref | Cmp, lang: Lang) -> str:
    """A leaf as a readable statement, without its current value."""
    label = fact_label(rs, leaf.key, lang)
    if isinstance(leaf, Ref):
        return label
    value = leaf.value
    if isinstance(value, tuple):
        shown = ", ".join(value_text(leaf.key, v, lang) for v in value)
        return f"{label} {_IN[lang]} [{shown}]"
    return f"{label} {_SYM[leaf.op]} {value_text(leaf.key, value, lang)}"  # type: ignore[arg-type]


def _check(
    rs: Ruleset, leaf: Ref | Cmp, facts: Mapping[str, Any], lang: Lang, expected: bool = True
) -> Check:
    raw = facts.get(leaf.key, False if isinstance(leaf, Ref) else None)
    value: Scalar = raw if isinstance(raw, bool | int | str) or raw is None else str(raw)
    kind: Literal["flag", "choice", "compare"] = (
        "flag"
        if isinstance(leaf, Ref)
        else "choice"
        if leaf.op in ("eq", "ne", "in")
        else "compare"
    )
    return Check(
        fact=leaf.key,
        text=leaf_text(rs, leaf, lang),
        label=fact_label(rs, leaf.key, lang),
        kind=kind,
        value=value,
        holds=evaluate(leaf, facts),
        expected=expected,
    )


def check_text(check: Check, lang: Lang) -> str:
    """A check as read in a sentence: "termination session: held", "number … ≥ 2: 1"."""
    name = check.label if check.kind == "choice" else check.text
    return f"{name}{colon(lang)}{value_text(check.fact, check.value, lang)}"


def missing_text(items: tuple[Missing, ...] | list[Missing], lang: Lang) -> str:
    """Missing conditions on one line: "A; one of (B | C and D)" (no derived-fact detail)."""
    parts = []
    for m in items:
        if m.any_of:
            inner = " | ".join(missing_text([x], lang) for x in m.any_of)
            parts.append(f"{m.text} ({inner})")
        elif m.all_of:
            parts.append(
                (" et " if lang == "fr" else " and ").join(
                    missing_text([x], lang) for x in m.all_of
                )
            )
        else:
            parts.append(m.text)
    return (" ; " if lang == "fr" else "; ").join(parts)


def _witnesses(
    cond: Condition, facts: Mapping[str, Any], want: bool
) -> list[tuple[Ref | Cmp, bool]]:
    """The leaves (and the value each must have) that make ``cond`` evaluate to ``want``.

    Every part of a conjunction counts; of a disjunction, only the parts that hold.
    """
    if isinstance(cond, Ref | Cmp):
        return [(cond, want)]
    if isinstance(cond, Const):
        return []
    if isinstance(cond, Not):
        return _witnesses(cond.arg, facts, not want)
    every = isinstance(cond, All) == want  # All→True or Any→False: every argument counts
    args = cond.args if every else [a for a in cond.args if evaluate(a, facts) == want]
    out: list[tuple[Ref | Cmp, bool]] = []
    for a in args:
        for pair in _witnesses(a, facts, want):
            if pair not in out:
                out.append(pair)
    return out


def _checks(
    rs: Ruleset, cond: Condition, facts: Mapping[str, Any], lang: Lang, want: bool = True
) -> tuple[Check, ...]:
    return tuple(_check(rs, leaf, facts, lang, exp) for leaf, exp in _witnesses(cond, facts, want))


# ------------------------------------------------------------------------------------ explain


def _conclusion_text(rs: Ruleset, kind: str, target: str, lang: Lang) -> str:
    key = {
        "derive": target,
        "verdict": f"verdict.{target}",
        "permit": f"action.{target}",
        "safeguard": f"safeguard.{target}.required",
        "document": f"documentation.{target}.required",
        "finding": f"finding.{target}",
    }[kind]
    return fact_label(rs, key, lang)


_SECOND = {"permit": "required", "safeguard": "met", "document": "recorded"}


def explain(
    case: Case | Mapping[str, Any],
    *,
    ruleset: str | Path | Ruleset | None = None,
    lang: Lang = "en",
    parameters: Mapping[str, int] | None = None,
) -> Explanation:
    """The derivation for ``case``: each rule that fired, in order, with facts and provisions."""
    check_lang(lang)
    c, rs, ev = evaluate_case(case, ruleset, parameters)
    facts = ev.facts
    fired = set(ev.fired)
    rules = {r.id: r for r in rs.rules}
    steps: list[FiredRule] = []
    for unit in rs.units:
        if not unit.main or unit.name not in fired:
            continue
        rule = rules[unit.rule]
        concluded = []
        for conc in rule.then:
            text = _conclusion_text(rs, conc.kind, conc.target, lang)
            if conc.extra is None:
                concluded.append(Concluded(kind=conc.kind, id=conc.target, text=text))
                continue
            extra = bind(conc.extra, rs.parameter_values)
            holds = evaluate(extra, facts)
            concluded.append(
                Concluded(
                    kind=conc.kind,
                    id=conc.target,
                    text=text,
                    second=_SECOND[conc.kind],
                    second_holds=holds,
                    second_because=_checks(rs, extra, facts, lang, holds),
                )
            )
        steps.append(
            FiredRule(
                rule=rule.id,
                stratum=rule.stratum,
                note=rule.note_fr if lang == "fr" else rule.note,
                because=_checks(rs, unit.condition, facts, lang),
                concluded=tuple(concluded),
                provisions=_provisions(rs, rule.cites, lang),
            )
        )
    verdict = next((v for v in rs.outputs.verdicts if facts.get(f"verdict.{v}")), "")
    vspec = rs.outputs.verdicts.get(verdict)
    return Explanation(
        case_id=c.case_id,
        lang=lang,
        verdict=verdict,
        verdict_label=vspec.label[lang] if vspec else "",
        verdict_text=(vspec.fr if lang == "fr" else vspec.en) if vspec else "",
        steps=tuple(steps),
        ruleset=rs.id,
        ruleset_version=rs.version,
        parameters=dict(rs.parameter_values),
    )


# ------------------------------------------------------------------------------------ why not


def definition(rs: Ruleset, key: str) -> Condition | None:
    """What makes a concluded fact true, as one condition; None for a case feature.

    Facts set by the engine between strata (``_facts.py``) get their definition written out:
    *outstanding* is required and not met, *missing* is required and not recorded.
    """
    for kind, other in (("outstanding", "met"), ("missing", "recorded")):
        if key.endswith(f".{kind}"):
            base = key[: -len(kind)]
            return All((Ref(base + "required"), Not(Ref(base + other))))
    if key == "documentation.any_missing":
        return Any_(tuple(Ref(f"documentation.{d}.missing") for d in rs.outputs.documentation))
    units = producers(rs, key)
    if not units:
        return None
    return units[0].condition if len(units) == 1 else Any_(tuple(u.condition for u in units))


def producers(rs: Ruleset, key: str) -> list[Unit]:
    """The units whose effects include ``key``, in evaluation order."""
    return [u for u in rs.units if key in u.effects]


class _Missing:
    """Computes ``Missing`` trees for one case (kept together: ruleset, facts, language)."""

    def __init__(self, rs: Ruleset, facts: Mapping[str, Any], lang: Lang) -> None:
        self.rs, self.facts, self.lang = rs, facts, lang

    def of(self, cond: Condition, want: bool, depth: int) -> list[Missing]:
        """What must change for ``cond`` to evaluate to ``want`` (a conjunction of items)."""
        if evaluate(cond, self.facts) == want:
            return []
        if isinstance(cond, Const):
            word = {"en": "impossible (never true)", "fr": "impossible (jamais vrai)"}
            return [Missing(text=word[self.lang])]
        if isinstance(cond, Ref | Cmp):
            return [self.leaf(cond, want, depth)]
        if isinstance(cond, Not):
            return self.of(cond.arg, not want, depth)
        if isinstance(cond, All) == want:  # All→True / Any→False: each failing part must change
            return [m for a in cond.args for m in self.of(a, want, depth)]
        options = [self.group(self.of(a, want, depth)) for a in cond.args]
        word = {"en": "one of", "fr": "l'un de"}
        return [Missing(text=word[self.lang], any_of=tuple(options))]

    def group(self, items: list[Missing]) -> Missing:
        if len(items) == 1:
            return items[0]
        word = {"en": "all of", "fr": "tous"}
        return Missing(text=word[self.lang], all_of=tuple(items))

    def leaf(self, leaf: Ref | Cmp, want: bool, depth: int) -> Missing:
        check = _check(self.rs, leaf, self.facts, self.lang)
        because: list[Missing] = []
        if isinstance(leaf, Ref) and depth < MAX_DEPTH:
            cond = definition(self.rs, leaf.key)
            if cond is not None:
                because = self.of(cond, want, depth + 1)
        text = check.text if want else ("not: " if self.lang == "en" else "non : ") + check.text
        return Missing(
            text=text, fact=leaf.key, now=check.value, needed=want, because=tuple(because)
        )


_KINDS = ("verdict", "action", "safeguard", "documentation", "finding", "derived")


def _resolve(rs: Ruleset, item_id: str) -> tuple[str, str]:
    if not isinstance(item_id, str):
        raise OptionError(
            "item_id must be the id of a verdict, action, safeguard, documentation, finding or "
            "derived fact, as text"
        )
    kind, _, name = item_id.rpartition(":")
    catalogue: dict[str, Mapping[str, Any]] = {
        "verdict": rs.outputs.verdicts,
        "action": rs.outputs.actions,
        "safeguard": rs.outputs.safeguards,
        "documentation": rs.outputs.documentation,
        "finding": rs.outputs.findings,
        "derived": rs.header.derived,
    }
    kinds = [kind] if kind else list(_KINDS)
    for k in kinds:
        if k in catalogue and name in catalogue[k]:
            return k, name
    raise OptionError(
        f"unknown item '{_shown(item_id)}'; give a verdict, action, safeguard, documentation, "
        "finding or derived-fact id, optionally prefixed by its kind "
        "(e.g. 'documentation:legal_advice')"
    )


def _shown(text: str, limit: int = 80) -> str:
    """An id as it may appear in a message: control characters escaped, cut when long."""
    text = text if text.isprintable() else text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= limit else text[:limit] + "…"


def _question(kind: str, name: str, facts: Mapping[str, Any]) -> str:
    if kind == "verdict":
        return f"verdict.{name}"
    if kind == "action":
        return f"action.{name}"
    if kind in ("safeguard", "documentation"):
        second = "met" if kind == "safeguard" else "recorded"
        base = f"{kind}.{name}"
        return f"{base}.{second}" if facts.get(f"{base}.required") else f"{base}.required"
    if kind == "finding":
        return f"finding.{name}"
    return name


def _plain_label(rs: Ruleset, kind: str, name: str, lang: Lang) -> str:
    if kind == "derived":
        return fact_label(rs, name, lang)
    groups: dict[str, Mapping[str, OutputSpec]] = {
        "verdict": rs.outputs.verdicts,
        "action": rs.outputs.actions,
        "safeguard": rs.outputs.safeguards,
        "documentation": rs.outputs.documentation,
        "finding": rs.outputs.findings,
    }
    return groups[kind][name].label[lang]


def why_not(
    case: Case | Mapping[str, Any],
    item_id: str,
    *,
    ruleset: str | Path | Ruleset | None = None,
    lang: Lang = "en",
    parameters: Mapping[str, int] | None = None,
) -> WhyNot:
    """Why ``item_id`` does not hold, and which conditions each route to it still lacks.

    ``item_id`` is a verdict (``permitted``), an action, a safeguard, a record, a finding or a
    derived fact; prefix it with its kind when an id is shared (``documentation:legal_advice``).
    A safeguard that is required asks why it is not *met*, otherwise why it is not *required*
    (records likewise with *recorded*). Raises ``OptionError`` (a ``ValueError``) for an unknown
    id or one that is not text.
    """
    check_lang(lang)
    c, rs, ev = evaluate_case(case, ruleset, parameters)
    kind, name = _resolve(rs, item_id)
    question = _question(kind, name, ev.facts)
    holds = bool(ev.facts.get(question))
    rules = {r.id: r for r in rs.rules}
    finder = _Missing(rs, ev.facts, lang)
    routes = []
    if not holds:
        for unit in producers(rs, question):
            routes.append(
                Route(
                    rule=unit.rule,
                    provisions=_provisions(rs, rules[unit.rule].cites, lang),
                    missing=tuple(finder.of(unit.condition, True, 1)),
                )
            )
    label = _plain_label(rs, kind, name, lang)
    return WhyNot(
        case_id=c.case_id,
        lang=lang,
        item=name,
        kind=kind,
        label=label,
        question=question,
        question_text=fact_label(rs, question, lang),
        holds=holds,
        routes=tuple(routes),
    )
