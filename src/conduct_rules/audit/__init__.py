"""Audit machinery that outgrew single modules: reading inputs as they arrive, rejection policies,
the rejected-records file, safe output files, stopping cleanly, and running past one machine.

Why a subpackage: the batch API itself (``assess_many``, ``AuditResult``) stays in
``conduct_rules.batch`` where users import it from; what lives here are the pieces an unattended
audit pipeline needs around it, each in a module named by its role. Nothing is imported here so
that ``conduct_rules.audit.dask`` (which needs the ``dask`` extra) is only loaded when asked for.
"""

from __future__ import annotations

__all__: list[str] = []
