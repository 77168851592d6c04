"""Facts the engine concludes between strata, the same way whichever backend runs.

Why here and not in the ruleset: "outstanding" is *required and not met*, and "missing" is
*required and not recorded*. Writing these as rules would need a negation in the same stratum as
the facts negated, which durable_rules cannot do safely; the engine adds them after each stratum,
from conclusions already final.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from conduct_rules.rules.ruleset import Ruleset

__all__ = ["add_auto_facts"]


def add_auto_facts(ruleset: Ruleset, facts: MutableMapping[str, Any]) -> None:
    """Set the ``outstanding`` / ``missing`` facts and ``documentation.any_missing``."""
    get = facts.get
    for sid in ruleset.outputs.safeguards:
        facts[f"safeguard.{sid}.outstanding"] = bool(
            get(f"safeguard.{sid}.required") and not get(f"safeguard.{sid}.met")
        )
    any_missing = False
    for did in ruleset.outputs.documentation:
        missing = bool(
            get(f"documentation.{did}.required") and not get(f"documentation.{did}.recorded")
        )
        facts[f"documentation.{did}.missing"] = missing
        any_missing = any_missing or missing
    facts["documentation.any_missing"] = any_missing
