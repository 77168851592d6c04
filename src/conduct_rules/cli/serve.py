"""``conduct-rules serve``: the HTTP service, with uvicorn.

Why refuse a non-loopback address without an API key: a service that answers on the network
without one would let anyone who can reach the port submit client data and read assessments.
On 127.0.0.1 (the default) only programs on the same machine can call it.

Why it takes ``-o``, ``--lang``, ``--format``, ``--ruleset`` and ``--parameters``: every command
takes the same options (one grammar). The service answers in JSON to its HTTP clients, who give
the language, ruleset and parameters with each request; any other value is refused in one line
(exit 2), never silently ignored.
"""

from __future__ import annotations

from pathlib import Path

import click

from conduct_rules.cli.common import (
    fail,
    lang_option,
    output_option,
    parameters_option,
    refuse_parameters,
    ruleset_option,
)

__all__ = ["serve_cmd"]

#: Shortest API key accepted: a key a person could guess is no key.
MIN_KEY_LENGTH = 16
_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


def _read_key(path: str) -> str:
    try:
        key = Path(path).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        fail(f"{path}: no such file")
    except (OSError, UnicodeDecodeError):
        fail(f"{path}: cannot read the API key file")
    if len(key) < MIN_KEY_LENGTH or not key.isprintable() or " " in key:
        fail(f"{path}: the API key must be one line of at least {MIN_KEY_LENGTH} characters")
    return key


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--api-key-file",
    default=None,
    help="File holding the API key clients must send (required on any address but loopback).",
)
@click.option(
    "--cors-origin",
    "cors_origins",
    multiple=True,
    help="An origin browsers may call from (repeat for several); none by default.",
)
@click.option(
    "--max-batch-rows", default=10_000, show_default=True, type=click.IntRange(1, 1_000_000)
)
@output_option()
@lang_option("Not used here: each request gives its language (lang).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json"]),
    default="json",
    show_default=True,
    help="The service answers in JSON.",
)
@ruleset_option("Not used here: each request gives its ruleset.")
@parameters_option()
def serve_cmd(
    host: str,
    port: int,
    workers: int,
    api_key_file: str | None,
    cors_origins: tuple[str, ...],
    max_batch_rows: int,
    output: str | None,
    lang: str,
    fmt: str,
    ruleset: str | None,
    params: tuple[str, ...],
) -> None:
    """Serve the HTTP API (OpenAPI document at /openapi.json) until stopped.

    SIGTERM or Ctrl-C stops it gracefully: requests already accepted are answered first.
    Exit status: 0 stopped, 2 a bad option (no output file, language or ruleset applies here).
    """
    del fmt  # one choice: JSON
    if output is not None:
        fail("--output: the service answers its HTTP clients; it writes no output file")
    if lang != "en":
        fail("--lang: each request to the service gives its own language")
    if ruleset is not None:
        fail("--ruleset: each request to the service gives its own ruleset")
    refuse_parameters(params, "each request to the service gives its own parameters")
    try:
        import uvicorn
    except ImportError:
        fail("the service needs the 'service' extra: pip install 'conduct-rules[service]'")
    if api_key_file is None and host not in _LOOPBACK:
        fail(f"refusing to listen on {host} without --api-key-file (only loopback is open)")
    from conduct_rules.service.server import configure

    if api_key_file is not None:
        _read_key(api_key_file)  # refused here, with a message, rather than in every worker
    configure(
        api_key_file=api_key_file,
        cors_origins=cors_origins,
        max_batch_rows=max_batch_rows,
    )
    uvicorn.run(
        "conduct_rules.service.server:app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        timeout_graceful_shutdown=30,
        server_header=False,
    )
