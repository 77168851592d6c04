"""Checks run while a ruleset loads: file schemas, citations, types, coverage, levers.

Why so many: a ruleset is data written by people who read law, not Python. Every mistake must be
caught on load with a message that names the file, the rule and the field — never discovered as a
wrong answer later, never as a traceback from inside a dependency.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from conduct_rules.errors import RulesetError
from conduct_rules.rules import files as s
from conduct_rules.rules.compiled import (
    EXTRA_KEY,
    KINDS,
    Conclusion,
    Rule,
    extra_effect,
    main_effect,
)
from conduct_rules.rules.conditions import (
    Cmp,
    Condition,
    ConditionSyntaxError,
    Param,
    Ref,
    parse_condition,
    walk,
)
from conduct_rules.rules.facts import ANY_MISSING, DOCUMENT_MISSING, SAFEGUARD_OUTSTANDING
from conduct_rules.rules.vocabulary import CASE_VOCABULARY, FieldType, Vocabulary

__all__ = ["check_header", "check_rules", "conditions_of", "produced_facts", "validate_file"]


def _rule_id_at(raw: Any, loc: tuple[Any, ...]) -> str | None:
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int) and isinstance(raw, dict):
        rules = raw.get("rules")
        if isinstance(rules, list) and 0 <= loc[1] < len(rules):
            item = rules[loc[1]]
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                return str(item["id"])
            return f"#{loc[1] + 1}"
    return None


_PYDANTIC_WORDS = {
    "extra_forbidden": "unexpected key",
    "missing": "required key missing",
    "string_pattern_mismatch": "not a valid identifier (lowercase letters, digits, - _ .)",
    "string_too_short": "must not be empty",
    "string_too_long": "too long",
    "too_short": "must not be empty",
    # YAML reads unquoted 1.0, yes and 2026-01-01 as a number, a boolean and a date.
    "string_type": "expected text (quote values such as 1.0, yes or 2026-01-01)",
    "int_type": "expected a whole number",
    "bool_type": "expected true or false",
    "list_type": "expected a list",
    "dict_type": "expected a mapping (key: value)",
    "model_type": "expected a mapping (key: value)",
    "model_attributes_type": "expected a mapping (key: value)",
    "value_error": "invalid value",
}
#: Largest number a condition or a parameter may hold: every backend compares it exactly
#: (durable_rules reads numbers as C doubles, exact up to 2**53).
MAX_NUMBER = 2**31 - 1


def _pydantic_message(err: Mapping[str, Any]) -> str:
    """Our words for a pydantic error: what was expected, never pydantic's own phrasing."""
    kind = str(err["type"])
    ctx = err.get("ctx") or {}
    if kind == "string_pattern_mismatch" and err["loc"] and err["loc"][-1] == "version":
        return "not a version: write MAJOR.MINOR.PATCH, e.g. 1.0.0"
    if kind == "literal_error" and "expected" in ctx:
        return f"expected one of {ctx['expected']}"
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    return _PYDANTIC_WORDS.get(kind, kind.replace("_", " "))


def validate_file(model: type[Any], raw: Any, label: str) -> Any:
    if isinstance(raw, dict) and isinstance(raw.get("rules"), list):
        # A single conclusion may be written without a list around it.
        raw = {
            **raw,
            "rules": [
                {**r, "then": [r["then"]]}
                if isinstance(r, dict) and isinstance(r.get("then"), dict)
                else r
                for r in raw["rules"]
            ],
        }
    if raw is None:
        raise RulesetError("the file is empty", file=label)
    if not isinstance(raw, dict):
        raise RulesetError("expected a mapping (key: value) at the top of the file", file=label)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors(include_input=False, include_url=False)
        # A misspelt key also makes the right one "missing": report the cause, the unknown key.
        err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        loc = tuple(err["loc"])
        rule = _rule_id_at(raw, loc)
        parts = loc[2:] if rule is not None else loc
        # The same notation as the loader's own checks: ``then[0].met_when``, ``cites[1]``.
        dotted = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)
        fld = dotted.lstrip(".") or None
        msg = _pydantic_message(err)
        if err["type"] == "extra_forbidden":
            allowed = _allowed_keys(model, loc)
            if allowed:
                msg += f"; allowed keys are {', '.join(allowed)}"
        raise RulesetError(msg, file=label, rule=rule, field=fld) from None


