"""The HTML templates: all shipped, all compile, every value escaped, no name silently empty.

Why: the HTML views (an assessment, a comparison, an audit's summary and report) are Jinja2
templates in ``conduct_rules/render/templates``. Autoescape is what keeps a case id such as
``<script>`` inert, and a misspelt variable must fail rather than print nothing in a report an
auditor relies on.
"""

from __future__ import annotations

from importlib.resources import files

import jinja2
import pytest

from conduct_rules import assess, assess_many, compare
from conduct_rules.render.html import render_template

HOSTILE = "<script>alert('x')</script>&"
TEMPLATES = sorted(
    p.name
    for p in files("conduct_rules").joinpath("render", "templates").iterdir()
    if p.name.endswith(".html.j2")
)


def test_every_template_is_shipped_and_compiles() -> None:
    assert {"assessment.html.j2", "audit_report.html.j2", "audit_summary.html.j2",
            "comparison.html.j2"} <= set(TEMPLATES)  # fmt: skip
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("conduct_rules", "render/templates"), autoescape=True
    )
    for name in TEMPLATES:
        env.get_template(name)  # a syntax error raises here


def test_a_missing_name_fails_instead_of_printing_nothing() -> None:
    with pytest.raises(jinja2.UndefinedError):
        render_template("comparison.html.j2")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_view_escapes_a_hostile_case_id(lang: str) -> None:
    case = {"case_id": HOSTILE, "court_order": {"applies": True}}
    audit = assess_many([case, {"case_id": HOSTILE, "stage": "bogus"}], workers=1, lang=lang)  # type: ignore[arg-type]
    pages = {
        "assessment": assess(case, lang=lang)._repr_html_(),  # type: ignore[arg-type]
        "comparison": compare(case, rulesets=["ontario", "crpo-6.3"], lang=lang)._repr_html_(),  # type: ignore[arg-type]
        "audit summary": audit._repr_html_(),
        "audit report": audit.to_html() or "",
    }
    for view, page in pages.items():
        assert "<script>" not in page, view
        assert "&lt;script&gt;" in page, view  # the id is there, escaped
        assert "<tr><td" in page, view  # and the tables rendered
