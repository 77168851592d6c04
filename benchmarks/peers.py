"""Peer engines on the fixed 8-rule benchmark ruleset (``shared/benchmark-ruleset.md``).

Why this exists: before choosing how ``conduct_rules`` evaluates its rules we want numbers, from
one run on one machine, for what a hand-written function costs against off-the-shelf rule engines
doing *the same work*. Absolute times drift between machines, so the table reports ratios to the
hand-written function. Every engine is first checked case by case against ``handwritten``: a fast
engine that gives a different answer is worth nothing.

Run: ``python benchmarks/peers.py [--cases N] [--seed S]``. Peers import lazily: a missing one
is reported in the table. ``benchmarks/malloc_study.py`` re-runs this script under malloc settings.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import ctypes.util
import gc
import json
import random
import resource
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

Case = dict[str, Any]
Engine = Callable[[Mapping[str, Any]], frozenset[str]]

FLAGS = (
    "needed", "terminating", "client_requested", "client_withdrew", "alt_efforts", "opportunity",
    "serious_risk", "court_ordered", "legal_advice", "session_held", "documented_rationale",
    "documented_attempts", "threats",
)  # fmt: skip
CONCLUSIONS = {  # rule id -> conclusion, in the page's order
    "R1": "misconduct_2_8", "R2": "termination_session_required",
    "R3": "session_efforts_insufficient", "R4": "legal_advice_required",
    "R5": "remote_session_only", "R6": "missing_doc_rationale",
    "R7": "missing_doc_attempts", "R8": "termination_permitted",
}  # fmt: skip
C = CONCLUSIONS


def make_corpus(n: int, seed: int) -> list[Case]:
    """Return ``n`` flat random cases: ``id``, the 13 booleans (fair coins), attempts 0-4.

    Seeded with its own ``random.Random`` so every engine, and every run, sees the same cases.
    """
    rng = random.Random(seed)
    return [
        {
            "id": i,
            **{flag: rng.random() < 0.5 for flag in FLAGS},
            "session_attempts": rng.randint(0, 4),
        }
        for i in range(n)
    ]


def handwritten(case: Mapping[str, Any]) -> frozenset[str]:
    """Return R1-R8's conclusions in plain Python: the reference, and the floor for speed."""
    out: set[str] = set()
    term = case["terminating"]
    reason = (
        case["client_requested"] or case["client_withdrew"] or case["alt_efforts"]
        or case["opportunity"]
    )  # fmt: skip
    r1 = term and case["needed"] and not (reason or case["serious_risk"])
    r2 = term and reason and not case["serious_risk"]
    attempts = case["session_attempts"]
    if r1:
        out.add(C["R1"])
    if r2:
        out.add(C["R2"])
        if not case["session_held"] and attempts < 2:
            out.add(C["R3"])
        if attempts > 0 and not case["documented_attempts"]:
            out.add(C["R7"])
    if case["court_ordered"] and term and not case["legal_advice"]:
        out.add(C["R4"])
    if case["serious_risk"] or case["threats"]:
        out.add(C["R5"])
    if term and not case["documented_rationale"]:
        out.add(C["R6"])
    if term and not r1:
        out.add(C["R8"])
    return frozenset(out)


# --- durable_rules ------------------------------------------------------------------------------


def _t(*flags: str) -> list[dict[str, Any]]:
    return [{f: True} for f in flags]


def _f(*flags: str) -> list[dict[str, Any]]:
    return [{f: False} for f in flags]


