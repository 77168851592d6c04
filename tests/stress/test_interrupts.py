"""Interrupting a durable_rules assessment never crashes, corrupts or disguises (issue 11, item 1).

A ``SIGALRM`` timeout or Ctrl-C arriving while durable_rules runs used to segfault the process in
``delete_state``, leave the engine giving wrong answers, turn the first compile into a permanent
``RulesetError``, and come back as ``EvaluationError``. The dangerous part runs in a child process
(``interrupt_child.py``) so that a crash is a failed test with its exit status; every completed
answer is compared with the python backend's, during the interrupts and in a final pass.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conduct_rules import assess, durable_available
from conduct_rules.engines import _signals
from conduct_rules.engines import durable as durable_engine
from conduct_rules.errors import EvaluationError

needs_durable = pytest.mark.skipif(not durable_available(), reason="durable_rules not loadable")
CHILD = Path(__file__).resolve().parents[1] / "support" / "interrupt_child.py"


def _child(seed: int, count: int, *flags: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, str(CHILD), str(seed), str(count), *flags],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, f"child ended with status {proc.returncode}: {proc.stderr[-500:]}"
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


def _check(out: dict[str, Any], count: int) -> None:
    ends = out["ends"]
    assert sum(ends.values()) == count
    # Only an answer or the interrupt itself: never EvaluationError, RulesetError or anything else.
    assert set(ends) <= {"ok", "KeyboardInterrupt", "CallerTimeout"}, ends
    assert ends.get("ok", 0) > 0
    assert ends.get("KeyboardInterrupt", 0) + ends.get("CallerTimeout", 0) > 0  # really interrupted
    assert out["wrong"] == 0
    assert out["wrong_after"] == 0


@needs_durable
@pytest.mark.parametrize("flags", [(), ("--cold",)], ids=["warm", "first-compile"])
def test_random_interrupts_quick(flags: tuple[str, ...]) -> None:
    _check(_child(11, 300, *flags), 300)


@needs_durable
@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_interrupts_long(seed: int) -> None:
    _check(_child(seed, 5000, *(("--cold",) if seed == 1 else ())), 5000)


class _MineError(Exception):
    pass


def _raise_mine(_signum: int, _frame: Any) -> None:
    raise _MineError


def _send_and_loop(reached_end: list[bool]) -> None:
    with _signals.signals_deferred():
        os.kill(os.getpid(), signal.SIGUSR1)
        for _ in range(1000):  # many bytecode boundaries: the handler must not run here
            pass
        reached_end.append(True)


def test_deferred_signal_arrives_after_as_itself() -> None:
    old = signal.signal(signal.SIGUSR1, _raise_mine)
    sigint_before = signal.getsignal(signal.SIGINT)  # SIG_IGN when the run is in the background
    reached_end = []
    try:
        with pytest.raises(_MineError):
            _send_and_loop(reached_end)
        assert reached_end == [True]
        assert signal.getsignal(signal.SIGUSR1) is _raise_mine  # the caller's handler is back
        assert signal.getsignal(signal.SIGINT) is sigint_before  # restored as it was
        assert not signal.pthread_sigmask(signal.SIG_BLOCK, [])  # nothing left blocked
    finally:
        signal.signal(signal.SIGUSR1, old)


def test_deferral_without_signal_changes_nothing() -> None:
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM)}
    with _signals.signals_deferred(), _signals.signals_deferred():  # re-entrant
        pass
    assert {s: signal.getsignal(s) for s in before} == before


@needs_durable
def test_engine_failure_rebuilds_the_host(monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure inside the engine discards the host: the next answers are right."""
    case = {"case_id": "rebuild", "member": {"objectivity_impaired": True}}
    expected = assess(case, backend="python").model_copy(update={"engine": "durable_rules"})
    assert assess(case, backend="durable_rules") == expected
    host = durable_engine._HOST
    assert host is not None
    calls = {"n": 0}
    real = host.host.assert_fact

    def flaky(name: str, fact: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            real(name, fact)  # the engine changed state, then something failed
            raise MemoryError
        return real(name, fact)

    monkeypatch.setattr(host.host, "assert_fact", flaky)
    with pytest.raises(EvaluationError):
        assess(case, backend="durable_rules")
    assert durable_engine._HOST is None  # discarded
    assert assess(case, backend="durable_rules") == expected
    assert durable_engine._HOST is not host
    assert durable_engine.live_sessions() == 0