def _allowed_keys(model: type[Any], loc: tuple[Any, ...]) -> list[str]:
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", {})
        if part not in fields:
            return sorted(getattr(current, "model_fields", {}))
        ann = fields[part].annotation
        args = getattr(ann, "__args__", ())
        nxt = next((a for a in args if hasattr(a, "model_fields")), None)
        if hasattr(ann, "model_fields"):
            nxt = ann
        if nxt is None:
            return sorted(fields)
        current = nxt
    return sorted(getattr(current, "model_fields", {}))


def check_header(
    header: s.HeaderFile,
    provs: s.ProvisionsFile,
    outputs: s.OutputsFile,
    label: str,
    prov_label: str,
    vocab: Vocabulary = CASE_VOCABULARY,
) -> None:
    for pid, p in provs.provisions.items():
        if p.parent is not None and p.parent not in provs.provisions:
            raise RulesetError(
                f"unknown parent provision '{p.parent}'", file=prov_label, field=f"{pid}.parent"
            )
    for name, spec in header.parameters.items():
        for src in spec.sources:
            if src not in provs.provisions:
                raise RulesetError(
                    f"unknown provision '{src}'", file=label, field=f"parameters.{name}.sources"
                )
        if any(abs(v) > MAX_NUMBER for v in (spec.default, spec.minimum, spec.maximum)):
            raise RulesetError(
                f"number out of range (at most {MAX_NUMBER} either side of 0)",
                file=label,
                field=f"parameters.{name}",
            )
        if not spec.minimum <= spec.default <= spec.maximum:
            raise RulesetError(
                "default outside [minimum, maximum]", file=label, field=f"parameters.{name}"
            )
    if set(header.verdicts) != set(outputs.verdicts):
        raise RulesetError(
            "the verdicts listed here and in outputs.yaml differ", file=label, field="verdicts"
        )
    for i, path in enumerate(header.actionable):
        if vocab.feature_type(path) is None:
            raise RulesetError(f"unknown case field '{path}'", file=label, field=f"actionable[{i}]")
    _check_levers(header, provs, label, vocab)


def _check_levers(
    header: s.HeaderFile, provs: s.ProvisionsFile, label: str, vocab: Vocabulary
) -> None:
    """Levers act only on actionable fields, with one operation that fits the field's type."""
    seen: set[str] = set()
    for path, steps in header.levers.items():
        where = f"levers.{path}"
        ftype = vocab.feature_type(path)
        if path not in header.actionable or ftype is None:
            raise RulesetError(
                "a lever's field must be listed in 'actionable'", file=label, field=where
            )
        for i, step in enumerate(steps):
            at = f"{where}[{i}]"
            if step.id in seen:
                raise RulesetError(f"duplicate lever id '{step.id}'", file=label, field=at)
            seen.add(step.id)
            for cite in step.cites:
                if cite not in provs.provisions:
                    raise RulesetError(f"unknown provision '{cite}'", file=label, field=at)
            ops = [op for op in ("set", "at_least", "add") if getattr(step, op) is not None]
            if len(ops) != 1:
                raise RulesetError(
                    "a lever has exactly one of set, at_least, add", file=label, field=at
                )
            if not _lever_fits(step, ftype, header):
                raise RulesetError(
                    f"'{ops[0]}' does not fit '{path}', which is {ftype.describe()}",
                    file=label,
                    field=at,
                )


def _lever_fits(step: s.LeverSpec, ftype: FieldType, header: s.HeaderFile) -> bool:
    if step.set is not None:
        value = step.set
        if ftype.kind == "bool":
            return isinstance(value, bool)
        if ftype.kind == "int":
            return isinstance(value, int) and not isinstance(value, bool)
        return ftype.kind == "enum" and value in ftype.values
    if step.at_least is not None:
        bound = step.at_least
        return ftype.kind == "int" and (
            isinstance(bound, int) or bound["param"] in header.parameters
        )
    item = step.add
    if ftype.kind == "list_enum":
        return isinstance(item, str) and item in ftype.values
    if ftype.kind == "list_obj" and isinstance(item, dict):
        subs = dict(ftype.item_fields)
        wanted = {k for k, t in subs.items() if t.kind != "date"}
        return set(item) == wanted and all(item[k] in subs[k].values for k in item)
    return False


