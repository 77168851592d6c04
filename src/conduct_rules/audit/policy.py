"""When an audit fails: how many rejected rows a pipeline accepts (``--max-rejected``).

Why a policy at all: an unattended audit whose input went wrong (a changed export, the wrong
delimiter, the wrong file) used to end with exit 0 and every row rejected. The default now fails
a run in which no row could be assessed; ``--max-rejected N`` or ``P%`` sets the limit a pipeline
accepts. The output is always written in full: the exit code is the verdict on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from conduct_rules.errors import ParameterError

__all__ = ["RejectionPolicy"]

_SPEC = re.compile(r"\s*(\d{1,12}(?:\.\d{1,6})?)\s*(%?)\s*")


@dataclass(frozen=True)
class RejectionPolicy:
    """At most ``limit`` rejected rows, or at most ``percent`` % of all rows; None: the default."""

    limit: int | None = None
    percent: float | None = None

    @classmethod
    def parse(cls, text: str | None) -> RejectionPolicy:
        """``None`` (default), ``N`` (a count) or ``P%`` (a share of all rows, 0 to 100)."""
        if text is None:
            return cls()
        m = _SPEC.fullmatch(text)
        if m is None:
            raise ParameterError("--max-rejected takes a count (e.g. 10) or a share (e.g. 0.5%)")
        number, pct = m.groups()
        if pct:
            share = float(number)
            if share > 100:
                raise ParameterError("--max-rejected: a share is at most 100%")
            return cls(percent=share)
        if "." in number:
            raise ParameterError("--max-rejected: a count is a whole number (or add %)")
        return cls(limit=int(number))

    def describe(self) -> str:
        """The policy as the user would write it."""
        if self.limit is not None:
            return f"--max-rejected {self.limit}"
        if self.percent is not None:
            return f"--max-rejected {self.percent:g}%"
        return "the default (fail only when no row could be assessed)"

    def failure(self, total: int, rejected: int) -> str | None:
        """Why the run fails under this policy, or None when it passes."""
        assessed = total - rejected
        if self.limit is None and self.percent is None:
            if total == 0:
                return "the input holds no record"
            if assessed == 0:
                return f"no row could be assessed (all {total:,} rejected)"
            return None
        if self.limit is not None and rejected > self.limit:
            return f"{rejected:,} rejected rows exceed {self.describe()}"
        if self.percent is not None and rejected * 100 > self.percent * total:
            share = 100.0 * rejected / total
            return f"{rejected:,} rejected rows ({share:.2f}%) exceed {self.describe()}"
        return None
