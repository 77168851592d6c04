"""A short soak in a subprocess: durable_rules assessments, exit status and memory bound.

The full run (1,000,000 cases, figures in docs/reliability.md) takes about twenty minutes and is
run by hand: ``python scripts/soak.py``. This CI-sized run catches the same failures early: a
crash of the C engine (a signal, so a non-zero exit status, not a dead test run), answers that
change over a long run, and memory that grows with the number of cases. The bound is generous
(the measured growth is a few MB) so a busy CI machine does not make it flaky; a leak of even
1 KB per case would exceed it over the 20,000 cases of the full run (``slow``). The quick run
soaks 1,000 cases: it catches a crash and changed answers, not a small leak.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conduct_rules import durable_available

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "soak.py"
CASES = int(os.environ.get("CR_SOAK_CASES", "20000"))
SIZES = [
    pytest.param(min(1_000, CASES), id="quick"),
    pytest.param(CASES, id="full", marks=pytest.mark.slow),
]
MAX_GROWTH_MB = 40.0


@pytest.mark.skipif(not durable_available(), reason="durable_rules not importable here")
@pytest.mark.parametrize("cases", SIZES)
def test_soak_durable_rules_in_a_subprocess(cases: int) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--cases",
            str(cases),
            "--pool",
            "500",
            "--max-growth-mb",
            str(MAX_GROWTH_MB),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert proc.returncode >= 0, f"killed by signal {-proc.returncode}: {proc.stderr[-2000:]}"
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["mismatches"] == 0
    assert summary["growth_mb"] <= MAX_GROWTH_MB, summary
    assert [c["cases"] for c in summary["checkpoints"]] == [0, cases // 10, cases // 2, cases]
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_soak_script_fails_when_the_bound_is_exceeded() -> None:
    """The exit status really carries the verdict: an impossible bound fails the run."""
    proc = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--cases",
            "200",
            "--pool",
            "50",
            "--backend",
            "python",
            "--max-growth-mb",
            "-1",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1])["ok"] is False