def check_rules(
    rules_file: s.RulesFile,
    header: s.HeaderFile,
    provs: s.ProvisionsFile,
    outputs: s.OutputsFile,
    label: str,
    vocab: Vocabulary = CASE_VOCABULARY,
) -> tuple[Rule, ...]:
    catalogue: dict[str, Iterable[str]] = {
        "derive": header.derived,
        "verdict": outputs.verdicts,
        "permit": outputs.actions,
        "safeguard": outputs.safeguards,
        "document": outputs.documentation,
        "finding": outputs.findings,
    }
    seen: set[str] = set()
    parsed: list[Rule] = []
    for index, spec in enumerate(rules_file.rules):
        if spec.id in seen:
            raise RulesetError("duplicate rule id", file=label, rule=spec.id, field="id")
        seen.add(spec.id)
        for i, cite in enumerate(spec.cites):
            if cite not in provs.provisions:
                raise RulesetError(
                    f"cites unknown provision '{cite}'",
                    file=label,
                    rule=spec.id,
                    field=f"cites[{i}]",
                )
        try:
            when = parse_condition(spec.when, "when")
        except ConditionSyntaxError as exc:
            raise RulesetError(str(exc), file=label, rule=spec.id, field=exc.path) from None
        then: list[Conclusion] = []
        for i, c in enumerate(spec.then):
            kinds = [k for k in KINDS if getattr(c, k) is not None]
            if len(kinds) != 1:
                raise RulesetError(
                    f"a conclusion has exactly one of {', '.join(KINDS)}",
                    file=label,
                    rule=spec.id,
                    field=f"then[{i}]",
                )
            kind = kinds[0]
            target = getattr(c, kind)
            if target not in catalogue[kind]:
                where = "ruleset.yaml derived" if kind == "derive" else "outputs.yaml"
                raise RulesetError(
                    f"unknown {kind} '{target}' (not declared in {where})",
                    file=label,
                    rule=spec.id,
                    field=f"then[{i}].{kind}",
                )
            extra: Condition | None = None
            for key in ("required_when", "met_when", "recorded_when"):
                raw_extra = getattr(c, key)
                if raw_extra is None:
                    continue
                if EXTRA_KEY.get(kind) != key:
                    raise RulesetError(
                        f"'{key}' does not go with '{kind}'",
                        file=label,
                        rule=spec.id,
                        field=f"then[{i}].{key}",
                    )
                try:
                    extra = parse_condition(raw_extra, f"then[{i}].{key}")
                except ConditionSyntaxError as exc:
                    raise RulesetError(str(exc), file=label, rule=spec.id, field=exc.path) from None
            if kind == "safeguard" and extra is None:
                raise RulesetError(
                    "a safeguard needs 'met_when'",
                    file=label,
                    rule=spec.id,
                    field=f"then[{i}].met_when",
                )
            if kind == "document" and extra is None:
                extra = Ref(f"contains({header.documentation_field},{target})")
            then.append(Conclusion(kind, target, extra))
        if (spec.note is None) != (spec.note_fr is None):
            # Explanations show the note in the reader's language: both or neither.
            missing = "note_fr" if spec.note_fr is None else "note"
            raise RulesetError(
                "a note needs both its English (note) and French (note_fr) text",
                file=label,
                rule=spec.id,
                field=missing,
            )
        parsed.append(
            Rule(
                spec.id,
                index,
                tuple(spec.cites),
                when,
                tuple(then),
                spec.note,
                spec.exception_to,
                note_fr=spec.note_fr,
            )
        )
    ids = {r.id for r in parsed}
    for r in parsed:
        if r.exception_to is not None and r.exception_to not in ids:
            raise RulesetError(
                f"exception to unknown rule '{r.exception_to}'",
                file=label,
                rule=r.id,
                field="exception_to",
            )
    _check_types(parsed, header, label, vocab)
    _check_coverage(parsed, outputs, header, label)
    return tuple(parsed)


def produced_facts(rules: Iterable[Rule]) -> dict[str, set[str]]:
    """fact key -> ids of the rules that produce it (auto facts included)."""
    out: dict[str, set[str]] = {}
    for r in rules:
        for c in r.then:
            keys = [main_effect(c)]
            if c.kind in EXTRA_KEY:
                keys.append(extra_effect(c))
            if c.kind == "safeguard":
                keys.append(SAFEGUARD_OUTSTANDING.format(c.target))
            elif c.kind == "document":
                keys += [DOCUMENT_MISSING.format(c.target), ANY_MISSING]
            for k in keys:
                out.setdefault(k, set()).add(r.id)
    return out


