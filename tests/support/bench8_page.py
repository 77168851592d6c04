"""The 8-rule benchmark page (``shared/benchmark-ruleset.md``) read literally, for tests.

Why a module of its own: the tests of both benchmark rulesets (``bench8`` over ``Case``,
``bench8-flat`` over the page's record) check against the same reading of the page's table,
written once, independently of the library and of ``benchmarks/peers.py``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FLAGS", "page"]

#: The page's thirteen flags (besides ``id`` and ``session_attempts``).
FLAGS = (
    "needed", "terminating", "client_requested", "client_withdrew", "alt_efforts", "opportunity",
    "serious_risk", "court_ordered", "legal_advice", "session_held", "documented_rationale",
    "documented_attempts", "threats",
)  # fmt: skip


def page(r: dict[str, Any]) -> set[str]:
    """The conclusions of R1-R8 for one flat record, as the page's table states them."""
    reason = r["client_requested"] or r["client_withdrew"] or r["alt_efforts"] or r["opportunity"]
    r1 = r["terminating"] and r["needed"] and not (reason or r["serious_risk"])
    r2 = r["terminating"] and reason and not r["serious_risk"]
    out = {
        "misconduct_2_8": r1,
        "termination_session_required": r2,
        "session_efforts_insufficient": r2 and not r["session_held"] and r["session_attempts"] < 2,
        "legal_advice_required": r["court_ordered"] and r["terminating"] and not r["legal_advice"],
        "remote_session_only": r["serious_risk"] or r["threats"],
        "missing_doc_rationale": r["terminating"] and not r["documented_rationale"],
        "missing_doc_attempts": r2 and r["session_attempts"] > 0 and not r["documented_attempts"],
        "termination_permitted": r["terminating"] and not r1,
    }
    return {k for k, v in out.items() if v}
