"""Soak test: run many assessments through one backend in one process and watch its memory.

Why: audits run for hours over large record sets, and durable_rules keeps state in C (sessions,
facts, compiled rulesets) that Python's garbage collector never sees. A leak of a few hundred
bytes per case is invisible in a unit test and fatal after a million cases. This script runs N
assessments (default 1,000,000) over a deterministic pool of varied cases, each with its own
``case_id``, and prints the resident set size (RSS) at 0 %, 10 %, 50 % and 100 % of the run
(0, 100k, 500k and 1M at the default size). Every result is checked against the pool's first
result for the same case, so a long run that silently starts answering differently fails too.

"0" is measured after a warm-up pass over the pool (imports, ruleset load and compilation, the
durable_rules host), so the growth figure is what the *assessments* cost, not start-up.

Run::

    python scripts/soak.py                      # 1,000,000 cases, durable_rules (~25 min)
    python scripts/soak.py -n 20000 --max-growth-mb 60 --json

Exit status: 0 on success; 1 if RSS grew more than ``--max-growth-mb`` (when given) or a result
changed; anything else (a signal) means the engine crashed the process.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import sys
import time

from conduct_rules import assess
from conduct_rules.api import get_backend, get_ruleset
from conduct_rules.audit.sample import contract_case
from conduct_rules.model.case import Case


def rss_mb() -> float:
    """Current resident set size in MB (Linux ``/proc``; peak RSS elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main(argv: list[str] | None = None) -> int:
    """Run the soak; print one line per checkpoint (or one JSON object with ``--json``)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", "--cases", type=int, default=1_000_000, help="assessments to run")
    ap.add_argument("--backend", default="durable_rules", help="durable_rules | python | fast")
    ap.add_argument("--pool", type=int, default=2_000, help="distinct case shapes cycled through")
    ap.add_argument("--seed", type=int, default=20261123)
    ap.add_argument("--max-growth-mb", type=float, default=None, help="fail above this growth")
    ap.add_argument("--json", action="store_true", help="print one JSON object at the end")
    args = ap.parse_args(argv)

    rng = random.Random(args.seed)
    pool = [Case.parse(contract_case(rng, f"P-{i}")) for i in range(args.pool)]
    ruleset = get_ruleset()
    get_backend(args.backend)  # fail early, before the warm-up, on an unknown backend
    start_rss = rss_mb()
    # Warm-up: one pass over the pool gives the expected results and settles every cache.
    expected = []
    for case in pool:
        r = assess(case, ruleset=ruleset, backend=args.backend)
        expected.append((r.verdict, r.rules_fired))
    gc.collect()
    checkpoints = sorted({0, args.cases // 10, args.cases // 2, args.cases})
    figures: list[dict[str, float]] = []
    mismatches = 0
    t0 = time.perf_counter()

    def record(done: int) -> None:
        figures.append(
            {"cases": done, "rss_mb": round(rss_mb(), 1), "seconds": time.perf_counter() - t0}
        )
        if not args.json:
            f = figures[-1]
            print(
                f"{done:>10,} cases  RSS {f['rss_mb']:8.1f} MB  {f['seconds']:8.1f} s", flush=True
            )

    if not args.json:
        print(f"backend {args.backend}, pool {args.pool}, RSS before warm-up {start_rss:.1f} MB")
    record(0)
    targets = [c for c in checkpoints if c > 0]
    done = 0
    for target in targets:
        while done < target:
            k = done % len(pool)
            case = pool[k].model_copy(update={"case_id": f"S-{done}"})
            r = assess(case, ruleset=ruleset, backend=args.backend)
            if (r.verdict, r.rules_fired) != expected[k]:
                mismatches += 1
            done += 1
        gc.collect()
        record(done)
    growth = figures[-1]["rss_mb"] - figures[0]["rss_mb"]
    elapsed = figures[-1]["seconds"]
    ok = mismatches == 0 and (args.max_growth_mb is None or growth <= args.max_growth_mb)
    summary = {
        "backend": args.backend,
        "cases": args.cases,
        "rss_before_warmup_mb": round(start_rss, 1),
        "checkpoints": figures,
        "growth_mb": round(growth, 1),
        "max_growth_mb": args.max_growth_mb,
        "us_per_case": round(elapsed / max(args.cases, 1) * 1e6, 1),
        "mismatches": mismatches,
        "ok": ok,
    }
    if args.json:
        print(json.dumps(summary))
    else:
        print(
            f"growth {growth:+.1f} MB over {args.cases:,} cases "
            f"({summary['us_per_case']} µs/case), mismatches {mismatches}: "
            + ("ok" if ok else "FAILED")
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
