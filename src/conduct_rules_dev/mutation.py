"""Mutation strength of the check suite: ``python -m conduct_rules_dev.mutation [--quick]``.

Why: a compliance library is only as trustworthy as the tests that would notice a rule being
wrong. For every rule of a ruleset this makes mutants (``mutants.py``), writes each to a temporary
ruleset folder, loads it with ``load_ruleset`` like any ruleset, runs the in-process suite
(``suite.py``) against it with the python backend, and prints the kill rate and the survivors.

What is measured: the in-process suite (``suite.py``), a documented subset of the pytest suite:
the hand-written source expectations (``tests/source_cases/``), the citation table, the practice
note's scenarios, the §3 edge-case properties, the output and threshold checks; and, as a
separable check, the in-repo oracle (a second transcription of the decision tables).

Counting. A mutant is *killed* when a check fails on it (any exception counts: a ruleset that
concludes two verdicts raises). A mutant the loader rejects is *never* a kill: it is reported
apart and left out of both figures (no assessment can be made with it, so it says nothing about
the tests). A ``remove`` the loader rejects (its rule was the only one concluding a declared item)
gets a ``disable`` twin, the rule kept with ``when: false``, which the loader accepts: each removal
is counted once, as whichever of the two loads. A mutant the independent checks miss but the oracle
catches is *oracle-only*. A survivor is either listed, with a reason, in
``tests/mutation_equivalents.yaml`` (it cannot change any assessment) or a gap in the tests; an
equivalent that gets killed is an error in that file. A check the unmutated ruleset already fails (a
disagreement with the source, reported) still kills a mutant that changes its message or makes it
pass: it pins the rest of that answer. Two figures are printed::

    with the oracle: N % of non-equivalent mutants killed (K of M)
    without the oracle: N % of non-equivalent mutants killed (K of M)

with N = K / M rounded down to one decimal, M the loadable non-equivalent mutants. For each
survivor the tool also says whether it changed any assessment of the corpus, which separates "the
tests miss a visible difference" from "nothing the corpus shows differs".
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from conduct_rules.api import assess
from conduct_rules.errors import RulesetError
from conduct_rules.rules.ruleset import Ruleset, _builtin_dir, load_ruleset
from conduct_rules.rules.yaml_reader import read_yaml

from .cases import corpus
from .mutants import OPERATORS, QUICK_OPERATORS, Mutant, disable_twin, make_mutants
from .suite import FAMILIES, run_suite

__all__ = [
    "CheckSet",
    "Outcome",
    "Report",
    "check_set_for",
    "combine_reports",
    "equivalents_for",
    "load_equivalents",
    "main",
    "mutant_ruleset",
    "run_mutation",
    "save_report",
]

DEFAULT_EQUIVALENTS = Path(__file__).resolve().parents[2] / "tests" / "mutation_equivalents.yaml"
DEFAULT_CASES = 300
#: The oracle checks' names (Ontario's and CRPO's): a kill by one of them is not independent.
ORACLE_CHECKS = ("agrees_with_decision_table", "agrees_with_reading")

#: A corpus maker and a suite runner (``cases.corpus`` and ``suite.run_suite`` for Ontario).
CheckSet = tuple[Callable[[int], Any], Callable[..., Any]]


def _crpo_suite(ruleset: Ruleset, **options: Any) -> Any:
    """The CRPO checks (``crpo.py``), called like ``suite.run_suite``."""
    from . import crpo

    return crpo.run_suite(ruleset, **options)


def check_set_for(source: Path) -> CheckSet:
    """The checks that judge mutants of the ruleset folder ``source``.

    Why by folder name: the Ontario checks speak of O. Reg. 384/00 and the practice note; the
    CRPO ruleset (issue 15) has its own source cases and citation table
    (``tests/source_cases/crpo/``), invariants and oracle (``crpo.py``), in families named
    like the Ontario ones; its oracle (``agrees_with_reading``) is measured apart like Ontario's.
    """
    if source.name == "crpo-6.3":
        from . import crpo

        return crpo.corpus, _crpo_suite
    return corpus, run_suite


def equivalents_for(source: Path) -> Path:
    """The equivalents file of a ruleset folder (``mutation_equivalents_crpo.yaml`` for CRPO)."""
    if source.name == "crpo-6.3":
        return DEFAULT_EQUIVALENTS.with_name("mutation_equivalents_crpo.yaml")
    return DEFAULT_EQUIVALENTS


#: The §3 edge properties assess each case a dozen times or more: over the first 50 corpus cases
#: they cost as much as every other family over all 300 (pytest runs them with hypothesis too).
FAMILY_LIMITS: Mapping[str, int] = {"edge": 50}


class _NoAliasDumper(yaml.SafeDumper):
    """The strict ruleset reader refuses aliases, so never write any."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


