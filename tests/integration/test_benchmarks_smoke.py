"""``benchmarks/run.py --quick`` runs to the end and every engine agrees with the reference.

Why a test of a benchmark: the script is how the speed figures of ``docs/benchmarks.md`` are
made, and it checks every engine case by case before timing it (exit 1 on a mismatch). A change
that breaks it, or makes an engine disagree with the page's function, must fail CI. No timing is
asserted: speed is measured by the script, never by tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conduct_rules import durable_available

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow  # every engine, peers included, on every benchmark: minutes on a busy machine
def test_benchmark_script_runs_and_every_engine_agrees() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--json"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(figures["bench8"]["mismatches"].values()) == {0}
    assert set(figures["ontario"]["mismatches"].values()) == {0}
    timed = ["hand-written", "fast", "python", "fast summarize"]
    if durable_available():  # not on Python 3.13: its rows are left out there
        timed.append("durable_rules")
    for name in timed:
        assert figures["bench8"]["us"][name] > 0
