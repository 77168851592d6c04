"""Text shown on a terminal: control characters escaped, so input cannot drive the terminal.

Why: a ``case_id`` (or a file name) is the caller's text, and the text reports print it. An
escape sequence in it can set the window title, clear the screen or move the cursor; a CR or a
newline can forge a verdict line; a bidirectional override can make a line read backwards. Every
text renderer passes such values through ``shown``, and the CLI passes each whole text output
through ``terminal_safe`` (which keeps the report's own line breaks). JSON output is never
changed: it escapes control characters by itself and must stay exact.
"""

from __future__ import annotations

import re

__all__ = ["shown", "terminal_safe"]

# C0 controls (TAB, LF and CR included), DEL, C1 controls, and the Unicode format characters
# that reorder or hide text: bidi embeddings, overrides and isolates, marks, line and paragraph
# separators, zero-width characters and the BOM.
_FORMAT = "\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff"
_UNSAFE = re.compile(f"[\x00-\x1f{_FORMAT}]")
_UNSAFE_BUT_NEWLINE = re.compile(f"[\x00-\x09\x0b-\x1f{_FORMAT}]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(text: str) -> str:
    """``text`` on one line with every control or reordering character escaped (``\\x1b``)."""
    return _UNSAFE.sub(_escape, text)


def terminal_safe(text: str) -> str:
    """A whole text output: as ``shown``, but the line breaks (``\\n``) are kept."""
    return _UNSAFE_BUT_NEWLINE.sub(_escape, text)