@dataclass(frozen=True)
class Outcome:
    """What happened to one mutant."""

    mutant: Mutant
    status: str  # killed | loader | equivalent | survived | wrongly-equivalent
    detail: str  # the failing check and message, the loader error, or the reason / difference


@dataclass(frozen=True)
class Report:
    """All outcomes of a run and the figures derived from them."""

    outcomes: tuple[Outcome, ...]
    seconds: float
    skipped: tuple[str, ...] = ()  # checks the unmutated ruleset fails: "check on case: why"
    oracle: bool = True  # whether the oracle family ran
    cpu_seconds: float = 0.0  # process CPU time (the machine may be shared: wall time is noisy)

    def count(self, *statuses: str) -> int:
        """How many outcomes have one of these statuses."""
        return sum(o.status in statuses for o in self.outcomes)

    @property
    def non_equivalent(self) -> int:
        """Loadable mutants that some assessment could tell apart from the original."""
        return len(self.outcomes) - self.count("equivalent", "loader")

    @property
    def killed(self) -> int:
        """Killed with the oracle: by any check (a wrongly listed equivalent was killed too)."""
        return self.count("killed", "oracle-only", "wrongly-equivalent")

    @property
    def killed_without_oracle(self) -> int:
        """Killed by the checks independent of the oracle."""
        return sum(
            o.status == "killed"
            or (o.status == "wrongly-equivalent" and not o.detail.startswith(ORACLE_CHECKS))
            for o in self.outcomes
        )

    @staticmethod
    def _pct(k: int, m: int) -> float:
        return 100.0 if m == 0 else math.floor(1000 * k / m) / 10

    @property
    def percent(self) -> float:
        """Killed (with the oracle) over non-equivalent, in per cent, rounded down."""
        return self._pct(self.killed, self.non_equivalent)

    @property
    def percent_without_oracle(self) -> float:
        """Killed without the oracle over non-equivalent, in per cent, rounded down."""
        return self._pct(self.killed_without_oracle, self.non_equivalent)

    @property
    def figure(self) -> str:
        """The line docs/testing.md quotes for the run with the oracle."""
        return (
            f"with the oracle: {self.percent:g} % of non-equivalent mutants killed "
            f"({self.killed} of {self.non_equivalent})"
        )

    @property
    def figure_without_oracle(self) -> str:
        """The line docs/testing.md quotes for the independent checks alone."""
        return (
            f"without the oracle: {self.percent_without_oracle:g} % of non-equivalent mutants "
            f"killed ({self.killed_without_oracle} of {self.non_equivalent})"
        )


def load_equivalents(path: Path) -> dict[str, str]:
    """Mutant id -> reason, from the equivalents file; every entry needs a reason."""
    if not path.is_file():
        return {}
    raw = read_yaml(path, str(path)) or {}
    entries = raw.get("equivalents") or []
    out: dict[str, str] = {}
    for i, e in enumerate(entries):
        if not isinstance(e, dict) or not e.get("mutant") or not str(e.get("reason", "")).strip():
            raise RulesetError(
                "each entry needs 'mutant' and a 'reason'",
                file=str(path),
                field=f"equivalents[{i}]",
            )
        out[str(e["mutant"])] = str(e["reason"]).strip()
    return out


@contextmanager
def _workspace(source: Path) -> Iterator[tuple[Path, dict[str, Any], dict[str, Any]]]:
    with tempfile.TemporaryDirectory(prefix="conduct-rules-mutants-") as tmp:
        yield (
            Path(tmp),
            read_yaml(source / "rules.yaml", "rules.yaml"),
            read_yaml(source / "ruleset.yaml", "ruleset.yaml"),
        )