_S1 = {"stratum": 1}
_S2 = {"stratum": 2}
_REASONS = ("client_requested", "client_withdrew", "alt_efforts", "opportunity")
# Stratum 1 sees the case fact only. Stratum 2 joins the case fact (``c``) with a second fact
# (``d``) carrying stratum-1 conclusions, because durable_rules has no negation over facts
# derived in the same pass: R8's "not R1" must be decided once R1 is settled.
DURABLE_RULESET: dict[str, Any] = {
    "R1": {"all": [{"m": {"$and": [_S1, *_t("terminating", "needed"),
                                   *_f(*_REASONS, "serious_risk")]}}]},
    "R2": {"all": [{"m": {"$and": [_S1, *_t("terminating"), *_f("serious_risk"),
                                   {"$or": _t(*_REASONS)}]}}]},
    "R4": {"all": [{"m": {"$and": [_S1, *_t("court_ordered", "terminating"),
                                   *_f("legal_advice")]}}]},
    "R5": {"all": [{"m": {"$and": [_S1, {"$or": _t("serious_risk", "threats")}]}}]},
    "R6": {"all": [{"m": {"$and": [_S1, *_t("terminating"), *_f("documented_rationale")]}}]},
    "any1": {"all": [{"m": _S1}]},  # catch-all: no MessageNotHandledException, and it fires
    "R3": {"all": [{"c": {"$and": [_S1, *_f("session_held"), {"$lt": {"session_attempts": 2}}]}},
                   {"d": {"$and": [_S2, {"r2": True}]}}]},
    "R7": {"all": [{"c": {"$and": [_S1, *_f("documented_attempts"),
                                   {"$gt": {"session_attempts": 0}}]}},
                   {"d": {"$and": [_S2, {"r2": True}]}}]},
    "R8": {"all": [{"c": {"$and": [_S1, *_t("terminating")]}},
                   {"d": {"$and": [_S2, {"r1": False}]}}]},
    "any2": {"all": [{"m": _S2}]},
}  # fmt: skip


class RawDurable:
    """The 8 rules written straight for durable_rules, one session per case.

    ``assert_fact`` (not ``post``) so every rule sees the case; conclusions are a set because a
    rule with ``$or`` fires once per true disjunct; ``delete_state`` after each case, as the
    engine keeps at most 1024 live sessions.
    """

    def __init__(self) -> None:
        """Register the ruleset on a thread-less Host and open/close one warm-up session."""
        from durable import engine  # type: ignore[import-untyped, unused-ignore]  # lazy: optional package

        out: set[str] = set()
        self._out = out

        class _QuietHost(engine.Host):  # type: ignore[misc]  # untyped package
            """A Host without its timer threads, so no action ever runs concurrently."""

            def _run(self) -> None:
                pass

            def get_action(self, action_name: str) -> Callable[[Any], None]:
                conclusion = CONCLUSIONS.get(action_name)
                if conclusion is None:  # catch-all rules
                    return lambda _c: None
                return lambda _c: out.add(conclusion)

        # Ruleset() deletes each rule's "run" key: hand it new top-level dicts.
        rules = {name: {**rule, "run": name} for name, rule in DURABLE_RULESET.items()}
        self._host = _QuietHost()
        self._host.set_rulesets({"bench8": rules})
        self._assert = self._host.assert_fact
        self._delete = self._host.delete_state
        # delete_state on a session no rule ever fired in can crash the engine: fire once first.
        self(dict.fromkeys(FLAGS, False) | {"id": -1, "session_attempts": 0})

    def __call__(self, case: Mapping[str, Any]) -> frozenset[str]:
        """Assess one case in its own session: stratum 1, then stratum 2, then delete it."""
        out = self._out
        out.clear()
        sid = str(case["id"])
        fact = {**case, "sid": sid, "id": "case", "stratum": 1}
        self._assert("bench8", fact)
        self._assert("bench8", {"sid": sid, "id": "s1", "stratum": 2,
                                "r1": C["R1"] in out, "r2": C["R2"] in out})  # fmt: skip
        self._delete("bench8", sid)
        return frozenset(out)


# --- optional peers: each imports its package when called; see ``build`` ------------------------


