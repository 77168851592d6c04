"""JSON text read strictly: a key repeated in one object is an error, never last-wins.

Why: ``json.loads`` keeps the last of two equal keys, so ``{"stage": "ended", ..., "stage":
"planning"}`` is assessed as planning while a person reading the file sees ``ended`` first. Every
path that reads a case from JSON text (``parse_case_json``, the CLI's case files, JSON Lines
rows, JSON list cells of a CSV, training answer files) uses ``loads`` below, and the error names
the key, never a value.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["DuplicateKeyError", "loads"]


class DuplicateKeyError(ValueError):
    """A key appears twice in one JSON object. ``key`` is the key (a field name, not a value)."""

    def __init__(self, key: str) -> None:
        super().__init__("duplicate key")
        self.key = key

    @property
    def field(self) -> str:
        """The key as it may be shown: control characters escaped, cut to 80 characters."""
        key = self.key if self.key.isprintable() else self.key.encode("unicode_escape").decode()
        return key if len(key) <= 80 else key[:80] + "…"


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)  # in C; a duplicate shows as a shorter dict, looked for only then
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKeyError(key)
            seen.add(key)
    return out


_DECODER = json.JSONDecoder(object_pairs_hook=_object)


def loads(text: str | bytes | bytearray) -> Any:
    """``json.loads`` refusing duplicate keys (``DuplicateKeyError``, a ``ValueError``)."""
    # As ``json.loads`` does: bytes in any JSON encoding (a UTF-8 byte order mark allowed), text
    # starting with a byte order mark refused.
    if isinstance(text, bytes | bytearray):
        text = text.decode(json.detect_encoding(text), "surrogatepass")
    elif text.startswith("\ufeff"):
        raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
    return _DECODER.decode(text)
