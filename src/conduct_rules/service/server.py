"""What ``conduct-rules serve`` hands uvicorn: an application factory configured by environment.

Why the environment: with ``--workers N`` uvicorn starts N processes that each import the
application by name, so the settings must reach them without arguments. The API key itself is
never put there (another local user could read a process's environment): only the path of its
file, which each worker reads.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from conduct_rules.service.app import create_app
from conduct_rules.service.guard import Guard, Limits

__all__ = ["ENV", "app", "configure"]

#: The environment variable holding the settings (JSON) for the worker processes.
ENV = "CONDUCT_RULES_SERVICE"


def configure(
    *, api_key_file: str | None, cors_origins: tuple[str, ...], max_batch_rows: int
) -> None:
    """Record the settings for ``app()`` in this process and the workers it starts."""
    os.environ[ENV] = json.dumps(
        {
            "api_key_file": str(Path(api_key_file).resolve()) if api_key_file else None,
            "cors_origins": list(cors_origins),
            "max_batch_rows": max_batch_rows,
        }
    )


def app() -> Guard:
    """The configured application (uvicorn calls this once per worker)."""
    settings = json.loads(os.environ.get(ENV, "{}"))
    key_file = settings.get("api_key_file")
    key = Path(key_file).read_text(encoding="utf-8").strip() if key_file else None
    return create_app(
        api_key=key,
        cors_origins=tuple(settings.get("cors_origins", ())),
        limits=Limits(batch_rows=int(settings.get("max_batch_rows", Limits.batch_rows))),
    )
