"""The HTML report people read: caveat, breakdowns, cases grouped by reason, labels, both languages.

Checked against the summary itself (every count in a breakdown is a count of rows), and for
safety: escaped text, a strict CSP, nothing fetched.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from typing import Any

import pytest

from conduct_rules import assess_many
from conduct_rules.audit.report import CAVEAT
from conduct_rules.audit.sample import sample_cases
from conduct_rules.audit.writers import catalogue

HOSTILE = '<script>alert("x")</script>'


def _cases() -> list[dict[str, Any]]:
    cases = list(sample_cases(300, seed=44, invalid_share=0.05))
    cases.append({"case_id": HOSTILE, "stage": "ended"})
    return cases


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_report_has_caveat_breakdowns_and_grouped_cases(lang: str) -> None:
    audit = assess_many(_cases(), workers=1, lang=lang)  # type: ignore[arg-type]
    rows = list(audit)
    page = audit.to_html() or ""
    s = audit.summary
    text = html.unescape(_text(page))  # what a reader sees, whichever escaping a quote gets
    note = audit.ruleset.metadata.caveat
    expected = note[lang] if note else CAVEAT[lang]
    assert _text(expected) in text
    heads = (
        ("Verdict by stage", "Verdict by who is ending", "Most frequent outstanding safeguards")
        if lang == "en"
        else ("Verdict selon l'étape", "Verdict selon qui met fin", "le plus souvent")
    )
    for head in heads:
        assert head in text
    # The cross tables count the rows.
    by_stage = Counter((r.stage, r.verdict) for r in rows if r.status == "assessed")
    assert {(g, v): n for g, c in s.verdicts_by_stage.items() for v, n in c.items() if n} == dict(
        by_stage
    )
    assert sum(sum(c.values()) for c in s.verdicts_by_initiator.values()) == s.assessed
    # Grouped section: each case needing attention once, under a labelled reason.
    start = page.index('<section id="cases-by-reason">')
    section = page[start : page.index("</section>", start)]
    info = catalogue(audit.ruleset, lang)
    attention = [r for r in rows if audit.needs_attention(r)]
    listed = re.findall(r"<tr><td>(\d+)</td>", section)
    assert sorted(map(int, listed)) == sorted(r.row for r in attention)
    assert info[("verdict", "not_permitted")].label in html.unescape(section)
    assert ">not_permitted<" not in section  # labels, not ids
    # Safe: escaped, strict CSP, nothing fetched.
    assert HOSTILE not in page
    assert "&lt;script&gt;" in page
    assert "default-src 'none'" in page
    assert "http://" not in page
    assert "https://" not in page


def test_top_tables_are_sorted_by_count() -> None:
    audit = assess_many(_cases(), workers=1)
    page = audit.to_html() or ""
    start = page.index("Most frequent outstanding safeguards")
    table = page[start : page.index("</table>", start)]
    counts = [int(n.replace(",", "")) for n in re.findall(r'<td class="n">([\d,]+)</td>', table)]
    assert counts
    assert counts == sorted(counts, reverse=True)
    assert counts[0] == max(audit.summary.outstanding_safeguards.values())