def _mutants(
    source: Path,
    rules_data: Mapping[str, Any],
    header_data: Mapping[str, Any],
    operators: tuple[str, ...] = OPERATORS,
    only_rules: frozenset[str] | None = None,
) -> list[Mutant]:
    """Every mutant of the folder's data, with its registry order and outputs for the operators
    that touch them."""
    provisions = read_yaml(source / "provisions.yaml", "provisions.yaml").get("provisions") or {}
    outputs = read_yaml(source / "outputs.yaml", "outputs.yaml")
    return make_mutants(
        rules_data,
        header_data,
        operators,
        only_rules,
        provisions=list(provisions),
        outputs_data=outputs,
    )


def _dump(data: Mapping[str, Any]) -> str:
    return yaml.dump(dict(data), Dumper=_NoAliasDumper, allow_unicode=True, sort_keys=False)


def _write(
    folder: Path,
    source: Path,
    rules: Mapping[str, Any],
    header: Mapping[str, Any],
    outputs: Mapping[str, Any] | None = None,
) -> None:
    folder.mkdir()
    shutil.copyfile(source / "provisions.yaml", folder / "provisions.yaml")
    if outputs is None:
        shutil.copyfile(source / "outputs.yaml", folder / "outputs.yaml")
    else:
        (folder / "outputs.yaml").write_text(_dump(outputs), encoding="utf-8")
    for name, data in (("rules.yaml", rules), ("ruleset.yaml", header)):
        (folder / name).write_text(_dump(data), encoding="utf-8")


def mutant_ruleset(mutant_id: str, ruleset: str = "ontario") -> Ruleset:
    """Load one mutant by id (as printed by ``--list``), for tests that show a check can fail."""
    source = _builtin_dir() / ruleset
    with _workspace(source) as (tmp, rules_data, header_data):
        for m in _mutants(source, rules_data, header_data):
            if m.id == mutant_id:
                _write(tmp / "m", source, m.rules, m.header, m.outputs)
                return load_ruleset(tmp / "m")
            if m.id == mutant_id.replace(":disable", ":remove"):
                twin = disable_twin(m, rules_data)
                _write(tmp / "m", source, twin.rules, twin.header)
                return load_ruleset(tmp / "m")
    raise KeyError(f"no mutant '{mutant_id}'")


def _differences(original: Ruleset, mutant: Ruleset, cases: Sequence[Any]) -> int:
    """On how many corpus cases the two rulesets' assessments differ at all."""
    n = 0
    for case, params in cases:
        a = assess(case, ruleset=original, backend="python", parameters=params or None)
        b = assess(case, ruleset=mutant, backend="python", parameters=params or None)
        n += a.to_json() != b.to_json()
    return n


