"""Stopping a batch cleanly: a request noted by a signal handler, acted on between chunks.

Why not raise from the handler: the signal may arrive while a rule engine (the durable_rules C
engine above all) is running in this process, and an exception there can leave it corrupt. The
handler only sets a flag; the batch checks it after each chunk, stops handing out work, lets the
worker processes finish what they hold and end, and raises ``AuditStoppedError``. A second signal
while stopping falls back to the default action, so a stuck run can still be killed.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from conduct_rules.errors import AuditStoppedError

__all__ = ["EXIT_STOPPED", "check_stop", "request_stop", "stop_on_signals", "stop_requested"]

#: The exit code of a run stopped by SIGTERM: the shell's convention, 128 + the signal number.
EXIT_STOPPED = 128 + int(signal.SIGTERM)
_REQUESTED = threading.Event()


def request_stop() -> None:
    """Ask the running batch to stop at the next chunk boundary."""
    _REQUESTED.set()


def stop_requested() -> bool:
    """True once a stop was requested in this process."""
    return _REQUESTED.is_set()


def check_stop() -> None:
    """Raise ``AuditStoppedError`` when a stop was requested."""
    if _REQUESTED.is_set():
        raise AuditStoppedError("the audit was stopped before it finished")


def _handler(signum: int, frame: FrameType | None) -> None:
    del frame
    if _REQUESTED.is_set():  # asked twice: do what the signal would have done
        signal.signal(signum, signal.SIG_DFL)
        signal.raise_signal(signum)
        return
    _REQUESTED.set()


@contextmanager
def stop_on_signals(*signums: int) -> Iterator[None]:
    """While inside, the given signals (default SIGTERM) request a stop instead of killing."""
    nums = signums or (int(signal.SIGTERM),)
    if threading.current_thread() is not threading.main_thread():
        yield  # handlers can only be set from the main thread
        return
    previous = {n: signal.signal(n, _handler) for n in nums}
    _REQUESTED.clear()
    try:
        yield
    finally:
        for n, old in previous.items():
            signal.signal(n, old)
        _REQUESTED.clear()


def reset_in_worker() -> None:
    """In a worker process: SIGTERM ends it at once (the parent decides about stopping)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
