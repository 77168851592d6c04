"""The service against its own OpenAPI document: schemathesis, in process (no socket).

Valid and invalid inputs generated from the schema; the checks: no 5xx answer, every status code
and content type declared, every JSON answer conforming to its declared schema. Examples are
bounded (``MAX_EXAMPLES`` per operation, derandomised) so that this runs in the quick suite.
"""

from __future__ import annotations

import json
import os

import pytest

schemathesis = pytest.importorskip("schemathesis")
pytest.importorskip("fastapi")

from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import (  # noqa: E402
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from conduct_rules.service import Limits, create_app  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

MAX_EXAMPLES = 10


@schemathesis.serializer("application/x-ndjson")
def _json_lines(ctx: object, value: object) -> dict[str, bytes]:
    """The batch body as JSON Lines: the generated array's items, one per line."""
    items = value if isinstance(value, list) else [value]
    return {"data": "\n".join(json.dumps(i) for i in items).encode()}


# A small batch limit: the generator tries the boundary (``maxItems``), and a test need not
# assess ten thousand cases to show the limit is declared and kept.
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(limits=Limits(batch_rows=40)))
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=MAX_EXAMPLES,
    deterministic=True,
)
# The coverage phase (boundary and invalid values for every keyword) is thorough but slow: it runs
# in the slow suite (CONDUCT_RULES_SCHEMA_COVERAGE=1, set by
# tests/integration/test_service_schema_slow.py).
schema.config.phases.coverage.enabled = os.environ.get("CONDUCT_RULES_SCHEMA_COVERAGE") == "1"

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_conforms_to_its_openapi_document(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)