def clips_engine() -> Engine:
    """CLIPS via clipspy: derived facts for R1/R2, R8 at lower salience so R1 is settled first.

    clipspy 1.0.6 calls ``ReleaseFact(env, fact)`` but the C function takes only the fact; the
    TypeError is swallowed in ``__del__`` so no fact is ever released. Patched here when the
    installed signature shows the bug: unpatched, retained facts pile up and each pass is slower:
    20000 cases took 166, then 669, then 1173 µs/case over three passes (patched: 30 each).
    """
    import clips  # type: ignore[import-untyped]
    from clips._clips import ffi, lib  # type: ignore[import-untyped]

    if len(ffi.typeof(lib.ReleaseFact).args) == 1:

        def _release(fact: clips.facts.Fact) -> None:
            with contextlib.suppress(AttributeError, TypeError):  # interpreter shutdown
                lib.ReleaseFact(fact._fact)

        clips.facts.Fact.__del__ = _release

    env = clips.Environment()
    slots = " ".join(f"(slot {s})" for s in (*FLAGS, "session_attempts"))
    env.build(f"(deftemplate case {slots})")
    env.build("(deftemplate derived (slot name))")
    out: set[str] = set()
    env.define_function(out.add, "conclude")
    r = C
    for rule in (
        f"""(defrule R1 (case (terminating TRUE) (needed TRUE) (client_requested FALSE)
            (client_withdrew FALSE) (alt_efforts FALSE) (opportunity FALSE) (serious_risk FALSE))
            => (assert (derived (name r1))) (conclude {r["R1"]}))""",
        f"""(defrule R2 (case (terminating TRUE) (serious_risk FALSE) (client_requested ?a)
            (client_withdrew ?b) (alt_efforts ?c) (opportunity ?d)) (test (or ?a ?b ?c ?d))
            => (assert (derived (name r2))) (conclude {r["R2"]}))""",
        f"""(defrule R3 (derived (name r2))
            (case (session_held FALSE) (session_attempts ?n&:(< ?n 2))) => (conclude {r["R3"]}))""",
        f"""(defrule R4 (case (court_ordered TRUE) (terminating TRUE) (legal_advice FALSE))
            => (conclude {r["R4"]}))""",
        f"""(defrule R5 (case (serious_risk ?s) (threats ?t)) (test (or ?s ?t))
            => (conclude {r["R5"]}))""",
        f"""(defrule R6 (case (terminating TRUE) (documented_rationale FALSE))
            => (conclude {r["R6"]}))""",
        f"""(defrule R7 (derived (name r2))
            (case (session_attempts ?n&:(> ?n 0)) (documented_attempts FALSE))
            => (conclude {r["R7"]}))""",
        f"""(defrule R8 (declare (salience -10)) (case (terminating TRUE))
            (not (derived (name r1))) => (conclude {r["R8"]}))""",
    ):
        env.build(rule)
    template = env.find_template("case")

    def run(case: Mapping[str, Any]) -> frozenset[str]:
        out.clear()
        env.reset()
        template.assert_fact(**{k: v for k, v in case.items() if k != "id"})
        env.run()
        return frozenset(str(c) for c in out)

    return run


