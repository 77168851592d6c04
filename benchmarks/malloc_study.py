"""Time durable_rules under glibc malloc settings, to see if ``peers.tune_malloc`` pays.

Why a separate script: glibc reads ``MALLOC_*`` environment variables once, at process start, so
each setting needs a fresh process. This re-runs ``peers.py`` per setting (rounds interleaved, so
machine drift hits every setting alike) and prints µs/case and minor page faults per case during
the timed runs; faults are the tell-tale of a heap that grows and shrinks around every session.

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
VARIANTS: dict[str, tuple[dict[str, str], list[str]]] = {
    "default": ({}, []),
    "env ARENA_MAX=1": ({"MALLOC_ARENA_MAX": "1"}, []),
    "env MMAP_THRESHOLD=128K": ({"MALLOC_MMAP_THRESHOLD_": "131072"}, []),
    "env TRIM_THRESHOLD=0": ({"MALLOC_TRIM_THRESHOLD_": "0"}, []),
    "env TRIM=8M MMAP=1M": (
        {"MALLOC_TRIM_THRESHOLD_": str(8 << 20), "MALLOC_MMAP_THRESHOLD_": str(1 << 20)}, []),
    "mallopt (tune_malloc)": ({}, ["--tune-malloc"]),
    "TRIM=0 + tune_malloc": ({"MALLOC_TRIM_THRESHOLD_": "0"}, ["--tune-malloc"]),
}  # fmt: skip


def run_once(cases: int, seed: int, env: dict[str, str], flags: list[str]) -> dict[str, Any]:
    """Run peers.py for durable_rules in a fresh process; return its JSON figures."""
    cmd = [sys.executable, str(PEERS), "--cases", str(cases), "--seed", str(seed),
           "--engines", "durable_rules", "--json", *flags]  # fmt: skip
    proc = subprocess.run(cmd, env=os.environ | env, capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    """Time every setting ``--rounds`` times and print one row per setting."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20000, help="corpus size (default 20000)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--rounds", type=int, default=3, help="processes per setting")
    args = parser.parse_args(argv)
    runs: dict[str, list[dict[str, Any]]] = {label: [] for label in VARIANTS}
    for _ in range(args.rounds):
        for label, (env, flags) in VARIANTS.items():
            runs[label].append(run_once(args.cases, args.seed, env, flags))
    print(f"durable_rules, {args.cases} cases, best of 3 in each of {args.rounds} processes")
    print(
        f"{'setting':<24} {'µs/case per process':>21} {'best':>6} {'x hand':>6} {'faults/case':>11}"
    )
    for label, results in runs.items():
        us = [r["us_per_case"]["durable_rules"] for r in results]
        best = min(range(len(us)), key=us.__getitem__)
        ratio = us[best] / results[best]["us_per_case"]["hand-written"]
        faults = min(r["faults_per_case"]["durable_rules"] for r in results)
        each = " ".join(f"{u:.1f}" for u in us)
        print(f"{label:<24} {each:>21} {us[best]:6.1f} {ratio:6.0f} {faults:11.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
