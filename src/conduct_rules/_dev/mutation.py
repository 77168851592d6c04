"""Mutation strength of the check suite: ``python -m conduct_rules._dev.mutation [--quick]``.

Why: a compliance library is only as trustworthy as the tests that would notice a rule being
wrong. For every rule of a ruleset this makes mutants (``mutants.py``), writes each to a temporary
ruleset folder, loads it with ``load_ruleset`` like any ruleset, runs the in-process suite
(``suite.py``) against it with the python backend, and prints the kill rate and the survivors.

Counting. A mutant is *killed* when a check fails on it (any exception counts: a ruleset that
concludes two verdicts raises) or when the loader rejects it; the two are reported apart. A
``remove`` the loader rejects (its rule was the only one concluding a declared item) gets a
``disable`` twin, the rule kept with ``when: false``, which the loader accepts, so the tests are
measured on every removal too. A survivor is either listed, with a reason, in
``tests/mutation_equivalents.yaml`` (it cannot change any assessment) or a gap in the tests. An
equivalent that gets killed is an error in that file. The figure printed is::

    N % of non-equivalent mutants killed

with N = killed / (mutants - equivalents), rounded down to one decimal. For each survivor the tool
also says whether it changed any assessment of the corpus, which separates "the tests miss a
visible difference" from "nothing the corpus shows differs".
"""

from __future__ import annotations

import argparse
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

from conduct_rules._yaml import read_yaml
from conduct_rules.api import assess
from conduct_rules.errors import RulesetError
from conduct_rules.ruleset import Ruleset, _builtin_dir, load_ruleset

from .cases import corpus
from .mutants import OPERATORS, QUICK_OPERATORS, Mutant, disable_twin, make_mutants
from .suite import FAMILIES, run_suite

__all__ = [
    "CheckSet",
    "Outcome",
    "Report",
    "check_set_for",
    "equivalents_for",
    "load_equivalents",
    "main",
    "mutant_ruleset",
    "run_mutation",
]

DEFAULT_EQUIVALENTS = Path(__file__).resolve().parents[3] / "tests" / "mutation_equivalents.yaml"
DEFAULT_CASES = 300

#: A corpus maker and a suite runner (``cases.corpus`` and ``suite.run_suite`` for Ontario).
CheckSet = tuple[Callable[[int], Any], Callable[..., Any]]


def check_set_for(source: Path) -> CheckSet:
    """The checks that judge mutants of the ruleset folder ``source``.

    Why by folder name: the Ontario checks speak of O. Reg. 384/00 and the practice note; the
    CRPO ruleset (issue 15) has its own oracle and invariants (``_dev/crpo.py``).
    """
    if source.name == "crpo-6.3":
        from . import crpo

        return crpo.corpus, crpo.run_suite
    return corpus, run_suite


def equivalents_for(source: Path) -> Path:
    """The equivalents file of a ruleset folder (``mutation_equivalents_crpo.yaml`` for CRPO)."""
    if source.name == "crpo-6.3":
        return DEFAULT_EQUIVALENTS.with_name("mutation_equivalents_crpo.yaml")
    return DEFAULT_EQUIVALENTS


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

    def count(self, *statuses: str) -> int:
        """How many outcomes have one of these statuses."""
        return sum(o.status in statuses for o in self.outcomes)

    @property
    def non_equivalent(self) -> int:
        """Mutants that some assessment could tell apart from the original."""
        return len(self.outcomes) - self.count("equivalent")

    @property
    def killed(self) -> int:
        """Killed by a check or by the loader (a wrongly listed equivalent was killed too)."""
        return self.count("killed", "loader", "wrongly-equivalent")

    @property
    def percent(self) -> float:
        """Killed over non-equivalent, in per cent, rounded down to one decimal."""
        if self.non_equivalent == 0:
            return 100.0
        return math.floor(1000 * self.killed / self.non_equivalent) / 10

    @property
    def figure(self) -> str:
        """The sentence docs/testing.md quotes."""
        return f"{self.percent:g} % of non-equivalent mutants killed"


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


def _write(folder: Path, source: Path, rules: Mapping[str, Any], header: Mapping[str, Any]) -> None:
    folder.mkdir()
    for name in ("provisions.yaml", "outputs.yaml"):
        shutil.copyfile(source / name, folder / name)
    for name, data in (("rules.yaml", rules), ("ruleset.yaml", header)):
        text = yaml.dump(dict(data), Dumper=_NoAliasDumper, allow_unicode=True, sort_keys=False)
        (folder / name).write_text(text, encoding="utf-8")