def run_mutation(
    source: Path,
    *,
    operators: tuple[str, ...] = OPERATORS,
    families: Sequence[str] = FAMILIES,
    size: int = DEFAULT_CASES,
    equivalents: Mapping[str, str] | None = None,
    only_rules: frozenset[str] | None = None,
    progress: bool = False,
    shard: tuple[int, int] = (0, 1),
    check_set: CheckSet | None = None,
) -> Report:
    """Make, load and test every mutant of the ruleset folder ``source``.

    The families other than ``oracle`` run first; only a mutant they miss is tried on the oracle,
    so one pass gives both figures.
    """
    start, cpu_start = time.perf_counter(), time.process_time()
    equivalents = equivalents or {}
    make_corpus, suite = check_set or check_set_for(source)
    cases = list(make_corpus(size))
    independent = [f for f in families if f != "oracle"]
    with_oracle = "oracle" in families
    outcomes: list[Outcome] = []
    with _workspace(source) as (tmp, rules_data, header_data):
        baseline_dir = tmp / "baseline"
        _write(baseline_dir, source, rules_data, header_data)
        baseline = load_ruleset(baseline_dir)
        known = suite(
            baseline, families=families, cases=cases, stop_at_first=False, limits=FAMILY_LIMITS
        )
        before = {(f.check, f.case_id): f.message for f in known}
        queue = _mutants(source, rules_data, header_data, operators, only_rules)
        k, n = shard
        queue = [m for i, m in enumerate(queue) if i % n == k]
        done = 0
        while queue:
            m = queue.pop(0)
            done += 1
            folder = tmp / f"m{done:04d}"
            _write(folder, source, m.rules, m.header, m.outputs)
            try:
                mutant_rs = load_ruleset(folder)
            except RulesetError as exc:
                outcomes.append(Outcome(m, "loader", str(exc).split(": ", 1)[-1]))
                if m.operator == "remove":
                    queue.insert(0, disable_twin(m, rules_data))
                continue
            failures = suite(
                mutant_rs, families=independent, cases=cases, known=before, limits=FAMILY_LIMITS
            )
            status = "killed" if failures else ""
            if not failures and with_oracle:
                failures = suite(mutant_rs, families=["oracle"], cases=cases, known=before)
                status = "oracle-only" if failures else ""
            listed = equivalents.get(m.id)
            if failures:
                f = failures[0]
                status = "wrongly-equivalent" if listed else status
                outcomes.append(Outcome(m, status, f"{f.check} on {f.case_id}: {f.message}"))
            elif listed:
                outcomes.append(Outcome(m, "equivalent", listed))
            else:
                diff = _differences(baseline, mutant_rs, cases)
                seen = (
                    f"changes {diff} of {len(cases)} corpus assessments"
                    if diff
                    else ("no corpus assessment changes")
                )
                outcomes.append(Outcome(m, "survived", seen))
            if progress and done % 25 == 0:
                print(f"  ... {done} mutants", file=sys.stderr, flush=True)
    skipped = tuple(sorted(f"{f.check} on {f.case_id}: {f.message}" for f in known))
    return Report(
        tuple(outcomes),
        time.perf_counter() - start,
        skipped,
        with_oracle,
        time.process_time() - cpu_start,
    )


def save_report(report: Report, path: Path) -> None:
    """Write a run's outcomes as JSON (ids, operators, statuses, details: no case data)."""
    rows = [
        {
            "id": o.mutant.id,
            "rule": o.mutant.rule,
            "operator": o.mutant.operator,
            "status": o.status,
            "detail": o.detail,
        }
        for o in report.outcomes
    ]
    data = {
        "seconds": report.seconds,
        "cpu_seconds": report.cpu_seconds,
        "skipped": list(report.skipped),
        "oracle": report.oracle,
        "outcomes": rows,
    }
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


def combine_reports(paths: Sequence[Path]) -> Report:
    """One report from the saved shards of a run (``--shard K/N --save``): one run's figures."""
    outcomes: list[Outcome] = []
    seconds = cpu = 0.0
    skipped: set[str] = set()
    oracle = True
    for path in paths:
        data = json.loads(path.read_text(encoding="utf-8"))
        seconds = max(seconds, float(data["seconds"]))
        cpu += float(data["cpu_seconds"])
        skipped |= set(data["skipped"])
        oracle = oracle and bool(data["oracle"])
        for row in data["outcomes"]:
            m = Mutant(row["id"], row["rule"], row["operator"], "", {}, {})
            outcomes.append(Outcome(m, row["status"], row["detail"]))
    return Report(tuple(outcomes), seconds, tuple(sorted(skipped)), oracle, cpu)


