"""Counterfactuals: the smallest sets of steps still open to the member that make ending permitted.

Why: a practitioner told "not yet permitted" needs to know *what she can still do*. The steps are
data — the ruleset's ``levers``, one list per field named in ``actionable`` — so nothing outside
the member's control (the client's needs or wishes, threats, a court order, a client's refusal)
can ever be proposed: the search only ever applies levers.

The search is breadth-first over sets of levers of increasing size, evaluated by the python
backend. Pruning, none of which can lose a minimal answer:

* a lever that changes nothing in this case (already done) is dropped;
* a lever that changes no feature the verdict depends on (its *cone*, followed through derived
  facts and the engine's outstanding/missing facts) is dropped;
* two levers that set the same field are never combined;
* a set that contains an answer already found is skipped — it would not be minimal.

Because every smaller set was tried first, every answer is *minimal*: dropping any one of its
changes no longer makes ending permitted. Answers come smallest first, then in the ruleset's lever
order, so the same case always gives the same list. A case already permitted gives a list holding
one *empty change set* (``ChangeSet(changes=())``): nothing needs to change. An empty list means
that no set of at most ``max_changes`` levers makes ending permitted.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict

from conduct_rules.engines import Evaluation
from conduct_rules.engines.python import PythonBackend
from conduct_rules.errors import ConductRulesError, OptionError, check_lang
from conduct_rules.model.case import Case, parse_case
from conduct_rules.model.validation import parse_model
from conduct_rules.render.labels import Lang
from conduct_rules.rules.conditions import references
from conduct_rules.rules.facts import VERDICT, keys_of
from conduct_rules.rules.ruleset import Ruleset
from conduct_rules.rules.vocabulary import FeatureExtractor, FieldType, fields_of
from conduct_rules.teach.derivation import definition, evaluate_case

__all__ = ["Change", "ChangeSet", "apply_changes", "search_changes", "what_would_permit"]

#: The verdict counterfactuals aim for (an identifier of the public contract).
TARGET = "permitted"
Operation = Literal["set", "at_least", "add"]
ChangeValue = bool | int | str | dict[str, str]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Change(_Model):
    """One step the member can take: which lever, on which case field, and why it matters."""

    lever: str
    field: str
    operation: Operation
    value: ChangeValue  # the new value, the number reached, or the item added
    text: str  # what to do, in the requested language
    citations: tuple[str, ...]  # the provisions that make this step count (the lever's sources)
    rules: tuple[str, ...]  # rules reading this field that conclude differently without it


class ChangeSet(_Model):
    """A set of changes that together make ending permitted; ``changes == ()`` is the empty set."""

    changes: tuple[Change, ...] = ()
    verdict_before: str = TARGET
    verdict_after: str = TARGET

    @property
    def size(self) -> int:
        """How many changes the set holds."""
        return len(self.changes)


@dataclass(frozen=True)
class _Lever:
    """A lever resolved for one ruleset: parameters bound, texts picked."""

    id: str
    field: str
    operation: Operation
    value: ChangeValue
    text: str
    cites: tuple[str, ...]
    order: int


def _levers(rs: Ruleset, lang: Lang) -> list[_Lever]:
    out: list[_Lever] = []
    for path, specs in rs.levers.items():
        if path not in rs.actionable:  # the loader refuses this; never trust it blindly
            continue
        for spec in specs:
            value: ChangeValue
            op: Operation
            if spec.set is not None:
                op, value = "set", spec.set
            elif spec.at_least is not None:
                bound = spec.at_least
                op = "at_least"
                value = bound if isinstance(bound, int) else rs.parameter_values[bound["param"]]
            else:
                assert spec.add is not None
                op, value = "add", spec.add
            text = spec.fr if lang == "fr" else spec.en
            out.append(_Lever(spec.id, path, op, value, text, tuple(spec.cites), len(out)))
    return out


# ------------------------------------------------------------------------------------ applying


def _get(data: Mapping[str, Any], path: str) -> Any:
    obj: Any = data
    for part in path.split("."):
        obj = obj[part]
    return obj


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    obj = data
    for part in parents:
        obj = obj[part]
    obj[last] = value


def _changes_anything(lever: _Lever, data: Mapping[str, Any]) -> bool:
    current = _get(data, lever.field)
    if lever.operation == "set":
        return bool(current != lever.value or type(current) is not type(lever.value))
    if lever.operation == "at_least":
        return current is None or current < lever.value
    return isinstance(lever.value, dict) or lever.value not in current


def _apply_one(
    data: dict[str, Any],
    change: Change | _Lever,
    base: dt.date,
    added: int,
    fields: Mapping[str, FieldType],
) -> int:
    """Apply one change to case data (JSON form) in place; return the count of items added."""
    if change.operation == "set":
        _set(data, change.field, change.value)
        return added
    if change.operation == "at_least":
        current = _get(data, change.field)
        _set(data, change.field, max(current or 0, int(change.value)))  # type: ignore[arg-type]
        return added
    items = list(_get(data, change.field))
    item: Any = change.value
    if isinstance(item, dict):
        added += 1
        item = _dated(item, fields[change.field], base, added)
    items.append(item)
    _set(data, change.field, items)
    return added


def _dated(item: Mapping[str, str], field: FieldType, base: dt.date, n: int) -> dict[str, str]:
    """A list item with its date fields filled in (if not given): ``n`` days after ``base``."""
    out = dict(item)
    for sub, ftype in field.item_fields:
        if ftype.kind == "date" and sub not in out:
            out[sub] = (base + dt.timedelta(days=n)).isoformat()
    return out


def _base_date(case: BaseModel, fallback: str) -> dt.date:
    """Day after which added list items are dated: the latest dated item, else ``fallback``.

    The ruleset's ``as_of`` date is the fallback, so the same case always gives the same dates.
    """
    data = case.model_dump(mode="json")
    dates: list[dt.date] = []
    for path, ftype in fields_of(type(case)).items():
        if ftype.kind == "list_obj":
            for item in _get(data, path):
                dates += [dt.date.fromisoformat(v) for k, v in item.items() if k == "date"]
    if dates:
        return max(dates)
    try:
        return dt.date.fromisoformat(fallback)
    except ValueError:
        return dt.date(2000, 1, 1)


_M = TypeVar("_M", bound=BaseModel)


def _apply(case: _M, changes: Iterable[Change | _Lever], as_of: str = "") -> _M:
    """The case with the changes made, validated again by its own model (``Case`` or record)."""
    data = case.model_dump(mode="json")
    base = _base_date(case, as_of)
    fields = fields_of(type(case))
    added = 0
    for change in changes:
        added = _apply_one(data, change, base, added, fields)
    return parse_model(data, type(case))


def apply_changes(case: Case | Mapping[str, Any], changes: ChangeSet | Iterable[Change]) -> Case:
    """The case with the changes made (in order); added attempts are dated after the last one.

    The result is validated like any case, so a change set can be assessed, saved or shown.
    """
    items = changes.changes if isinstance(changes, ChangeSet) else tuple(changes)
    return _apply(parse_case(case), items)


# ------------------------------------------------------------------------------------ search


def _cone(rs: Ruleset, target: str | None = None) -> set[str]:
    """Every fact and feature the target (default: the verdict) depends on, through rules and
    engine facts."""
    wanted = set(keys_of(VERDICT, rs.outputs.verdicts)) if target is None else {target}
    todo = list(wanted)
    while todo:
        cond = definition(rs, todo.pop())
        if cond is None:
            continue
        for ref in references(cond):
            if ref not in wanted:
                wanted.add(ref)
                todo.append(ref)
    return wanted


class _Search:
    """One search: the case, the candidate levers and a memo of evaluated sets."""

    def __init__(
        self, rs: Ruleset, case: Case, levers: Sequence[_Lever], target: str | None = None
    ) -> None:
        self.rs, self.case, self.levers = rs, case, levers
        self.target = target or VERDICT.format(TARGET)
        self.extract = FeatureExtractor(rs.feature_keys)
        self.backend = PythonBackend()
        self.cone = _cone(rs, target)

    def evaluate(self, combo: Sequence[int]) -> tuple[bool, frozenset[str]]:
        """Whether the set makes the target hold, and the units that fired."""
        ev = self.evaluation(combo)
        return bool(ev.facts.get(self.target)), frozenset(ev.fired)

    def evaluation(self, combo: Sequence[int]) -> Evaluation:
        """The evaluation of the case with the set's levers applied."""
        case = _apply(self.case, [self.levers[i] for i in combo], self.rs.metadata.as_of)
        return self.backend.evaluate_features(self.rs, self.extract(case))

    def relevant(self, lever: _Lever, before: Mapping[str, Any]) -> bool:
        return bool(self.touched(lever, before) & self.cone)

    def touched(self, lever: _Lever, before: Mapping[str, Any]) -> set[str]:
        """The features this lever alone changes in this case."""
        after = self.extract(_apply(self.case, [lever], self.rs.metadata.as_of))
        return {k for k in after if after[k] != before[k]}


