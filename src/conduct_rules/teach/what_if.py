"""What would make ending permitted, as one answer a program can store and a person can read.

Why a model around ``what_would_permit``: the bare list of change sets has no case id, no
verdict and no words; a clinical system storing the answer, or a trainer printing it, needs to
know which case it is about, where the verdict stands now and where the options lead, and wants
the options grouped as a supervisor would give them (``teach.options``). The change sets stay in the
answer, unchanged, for programs that apply them (``apply_changes``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from conduct_rules.errors import ConductRulesError, OptionError, check_lang
from conduct_rules.model.assessment import RulesetRef
from conduct_rules.model.case import Case
from conduct_rules.model.version import SCHEMA_VERSION
from conduct_rules.render.labels import Lang
from conduct_rules.render.typography import colon, typeset
from conduct_rules.rules.editions import edition_refs
from conduct_rules.rules.facts import VERDICT
from conduct_rules.rules.ruleset import Ruleset
from conduct_rules.teach.counterfactual import TARGET, ChangeSet, search_changes
from conduct_rules.teach.derivation import evaluate_case
from conduct_rules.teach.options import Option, factor_options
from conduct_rules.teach.reasoning import options_text

__all__ = ["WhatIf", "what_if"]


class WhatIf(BaseModel):
    """The steps still open to the member that make ending permitted, for one case.

    ``verdict`` is where the case stands; ``verdict_after`` where the options lead (the target
    when ``reachable``, else the verdict unchanged). ``options`` are the plans, grouped (either/or
    within a step, interchangeable values merged); ``change_sets`` the minimal sets they come from.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: str = SCHEMA_VERSION
    case_id: str
    lang: Lang
    target: str
    verdict: str
    verdict_after: str
    already: bool
    reachable: bool
    text: str
    options: tuple[Option, ...]
    change_sets: tuple[ChangeSet, ...]
    max_changes: int
    ruleset: RulesetRef


_W = {
    "en": {
        "lead": "To make ending permitted{c}",
        "already": "Ending is already permitted: nothing needs to change.",
        "none": (
            "No set of at most {n} steps still open to the member makes ending permitted: what "
            "stands in the way is outside the member's control."
        ),
    },
    "fr": {
        "lead": "Pour que la cessation soit permise{c}",
        "already": "La cessation est déjà permise : rien n'a besoin de changer.",
        "none": (
            "Aucun ensemble d'au plus {n} démarches encore à la portée du membre ne permet la "
            "cessation : ce qui y fait obstacle ne dépend pas du membre."
        ),
    },
}


def what_if(
    case: Case | Mapping[str, Any],
    *,
    ruleset: str | Path | Ruleset | None = None,
    lang: Lang = "en",
    parameters: Mapping[str, int] | None = None,
    max_changes: int = 5,
) -> WhatIf:
    """What the member can still do to make ending permitted: options in words and as data."""
    check_lang(lang)
    if max_changes < 0:
        raise OptionError("max_changes must be zero or more")
    c, rs, ev = evaluate_case(case, ruleset, parameters)
    if TARGET not in rs.outputs.verdicts:
        raise ConductRulesError(f"ruleset {rs.id} has no '{TARGET}' verdict")
    before = next((v for v in rs.outputs.verdicts if ev.facts.get(VERDICT.format(v))), "")
    already = before == TARGET
    sets = [] if already else search_changes(rs, c, None, lang, max_changes, None, before)
    options = factor_options(sets)
    w = _W[lang]
    if already:
        text = w["already"]
    elif options:
        text = options_text(rs, options, lang, w["lead"].format(c=colon(lang)))
    else:
        text = w["none"].format(n=max_changes)
    return WhatIf(
        case_id=c.case_id,
        lang=lang,
        target=TARGET,
        verdict=before,
        verdict_after=TARGET if already or sets else before,
        already=already,
        reachable=already or bool(sets),
        text=typeset(text, lang),
        options=options,
        change_sets=tuple(sets),
        max_changes=max_changes,
        ruleset=RulesetRef(
            id=rs.id,
            version=rs.version,
            parameters=dict(rs.parameter_values),
            editions=edition_refs(rs.metadata, lang),
        ),
    )