def _print(report: Report, equivalents: Mapping[str, str], verbose: bool) -> None:
    by_op: dict[str, Counter[str]] = {}
    for o in report.outcomes:
        by_op.setdefault(o.mutant.operator, Counter())[o.status] += 1
    print(f"mutants: {len(report.outcomes)}")
    for op, c in by_op.items():
        parts = ", ".join(f"{k} {v}" for k, v in sorted(c.items()))
        print(f"  {op:18} {sum(c.values()):4}  ({parts})")
    print(
        f"killed without the oracle: {report.killed_without_oracle}, by the oracle only: "
        f"{report.count('oracle-only')}, equivalent: {report.count('equivalent')}, "
        f"survived: {report.count('survived')}"
    )
    print(f"rejected by the loader (not counted): {report.count('loader')}")
    if report.skipped:
        print(
            f"checks the unmutated ruleset fails: {len(report.skipped)} (a mutant is killed "
            "there only if it changes the failure)"
        )
        for line in report.skipped[:20]:
            print(f"  FAILS ON THE ORIGINAL {line[:300]}")
    for o in report.outcomes:
        if o.status == "survived":
            print(f"SURVIVED {o.mutant.id}: {o.detail}")
        elif o.status == "oracle-only":
            print(f"ORACLE ONLY {o.mutant.id}: {o.detail[:160]}")
        elif o.status == "wrongly-equivalent":
            print(f"NOT EQUIVALENT (killed; remove from the equivalents file) {o.mutant.id}")
        elif verbose:
            print(f"{o.status:10} {o.mutant.id}: {o.detail[:200]}")
    made = {o.mutant.id for o in report.outcomes}
    for stale in sorted(set(equivalents) - made):
        print(f"note: equivalent '{stale}' matches no mutant of this run")
    print(f"runtime: {report.seconds:.1f} s ({report.cpu_seconds:.1f} s of CPU)")
    if report.oracle:
        print(report.figure)
    print(report.figure_without_oracle)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry; exit 0 when every non-equivalent mutant is killed."""
    parser = argparse.ArgumentParser(
        prog="python -m conduct_rules_dev.mutation",
        description="Mutate every rule of a ruleset and report how many mutants the checks kill.",
    )
    parser.add_argument("--ruleset", default="ontario", help="built-in name or folder")
    parser.add_argument("--quick", action="store_true", help="only: " + ", ".join(QUICK_OPERATORS))
    parser.add_argument(
        "--operators",
        nargs="+",
        choices=OPERATORS,
        metavar="OP",
        help="operators to use: " + ", ".join(OPERATORS),
    )
    parser.add_argument("--rule", action="append", help="only mutate this rule (repeatable)")
    parser.add_argument(
        "--checks",
        nargs="+",
        choices=FAMILIES,
        default=list(FAMILIES),
        metavar="FAMILY",
        help="check families: " + ", ".join(FAMILIES),
    )
    parser.add_argument("--cases", type=int, default=DEFAULT_CASES, help="corpus size")
    parser.add_argument("--equivalents", type=Path, default=DEFAULT_EQUIVALENTS)
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every outcome")
    parser.add_argument("--shard", help="K/N: run only every N-th mutant from the K-th (0-based)")
    parser.add_argument("--save", type=Path, help="write the outcomes as JSON to this file")
    parser.add_argument("--combine", type=Path, nargs="+", help="print the report of saved shards")
    args = parser.parse_args(argv)
    if args.combine:
        combined = combine_reports(args.combine)
        _print(combined, load_equivalents(args.equivalents), args.verbose)
        return 1 if combined.count("survived", "oracle-only", "wrongly-equivalent") else 0
    shard = (0, 1)
    if args.shard:
        k_text, n_text = args.shard.split("/")
        shard = (int(k_text), int(n_text))
    ops: tuple[str, ...] = tuple(args.operators or (QUICK_OPERATORS if args.quick else OPERATORS))
    source = Path(args.ruleset)
    if not source.is_dir():
        source = _builtin_dir() / args.ruleset
    only = frozenset(args.rule) if args.rule else None
    if args.list:
        rules = read_yaml(source / "rules.yaml", "rules.yaml")
        header = read_yaml(source / "ruleset.yaml", "ruleset.yaml")
        for m in _mutants(source, rules, header, ops, only):
            print(m.id)
        return 0
    chosen = args.equivalents
    equivalents = load_equivalents(
        equivalents_for(source) if chosen == DEFAULT_EQUIVALENTS else chosen
    )
    print(
        f"mutating {source.name} ({', '.join(ops)}); checks: {', '.join(args.checks)}; "
        f"corpus: {args.cases} cases"
    )
    report = run_mutation(
        source,
        operators=ops,
        families=args.checks,
        size=args.cases,
        equivalents=equivalents,
        only_rules=only,
        progress=True,
        shard=shard,
    )
    if args.save:
        save_report(report, args.save)
    _print(report, equivalents, args.verbose)
    bad = report.count("survived", "oracle-only", "wrongly-equivalent")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
