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

from conduct_rules.errors import OptionError, check_lang
from conduct_rules.model.assessment import RulesetRef
from conduct_rules.model.case import Case
from conduct_rules.render.labels import Lang, Scalar, colon, fact_label, value_text
from conduct_rules.rules.conditions import All, Cmp, Condition, Const, Not, Ref, bind, evaluate
from conduct_rules.rules.editions import edition_refs
from conduct_rules.rules.facts import (
    ACTION,
    DOCUMENT_RECORDED,
    DOCUMENT_REQUIRED,
    FINDING,
    SAFEGUARD_MET,
    SAFEGUARD_REQUIRED,
    VERDICT,
    main_key,
    unmet_from,
)
from conduct_rules.rules.parts import Output
from conduct_rules.rules.ruleset import Ruleset
from conduct_rules.teach.counterfactual import TARGET, search_changes
from conduct_rules.teach.derivation import definition, evaluate_case, producers
from conduct_rules.teach.explained import (
    Check,
    Concluded,
    Explanation,
    FiredRule,
    Missing,
    ProvisionRef,
    Route,
    WhyNot,
)
from conduct_rules.teach.options import Option, factor_options
from conduct_rules.teach.reasoning import reasoning, why_not_text

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


# ------------------------------------------------------------------------------------ evaluate


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
    return fact_label(rs, main_key(kind, target), lang)


_SECOND = {"permit": "required", "safeguard": "met", "document": "recorded"}


def explain(
    case: Case | Mapping[str, Any],
    *,
    ruleset: str | Path | Ruleset | None = None,
    lang: Lang = "en",
    parameters: Mapping[str, int] | None = None,
    max_changes: int = 5,
) -> Explanation:
    """The reasoning for ``case`` in paragraphs, and each rule that fired, in order.

    When ending is not yet permitted the reasoning lists what the member can still do, from the
    same search as ``what_would_permit`` (sets of at most ``max_changes`` steps).
    """
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
    verdict = next((v for v in rs.outputs.verdicts if facts.get(VERDICT.format(v))), "")
    vspec = rs.outputs.verdicts.get(verdict)
    deciding = next(
        (rules[s.rule].cites for s in steps for x in s.concluded if x.kind == "verdict"), ()
    )
    grounds = _grounds(steps)
    sets = None
    if verdict != TARGET and TARGET in rs.outputs.verdicts:
        sets = search_changes(rs, c, None, lang, max_changes, None, verdict)
    return Explanation(
        case_id=c.case_id,
        lang=lang,
        verdict=verdict,
        verdict_label=vspec.label[lang] if vspec else "",
        verdict_text=(vspec.fr if lang == "fr" else vspec.en) if vspec else "",
        reasoning=reasoning(rs, facts, verdict, deciding, grounds, sets, lang, max_changes),
        steps=tuple(steps),
        ruleset=RulesetRef(
            id=rs.id,
            version=rs.version,
            parameters=dict(rs.parameter_values),
            editions=edition_refs(rs.metadata, lang),
        ),
    )


def _grounds(steps: list[FiredRule]) -> list[str]:
    """What the verdict rests on, in case facts: the facts that hold behind each derived fact the
    deciding rule needed true ("the client withdrew (2.8 ii)"), else its own facts that hold."""
    derived = {c.id: s for s in steps for c in s.concluded if c.kind == "derive"}
    step = next((s for s in steps for c in s.concluded if c.kind == "verdict"), None)
    if step is None:
        return []
    out: list[str] = []
    for check in step.because:
        if not (check.expected and check.value is True):
            continue
        inner = derived.get(check.fact)
        leaves = [x for x in inner.because if x.value is True] if inner else [check]
        out += [
            x.text
            for x in leaves
            if x.text not in out and unmet_from(x.fact) is None
        ]
    return out


# ------------------------------------------------------------------------------------ why not


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
        "derived": rs.derived,
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
        return VERDICT.format(name)
    if kind == "action":
        return ACTION.format(name)
    if kind in ("safeguard", "documentation"):
        required, second = (
            (SAFEGUARD_REQUIRED, SAFEGUARD_MET)
            if kind == "safeguard"
            else (DOCUMENT_REQUIRED, DOCUMENT_RECORDED)
        )
        key = required.format(name)
        return second.format(name) if facts.get(key) else key
    if kind == "finding":
        return FINDING.format(name)
    return name


def _plain_label(rs: Ruleset, kind: str, name: str, lang: Lang) -> str:
    if kind == "derived":
        return fact_label(rs, name, lang)
    groups: dict[str, Mapping[str, Output]] = {
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
    max_changes: int = 5,
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
    options: tuple[Option, ...] = ()
    search = not holds and kind != "finding" and not question.endswith(".required")
    if search:
        verdict = next((v for v in rs.outputs.verdicts if ev.facts.get(VERDICT.format(v))), "")
        sets = search_changes(rs, c, question, lang, max_changes, None, verdict)
        options = factor_options(sets)
    outside = _outside_control(rs, [m for r in routes for m in r.missing], lang)
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
        text=why_not_text(
            rs, label, holds, question.endswith(".required"), kind, options, outside, lang
        ),
        options=options,
        actionable=bool(options),
        outside_control=tuple(outside),
    )


def _field_of(key: str) -> str:
    """The case field a feature key reads: ``count(a.b)`` → ``a.b``, ``contains(d,x)`` → ``d``."""
    for wrap in ("count(", "distinct(", "contains("):
        if key.startswith(wrap):
            key = key[len(wrap) : -1].split(",", maxsplit=1)[0]
    return key


def _outside_control(rs: Ruleset, items: list[Missing], lang: Lang) -> list[str]:
    """Leaves the member cannot change (not under ``actionable``), as "label (now: value)"."""
    actionable = rs.actionable
    out: list[str] = []
    for m in items:
        out += [
            x
            for x in _outside_control(rs, [*m.any_of, *m.all_of, *m.because], lang)
            if x not in out
        ]
        if m.fact is None or m.because or m.fact in rs.derived:
            continue
        field = _field_of(m.fact)
        if any(field == a or field.startswith(a + ".") for a in actionable):
            continue
        now = value_text(m.fact, m.now, lang)
        text = f"{fact_label(rs, m.fact, lang)} ({_NOW[lang]}{colon(lang)}{now})"
        if text not in out:
            out.append(text)
    return out


_NOW = {"en": "now", "fr": "actuellement"}
