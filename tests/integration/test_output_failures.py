"""Standard output that cannot be written: no traceback, a documented status (issue 11, item 10).

A reader that went away (a closed pipe, ``| head -1``) ends the command with status 1 and nothing
on stderr; a full disk (``> /dev/full``) with status 1 and one line on stderr. The same for the
example script. The pipe is closed before the command writes, so the test does not depend on
timing or on how much the pipe buffers.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "from conduct_rules.cli.main import main; main()"]
CASE = ROOT / "examples" / "scenario-1" / "1-before-notice.json"
COMMANDS = {
    "assess": [*CLI, "assess", str(CASE)],
    "assess-json": [*CLI, "assess", str(CASE), "--format", "json"],
    "explain": [*CLI, "explain", str(CASE)],
    "what-if": [*CLI, "what-if", str(CASE)],
    "train-export": [*CLI, "train", "--export", "md", "--seed", "1"],
    "run_scenarios": [sys.executable, str(ROOT / "examples" / "run_scenarios.py")],
    "audit": [*CLI, "audit", "-"],
}
#: What ``audit -`` reads: enough rows that its output does not fit a pipe's buffer.
JSONL = "".join(f'{{"case_id": "O-{i}", "stage": "ended"}}\n' for i in range(400))


def _run(argv: list[str], stdout: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv,
        input=JSONL if argv[-1] == "-" else "",
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("name", ["assess", "run_scenarios", "audit"])
def test_closed_pipe_is_quiet(name: str) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before anything is written
    try:
        proc = _run(COMMANDS[name], write_end)
    finally:
        os.close(write_end)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == "", proc.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
@pytest.mark.parametrize(
    "name", ["assess-json", "explain", "what-if", "train-export", "run_scenarios", "audit"]
)
def test_full_disk_is_one_line(name: str) -> None:
    fd = os.open("/dev/full", os.O_WRONLY)
    try:
        proc = _run(COMMANDS[name], fd)
    finally:
        os.close(fd)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert "cannot write the output" in proc.stderr
    assert "Traceback" not in proc.stderr
