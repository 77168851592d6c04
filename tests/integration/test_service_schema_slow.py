"""schemathesis with its coverage phase: boundary and invalid values for every schema keyword.

Why a separate, slow test: the coverage phase sends a few hundred requests per operation, about
a minute on 2 cores; the quick run keeps the generated examples only
(``tests/integration/test_service_schema.py``). This runs that file again with the phase
switched on.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("schemathesis")

HERE = Path(__file__).resolve().parent


@pytest.mark.slow
def test_schema_coverage_phase_finds_nothing() -> None:
    env = {**os.environ, "CONDUCT_RULES_SCHEMA_COVERAGE": "1"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            str(HERE / "test_service_schema.py"),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=HERE.parents[1],
        timeout=1200,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:]
