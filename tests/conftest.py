"""Shared test configuration: hypothesis profiles.

``dev`` (default): quick and random, for the edit-test loop. ``ci``: more examples, derandomised,
no example database, so CI runs are reproducible. ``quick``: ``ci`` with fewer examples, for the
quick run (``bash scripts/test.sh -m "not slow"``), which must stay under four minutes on two
cores. Select with ``HYPOTHESIS_PROFILE``; ``ci`` with a mark expression that deselects the slow
tests becomes ``quick`` by itself, so CI (``bash scripts/test.sh``, every test) keeps the full
count and the quick run the small one. Tests that ask for their own count scale it with
``support.profiles.examples``.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "dev", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
for _name, _count in (("ci", 200), ("quick", 25)):
    settings.register_profile(
        _name,
        max_examples=_count,
        deadline=None,
        derandomize=True,
        database=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow],
    )


def profile_name(env: str | None, markexpr: str) -> str:
    """The profile to load: ``env`` (``dev`` when unset), ``ci`` becoming ``quick`` when the
    slow tests are deselected."""
    name = env or "dev"
    if name == "ci" and "not slow" in " ".join(markexpr.split()):
        return "quick"
    return name


def pytest_configure(config: pytest.Config) -> None:
    """Load the profile before any test module is imported (their ``@settings`` read it)."""
    env = os.environ.get("HYPOTHESIS_PROFILE")
    settings.load_profile(profile_name(env, config.option.markexpr or ""))


def pytest_report_header(config: pytest.Config) -> str:
    """Say which profile ran: a failure's example count depends on it."""
    return f"hypothesis profile: {settings.get_current_profile_name()}"