def conditions_of(rule: Rule) -> list[tuple[str, Condition]]:
    out: list[tuple[str, Condition]] = [("when", rule.when)]
    for i, c in enumerate(rule.then):
        if c.extra is not None:
            out.append((f"then[{i}].{EXTRA_KEY[c.kind]}", c.extra))
    return out


def _check_types(rules: list[Rule], header: s.HeaderFile, label: str, vocab: Vocabulary) -> None:
    produced = produced_facts(rules)
    for r in rules:
        for where, cond in conditions_of(r):
            for node in walk(cond):
                if isinstance(node, Ref | Cmp):
                    _check_leaf(node, produced, header, label, r.id, where, vocab)


def _check_leaf(
    node: Ref | Cmp,
    produced: Mapping[str, set[str]],
    header: s.HeaderFile,
    label: str,
    rule: str,
    where: str,
    vocab: Vocabulary,
) -> None:
    key = node.key
    ftype = vocab.feature_type(key)
    if ftype is None and key not in produced:
        if key in header.derived:
            raise RulesetError(
                f"derived fact '{key}' is read but no rule concludes it",
                file=label,
                rule=rule,
                field=where,
            )
        raise RulesetError(
            f"unknown case field or fact '{key}'", file=label, rule=rule, field=where
        )
    if isinstance(node, Ref):
        if ftype is not None and ftype.kind != "bool":
            raise RulesetError(
                f"'{key}' is {ftype.describe()}, not true/false: compare it with an operator",
                file=label,
                rule=rule,
                field=where,
            )
        return
    value = node.value
    if isinstance(value, Param):
        if value.name not in header.parameters:
            raise RulesetError(
                f"unknown parameter '{value.name}'", file=label, rule=rule, field=where
            )
        value = header.parameters[value.name].default
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_NUMBER:
        raise RulesetError(
            f"number out of range (at most {MAX_NUMBER} either side of 0)",
            file=label,
            rule=rule,
            field=where,
        )
    kind = "bool" if ftype is None else ftype.kind
    ok: bool
    if kind == "bool":
        ok = node.op in ("eq", "ne") and isinstance(value, bool)
    elif kind == "int":
        ok = node.op != "in" and (
            (isinstance(value, int) and not isinstance(value, bool))
            or (value is None and node.op in ("eq", "ne") and ftype is not None and ftype.nullable)
        )
    elif kind == "enum":
        assert ftype is not None
        if node.op == "in":
            ok = isinstance(value, tuple) and all(v in ftype.values for v in value)
        else:
            ok = node.op in ("eq", "ne") and isinstance(value, str) and value in ftype.values
    else:
        ok = False
    if not ok:
        described = ftype.describe() if ftype is not None else "true/false"
        raise RulesetError(
            f"type mismatch: '{key}' is {described}; cannot apply '{node.op}' to this value",
            file=label,
            rule=rule,
            field=where,
        )


def _check_coverage(
    rules: list[Rule], outputs: s.OutputsFile, header: s.HeaderFile, label: str
) -> None:
    concluded = {(c.kind, c.target) for r in rules for c in r.then}
    groups: dict[str, Iterable[str]] = {
        "permit": outputs.actions,
        "safeguard": outputs.safeguards,
        "document": outputs.documentation,
        "finding": outputs.findings,
        "verdict": outputs.verdicts,
        "derive": header.derived,
    }
    folder = label.rsplit("/", 1)[0]
    for kind, items in groups.items():
        for item in items:
            if (kind, item) not in concluded:
                group = _OUTPUT_GROUP[kind]
                raise RulesetError(
                    f"'{item}' is declared but no rule concludes it ({kind})",
                    file=f"{folder}/{'ruleset.yaml' if kind == 'derive' else 'outputs.yaml'}",
                    field=f"{group}.{item}",
                )


_OUTPUT_GROUP = {
    "permit": "actions",
    "safeguard": "safeguards",
    "document": "documentation",
    "finding": "findings",
    "verdict": "verdicts",
    "derive": "derived",
}
