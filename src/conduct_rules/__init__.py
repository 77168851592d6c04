"""conduct_rules: professional standards for ending a client relationship, as cited rules.

Public surface (everything else is private and may change)::

    from conduct_rules import Case, Assessment, assess, prepare
    result = assess({"case_id": "C-1", "stage": "considering"}, lang="fr")
    assessor = prepare("ontario", lang="fr")   # for many cases: prepared once
    results = [assessor.assess(c) for c in cases]
"""

from __future__ import annotations

from conduct_rules.api import assess, default_backend
from conduct_rules.audit.sample import sample_cases
from conduct_rules.batch import (
    Assessor,
    AuditResult,
    AuditRow,
    AuditSummary,
    assess_many,
    prepare,
    records_from_csv,
    records_from_dataframe,
    records_from_file,
    records_from_jsonl,
)
from conduct_rules.compare import (
    ComparedAction,
    ComparedItem,
    ComparedSafeguard,
    Comparison,
    Difference,
    RulesetVerdict,
    compare,
)
from conduct_rules.engines.durable import durable_available
from conduct_rules.errors import (
    AuditStoppedError,
    CaseValidationError,
    ConductRulesError,
    EditionError,
    EngineUnavailableError,
    EvaluationError,
    InputError,
    MappingError,
    OptionError,
    ParameterError,
    RulesetError,
)
from conduct_rules.model.assessment import (
    Action,
    Assessment,
    Documentation,
    EditionRef,
    Finding,
    Item,
    RulesetRef,
    Safeguard,
    Warning_,
)
from conduct_rules.model.case import Attempt, Case
from conduct_rules.model.version import PACKAGE_VERSION
from conduct_rules.render.text import render_text
from conduct_rules.rules.record import Record
from conduct_rules.rules.ruleset import Ruleset, available_rulesets, load_ruleset
from conduct_rules.teach.counterfactual import Change, ChangeSet, apply_changes, what_would_permit
from conduct_rules.teach.explain import Explanation, WhyNot, explain, why_not
from conduct_rules.teach.what_if import WhatIf, what_if

__version__ = PACKAGE_VERSION


def _register_views() -> None:
    """Give the results their views (``model.views``): the one place that wires render/ to them.

    Why here: the front door runs before any module of the package is used and may import every
    layer; the results themselves must not import the higher layer that draws them.
    """
    from conduct_rules.model.views import register_view
    from conduct_rules.render import chart, compare_view, html

    register_view("assessment.html", html.render_assessment)
    register_view("comparison.text", compare_view.render_comparison_text)
    register_view("comparison.html", compare_view.render_comparison_html)
    register_view("audit.html", html.render_audit_report)
    register_view("audit.summary_html", html.render_audit_summary)
    register_view("audit.figure", chart.summary_figure)


_register_views()

__all__ = [
    "Action",
    "Assessment",
    "Assessor",
    "Attempt",
    "AuditResult",
    "AuditRow",
    "AuditStoppedError",
    "AuditSummary",
    "Case",
    "CaseValidationError",
    "Change",
    "ChangeSet",
    "ComparedAction",
    "ComparedItem",
    "ComparedSafeguard",
    "Comparison",
    "ConductRulesError",
    "Difference",
    "Documentation",
    "EditionError",
    "EditionRef",
    "EngineUnavailableError",
    "EvaluationError",
    "Explanation",
    "Finding",
    "InputError",
    "Item",
    "MappingError",
    "OptionError",
    "ParameterError",
    "Record",
    "Ruleset",
    "RulesetError",
    "RulesetRef",
    "RulesetVerdict",
    "Safeguard",
    "Warning_",
    "WhatIf",
    "WhyNot",
    "__version__",
    "apply_changes",
    "assess",
    "assess_many",
    "available_rulesets",
    "compare",
    "default_backend",
    "durable_available",
    "explain",
    "load_ruleset",
    "prepare",
    "records_from_csv",
    "records_from_dataframe",
    "records_from_file",
    "records_from_jsonl",
    "render_text",
    "sample_cases",
    "what_if",
    "what_would_permit",
    "why_not",
]
