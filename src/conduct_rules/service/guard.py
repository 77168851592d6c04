"""The service's outer layer: API key, request size limit, and a last-resort error answer.

Why plain ASGI rather than framework middleware: it sees every request before routing, so an
over-large or unauthenticated body is refused before anything parses it, and it wraps the whole
application, so a defect anywhere becomes a value-free 500 answer instead of a traceback in the
server's log (Starlette re-raises handled errors so that servers log them; this layer does not).
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from conduct_rules.model.strict_json import DuplicateKeyError
from conduct_rules.model.strict_json import loads as strict_loads
from conduct_rules.service.problems import internal_error, problem

__all__ = ["Guard", "Limits"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Paths anyone may read without the key: a load balancer's probe and the contract itself.
_OPEN_PATHS = frozenset({"/healthz", "/openapi.json"})


@dataclass(frozen=True)
class Limits:
    """Request size limits, in bytes and rows; ``batch_bytes`` applies to ``/v1/assess/batch``."""

    body_bytes: int = 1_048_576
    batch_bytes: int = 16 * 1_048_576
    batch_rows: int = 10_000


class Guard:
    """Wraps the application: key check, bounded body, no unhandled error reaching the server."""

    def __init__(self, app: ASGIApp, *, api_key: str | None, limits: Limits) -> None:
        self.app = app
        self._key = api_key.encode("utf-8") if api_key is not None else None
        self.limits = limits

    def _authorised(self, scope: Scope) -> bool:
        if self._key is None or scope.get("path", "") in _OPEN_PATHS:
            return True
        given = b""
        for name, value in scope.get("headers", ()):
            if name == b"authorization" and value[:7].lower() == b"bearer ":
                given = value[7:].strip()
            elif name == b"x-api-key":
                given = value.strip()
        # Constant time: the comparison takes as long whether the first byte or the last differs.
        return hmac.compare_digest(given, self._key)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not self._authorised(scope):
            response = problem(
                401,
                "unauthorized",
                "send the API key as 'Authorization: Bearer <key>'",
                headers={"WWW-Authenticate": "Bearer"},
            )
            await response(scope, receive, send)
            return
        limit = (
            self.limits.batch_bytes
            if scope.get("path", "").startswith("/v1/assess/batch")
            else self.limits.body_bytes
        )
        body = await _read_body(scope, receive, limit)
        if body is None:
            detail = f"the request body is larger than {limit} bytes"
            await problem(413, "too-large", detail)(scope, receive, send)
            return
        repeated = _repeated_key(scope, body)
        if repeated is not None:  # a key given twice is refused, never read as the last one
            detail = "a key appears twice in one object"
            await problem(422, "invalid-request", detail, [(repeated, "duplicate key")])(
                scope, receive, send
            )
            return
        started = False

        async def replay() -> Message:
            nonlocal body
            if body is not None:
                chunk, body = body, None
                return {"type": "http.request", "body": chunk, "more_body": False}
            return await receive()  # after the body: only a disconnect can come

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, replay, tracked_send)
        except Exception as exc:  # noqa: BLE001 - the last resort: never let a defect's text out
            if not started:
                await internal_error(exc)(scope, receive, send)


def _repeated_key(scope: Scope, body: bytes) -> str | None:
    """The first key a JSON body repeats within one object, if it is JSON and repeats one.

    Why here: the framework decodes request bodies with ``json.loads``, which keeps the last of
    two equal keys; a case whose ``stage`` is given twice must be refused, as the library and the
    CLI refuse it (issue 11). Bodies that are not JSON are left to the route to report.
    """
    headers = dict(scope.get("headers") or ())
    media = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
    if scope.get("method") != "POST" or media != b"application/json" or not body:
        return None
    try:
        strict_loads(body)
    except DuplicateKeyError as exc:
        return exc.field
    except (ValueError, RecursionError):
        return None
    return None


async def _read_body(scope: Scope, receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None when it exceeds ``limit`` (announced or actually sent)."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                if int(value) > limit:
                    return None
            except ValueError:
                return None
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        parts.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(parts)
