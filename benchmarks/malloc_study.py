"""Time durable_rules under glibc malloc settings, to see if ``peers.tune_malloc`` pays.

Why a separate script: glibc reads ``MALLOC_*`` environment variables once, at process start, so
each setting needs a fresh process. This re-runs ``peers.py`` per setting, rounds interleaved so
machine drift hits every setting alike, and reports µs/case and minor page faults per case in the
timed runs. About 21 faults/case is the tell-tale of "churn": each ~210 KB session grows the heap
with ``brk`` and the next free trims it back. Whether a default process churns depends on its heap
layout, which varies from process to process (hash seed, address randomisation), so the study
counts how many processes churned rather than trusting one run.

Run: ``python benchmarks/malloc_study.py [--cases N] [--rounds R]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

PEERS = Path(__file__).with_name("peers.py")
# label -> (extra environment, extra peers.py flags)
TUNED_ENV = {
    "MALLOC_MMAP_THRESHOLD_": str(1 << 20),
    "MALLOC_TRIM_THRESHOLD_": str(8 << 20),
    "MALLOC_TOP_PAD_": str(1 << 20),
}  # what tune_malloc sets, as environment
VARIANTS: dict[str, tuple[dict[str, str], list[str]]] = {
    "default": ({}, []),
    "env ARENA_MAX=1": ({"MALLOC_ARENA_MAX": "1"}, []),
    "env MMAP_THRESHOLD=128K": ({"MALLOC_MMAP_THRESHOLD_": "131072"}, []),
    "env TRIM_THRESHOLD=0": ({"MALLOC_TRIM_THRESHOLD_": "0"}, []),
    "env = tune_malloc values": (TUNED_ENV, []),
    "mallopt (tune_malloc)": ({}, ["--tune-malloc"]),
    "env TRIM=0 + mallopt": ({"MALLOC_TRIM_THRESHOLD_": "0"}, ["--tune-malloc"]),
}  # fmt: skip
CHURN = 1.0  # faults/case above which a process counts as churning


def run_once(cases: int, seed: int, env: dict[str, str], flags: list[str]) -> dict[str, Any]:
    """Run peers.py for durable_rules in a fresh process; return its JSON figures."""
    cmd = [sys.executable, str(PEERS), "--cases", str(cases), "--seed", str(seed),
           "--engines", "durable_rules", "--json", *flags]  # fmt: skip
    proc = subprocess.run(cmd, env=os.environ | env, capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    """Time every setting in ``--rounds`` processes and print one row per setting."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=5000, help="corpus size (default 5000)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--rounds", type=int, default=8, help="processes per setting")
    args = parser.parse_args(argv)
    runs: dict[str, list[tuple[float, float, float]]] = {label: [] for label in VARIANTS}
    for _ in range(args.rounds):
        for label, (env, flags) in VARIANTS.items():
            result = run_once(args.cases, args.seed, env, flags)
            us, faults = result["us_per_case"], result["faults_per_case"]
            runs[label].append((us["durable_rules"], us["hand-written"], faults["durable_rules"]))
    print(f"durable_rules, {args.cases} cases, best of 3 in each of {args.rounds} processes")
    print(f"{'setting':<26} {'best':>6} {'median':>7} {'x hand':>7} {'faults/case':>12} churned")
    for label, rows in runs.items():
        times = sorted(r[0] for r in rows)
        best = min(rows)
        faults = sorted(r[2] for r in rows)
        churned = sum(f > CHURN for f in faults)
        print(
            f"{label:<26} {best[0]:6.1f} {times[len(times) // 2]:7.1f} {best[0] / best[1]:7.0f} "
            f"{faults[0]:5.1f}-{faults[-1]:<6.1f} {churned}/{len(rows)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