def what_would_permit(
    case: Case | Mapping[str, Any],
    *,
    ruleset: str | Path | Ruleset | None = None,
    lang: Lang = "en",
    parameters: Mapping[str, int] | None = None,
    max_changes: int = 5,
    limit: int | None = None,
) -> list[ChangeSet]:
    """The minimal sets of member steps that turn the verdict into ``permitted``, smallest first.

    ``max_changes`` bounds the size of a set (the search grows with it); ``limit`` stops after
    that many sets. See the module docstring for the empty change set and the empty list.
    """
    check_lang(lang)
    if max_changes < 0:
        raise OptionError("max_changes must be zero or more")
    c, rs, ev = evaluate_case(case, ruleset, parameters)
    if TARGET not in rs.outputs.verdicts:
        raise ConductRulesError(f"ruleset {rs.id} has no '{TARGET}' verdict")
    before = next((v for v in rs.outputs.verdicts if ev.facts.get(VERDICT.format(v))), "")
    if before == TARGET:
        return [ChangeSet(verdict_before=before)]
    return search_changes(rs, c, None, lang, max_changes, limit, before)


def search_changes(
    rs: Ruleset,
    c: Case,
    target: str | None,
    lang: Lang,
    max_changes: int,
    limit: int | None,
    before: str,
) -> list[ChangeSet]:
    """The minimal sets of levers that make ``target`` (default: ``verdict.permitted``) hold.

    Shared by ``what_would_permit`` and ``why_not``: the same pruning, the same order.
    """
    search = _Search(rs, c, [], target)
    data = c.model_dump(mode="json")
    features = search.extract(c)
    levers = [
        lv
        for lv in _levers(rs, lang)
        if _changes_anything(lv, data) and search.relevant(lv, features)
    ]
    search.levers = levers
    found: list[tuple[int, ...]] = []
    for size in range(1, max_changes + 1):
        for combo in itertools.combinations(range(len(levers)), size):
            if limit is not None and len(found) >= limit:
                break
            scalar_fields = [levers[i].field for i in combo if levers[i].operation != "add"]
            if len(set(scalar_fields)) != len(scalar_fields):
                continue  # two levers setting one field: not a set of independent steps
            if any(set(sol) <= set(combo) for sol in found):
                continue  # contains an answer: not minimal
            if search.evaluate(combo)[0]:
                found.append(combo)
    return [_changeset(search, combo, before) for combo in found]


