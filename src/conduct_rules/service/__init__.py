"""The HTTP service: ``conduct-rules serve`` (needs the ``[service]`` extra: fastapi, uvicorn).

Why a service at all: most clinical systems are not Python programs. An electronic record in
Java or C#, a case-management web application or an integration engine calls a small, documented
HTTP service instead, written from its OpenAPI document (``GET /openapi.json``). See
``docs/calling-from-another-system.md``.

Layers import one way: ``models`` and ``problems`` know nothing of the routes; ``app`` builds the
routes from the library; ``guard`` wraps the whole application; ``server`` runs it with uvicorn.
"""

from __future__ import annotations

from conduct_rules.service.app import create_app, openapi_document
from conduct_rules.service.guard import Limits

__all__ = ["Limits", "create_app", "openapi_document"]