def business_rules_engine() -> Engine:
    """business-rules: rules run in list order, so R3/R7/R8 read what R1/R2 concluded."""
    from business_rules import engine as br  # type: ignore[import-untyped]
    from business_rules import variables as brv
    from business_rules.actions import BaseActions, rule_action  # type: ignore[import-untyped]
    from business_rules.fields import FIELD_TEXT  # type: ignore[import-untyped]

    def flag(name: str) -> Callable[[Any], bool]:
        return brv.boolean_rule_variable(label=name)(lambda self: self.case[name])  # type: ignore[no-any-return]

    def derived(conclusion: str) -> Callable[[Any], bool]:
        return brv.boolean_rule_variable(label=conclusion)(lambda self: conclusion in self.out)  # type: ignore[no-any-return]

    attrs: dict[str, Any] = {f: flag(f) for f in FLAGS}
    attrs["session_attempts"] = brv.numeric_rule_variable(label="attempts")(
        lambda self: self.case["session_attempts"]
    )
    attrs["r1"], attrs["r2"] = derived(C["R1"]), derived(C["R2"])
    variables_cls: Any = type("CaseVariables", (brv.BaseVariables,), attrs)

    class Actions(BaseActions):  # type: ignore[misc]  # untyped package
        def __init__(self, out: set[str]) -> None:
            self.out = out

        @rule_action(params={"conclusion": FIELD_TEXT})  # type: ignore[untyped-decorator]
        def conclude(self, conclusion: str) -> None:
            self.out.add(conclusion)

    def cond(name: str, op: str, value: int = 1) -> dict[str, Any]:
        return {"name": name, "operator": op, "value": value}

    def rule(rid: str, *conds: dict[str, Any]) -> dict[str, Any]:
        action = {"name": "conclude", "params": {"conclusion": C[rid]}}
        return {"conditions": {"all": list(conds)}, "actions": [action]}

    t = {name: cond(name, "is_true") for name in FLAGS}
    f = {name: cond(name, "is_false") for name in (*FLAGS, "r1")}
    rules = [
        rule("R1", t["terminating"], t["needed"], *(f[n] for n in (*_REASONS, "serious_risk"))),
        rule("R2", t["terminating"], f["serious_risk"], {"any": [t[n] for n in _REASONS]}),
        rule("R3", cond("r2", "is_true"), f["session_held"],
             cond("session_attempts", "less_than", 2)),
        rule("R4", t["court_ordered"], t["terminating"], f["legal_advice"]),
        rule("R5", {"any": [t["serious_risk"], t["threats"]]}),
        rule("R6", t["terminating"], f["documented_rationale"]),
        rule("R7", cond("r2", "is_true"), cond("session_attempts", "greater_than", 0),
             f["documented_attempts"]),
        rule("R8", t["terminating"], f["r1"]),
    ]  # fmt: skip

    def run(case: Mapping[str, Any]) -> frozenset[str]:
        out: set[str] = set()
        variables = variables_cls()
        variables.case, variables.out = case, out
        br.run_all(rules, variables, Actions(out))
        return frozenset(out)

    return run


def rule_engine_engine() -> Engine:
    """rule-engine: one expression per rule; R3/R7/R8 see stratum-1 results as ``r1``/``r2``."""
    import rule_engine  # type: ignore[import-untyped]

    reasons = " or ".join(_REASONS)
    text1 = {
        "R1": f"terminating and needed and not ({reasons} or serious_risk)",
        "R2": f"terminating and ({reasons}) and not serious_risk",
        "R4": "court_ordered and terminating and not legal_advice",
        "R5": "serious_risk or threats",
        "R6": "terminating and not documented_rationale",
    }
    text2 = {
        "R3": "r2 and not session_held and session_attempts < 2",
        "R7": "r2 and session_attempts > 0 and not documented_attempts",
        "R8": "terminating and not r1",
    }
    stratum1 = [(C[k], rule_engine.Rule(v)) for k, v in text1.items()]
    stratum2 = [(C[k], rule_engine.Rule(v)) for k, v in text2.items()]

    def run(case: Mapping[str, Any]) -> frozenset[str]:
        out = {c for c, rule in stratum1 if rule.matches(case)}
        facts = {**case, "r1": C["R1"] in out, "r2": C["R2"] in out}
        out.update(c for c, rule in stratum2 if rule.matches(facts))
        return frozenset(out)

    return run


# --- checking and timing ------------------------------------------------------------------------


def check(engine_fn: Engine, corpus: list[Case]) -> int:
    """Count cases where ``engine_fn`` and ``handwritten`` disagree (must be 0); print the first."""
    mismatches = 0
    for case in corpus:
        got, want = engine_fn(case), handwritten(case)
        if got != want:
            if not mismatches:
                print(f"  first mismatch, case {case}: got {sorted(got)}, want {sorted(want)}")
            mismatches += 1
    return mismatches


def time_engine(fn: Engine, corpus: list[Case], repeats: int = 3) -> float:
    """Best-of-``repeats`` µs per case; best, not mean, because noise only ever adds time."""
    best = float("inf")
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        for case in corpus:
            fn(case)
        best = min(best, time.perf_counter() - start)
    return best / len(corpus) * 1e6


M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3  # glibc <malloc.h>