def mutant_ruleset(mutant_id: str, ruleset: str = "ontario") -> Ruleset:
    """Load one mutant by id (as printed by ``--list``), for tests that show a check can fail."""
    source = _builtin_dir() / ruleset
    with _workspace(source) as (tmp, rules_data, header_data):
        for m in make_mutants(rules_data, header_data):
            if m.id == mutant_id:
                _write(tmp / "m", source, m.rules, m.header)
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
    check_set: CheckSet | None = None,
) -> Report:
    """Make, load and test every mutant of the ruleset folder ``source``.

    ``check_set`` is the corpus and suite to judge mutants with (default: the ruleset's own,
    ``check_set_for``).
    """
    start = time.perf_counter()
    equivalents = equivalents or {}
    make_corpus, suite_fn = check_set or check_set_for(source)
    cases = list(make_corpus(size))
    outcomes: list[Outcome] = []
    with _workspace(source) as (tmp, rules_data, header_data):
        baseline_dir = tmp / "baseline"
        _write(baseline_dir, source, rules_data, header_data)
        baseline = load_ruleset(baseline_dir)
        failures = suite_fn(baseline, families=families, cases=cases)
        if failures:
            f = failures[0]
            raise SystemExit(f"the unmutated ruleset fails {f.check} on {f.case_id}: {f.message}")
        queue = make_mutants(rules_data, header_data, operators, only_rules)
        done = 0
        while queue:
            m = queue.pop(0)
            done += 1
            folder = tmp / f"m{done:04d}"
            _write(folder, source, m.rules, m.header)
            try:
                mutant_rs = load_ruleset(folder)
            except RulesetError as exc:
                outcomes.append(Outcome(m, "loader", str(exc).split(": ", 1)[-1]))
                if m.operator == "remove":
                    queue.insert(0, disable_twin(m, rules_data))
                continue
            failures = suite_fn(mutant_rs, families=families, cases=cases)
            listed = equivalents.get(m.id)
            if failures:
                f = failures[0]
                status = "wrongly-equivalent" if listed else "killed"
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
    return Report(tuple(outcomes), time.perf_counter() - start)


def _print(report: Report, equivalents: Mapping[str, str], verbose: bool) -> None:
    by_op: dict[str, Counter[str]] = {}
    for o in report.outcomes:
        by_op.setdefault(o.mutant.operator, Counter())[o.status] += 1
    print(f"mutants: {len(report.outcomes)}")
    for op, c in by_op.items():
        parts = ", ".join(f"{k} {v}" for k, v in sorted(c.items()))
        print(f"  {op:16} {sum(c.values()):4}  ({parts})")
    loadable = len(report.outcomes) - report.count("loader") - report.count("equivalent")
    by_tests = report.count("killed", "wrongly-equivalent")
    print(
        f"killed by the tests: {by_tests}, by the loader: {report.count('loader')}, "
        f"equivalent: {report.count('equivalent')}, survived: {report.count('survived')}"
    )
    if loadable:
        tests_pct = math.floor(1000 * by_tests / loadable) / 10
        print(f"tests alone: {tests_pct:g} % of the {loadable} loadable non-equivalent mutants")
    for o in report.outcomes:
        if o.status == "survived":
            print(f"SURVIVED {o.mutant.id}: {o.detail}")
        elif o.status == "wrongly-equivalent":
            print(f"NOT EQUIVALENT (killed; remove from the equivalents file) {o.mutant.id}")
        elif verbose:
            print(f"{o.status:10} {o.mutant.id}: {o.detail}")
    made = {o.mutant.id for o in report.outcomes}
    for stale in sorted(set(equivalents) - made):
        print(f"note: equivalent '{stale}' matches no mutant of this run")
    print(f"runtime: {report.seconds:.1f} s")
    print(f"{report.figure} ({report.killed} of {report.non_equivalent})")


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry; exit 0 when every non-equivalent mutant is killed."""
    parser = argparse.ArgumentParser(
        prog="python -m conduct_rules._dev.mutation",
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
    parser.add_argument("--equivalents", type=Path, default=None, help="default: the ruleset's")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every outcome")
    args = parser.parse_args(argv)
    ops: tuple[str, ...] = tuple(args.operators or (QUICK_OPERATORS if args.quick else OPERATORS))
    source = Path(args.ruleset)
    if not source.is_dir():
        source = _builtin_dir() / args.ruleset
    only = frozenset(args.rule) if args.rule else None
    if args.list:
        rules = read_yaml(source / "rules.yaml", "rules.yaml")
        header = read_yaml(source / "ruleset.yaml", "ruleset.yaml")
        for m in make_mutants(rules, header, ops, only):
            print(m.id)
        return 0
    equivalents = load_equivalents(args.equivalents or equivalents_for(source))
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
    )
    _print(report, equivalents, args.verbose)
    bad = report.count("survived", "wrongly-equivalent")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
