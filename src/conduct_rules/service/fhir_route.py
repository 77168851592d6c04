"""``POST /v1/fhir/assess`` (placeholder until the FHIR mapping lands)."""

from __future__ import annotations

from typing import Any

__all__ = ["add_fhir_route"]


def add_fhir_route(app: Any, ruleset: Any, call: Any, errors: Any) -> None:
    """Add the FHIR route."""
