"""Rulesets: load the YAML data, check it thoroughly, and compile it into stratified units.

A ruleset is a folder of four files (see ``docs/ruleset-format.md``)::

    ruleset.yaml     id, version, parameters, derived facts, actionable fields
    provisions.yaml  the provision registry: source, edition, English and French paraphrase
    outputs.yaml     the items an assessment can contain, with their texts and force
    rules.yaml       the rules: id, citations, condition, conclusions

Why *stratified units*: durable_rules does not retract an activation when a later fact would make
a ``none(...)`` false, so a negation must only ever read facts that are final. Each rule gets a
stratum one above the rules whose conclusions it reads; engines evaluate stratum by stratum
("derive first, then decide"). A cycle among derived facts is a load error.

A rule whose conclusion has a second condition (a safeguard's ``met_when``, a record's
``recorded_when``, an action's ``required_when``) compiles to two *units*: the rule itself, and
``rule#met:<id>`` whose condition is both. Engines only ever see units.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from importlib import resources
from pathlib import Path

from conduct_rules.errors import ParameterError, RulesetError
from conduct_rules.rules import files as s
from conduct_rules.rules.checks import (
    check_header,
    check_rules,
    conditions_of,
    produced_facts,
    validate_file,
)
from conduct_rules.rules.compiled import Conclusion, Rule, Unit, extra_effect, main_effect
from conduct_rules.rules.conditions import All, bind, references
from conduct_rules.rules.editions import check_editions
from conduct_rules.rules.facts import AutoFact, auto_facts
from conduct_rules.rules.parts import (
    DerivedFact,
    Lever,
    Metadata,
    Output,
    Outputs,
    Parameter,
    Provision,
    RecordField,
    from_files,
)
from conduct_rules.rules.vocabulary import CASE_VOCABULARY, Vocabulary, record_vocabulary
from conduct_rules.rules.yaml_reader import parse_yaml, read_bounded

__all__ = [
    "DEFAULT_RULESET",
    "RULESET_FILES",
    "Conclusion",
    "DerivedFact",
    "Lever",
    "Metadata",
    "Output",
    "Outputs",
    "Parameter",
    "Provision",
    "RecordField",
    "Rule",
    "Ruleset",
    "Unit",
    "available_rulesets",
    "extra_effect",
    "folder_signature",
    "is_ruleset_name",
    "load_ruleset",
    "main_effect",
]

DEFAULT_RULESET = "ontario"
#: The files of a ruleset folder.
RULESET_FILES = ("ruleset.yaml", "provisions.yaml", "outputs.yaml", "rules.yaml")
_FILES = RULESET_FILES


@dataclass(frozen=True)
class Ruleset:
    """A loaded, checked ruleset bound to parameter values. Immutable; safe to share.

    What a user reads (``rules.parts``): ``metadata`` (id, version, title, caveat, editions,
    languages), ``provisions`` (id → text, citation forms, source, edition, date), ``parameters``
    (name → bounds and documentation; values in force in ``parameter_values``), ``outputs`` (the
    verdicts, actions, safeguards, records and findings with their labels and citations),
    ``derived`` (the facts rules conclude), ``actionable`` and ``levers`` (what a member can still
    change), ``record_fields`` (a flat record's fields), ``rules`` and ``units`` (compiled).
    ``header`` is the ``ruleset.yaml`` file model, for the loader, the assembler and the engines
    (actionable fields, levers, the flat record); other layers read the parts above.
    """

    name: str
    path: str
    header: s.HeaderFile
    provisions: Mapping[str, Provision]
    outputs: Outputs
    rules: tuple[Rule, ...]
    parameter_values: Mapping[str, int]
    strata: int
    metadata: Metadata
    parameters: Mapping[str, Parameter]
    derived: Mapping[str, DerivedFact]
    #: Case fields the member can still change, and the steps open on each (counterfactuals).
    actionable: tuple[str, ...]
    levers: Mapping[str, tuple[Lever, ...]]
    #: The fields of the ruleset's own flat record, with their meaning (empty for ``Case``).
    record_fields: Mapping[str, RecordField]
    _units: tuple[Unit, ...] = field(repr=False, default=())
    #: What the conditions read and what validates a case: the standard ``Case``, or the flat
    #: record the header's ``record:`` block declares (``record.py``).
    vocabulary: Vocabulary = field(repr=False, default=CASE_VOCABULARY)
    #: SHA-256 of the four files' bytes as loaded: part of ``fingerprint``, so every backend's
    #: cache sees an edited folder as another ruleset (empty for a ruleset built in code).
    digest: str = field(repr=False, default="")

    @property
    def id(self) -> str:
        """The ruleset's identifier, e.g. ``ontario-sw-ending``."""
        return self.header.id

    @property
    def version(self) -> str:
        """Semantic version of the *rules* (a fix, an added rule, a renamed one)."""
        return self.header.version

    @property
    def units(self) -> tuple[Unit, ...]:
        """The compiled units, in evaluation order (stratum, then file order)."""
        return self._units

    @cached_property
    def auto_facts(self) -> tuple[AutoFact, ...]:
        """The facts the engine adds between strata (``rules.facts.auto_facts``), made once:
        the python and durable_rules backends read them after every stratum of every case."""
        return auto_facts(self)

    @cached_property
    def feature_keys(self) -> tuple[str, ...]:
        """Every case feature some unit reads (facts concluded by rules excluded)."""
        keys: set[str] = set()
        for u in self._units:
            keys |= {
                k for k in references(u.condition) if self.vocabulary.feature_type(k) is not None
            }
        return tuple(sorted(keys))

    @cached_property
    def fingerprint(self) -> str:
        """A short hash of id, version, parameter values, path and the files' content.

        Engines (python, durable_rules, fast) and the assembly of assessments cache by it: the
        content digest makes a ruleset folder edited in place another key for all of them.
        """
        blob = json.dumps(
            [
                self.id,
                self.version,
                sorted(self.parameter_values.items()),
                self.path,
                self.digest,
            ],
            sort_keys=True,
        )
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def with_parameters(self, **overrides: int) -> Ruleset:
        """A copy with some parameters changed; unknown names or out-of-range values raise."""
        values = dict(self.parameter_values)
        for name, value in overrides.items():
            spec = self.header.parameters.get(name)
            if spec is None:
                known = ", ".join(sorted(self.header.parameters)) or "none"
                raise ParameterError(f"unknown parameter '{name}'; known parameters: {known}")
            if isinstance(value, bool) or not isinstance(value, int):
                raise ParameterError(f"parameter '{name}' must be a whole number")
            if not spec.minimum <= value <= spec.maximum:
                raise ParameterError(
                    f"parameter '{name}' must be between {spec.minimum} and {spec.maximum}"
                )
            values[name] = value
        if values == dict(self.parameter_values):
            return self
        return replace(self, parameter_values=values, _units=_make_units(self.rules, values))

    def output(self, kind: str, item_id: str) -> Output | None:
        """The item ``item_id`` of one kind (``"safeguard"``, ``"verdict"``...), or None."""
        if kind not in ("action", "safeguard", "documentation", "finding", "verdict"):
            return None
        return self.outputs.of_kind(kind).get(item_id)  # type: ignore[arg-type]

    def text(self, lang: str, en: str, fr: str) -> str:
        """Pick the English or French text."""
        return fr if lang == "fr" else en


# --------------------------------------------------------------------------------------------
# Loading


def _builtin_dir() -> Path:
    packaged = resources.files("conduct_rules") / "rulesets"
    if packaged.is_dir():
        return Path(str(packaged))
    # Editable/source checkout: the data lives at the repository root.
    return Path(__file__).resolve().parents[3] / "rulesets"


def available_rulesets() -> list[str]:
    """Names of the rulesets that ship with the library."""
    base = _builtin_dir()
    return sorted(p.name for p in base.iterdir() if (p / "ruleset.yaml").is_file())


def is_ruleset_name(value: object) -> bool:
    """Whether a ``ruleset`` argument names a built-in ruleset rather than a folder.

    Why a rule and not a look on disk: a folder called ``ontario`` in the working directory must
    never stand in for the built-in. A name is a ``str`` with no path separator; a folder is a
    ``Path``, or a ``str`` holding a separator (``./ontario``, ``/data/rules``).
    """
    if not isinstance(value, str):
        return False
    return not any(sep in value for sep in {"/", os.sep, os.altsep or "/"})


def _locate(name_or_path: str | Path) -> tuple[Path, str]:
    if isinstance(name_or_path, str) and is_ruleset_name(name_or_path):
        known = available_rulesets()
        if name_or_path not in known:  # compared, never used as a path: no file is touched
            if not name_or_path.strip():
                raise RulesetError(
                    f"the ruleset name is empty; built-in rulesets: {', '.join(known)}", file="?"
                )
            raise RulesetError(
                f"no ruleset named '{_shown(name_or_path, 60)}'; built-in rulesets: "
                f"{', '.join(known)} (a folder is given as a path, e.g. ./NAME)",
                file="?",
            )
        return _builtin_dir() / name_or_path, f"rulesets/{name_or_path}"
    if not isinstance(name_or_path, str | Path):
        raise RulesetError("ruleset must be a built-in name, a folder path or a Ruleset", file="?")
    folder = Path(name_or_path)
    try:
        found = folder.is_dir()
    except (OSError, ValueError):  # a name too long for the system, a NUL byte
        found = False
    if not found:
        raise RulesetError("ruleset folder not found", file=_shown(str(name_or_path)))
    return folder, str(folder)


def _shown(text: str, limit: int = 120) -> str:
    """A path as it may appear in a message: control characters escaped, cut when very long."""
    text = text if text.isprintable() else text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= limit else text[:limit] + "…"


def folder_signature(folder: Path) -> tuple[tuple[int, int, int, int], ...]:
    """``(mtime_ns, ctime_ns, size, inode)`` of each ruleset file: changes when any file does.

    The key of the loaded-folder cache (``api``): an edit, even one keeping size and modification
    time, changes ``ctime``; a file replaced by rename changes its inode. Raises ``OSError``.
    """
    out = []
    for name in RULESET_FILES:
        st = (folder / name).stat()
        out.append((st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino))
    return tuple(out)


def load_ruleset(name_or_path: str | Path = DEFAULT_RULESET, **parameters: int) -> Ruleset:
    """Load and check a ruleset by built-in name (``"ontario"``) or folder path.

    A ``str`` without a path separator is a built-in name, never a folder of the working
    directory (``is_ruleset_name``). Raises ``RulesetError`` naming the file, the rule id and
    the field of the first problem. Keyword arguments override parameters (``min_attempts=3``).
    """
    folder, label = _locate(name_or_path)
    lbl = {f: f"{label}/{f}" for f in _FILES}
    data = {f: read_bounded(folder / f, lbl[f], inside=folder) for f in _FILES}
    digest = hashlib.sha256()
    for f in _FILES:
        digest.update(f"{f}\0{len(data[f])}\0".encode())
        digest.update(data[f])
    raw = {f: parse_yaml(data[f], lbl[f]) for f in _FILES}
    header: s.HeaderFile = validate_file(s.HeaderFile, raw["ruleset.yaml"], lbl["ruleset.yaml"])
    provs: s.ProvisionsFile = validate_file(
        s.ProvisionsFile, raw["provisions.yaml"], lbl["provisions.yaml"]
    )
    outputs: s.OutputsFile = validate_file(s.OutputsFile, raw["outputs.yaml"], lbl["outputs.yaml"])
    rules_file: s.RulesFile = validate_file(s.RulesFile, raw["rules.yaml"], lbl["rules.yaml"])
    vocab = CASE_VOCABULARY
    if header.record is not None:
        vocab = record_vocabulary(header.record, header.id, lbl["ruleset.yaml"])
    check_header(header, provs, outputs, lbl["ruleset.yaml"], lbl["provisions.yaml"], vocab)
    check_editions(header, provs, lbl["ruleset.yaml"])
    rules = check_rules(rules_file, header, provs, outputs, lbl["rules.yaml"], vocab)
    rules, strata = _stratify(rules, lbl["rules.yaml"])
    values = {k: p.default for k, p in header.parameters.items()}
    parts = from_files(header, provs.provisions, outputs, rules)
    ruleset = Ruleset(
        name=folder.name,
        path=label,
        header=header,
        provisions=parts.provisions,
        outputs=parts.outputs,
        rules=rules,
        parameter_values=values,
        strata=strata,
        metadata=parts.metadata,
        parameters=parts.parameters,
        derived=parts.derived,
        actionable=parts.actionable,
        levers=parts.levers,
        record_fields=parts.record_fields,
        _units=_make_units(rules, values),
        vocabulary=vocab,
        digest=digest.hexdigest(),
    )
    return ruleset.with_parameters(**parameters) if parameters else ruleset


def _stratify(rules: tuple[Rule, ...], label: str) -> tuple[tuple[Rule, ...], int]:
    produced = produced_facts(rules)
    by_id = {r.id: r for r in rules}
    deps = {
        r.id: sorted(
            {
                p
                for _, cond in conditions_of(r)
                for k in references(cond)
                for p in produced.get(k, ())
            }
        )
        for r in rules
    }
    level: dict[str, int] = {}
    # Depth-first, with an explicit stack: a chain of thousands of derived facts is a ruleset
    # like any other, not a RecursionError. ``on_path`` holds the rules being visited, in order.
    for root in rules:
        if root.id in level:
            continue
        on_path: dict[str, None] = {root.id: None}
        stack: list[tuple[str, int]] = [(root.id, 0)]  # (rule, index of the next dependency)
        while stack:
            rid, i = stack[-1]
            pending = deps[rid]
            if i < len(pending):
                stack[-1] = (rid, i + 1)
                dep = pending[i]
                if dep in level:
                    continue
                if dep in on_path:
                    path = list(on_path)
                    cycle = [*path[path.index(dep) :], dep]
                    raise RulesetError(
                        "cycle among derived facts: " + " -> ".join(cycle),
                        file=label,
                        rule=dep,
                        field="when",
                    )
                on_path[dep] = None
                stack.append((dep, 0))
                continue
            level[rid] = max((level[d] + 1 for d in pending), default=0)
            del on_path[rid]
            stack.pop()
    out = tuple(replace(by_id[r.id], stratum=level[r.id]) for r in rules)
    return out, (max(level.values()) + 1 if level else 0)


def _make_units(rules: tuple[Rule, ...], params: Mapping[str, int]) -> tuple[Unit, ...]:
    units: list[Unit] = []
    for r in sorted(rules, key=lambda r: (r.stratum, r.index)):
        when = bind(r.when, params)
        units.append(Unit(r.id, r.id, r.stratum, when, tuple(main_effect(c) for c in r.then), True))
        for c in r.then:
            if c.extra is not None:
                units.append(
                    Unit(
                        f"{r.id}#{c.kind}:{c.target}",
                        r.id,
                        r.stratum,
                        All((when, bind(c.extra, params))),
                        (extra_effect(c),),
                        False,
                    )
                )
    return tuple(units)