def tune_malloc() -> bool:
    """Pin glibc's malloc thresholds so each ~210 KB durable_rules session reuses heap memory.

    Measured (``benchmarks/malloc_study.py``): glibc's default *sliding* mmap threshold already
    learns, after the first session is freed, to keep sessions on the heap, so this gains nothing
    over the default. It matters once a fixed threshold is set (``MALLOC_MMAP_THRESHOLD_``, or
    ``MALLOC_TRIM_THRESHOLD_`` low): then every session grows and trims the heap (3 ``brk``
    calls and ~21 page faults per case, +45 % time), and these settings undo that. Values are
    modest so a long-lived process keeps at most ~8 MB of free heap. Returns False, doing
    nothing, where glibc's ``mallopt`` is absent (musl, macOS, Windows).
    """
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c")).mallopt
    except (OSError, AttributeError, TypeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    settings = ((M_MMAP_THRESHOLD, 1 << 20), (M_TRIM_THRESHOLD, 8 << 20), (M_TOP_PAD, 1 << 20))
    return all(mallopt(param, value) == 1 for param, value in settings)


ENGINES: dict[str, Callable[[], Engine]] = {
    "hand-written": lambda: handwritten,
    "durable_rules": RawDurable,
    "clipspy": clips_engine,
    "business-rules": business_rules_engine,
    "rule-engine": rule_engine_engine,
}


def build(name: str) -> Engine | str:
    """Start engine ``name``, or return why it cannot run: a missing peer must not end the run."""
    try:
        return ENGINES[name]()
    except ImportError as exc:
        return f"not installed ({exc})"
    except Exception as exc:  # noqa: BLE001  (any start-up failure is reported in the table)
        return f"failed to start ({type(exc).__name__}: {exc})"


def run_table(
    names: list[str], corpus: list[Case], repeats: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Check then time each engine; print the table; return µs/case and page faults/case."""
    from importlib.metadata import PackageNotFoundError, version

    figures: dict[str, float] = {}
    faults: dict[str, float] = {}
    rows: list[tuple[str, str, str, str]] = []
    for name in names:
        engine = build(name)
        if isinstance(engine, str):
            rows.append((name, engine, "", ""))
            continue
        label = name
        with contextlib.suppress(PackageNotFoundError):  # hand-written has no version
            label = f"{name} {version(name)}"
        bad = check(engine, corpus)
        print(f"{label}: {bad} mismatches in {len(corpus)} cases")
        if bad:
            rows.append((label, f"WRONG ({bad} mismatches)", "", ""))
            continue
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        figures[name] = us = time_engine(engine, corpus, repeats)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        faults[name] = (after - before) / (repeats * len(corpus))
        base = figures.get("hand-written", us)
        rows.append((label, f"{us:.2f}", f"{1e6 / us:,.0f}", f"{us / base:.0f}"))
    print(f"\n{'engine':<24} {'µs/case':>14} {'cases/s':>12} {'× hand-written':>15}")
    for label, us_text, rate, ratio in rows:
        if not rate:  # not installed, failed to start, or wrong: say so, unpadded
            print(f"{label:<24} {us_text}")
        else:
            print(f"{label:<24} {us_text:>14} {rate:>12} {ratio:>15}")
    return figures, faults


def main(argv: list[str] | None = None) -> int:
    """Parse flags, build the corpus, check and time every engine, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20000, help="corpus size (default 20000)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--repeats", type=int, default=3, help="timing runs, best kept")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated subset")
    parser.add_argument("--tune-malloc", action="store_true", help="apply tune_malloc() first")
    parser.add_argument("--json", action="store_true", help="end with a JSON line of figures")
    args = parser.parse_args(argv)
    if args.tune_malloc:
        print(f"tune_malloc(): {tune_malloc()}")
    names = [n.strip() for n in args.engines.split(",") if n.strip()]
    unknown = sorted(set(names) - set(ENGINES))
    if unknown:
        parser.error(f"unknown engine(s) {unknown}; known: {', '.join(ENGINES)}")
    if "hand-written" not in names:
        names.insert(0, "hand-written")  # the ratio column needs it
    corpus = make_corpus(args.cases, args.seed)
    print(f"{len(corpus)} cases, seed {args.seed}, Python {sys.version.split()[0]}")
    figures, faults = run_table(names, corpus, args.repeats)
    if args.json:
        print(json.dumps({"us_per_case": figures, "faults_per_case": faults}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
