"""The audit's summary chart: findings, outstanding safeguards and missing records, by type.

Why a bare ``Figure`` and not ``pyplot``: a library must not touch pyplot's global state or pick a
GUI backend; a ``Figure`` displays in Jupyter, saves to PNG for the HTML report, and is garbage
collected like any object. matplotlib is optional (``pip install 'conduct-rules[audit]'``).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from typing import TYPE_CHECKING

from conduct_rules.errors import ConductRulesError
from conduct_rules.render.typography import number

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from conduct_rules.batch import AuditSummary

__all__ = ["figure_png_base64", "summary_figure"]

_TITLES = {
    "en": ("Possible breaches (findings)", "Outstanding safeguards", "Missing records", "cases"),
    "fr": ("Manquements possibles", "Mesures non remplies", "Documents manquants", "dossiers"),
}


def summary_figure(
    summary: AuditSummary,
    lang: str = "en",
    labels: Mapping[tuple[str, str], str] | None = None,
) -> Figure:
    """Three horizontal bar panels, one bar per id of the ruleset (zero bars included).

    ``labels`` maps ``(kind, id)`` (kind ``finding``, ``safeguard`` or ``documentation``) to the
    words a reader sees; without it the bars are named by id.
    """
    try:
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover - depends on the environment
        raise ConductRulesError(
            "the chart needs matplotlib: pip install 'conduct-rules[audit]'"
        ) from None
    titles = _TITLES.get(lang, _TITLES["en"])
    panels: tuple[Mapping[str, int], ...] = (
        summary.findings,
        summary.outstanding_safeguards,
        summary.missing_documentation,
    )
    heights = [max(len(p), 1) for p in panels]
    fig = Figure(figsize=(8, 0.32 * sum(heights) + 2.4), layout="constrained")
    axes = fig.subplots(3, 1, gridspec_kw={"height_ratios": heights})
    kinds = ("finding", "safeguard", "documentation")
    for ax, counts, title, color, kind in zip(
        axes, panels, titles[:3], ("#b03a2e", "#b9770e", "#2e86c1"), kinds, strict=True
    ):
        ids = list(counts)[::-1]
        values = [counts[i] for i in ids]
        names = [(labels or {}).get((kind, i), i) for i in ids]
        ax.barh(names, values, color=color)
        ax.set_title(title, loc="left", fontsize=11)
        ax.set_xlabel(titles[3])
        ax.tick_params(axis="y", labelsize=8)
        for y, v in enumerate(values):
            ax.annotate(
                number(v, "fr" if lang == "fr" else "en"),
                (v, y),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
        ax.margins(x=0.15)
    return fig


def figure_png_base64(fig: Figure) -> str:
    """The figure as a base64 PNG, for a ``data:`` URI in a self-contained page."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=96)
    return base64.b64encode(buf.getvalue()).decode("ascii")
