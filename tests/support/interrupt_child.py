"""Child process of ``tests/stress/test_interrupts.py``: durable_rules assessments interrupted.

Run as ``python tests/support/interrupt_child.py SEED COUNT [--cold]``. Prints one JSON line: how
each interrupted call ended (by exception class name), how many completed answers differ from the
python backend, and how many differ in a final pass with no interrupt. A segfault shows as the
exit status. ``--cold`` interrupts from the very first call, so the first compile is hit too.
"""

from __future__ import annotations

import contextlib
import json
import random
import signal
import sys
import time
from typing import Any

from conduct_rules import assess
from conduct_rules.audit.sample import sample_cases


class CallerTimeout(Exception):  # noqa: N818 - the caller's own exception, named as callers do
    """What a caller's SIGALRM handler raises: must come back as itself."""


def _timeout(_signum: int, _frame: Any) -> None:
    raise CallerTimeout


def _key(result: Any) -> str:
    return str(result.model_copy(update={"engine": "-"}).model_dump_json())


def main() -> int:
    seed, count = int(sys.argv[1]), int(sys.argv[2])
    cold = "--cold" in sys.argv
    rng = random.Random(seed)
    cases = list(sample_cases(40, seed=seed))
    params = [None, {"min_attempts": 3}]
    expected = {
        (i, j): _key(assess(c, backend="python", parameters=p))
        for i, c in enumerate(cases)
        for j, p in enumerate(params)
    }
    if not cold:
        assess(cases[0], backend="durable_rules")
    t0 = time.perf_counter()
    for c in cases[:10]:
        assess(c, backend="durable_rules")
    typical = (time.perf_counter() - t0) / 10
    ends: dict[str, int] = {}
    wrong = 0
    for n in range(count):
        i, j = rng.randrange(len(cases)), rng.randrange(len(params))
        # Half the calls a timeout of the caller's, half a Ctrl-C (``default_int_handler``).
        handler = _timeout if n % 2 else signal.default_int_handler
        end = "ok"
        try:
            signal.signal(signal.SIGALRM, handler)
            signal.setitimer(signal.ITIMER_REAL, rng.uniform(1e-6, 3 * typical))
            result = assess(cases[i], backend="durable_rules", parameters=params[j])
            signal.setitimer(signal.ITIMER_REAL, 0)
            wrong += _key(result) != expected[(i, j)]
        except BaseException as exc:  # noqa: BLE001 - counted by class, checked by the test
            end = type(exc).__name__
        finally:
            with contextlib.suppress(BaseException):  # the timer may fire on the way out
                signal.setitimer(signal.ITIMER_REAL, 0)
        ends[end] = ends.get(end, 0) + 1
    signal.signal(signal.SIGALRM, signal.SIG_IGN)
    after = sum(
        _key(assess(c, backend="durable_rules", parameters=p)) != expected[(i, j)]
        for i, c in enumerate(cases)
        for j, p in enumerate(params)
    )
    print(json.dumps({"ends": ends, "wrong": wrong, "wrong_after": after}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
