"""Signals held back while a C engine's state is being changed.

Why: CPython runs a Python signal handler in the main thread between two bytecodes, wherever that
thread is. durable_rules runs Python code (its dispatch loop and our actions) between its C calls,
so a ``SIGALRM`` timeout or a Ctrl-C raised there leaves the engine half-way through an action:
later answers can silently miss a conclusion, ``delete_state`` can crash the process, and a
ruleset interrupted while it was being registered stays half-registered. Inside
``signals_deferred()`` nothing a handler does can reach the engine:

* the asynchronous signals are blocked for the main thread (``pthread_sigmask``), so the kernel
  keeps them pending; with no other thread, no handler can run at all;
* every Python handler is replaced by one that only records the signal, for a signal that the
  kernel gave to another thread (whose C-level handler still asks the main thread to run the
  Python one);
* on the way out the caller's handlers are put back, the mask restored (a pending signal is then
  delivered to its own handler), and each recorded signal is passed to the handler it was meant
  for: a ``KeyboardInterrupt`` or the caller's own timeout exception propagates *as itself*, after
  the engine's state is whole again.

Only the main thread is concerned: Python handlers never run in another thread.
"""

from __future__ import annotations

import importlib
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

__all__ = ["signals_deferred"]

#: The C functions under ``signal``'s wrappers: same behaviour, but plain ints instead of enum
#: members, which makes a deferral cost about 10 µs instead of 60 (measured: the wrappers build
#: an enum member for every signal of every mask they return).
_raw: Any = importlib.import_module("_signal")
#: Signals the kernel sends because of what the process itself just did: never deferred.
_SYNCHRONOUS = {"SIGKILL", "SIGSTOP", "SIGSEGV", "SIGBUS", "SIGFPE", "SIGILL", "SIGABRT", "SIGTRAP"}
_ASYNC: tuple[int, ...] = tuple(
    sorted(
        int(s)
        for s in signal.valid_signals()
        if not (isinstance(s, signal.Signals) and s.name in _SYNCHRONOUS)
    )
)
_HAS_MASK = hasattr(_raw, "pthread_sigmask")

Handler = Callable[[int, FrameType | None], Any]


def _install(sig: int, handler: Any) -> None:
    """``signal.signal`` that completes even if a handler runs (and raises) while it is called.

    Why the retry: ``signal.signal`` first runs any handler that is pending, and that handler may
    raise before the new one is installed. The first exception is raised once all is in place.
    """
    error: BaseException | None = None
    for _ in range(8):  # bounded: a handler raising on every call would otherwise loop forever
        try:
            _raw.signal(sig, handler)
            break
        except BaseException as exc:  # noqa: BLE001 - re-raised below, once the handler is set
            error = error or exc
    if error is not None:
        raise error


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold back asynchronous signals (main thread only); deliver them to their handlers after.

    Re-entrant: an inner use inside an outer one changes nothing.
    """
    if threading.current_thread() is not threading.main_thread() or _STATE.active:
        yield
        return
    pending: list[tuple[int, FrameType | None]] = []
    saved: list[tuple[int, Handler]] = []

    def record(signum: int, frame: FrameType | None) -> None:
        pending.append((signum, frame))

    old_mask = _raw.pthread_sigmask(_raw.SIG_BLOCK, _ASYNC) if _HAS_MASK else None
    _STATE.active = 1
    try:
        try:
            getsignal = _raw.getsignal
            for sig in _ASYNC:
                current = getsignal(sig)
                if callable(current):
                    saved.append((sig, current))
                    _install(sig, record)
            yield
        finally:
            _STATE.active = 0
            error: BaseException | None = None
            for sig, handler in saved:
                try:
                    _install(sig, handler)
                except BaseException as exc:  # noqa: BLE001 - raised after every handler is back
                    error = error or exc
            if old_mask is not None:
                _raw.pthread_sigmask(_raw.SIG_SETMASK, old_mask)
            if error is not None:
                raise error
    finally:
        # Each recorded signal once, in arrival order, to the handler it was sent to.
        handlers = dict(saved)
        done: set[int] = set()
        for signum, frame in pending:
            if signum not in done:
                done.add(signum)
                handlers[signum](signum, frame)


class _State(threading.local):
    active = 0


_STATE = _State()
