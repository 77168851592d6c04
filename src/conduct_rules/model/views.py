"""Views of results, registered by the layer that draws them.

Why a registry: a result offers its own views (``Assessment._repr_html_``, ``Comparison.
render_text``, ``AuditResult.to_html``...) but the code that draws them lives in ``render/``,
a higher layer that reads the results' types. Importing it from the result would be an upward
import and an import cycle. Instead the package's front door (``conduct_rules/__init__``, which
runs before any of its modules is used) registers each view once, and a result looks its view up
by name when asked. The names are internal; the views' output is what the tests check.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conduct_rules.errors import ConductRulesError

__all__ = ["register_view", "view"]

_VIEWS: dict[str, Callable[..., Any]] = {}


def register_view(name: str, draw: Callable[..., Any]) -> None:
    """Register ``draw`` as the view ``name`` (done once, at import, by the front door)."""
    _VIEWS[name] = draw


def view(name: str) -> Callable[..., Any]:
    """The registered view ``name``; an error if the front door has not registered it."""
    try:
        return _VIEWS[name]
    except KeyError:
        raise ConductRulesError(
            "this view is not available: import conduct_rules before using its results"
        ) from None
