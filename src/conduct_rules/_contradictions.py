"""Facts that cannot all be true: named warnings attached to an assessment.

Kept separate so that the policy (reject or warn) for each contradiction lives in one place and is
documented in ``docs/contradictions.md``.
"""

from __future__ import annotations

from conduct_rules.assessment import Warning_
from conduct_rules.case import Case

__all__ = ["contradictions"]


def contradictions(case: Case, lang: str = "en") -> tuple[Warning_, ...]:
    """Named warnings for facts in ``case`` that do not fit together (none by default)."""
    del case, lang
    return ()