def _changeset(search: _Search, combo: tuple[int, ...], before: str) -> ChangeSet:
    rs = search.rs
    reads = {u.name: references(u.condition) for u in rs.units if set(u.effects) & search.cone}
    everything = search.evaluation(combo)
    fired_all = frozenset(everything.fired)
    features = search.extract(search.case)
    base = _base_date(search.case, rs.metadata.as_of)
    applied = _apply(search.case, [search.levers[i] for i in combo], rs.metadata.as_of)
    added = 0
    changes = []
    for i in combo:
        lever = search.levers[i]
        _, fired_without = search.evaluate(tuple(j for j in combo if j != i))
        touched = search.touched(lever, features)
        differ = {u for u in fired_all ^ fired_without if u in reads and reads[u] & touched}
        rules = tuple(dict.fromkeys(u.rule for u in rs.units if u.name in differ))
        value = lever.value
        if isinstance(value, dict):
            added += 1
            value = _dated(value, fields_of(type(search.case))[lever.field], base, added)
        elif lever.operation == "at_least":
            value = _get(applied.model_dump(mode="json"), lever.field)
        changes.append(
            Change(
                lever=lever.id,
                field=lever.field,
                operation=lever.operation,
                value=value,
                text=lever.text,
                citations=lever.cites,
                rules=rules,
            )
        )
    after = next(
        (v for v in rs.outputs.verdicts if everything.facts.get(VERDICT.format(v))), before
    )
    return ChangeSet(changes=tuple(changes), verdict_before=before, verdict_after=after)
